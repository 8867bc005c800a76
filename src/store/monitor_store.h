// MonitorStore: the Store role that holds Herald's own checks and what follows from them: monitor
// definitions and their engine-owned state, raw samples and minute/day rollups, heartbeats,
// automation rules, incident drafts, staff alert targets and the staff alerts sent to them. The
// monitor engine, its StaffAlerter and the monitoring service and API use it.
//
// Thread safety, blocking and errors: as Store (store.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/monitor.h"

namespace herald::store {

// One round of monitoring results, applied atomically by RecordMonitorResults: the raw samples,
// their minute and day rollups (added to existing buckets), the monitors whose confirmed state
// or bookkeeping changed, and the staff alerts those changes raise. If it fails nothing is
// written and the engine keeps each monitor's last confirmed state.
struct MonitorResultsWrite {
  std::vector<model::MonitorSample> samples;
  std::vector<model::MonitorRollup> rollups;  // increments, merged into stored buckets
  // Monitors whose state, state_since, last_check_at, last_heartbeat_at or last_error changed
  // (only those columns are written: the definition may have been edited meanwhile).
  std::vector<model::Monitor> monitors;
  std::vector<model::StaffAlert> alerts;  // inserted; an existing id is left alone
};

class MonitorStore {
 public:
  virtual ~MonitorStore() = default;

  // Monitors. SaveMonitor upserts the definition by id (kNotFound when the page or the component
  // is missing); ListMonitors with an empty page_id lists every page's, ordered by page, name, id.
  // DeleteMonitor removes its samples and rollups too.
  virtual Status SaveMonitor(const model::Monitor& monitor) = 0;
  virtual Result<model::Monitor> GetMonitor(const std::string& page_id, const std::string& id) = 0;
  virtual Result<std::vector<model::Monitor>> ListMonitors(const std::string& page_id) = 0;
  virtual Status DeleteMonitor(const std::string& page_id, const std::string& id) = 0;
  // The heartbeat monitor whose token hashes to `token_hash`, if any.
  virtual Result<std::optional<model::Monitor>> FindMonitorByHeartbeat(const std::string& token_hash) = 0;
  // Records that a heartbeat monitor's job called at `at` (sets last_heartbeat_at).
  virtual Status RecordHeartbeat(const std::string& monitor_id, TimeMs at) = 0;
  virtual Status RecordMonitorResults(const MonitorResultsWrite& write) = 0;
  // A monitor's raw samples at or after `since`, newest first, at most `limit`.
  virtual Result<std::vector<model::MonitorSample>> ListMonitorSamples(const std::string& monitor_id, TimeMs since,
                                                                       int limit) = 0;
  // Rollups of granularity 'm' or 'd' with bucket_start >= since, for one monitor (monitor_id
  // set) or every monitor of a page (monitor_id empty), ordered by monitor id then bucket.
  virtual Result<std::vector<model::MonitorRollup>> ListMonitorRollups(const std::string& page_id,
                                                                       const std::string& monitor_id, char granularity,
                                                                       TimeMs since) = 0;
  // Deletes samples older than `samples_before`, minute rollups older than `minutes_before` and
  // day rollups older than `days_before`. Returns the number of rows deleted.
  virtual Result<std::int64_t> PruneMonitorData(TimeMs samples_before, TimeMs minutes_before, TimeMs days_before) = 0;

  // Automation rules, one per component (upsert by page and component).
  virtual Result<std::vector<model::AutomationRule>> ListAutomationRules(const std::string& page_id) = 0;
  virtual Status SaveAutomationRule(const model::AutomationRule& rule) = 0;
  virtual Status DeleteAutomationRule(const std::string& page_id, const std::string& component_id) = 0;

  // Incident drafts prepared by automation (upsert by id). ListIncidentDrafts with an empty
  // page_id lists every page's; `waiting_only` keeps state kWaiting. Newest first.
  virtual Status SaveIncidentDraft(const model::IncidentDraft& draft) = 0;
  virtual Result<model::IncidentDraft> GetIncidentDraft(const std::string& page_id, const std::string& id) = 0;
  virtual Result<std::vector<model::IncidentDraft>> ListIncidentDrafts(const std::string& page_id,
                                                                       bool waiting_only) = 0;

  // Staff alert targets (upsert by id) and the alerts sent to them.
  virtual Status SaveAlertTarget(const model::AlertTarget& target) = 0;
  virtual Result<std::vector<model::AlertTarget>> ListAlertTargets(const std::string& page_id) = 0;
  virtual Status DeleteAlertTarget(const std::string& page_id, const std::string& id) = 0;
  // Inserts alerts outside a results write ("monitoring degraded" when results cannot be written
  // is attempted this way too); an existing id is left alone.
  virtual Status AddStaffAlerts(const std::vector<model::StaffAlert>& alerts) = 0;
  // Leases due alerts (pending or retrying, next_attempt_at <= now) oldest first by moving
  // next_attempt_at to `lease_until`; concurrent callers get disjoint sets.
  virtual Result<std::vector<model::StaffAlert>> ClaimDueStaffAlerts(TimeMs now, TimeMs lease_until, int limit) = 0;
  // Writes state, attempts, next_attempt_at, updated_at, last_status, last_error of each alert.
  virtual Status FinishStaffAlerts(const std::vector<model::StaffAlert>& alerts) = 0;
  // Newest first, for the API.
  virtual Result<std::vector<model::StaffAlert>> ListStaffAlerts(const std::string& page_id, int limit) = 0;
};

}  // namespace herald::store
