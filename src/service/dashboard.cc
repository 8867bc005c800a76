#include "service/dashboard.h"

#include <algorithm>

namespace herald::service {
namespace {

// Unresolved incidents or maintenance of one status, newest first, at most kDashboardListLimit;
// with `before`, only those whose sort key (start or window) is before it.
Result<std::vector<model::Incident>> WithStatus(store::Store& store, const std::string& page_id,
                                                model::IncidentStatus status, std::optional<TimeMs> before) {
  store::IncidentPageQuery q;
  q.status = status;
  q.limit = kDashboardListLimit;
  if (before) {
    q.has_after = true;  // after (before, ""): every key below `before`
    q.after_key = *before;
  }
  return store.PageIncidents(page_id, q);
}

std::string Minutes(TimeMs ms) {
  const TimeMs minutes = (ms + 59'999) / 60'000;  // "due in 1 min" until it is due
  if (minutes < 60) return std::to_string(minutes) + " min";
  const TimeMs h = minutes / 60, m = minutes % 60;
  return std::to_string(h) + " h" + (m ? " " + std::to_string(m) + " min" : "");
}

}  // namespace

std::string NextUpdateLabel(TimeMs due, TimeMs now) {
  if (due > now) return "due in " + Minutes(due - now);
  if (now - due < 60'000) return "due now";
  return "overdue by " + Minutes(now - due - 59'999);
}

std::string DashboardDigest(const Dashboard& d) {
  std::string out = d.page.id + "|" + d.overall.indicator + "|i";
  for (const auto& di : d.open_incidents) {
    out += ";" + di.incident.id + "," + std::string(model::ToString(di.incident.status)) + "," +
           std::to_string(di.incident.updated_at);
    if (di.next_update_at) out += "," + NextUpdateLabel(*di.next_update_at, d.now);
  }
  out += "|m";
  for (const auto* list : {&d.active_maintenance, &d.upcoming_maintenance})
    for (const auto& m : *list)
      out += ";" + m.id + "," + std::string(model::ToString(m.status)) + "," + std::to_string(m.updated_at);
  out += "|o";
  for (const auto& dm : d.monitors)
    out += ";" + dm.monitor.id + "," + std::string(model::ToString(dm.monitor.state)) + (dm.flapping ? ",f" : "");
  out += "|d";
  for (const auto& dr : d.drafts)
    out += ";" + dr.id + "," + std::to_string(dr.updated_at) + "," + NextUpdateLabel(dr.publish_at, d.now);
  out += "|h" + std::to_string(d.delivery.failed) + "," + std::to_string(d.delivery.quarantined) + "," +
         std::to_string(d.delivery.pending_deliveries) + "," + std::to_string(d.delivery.fanouts_in_progress);
  return out;
}

Result<Dashboard> LoadDashboard(store::Store& store, const Clock& clock, const std::string& page_id) {
  Dashboard d;
  auto page = store.GetPage(page_id);
  if (!page) return page.error();
  d.page = *page;
  d.now = clock.Now();
  const std::string& pid = d.page.id;

  // Open incidents: one status at a time, each an index seek (incidents_console_status).
  for (auto status : {model::IncidentStatus::kInvestigating, model::IncidentStatus::kIdentified,
                      model::IncidentStatus::kMonitoring}) {
    auto list = WithStatus(store, pid, status, std::nullopt);
    if (!list) return list.error();
    for (auto& inc : *list) {
      if (inc.is_maintenance()) continue;
      DashboardIncident di;
      auto promise = std::find_if(inc.updates.begin(), inc.updates.end(),
                                  [](const model::IncidentUpdate& u) { return !u.internal; });
      if (promise != inc.updates.end() && promise->next_update_at) {
        di.next_update_at = promise->next_update_at;
        di.next_update_overdue = *promise->next_update_at < d.now;
      }
      di.incident = std::move(inc);
      d.open_incidents.push_back(std::move(di));
    }
  }
  std::sort(d.open_incidents.begin(), d.open_incidents.end(), [](const auto& a, const auto& b) {
    return std::pair(store::IncidentSortKey(a.incident), a.incident.id) >
           std::pair(store::IncidentSortKey(b.incident), b.incident.id);
  });
  if (d.open_incidents.size() > static_cast<size_t>(kDashboardListLimit)) d.open_incidents.resize(kDashboardListLimit);

  for (auto status : {model::IncidentStatus::kInProgress, model::IncidentStatus::kVerifying}) {
    auto list = WithStatus(store, pid, status, std::nullopt);
    if (!list) return list.error();
    for (auto& inc : *list)
      if (inc.is_maintenance()) d.active_maintenance.push_back(std::move(inc));
  }
  auto upcoming = WithStatus(store, pid, model::IncidentStatus::kScheduled, d.now + kUpcomingMaintenanceMs + 1);
  if (!upcoming) return upcoming.error();
  for (auto it = upcoming->rbegin(); it != upcoming->rend(); ++it) d.upcoming_maintenance.push_back(std::move(*it));

  // The overall status as the page computes it: visible components and what is open.
  auto components = store.ListComponents(pid);
  if (!components) return components.error();
  std::vector<model::Incident> open;
  for (const auto& di : d.open_incidents) open.push_back(di.incident);
  open.insert(open.end(), d.active_maintenance.begin(), d.active_maintenance.end());
  d.overall = statuspage::ComputeOverallStatus(*components, open);

  auto monitors = store.ListMonitors(pid);
  if (!monitors) return monitors.error();
  auto flips = store.ListMonitorFlips(pid, d.now - kFlapWindowMs, 1);
  if (!flips) return flips.error();
  for (auto& m : *monitors) {
    DashboardMonitor dm;
    for (const auto& f : *flips)
      if (f.monitor_id == m.id) dm.flips = f.flips;
    dm.flapping = dm.flips >= kFlapMinFlips;
    const bool failing = m.state == model::MonitorState::kDown || m.state == model::MonitorState::kDegraded;
    if (!m.enabled || (!failing && !dm.flapping)) continue;
    dm.monitor = std::move(m);
    d.monitors.push_back(std::move(dm));
  }

  auto drafts = store.ListIncidentDrafts(pid, true);
  if (!drafts) return drafts.error();
  d.drafts = std::move(*drafts);
  if (d.drafts.size() > static_cast<size_t>(kDashboardListLimit)) d.drafts.resize(kDashboardListLimit);

  auto health = store.CountDeliveryHealth(pid, d.now - kDeliveryHealthWindowMs);
  if (!health) return health.error();
  d.delivery = *health;
  return d;
}

}  // namespace herald::service
