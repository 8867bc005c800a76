// The operator console's dashboard for one page: what a responder needs to see first, read with a
// bounded number of indexed queries (store/console_store.h) whatever the page's size: its overall
// status, open incidents with the promised next update (due in N minutes, or overdue), maintenance
// in progress and due within a week, monitors that are down, degraded or flapping, drafts waiting
// for approval, and the health of deliveries.
//
// Flapping: a monitor whose raw checks flipped between failing and not failing at least
// kFlapMinFlips times within the last kFlapWindowMs, whatever its confirmed state now.
//
// Thread safety: pure apart from the store reads (blocking: call on a worker thread).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "model/model.h"
#include "model/monitor.h"
#include "statuspage/json.h"
#include "store/store.h"

namespace herald::service {

inline constexpr TimeMs kFlapWindowMs = 3600 * 1000;
inline constexpr int kFlapMinFlips = 3;
inline constexpr TimeMs kUpcomingMaintenanceMs = 7LL * 24 * 3600 * 1000;
inline constexpr TimeMs kDeliveryHealthWindowMs = 24LL * 3600 * 1000;
inline constexpr int kDashboardListLimit = 50;  // per list; the dashboard links to the full lists

struct DashboardIncident {
  model::Incident incident;  // with its updates, newest first (internal notes included: staff)
  // The promise of its newest public update, if it made one; overdue once `now` has passed it.
  std::optional<TimeMs> next_update_at;
  bool next_update_overdue = false;
};

struct DashboardMonitor {
  model::Monitor monitor;
  int flips = 0;  // in the last kFlapWindowMs
  bool flapping = false;
};

struct Dashboard {
  model::Page page;
  TimeMs now = 0;
  statuspage::OverallStatus overall;                // as the page's /api/v2 documents word it (model::OverallIndicator)
  std::vector<DashboardIncident> open_incidents;    // newest first
  std::vector<model::Incident> active_maintenance;  // in progress or verifying
  std::vector<model::Incident> upcoming_maintenance;  // scheduled to start within a week, soonest first
  std::vector<DashboardMonitor> monitors;             // down, degraded or flapping
  std::vector<model::IncidentDraft> drafts;           // waiting for approval, newest first
  store::DeliveryHealth delivery;                     // failed: in the last kDeliveryHealthWindowMs
};

Result<Dashboard> LoadDashboard(store::Store& store, const Clock& clock, const std::string& page_id);

// What the dashboard shows, as one text that changes when what it shows changes: overall status,
// each open incident's status, update time and next-update label (so "due in" ticking over to
// "overdue" counts), maintenance, failing or flapping monitors, waiting drafts and the delivery
// figures. The console's live stream compares it to tell open dashboards to refetch.
std::string DashboardDigest(const Dashboard& dashboard);

// "due in 12 min", "due in 2 h 5 min", "due now", "overdue by 3 min": the words the dashboard
// shows for a promised update at `due`.
std::string NextUpdateLabel(TimeMs due, TimeMs now);

}  // namespace herald::service
