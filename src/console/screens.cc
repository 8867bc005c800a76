// THE list of console screens, in navigation order. A new screen: its file, and one line here.
#include "console/screen.h"

namespace herald::console {

const std::vector<ScreenDescriptor>& Screens() {
  static const std::vector<ScreenDescriptor> kScreens = {
      HomeScreen(),
      // Components, maintenance and the audit log.
      ComponentsScreen(),
      ComponentScreen(),
      MaintenanceScreen(),
      MaintenanceNewScreen(),
      MaintenanceOneScreen(),
      AuditScreen(),
      AuditExportScreen(),
      // Subscribers and settings (issue 15, subs)
      SubscribersScreen(),
      SubscriberScreen(),
      SubscribersExportScreen(),
      SubscribersImportScreen(),
      SubscribersImportProgressScreen(),
      SettingsScreen(),
      ApiKeysScreen(),
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
