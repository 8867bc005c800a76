// MonitorEngine: runs every enabled monitor on its schedule, turns verdicts into confirmed
// states, writes results, drives component status and automation, and raises staff alerts.
//
// Life of a failure: the scheduler says a monitor is due; its probe runs on the outbound engine
// and posts the result back; the evaluator (N of M) confirms "down"; the engine writes the
// samples, rollups, the monitor's new state and one staff alert per AlertTarget in ONE
// transaction (store::RecordMonitorResults) at once, wakes the StaffAlerter, sets the component
// status through service::ComponentService (status history and outbox event), and lets
// Automation open an incident or a draft. Results without a state change are written in
// batches at least every second.
//
// A storage failure never becomes a false outage: the state change is applied only after its
// write commits, so a failed write leaves every monitor at its last confirmed state. Results wait
// in a bounded buffer (oldest samples dropped first) and the write is retried; staff are told
// once per storage outage, through StaffAlerter::SendDirect (no store needed).
//
// Maintenance: while an active maintenance window (in_progress or verifying) covers a component,
// or the component is under_maintenance, results and monitor states are still recorded but the
// component status, automation and staff alerts for its monitors are suppressed.
//
// Monitor definitions come from store.ListMonitors("") at start, on Reload() (the API calls it
// after a change) and every reload_interval as a fallback; a monitor's window survives reloads.
//
// Thread safety: Start() runs the loop on its own thread; Reload(), Wake(), NotifyHeartbeat()
// and the accessors may be called from any thread; probes may complete on any thread. Tests call
// Step() with a FakeClock and no thread: it starts every check due at clock.Now() and processes
// the results that have arrived.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "model/monitor.h"
#include "monitor/automation.h"
#include "monitor/engine_metrics.h"
#include "monitor/evaluator.h"
#include "monitor/probe.h"
#include "monitor/rollups.h"
#include "monitor/scheduler.h"
#include "monitor/staff_alerter.h"
#include "store/store.h"

namespace herald::monitor {

struct EngineOptions {
  TimeMs flush_interval_ms = 1000;     // results are written at least this often
  TimeMs reload_interval_ms = 10'000;  // fallback re-read of monitor definitions
  TimeMs prune_interval_ms = 3'600'000;
  TimeMs keep_samples_ms = 48LL * 3600 * 1000;
  TimeMs keep_minute_rollups_ms = 14LL * 24 * 3600 * 1000;
  TimeMs keep_day_rollups_ms = 400LL * 24 * 3600 * 1000;
  size_t max_buffered_samples = 200'000;  // while the store refuses writes
  TimeMs write_retry_ms = 1000;
  TimeMs max_sleep_ms = 1000;  // the thread loop's longest wait
};

struct EngineDeps {
  store::Store& store;
  const Clock& clock;
  // The probe for a kind (nullptr: not available here; such monitors are not run).
  std::function<Probe*(model::MonitorKind)> probes;
  // Publishes a draft as a real incident (shared with the management API).
  PublishDraftFn publish_draft;
  // Optional: woken after a write with alerts; used to tell staff that storage fails.
  StaffAlerter* alerter = nullptr;
  // Asks for a new public snapshot after component or incident changes.
  std::function<void()> on_change = [] {};
};

class MonitorEngine {
 public:
  MonitorEngine(EngineDeps deps, EngineOptions options = {});
  ~MonitorEngine();
  MonitorEngine(const MonitorEngine&) = delete;
  MonitorEngine& operator=(const MonitorEngine&) = delete;

  void Start();
  void Stop();  // waits for the loop; results of running checks are dropped
  void Wake();

  // Re-read monitor definitions (and rules, alert targets, maintenance) at the next step.
  void Reload();
  // A heartbeat monitor's job called at `at`: check it at once (the public endpoint records the
  // call in the store itself).
  void NotifyHeartbeat(const std::string& monitor_id, TimeMs at);

  // One round. Returns when the next round is needed (the next due check, flush or reload).
  TimeMs Step();
  // Writes buffered results now. The error of the write, if it failed.
  Status Flush();

  const EngineStats& stats() const { return stats_; }
  const Automation::Stats& automation_stats() const;  // engine thread / tests only
  // The confirmed state the engine holds for a monitor (nullopt: not loaded or disabled).
  std::optional<model::MonitorState> StateOf(const std::string& monitor_id) const;

 private:
  struct Runtime {
    model::Monitor monitor;  // definition + engine-owned columns (state is the confirmed state)
    Thresholds thresholds;
    MonitorWindow window;
    bool in_flight = false;
    std::optional<model::MonitorState> pending;  // evaluated, not yet written
    model::MonitorSample pending_evidence;       // the check that confirmed `pending`
    bool dirty = false;                          // columns to write
  };
  struct ComponentRuntime {
    bool known = false;
    bool suppressed = false;
    model::ComponentStatus last = model::ComponentStatus::kOperational;
  };
  struct MaintenanceWindow {
    std::set<std::string> component_ids;
  };
  // What other threads hand to the loop. Shared with the probes' callbacks, which may outlive
  // the engine (a check still running at shutdown).
  struct Inbox {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<ProbeResult> results;
    std::vector<std::pair<std::string, TimeMs>> heartbeats;
    bool reload = false;
    bool wake = false;
    EngineStats* stats = nullptr;  // cleared by the engine's destructor
  };

  void ReloadLocked(TimeMs now, bool first);
  void RefreshMaintenance(const std::string& page_id);
  bool Suppressed(const std::string& page_id, const std::string& component_id) const;
  void StartDue(TimeMs now);
  void Process(ProbeResult result);
  Status FlushLocked(TimeMs now);
  std::vector<model::StaffAlert> AlertsFor(const Runtime& rt, model::MonitorState to, TimeMs now) const;
  void TellStorageDegraded(const Error& error, TimeMs now);
  // Recomputes components' statuses and acts on changes (component status, automation).
  void UpdateComponents(const std::set<std::pair<std::string, std::string>>& components);
  void Loop();

  EngineDeps deps_;
  EngineOptions options_;
  EngineStats stats_;
  Automation automation_;

  mutable std::mutex mu_;  // engine state below; held by Step()
  Scheduler scheduler_;
  std::map<std::string, Runtime> monitors_;                                     // enabled monitors by id
  std::map<std::pair<std::string, std::string>, ComponentRuntime> components_;  // (page, component)
  std::map<std::string, std::vector<MaintenanceWindow>> maintenance_;           // by page
  std::map<std::string, std::vector<model::AlertTarget>> targets_;              // by page
  std::deque<model::MonitorSample> samples_;                                    // not yet written
  RollupBuffer rollups_;
  bool loaded_ = false;
  bool change_pending_ = false;
  TimeMs next_flush_ = 0, next_reload_ = 0, next_prune_ = 0;
  TimeMs storage_failing_since_ = 0;  // 0: writes work

  std::shared_ptr<Inbox> inbox_;
  std::atomic<bool> running_{false};
  std::thread thread_;
};

}  // namespace herald::monitor
