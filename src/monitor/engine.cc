#include "monitor/engine.h"

#include <algorithm>
#include <cstdio>

#include "core/log.h"
#include "core/text.h"
#include "core/thread_name.h"
#include "service/component_status.h"
#include "service/services.h"

namespace herald::monitor {

using model::ComponentStatus;
using model::MonitorState;

namespace {

std::string Ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f ms", ms);
  return buf;
}

// "14:02:05 UTC"
std::string SecondsUtc(TimeMs t) {
  const TimeMs in_day = FloorTo(t, 1000) - FloorTo(t, kDayMs);
  char buf[24];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d UTC", static_cast<int>(in_day / 3'600'000),
                static_cast<int>(in_day / 60'000 % 60), static_cast<int>(in_day / 1000 % 60));
  return buf;
}

std::string AlertId(const std::string& what, TimeMs since, const std::string& target_id) {
  return "sa_" + Sha256Hex(what + "|" + std::to_string(since) + "|" + target_id).substr(0, 32);
}

}  // namespace

MonitorEngine::MonitorEngine(EngineDeps deps, EngineOptions options)
    : deps_(std::move(deps)),
      options_(options),
      automation_(service::Deps{deps_.store, deps_.clock, deps_.on_change}, deps_.publish_draft),
      rollups_(options_.max_buffered_samples),
      inbox_(std::make_shared<Inbox>()) {
  inbox_->stats = &stats_;
}

MonitorEngine::~MonitorEngine() {
  Stop();
  std::lock_guard lock(inbox_->mu);
  inbox_->stats = nullptr;
}

void MonitorEngine::Start() {
  if (running_.exchange(true)) return;
  thread_ = std::thread([this] {
    SetThreadName("herald-monitor");
    Loop();
  });
}

void MonitorEngine::Stop() {
  if (!running_.exchange(false)) return;
  Wake();
  if (thread_.joinable()) thread_.join();
}

void MonitorEngine::Wake() {
  {
    std::lock_guard lock(inbox_->mu);
    inbox_->wake = true;
  }
  inbox_->cv.notify_all();
}

void MonitorEngine::Reload() {
  {
    std::lock_guard lock(inbox_->mu);
    inbox_->reload = true;
  }
  inbox_->cv.notify_all();
}

void MonitorEngine::NotifyHeartbeat(const std::string& monitor_id, TimeMs at) {
  {
    std::lock_guard lock(inbox_->mu);
    inbox_->heartbeats.emplace_back(monitor_id, at);
  }
  inbox_->cv.notify_all();
}

const Automation::Stats& MonitorEngine::automation_stats() const { return automation_.stats(); }

std::optional<MonitorState> MonitorEngine::StateOf(const std::string& monitor_id) const {
  std::lock_guard lock(mu_);
  auto it = monitors_.find(monitor_id);
  if (it == monitors_.end()) return std::nullopt;
  return it->second.monitor.state;
}

void MonitorEngine::Loop() {
  while (running_) {
    const TimeMs next = Step();
    const TimeMs wait = std::clamp<TimeMs>(next - deps_.clock.Now(), 0, options_.max_sleep_ms);
    std::unique_lock lock(inbox_->mu);
    inbox_->cv.wait_for(lock, std::chrono::milliseconds(wait), [&] {
      return !running_ || inbox_->wake || inbox_->reload || !inbox_->results.empty() || !inbox_->heartbeats.empty();
    });
    inbox_->wake = false;
  }
  (void)Flush();  // what has arrived is not lost on a clean stop
}

TimeMs MonitorEngine::Step() {
  std::lock_guard lock(mu_);
  const TimeMs now = deps_.clock.Now();
  bool reload = false;
  std::vector<std::pair<std::string, TimeMs>> heartbeats;
  {
    std::lock_guard in(inbox_->mu);
    reload = inbox_->reload;
    inbox_->reload = false;
    heartbeats.swap(inbox_->heartbeats);
  }
  if (!loaded_ || reload || now >= next_reload_) ReloadLocked(now, !loaded_);
  for (const auto& [id, at] : heartbeats) {
    auto it = monitors_.find(id);
    if (it == monitors_.end()) continue;
    it->second.monitor.last_heartbeat_at = std::max(it->second.monitor.last_heartbeat_at, at);
    scheduler_.RunAt(id, now);
  }
  StartDue(now);
  std::vector<ProbeResult> results;
  {
    std::lock_guard in(inbox_->mu);
    results.swap(inbox_->results);
  }
  for (auto& r : results) Process(std::move(r));
  stats_.buffered = static_cast<std::int64_t>(samples_.size());
  if ((change_pending_ && storage_failing_since_ == 0) || now >= next_flush_) (void)FlushLocked(now);
  automation_.Tick();
  if (now >= next_prune_) {
    auto pruned = deps_.store.PruneMonitorData(now - options_.keep_samples_ms, now - options_.keep_minute_rollups_ms,
                                               now - options_.keep_day_rollups_ms);
    if (!pruned) log::Warn("cannot prune monitoring data", {{"error", pruned.error().message}});
    next_prune_ = now + options_.prune_interval_ms;
  }
  TimeMs next = std::min({next_reload_, next_prune_, now + options_.max_sleep_ms});
  if (!samples_.empty() || change_pending_) next = std::min(next, next_flush_);
  if (auto due = scheduler_.NextDue()) next = std::min(next, *due);
  return std::max(next, now);
}

Status MonitorEngine::Flush() {
  std::lock_guard lock(mu_);
  {
    std::vector<ProbeResult> results;
    {
      std::lock_guard in(inbox_->mu);
      results.swap(inbox_->results);
    }
    for (auto& r : results) Process(std::move(r));
  }
  return FlushLocked(deps_.clock.Now());
}

// ---------------------------------------------------------------------------------------------
// Definitions

void MonitorEngine::ReloadLocked(TimeMs now, bool first) {
  next_reload_ = now + options_.reload_interval_ms;
  auto list = deps_.store.ListMonitors("");
  if (!list) {
    log::Warn("cannot load monitors (keeping the last definitions)", {{"error", list.error().message}});
    return;
  }
  std::set<std::pair<std::string, std::string>> touched;
  std::set<std::string> seen, pages;
  for (auto& m : *list) {
    const bool runnable = m.enabled && (!deps_.probes || deps_.probes(m.kind) != nullptr);
    if (!runnable) continue;
    seen.insert(m.id);
    pages.insert(m.page_id);
    auto it = monitors_.find(m.id);
    if (it == monitors_.end()) {
      Runtime rt;
      rt.thresholds = Thresholds::Of(m);
      rt.monitor = std::move(m);
      touched.insert({rt.monitor.page_id, rt.monitor.component_id});
      scheduler_.Upsert(rt.monitor.id, rt.monitor.interval_ms, now);
      const std::string id = rt.monitor.id;
      monitors_.emplace(id, std::move(rt));
      continue;
    }
    Runtime& rt = it->second;
    // The engine owns the state columns: the store's copy may lag behind a failed write.
    m.state = rt.monitor.state;
    m.state_since = rt.monitor.state_since;
    m.last_check_at = rt.monitor.last_check_at;
    m.last_error = rt.monitor.last_error;
    m.last_heartbeat_at = std::max(m.last_heartbeat_at, rt.monitor.last_heartbeat_at);
    if (m.component_id != rt.monitor.component_id || m.down_status != rt.monitor.down_status ||
        m.slow_status != rt.monitor.slow_status) {
      touched.insert({rt.monitor.page_id, rt.monitor.component_id});
      touched.insert({m.page_id, m.component_id});
    }
    rt.thresholds = Thresholds::Of(m);
    scheduler_.Upsert(m.id, m.interval_ms, now);
    rt.monitor = std::move(m);
  }
  for (auto it = monitors_.begin(); it != monitors_.end();) {
    if (seen.count(it->first)) {
      ++it;
      continue;
    }
    touched.insert({it->second.monitor.page_id, it->second.monitor.component_id});
    scheduler_.Remove(it->first);
    it = monitors_.erase(it);
  }
  for (const auto& page : pages) {
    if (auto t = deps_.store.ListAlertTargets(page)) {
      targets_[page] = *t;
      if (deps_.alerter) deps_.alerter->SetTargets(page, std::move(*t));
    }
    RefreshMaintenance(page);
  }
  if (auto st = automation_.Load(); !st) log::Warn("cannot load automation rules", {{"error", st.error().message}});
  stats_.monitors = static_cast<std::int64_t>(monitors_.size());
  for (const auto& [id, rt] : monitors_) touched.insert({rt.monitor.page_id, rt.monitor.component_id});
  if (first) {
    next_flush_ = now + options_.flush_interval_ms;
    next_prune_ = now + kMinuteMs;
  }
  loaded_ = true;
  UpdateComponents(touched);
}

void MonitorEngine::RefreshMaintenance(const std::string& page_id) {
  store::IncidentFilter f;
  f.maintenance = true;
  f.unresolved_only = true;
  f.include_internal_updates = false;
  auto list = deps_.store.ListIncidents(page_id, f);
  if (!list) return;  // keep what we knew
  std::vector<MaintenanceWindow> windows;
  for (const auto& inc : *list) {
    if (inc.status != model::IncidentStatus::kInProgress && inc.status != model::IncidentStatus::kVerifying) continue;
    MaintenanceWindow w;
    for (const auto& ac : inc.components) w.component_ids.insert(ac.component_id);
    windows.push_back(std::move(w));
  }
  maintenance_[page_id] = std::move(windows);
}

bool MonitorEngine::Suppressed(const std::string& page_id, const std::string& component_id) const {
  if (component_id.empty()) return false;
  auto it = maintenance_.find(page_id);
  if (it == maintenance_.end()) return false;
  for (const auto& w : it->second)
    if (w.component_ids.count(component_id)) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Checks

void MonitorEngine::StartDue(TimeMs now) {
  for (const auto& due : scheduler_.PopDue(now)) {
    auto it = monitors_.find(due.monitor_id);
    if (it == monitors_.end()) continue;
    Runtime& rt = it->second;
    if (rt.in_flight) {
      ++stats_.checks_skipped;  // the previous check is still running: never two at once
      continue;
    }
    Probe* probe = deps_.probes ? deps_.probes(rt.monitor.kind) : nullptr;
    if (!probe) continue;
    const TimeMs lag = std::max<TimeMs>(now - due.due_at, 0);
    stats_.RecordLag(lag);
    rt.in_flight = true;
    ++stats_.checks_started;
    ++stats_.in_flight;
    std::shared_ptr<Inbox> inbox = inbox_;
    const std::string id = rt.monitor.id;
    probe->Start(rt.monitor, [inbox, id, now](ProbeResult r) {
      r.sample.monitor_id = id;
      r.sample.at = now;
      bool first = false;
      {
        std::lock_guard lock(inbox->mu);
        if (inbox->stats) {
          --inbox->stats->in_flight;
          ++inbox->stats->checks_completed;
        }
        first = inbox->results.empty();
        inbox->results.push_back(std::move(r));
      }
      if (first) inbox->cv.notify_all();
    });
  }
}

void MonitorEngine::Process(ProbeResult result) {
  model::MonitorSample& s = result.sample;
  auto it = monitors_.find(s.monitor_id);
  if (it == monitors_.end()) return;  // removed while its check ran
  Runtime& rt = it->second;
  rt.in_flight = false;
  stats_.results_dropped += rollups_.Add(s);
  rt.window.Push(s.verdict, rt.thresholds);
  rt.monitor.last_check_at = std::max(rt.monitor.last_check_at, s.at);
  // A slow check says why too (a certificate about to expire): the reason of a degraded state.
  if (s.verdict != model::CheckVerdict::kUp && !s.error.empty()) rt.monitor.last_error = s.error;
  rt.dirty = true;
  const MonitorState next = rt.window.Evaluate(rt.monitor.state, rt.thresholds);
  if (next != rt.monitor.state) {
    if (!rt.pending || *rt.pending != next) {
      rt.pending = next;
      rt.pending_evidence = s;
    }
    change_pending_ = true;
  } else {
    rt.pending.reset();  // back to the written state before it was written: nothing happened
  }
  samples_.push_back(std::move(s));
  while (samples_.size() > options_.max_buffered_samples) {
    samples_.pop_front();  // the oldest go first; rollups still count them
    ++stats_.results_dropped;
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

std::vector<model::StaffAlert> MonitorEngine::AlertsFor(const Runtime& rt, MonitorState to, TimeMs now) const {
  std::vector<model::StaffAlert> out;
  auto targets = targets_.find(rt.monitor.page_id);
  if (targets == targets_.end() || targets->second.empty() || to == MonitorState::kUnknown) return out;
  // A new monitor's first good check is not news for anyone.
  if (rt.monitor.state == MonitorState::kUnknown && to == MonitorState::kUp) return out;
  const model::Monitor& m = rt.monitor;
  const model::MonitorSample& e = rt.pending_evidence;
  const std::string state(model::ToString(to));
  std::string headline;
  switch (to) {
    case MonitorState::kDown: headline = m.name + " is down"; break;
    case MonitorState::kDegraded: headline = m.name + " is degraded"; break;
    default: headline = m.name + " is up"; break;
  }
  std::string what = std::string(model::ToString(m.kind)) + " check";
  if (!m.spec.target.empty()) what += " of " + m.spec.target;
  std::string text = headline + " since " + SecondsUtc(e.at) + " (was " + std::string(model::ToString(m.state)) +
                     ").\nMonitor: " + m.name + " (" + what +
                     ")\nLast check: " + std::string(model::ToString(e.verdict));
  std::vector<std::pair<std::string, std::string>> facts = {{"State", state}, {"Monitor", m.name}};
  if (!m.spec.target.empty()) facts.emplace_back("Target", m.spec.target);
  if (e.status_code) {
    text += ", HTTP " + std::to_string(e.status_code);
    facts.emplace_back("Status code", std::to_string(e.status_code));
  }
  if (!e.error.empty()) {
    text += "\nError: " + e.error;
    facts.emplace_back("Error", e.error);
  }
  const auto& t = e.timings;
  std::string timings = "dns " + Ms(t.dns_ms) + ", connect " + Ms(t.connect_ms) + ", tls " + Ms(t.tls_ms) +
                        ", first byte " + Ms(t.first_byte_ms) + ", total " + Ms(t.total_ms);
  text += "\nTimings: " + timings;
  facts.emplace_back("Timings", timings);
  if (!e.evidence.empty()) {
    text += "\nEvidence: " + e.evidence;
    facts.emplace_back("Evidence", e.evidence);
  }
  facts.emplace_back("Since", SecondsUtc(e.at));
  for (const auto& target : targets->second) {
    model::StaffAlert a;
    // Deterministic: a write retried after an unclear failure inserts no second alert.
    a.id = AlertId(m.id + "|" + state, e.at, target.id);
    a.page_id = m.page_id;
    a.target_id = target.id;
    a.monitor_id = m.id;
    a.kind = "monitor." + state;
    a.subject = headline;
    a.text = text;
    a.facts = facts;
    a.state = model::DeliveryState::kPending;
    a.next_attempt_at = now;
    a.created_at = now;
    a.updated_at = now;
    out.push_back(std::move(a));
  }
  return out;
}

void MonitorEngine::TellStorageDegraded(const Error& error, TimeMs now) {
  log::Error("monitoring results cannot be stored", {{"error", error.message}});
  if (!deps_.alerter) return;
  for (const auto& [page, targets] : targets_) {
    for (const auto& target : targets) {
      model::StaffAlert a;
      a.id = AlertId("monitoring.degraded", storage_failing_since_, target.id);
      a.page_id = page;
      a.target_id = target.id;
      a.kind = "monitoring.degraded";
      a.subject = "Monitoring is degraded: results cannot be stored";
      a.text = "Herald cannot write monitoring results to its database since " + SecondsUtc(storage_failing_since_) +
               ".\nError: " + error.message +
               "\nChecks keep running and results are buffered; every monitor keeps its last confirmed state "
               "until results can be stored again.";
      a.facts = {{"Error", error.message}, {"Since", SecondsUtc(storage_failing_since_)}};
      a.state = model::DeliveryState::kPending;
      a.next_attempt_at = now;
      a.created_at = now;
      a.updated_at = now;
      deps_.alerter->SendDirect(a);
    }
  }
}

Status MonitorEngine::FlushLocked(TimeMs now) {
  std::vector<Runtime*> changing;
  bool dirty = false;
  std::set<std::string> pages;
  for (auto& [id, rt] : monitors_) {
    dirty = dirty || rt.dirty;
    if (rt.pending) {
      changing.push_back(&rt);
      pages.insert(rt.monitor.page_id);
    }
  }
  if (samples_.empty() && rollups_.empty() && changing.empty() && !dirty) {
    change_pending_ = false;
    next_flush_ = now + options_.flush_interval_ms;
    return {};
  }
  // A maintenance window may have started since the last reload: look again before alerting.
  for (const auto& page : pages) RefreshMaintenance(page);

  store::MonitorResultsWrite w;
  w.samples.assign(samples_.begin(), samples_.end());
  w.rollups = rollups_.Buckets();
  for (auto& [id, rt] : monitors_) {
    if (!rt.dirty && !rt.pending) continue;
    model::Monitor m = rt.monitor;
    if (rt.pending) {
      m.state = *rt.pending;
      m.state_since = rt.pending_evidence.at;
    }
    w.monitors.push_back(std::move(m));
  }
  for (Runtime* rt : changing) {
    bool suppressed = Suppressed(rt->monitor.page_id, rt->monitor.component_id);
    if (!suppressed && !rt->monitor.component_id.empty()) {
      auto c = deps_.store.GetComponent(rt->monitor.page_id, rt->monitor.component_id);
      suppressed = c && c->status == ComponentStatus::kUnderMaintenance;
    }
    if (suppressed) continue;
    auto alerts = AlertsFor(*rt, *rt->pending, now);
    std::move(alerts.begin(), alerts.end(), std::back_inserter(w.alerts));
  }

  auto st = deps_.store.RecordMonitorResults(w);
  if (!st) {
    // Nothing was written, so nothing is confirmed: every monitor keeps its last state.
    ++stats_.write_failures;
    next_flush_ = now + options_.write_retry_ms;
    if (storage_failing_since_ == 0) {
      storage_failing_since_ = now;
      stats_.storage_degraded = true;
      TellStorageDegraded(st.error(), now);
    }
    return st;
  }
  if (storage_failing_since_ != 0) {
    log::Info("monitoring results are stored again",
              {{"failing_for_ms", std::to_string(now - storage_failing_since_)}});
    storage_failing_since_ = 0;
    stats_.storage_degraded = false;
  }
  stats_.results_written += static_cast<std::int64_t>(w.samples.size());
  samples_.clear();
  rollups_.Clear();
  stats_.buffered = 0;
  std::set<std::pair<std::string, std::string>> touched;
  for (auto& [id, rt] : monitors_) {
    rt.dirty = false;
    if (!rt.pending) continue;
    rt.monitor.state = *rt.pending;
    rt.monitor.state_since = rt.pending_evidence.at;
    rt.pending.reset();
    ++stats_.state_changes;
    touched.insert({rt.monitor.page_id, rt.monitor.component_id});
  }
  change_pending_ = false;
  next_flush_ = now + options_.flush_interval_ms;
  stats_.alerts_raised += static_cast<std::int64_t>(w.alerts.size());
  if (!w.alerts.empty() && deps_.alerter) deps_.alerter->Wake();
  UpdateComponents(touched);
  return {};
}

// ---------------------------------------------------------------------------------------------
// Components

void MonitorEngine::UpdateComponents(const std::set<std::pair<std::string, std::string>>& components) {
  // One pass over the monitors, not one per component (reloads touch every component).
  std::map<std::pair<std::string, std::string>, std::vector<const Runtime*>> by_component;
  for (const auto& [id, rt] : monitors_) {
    auto key = std::make_pair(rt.monitor.page_id, rt.monitor.component_id);
    if (components.count(key)) by_component[key].push_back(&rt);
  }
  for (const auto& key : components) {
    const auto& [page_id, component_id] = key;
    if (component_id.empty()) continue;
    const Runtime* worst = nullptr;
    ComponentStatus computed = ComponentStatus::kOperational;
    for (const Runtime* rt : by_component[key]) {
      const ComponentStatus s = StatusFor(rt->monitor.state, rt->monitor);
      if (!worst || model::Severity(s) > model::Severity(computed)) {
        worst = rt;
        computed = s;
      }
    }
    ComponentRuntime& cr = components_[key];
    if (Suppressed(page_id, component_id)) {
      cr.suppressed = true;  // maintenance: its status is the maintenance's business
      continue;
    }
    const bool changed = !cr.known || computed != cr.last;
    if (!changed && !cr.suppressed) continue;
    auto c = deps_.store.GetComponent(page_id, component_id);
    if (!c) {
      if (c.error().code == ErrorCode::kNotFound) {
        cr.known = true;
        cr.last = computed;
      }
      continue;  // otherwise try again on the next reload
    }
    if (c->status == ComponentStatus::kUnderMaintenance) {
      cr.suppressed = true;  // under maintenance (set by hand, say): the monitors do not count
      continue;
    }
    if (changed) {
      FailureFacts facts;
      facts.component_name = c->name;
      facts.component_hidden = c->hidden;
      if (worst) {
        facts.monitor_id = worst->monitor.id;
        facts.monitor_name = worst->monitor.name;
        facts.error = worst->monitor.last_error;
        facts.since = worst->monitor.state_since;
      }
      automation_.OnComponentStatus(page_id, component_id, computed, facts);
    }
    // The monitors are one cause of the component's status (their states are stored by now):
    // it shows the worst of them and whatever else is active on it. At start this also finishes
    // what a crash may have interrupted.
    auto r = service::RefreshComponentStatus({deps_.store, deps_.clock, deps_.on_change}, page_id, component_id);
    if (!r) {
      log::Error("cannot set component status", {{"component", component_id}, {"error", r.error().message}});
      continue;  // cr unchanged: retried on the next reload
    }
    if (r->status != c->status) ++stats_.component_updates;
    cr.known = true;
    cr.last = computed;
    cr.suppressed = false;
  }
}

}  // namespace herald::monitor
