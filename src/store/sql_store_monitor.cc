// Monitoring tables: monitors, samples and rollups, automation rules, drafts, staff alerts.
#include "store/sql_store.h"

namespace herald::store {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
Status SqlStore::SaveMonitor(const model::Monitor& monitor) {
  return Error::Internal("SaveMonitor: not implemented yet");
}
Result<model::Monitor> SqlStore::GetMonitor(const std::string& page_id, const std::string& id) {
  return Error::Internal("GetMonitor: not implemented yet");
}
Result<std::vector<model::Monitor>> SqlStore::ListMonitors(const std::string& page_id) {
  return Error::Internal("ListMonitors: not implemented yet");
}
Status SqlStore::DeleteMonitor(const std::string& page_id, const std::string& id) {
  return Error::Internal("DeleteMonitor: not implemented yet");
}
Result<std::optional<model::Monitor>> SqlStore::FindMonitorByHeartbeat(const std::string& token_hash) {
  return Error::Internal("FindMonitorByHeartbeat: not implemented yet");
}
Status SqlStore::RecordHeartbeat(const std::string& monitor_id, TimeMs at) {
  return Error::Internal("RecordHeartbeat: not implemented yet");
}
Status SqlStore::RecordMonitorResults(const MonitorResultsWrite& write) {
  return Error::Internal("RecordMonitorResults: not implemented yet");
}
Result<std::vector<model::MonitorSample>> SqlStore::ListMonitorSamples(const std::string& monitor_id, TimeMs since,
                                                                       int limit) {
  return Error::Internal("ListMonitorSamples: not implemented yet");
}
Result<std::vector<model::MonitorRollup>> SqlStore::ListMonitorRollups(const std::string& page_id,
                                                                       const std::string& monitor_id, char granularity,
                                                                       TimeMs since) {
  return Error::Internal("ListMonitorRollups: not implemented yet");
}
Result<std::int64_t> SqlStore::PruneMonitorData(TimeMs samples_before, TimeMs minutes_before, TimeMs days_before) {
  return Error::Internal("PruneMonitorData: not implemented yet");
}
Result<std::vector<model::AutomationRule>> SqlStore::ListAutomationRules(const std::string& page_id) {
  return Error::Internal("ListAutomationRules: not implemented yet");
}
Status SqlStore::SaveAutomationRule(const model::AutomationRule& rule) {
  return Error::Internal("SaveAutomationRule: not implemented yet");
}
Status SqlStore::DeleteAutomationRule(const std::string& page_id, const std::string& component_id) {
  return Error::Internal("DeleteAutomationRule: not implemented yet");
}
Status SqlStore::SaveIncidentDraft(const model::IncidentDraft& draft) {
  return Error::Internal("SaveIncidentDraft: not implemented yet");
}
Result<model::IncidentDraft> SqlStore::GetIncidentDraft(const std::string& page_id, const std::string& id) {
  return Error::Internal("GetIncidentDraft: not implemented yet");
}
Result<std::vector<model::IncidentDraft>> SqlStore::ListIncidentDrafts(const std::string& page_id, bool waiting_only) {
  return Error::Internal("ListIncidentDrafts: not implemented yet");
}
Status SqlStore::SaveAlertTarget(const model::AlertTarget& target) {
  return Error::Internal("SaveAlertTarget: not implemented yet");
}
Result<std::vector<model::AlertTarget>> SqlStore::ListAlertTargets(const std::string& page_id) {
  return Error::Internal("ListAlertTargets: not implemented yet");
}
Status SqlStore::DeleteAlertTarget(const std::string& page_id, const std::string& id) {
  return Error::Internal("DeleteAlertTarget: not implemented yet");
}
Status SqlStore::AddStaffAlerts(const std::vector<model::StaffAlert>& alerts) {
  return Error::Internal("AddStaffAlerts: not implemented yet");
}
Result<std::vector<model::StaffAlert>> SqlStore::ClaimDueStaffAlerts(TimeMs now, TimeMs lease_until, int limit) {
  return Error::Internal("ClaimDueStaffAlerts: not implemented yet");
}
Status SqlStore::FinishStaffAlerts(const std::vector<model::StaffAlert>& alerts) {
  return Error::Internal("FinishStaffAlerts: not implemented yet");
}
Result<std::vector<model::StaffAlert>> SqlStore::ListStaffAlerts(const std::string& page_id, int limit) {
  return Error::Internal("ListStaffAlerts: not implemented yet");
}
#pragma GCC diagnostic pop

}  // namespace herald::store
