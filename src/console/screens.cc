// THE list of console screens, in navigation order. A new screen: its file, and one line here.
#include "console/screen.h"

namespace herald::console {

const std::vector<ScreenDescriptor>& Screens() {
  static const std::vector<ScreenDescriptor> kScreens = {
      HomeScreen(),
      // Monitors, alert targets and automation (issue 15, dashboard and monitors).
      MonitorsScreen(),
      MonitorNewScreen(),
      MonitorScreen(),
      AlertsScreen(),
      AutomationScreen(),
      AutomationRuleScreen(),
      TeamScreen(),
      AccountScreen(),
  };
  return kScreens;
}

}  // namespace herald::console
