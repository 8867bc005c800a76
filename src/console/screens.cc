// THE list of console screens, in navigation order (a screen with a navigation label appears in
// this order; the others are reached from them). A new screen: its file, and one line here.
#include "console/screen.h"

namespace herald::console {

const std::vector<ScreenDescriptor>& Screens() {
  static const std::vector<ScreenDescriptor> kScreens = {
      HomeScreen(),  // the dashboard
      // Incidents: list, composer and its preview, one incident, templates.
      IncidentsScreen(),
      IncidentNewScreen(),
      IncidentNewPreviewScreen(),
      IncidentScreen(),
      IncidentPreviewScreen(),
      IncidentTemplatesScreen(),
      IncidentTemplateScreen(),
      // Components and maintenance.
      ComponentsScreen(),
      ComponentScreen(),
      MaintenanceScreen(),
      MaintenanceNewScreen(),
      MaintenanceOneScreen(),
      // Subscribers.
      SubscribersScreen(),
      SubscriberScreen(),
      SubscribersExportScreen(),
      SubscribersImportScreen(),
      SubscribersImportProgressScreen(),
      // Monitors, alert targets and automation.
      MonitorsScreen(),
      MonitorNewScreen(),
      MonitorScreen(),
      AlertsScreen(),
      AutomationScreen(),
      AutomationRuleScreen(),
      // Settings, API keys, the audit log, the team, your account.
      SettingsScreen(),
      ApiKeysScreen(),
      AuditScreen(),
      AuditExportScreen(),
      TeamScreen(),
      AccountScreen(),
  };
  return kScreens;
}

}  // namespace herald::console
