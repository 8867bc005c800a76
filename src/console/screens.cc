// THE list of console screens, in navigation order. A new screen: its file, and one line here.
#include "console/screen.h"

namespace herald::console {

const std::vector<ScreenDescriptor>& Screens() {
  static const std::vector<ScreenDescriptor> kScreens = {
      HomeScreen(),
      // Incidents (issue 15): list, composer and its preview, one incident, templates.
      IncidentsScreen(),
      IncidentNewScreen(),
      IncidentNewPreviewScreen(),
      IncidentScreen(),
      IncidentPreviewScreen(),
      IncidentTemplatesScreen(),
      IncidentTemplateScreen(),
      TeamScreen(),
      AccountScreen(),
  };
  return kScreens;
}

}  // namespace herald::console
