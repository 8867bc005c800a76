// Uptime of components over the last N calendar days (in the page's time zone), computed from
// their status history. Feeds the 90-day bars on the status page and the uptime percentages.
//
// Semantics (those of Atlassian Statuspage, so numbers match what teams are used to):
//   - major_outage counts fully as downtime;
//   - partial_outage counts as downtime at kPartialOutageWeight (30%) of its duration;
//   - degraded_performance counts as up, but the day is flagged (its worst status says so);
//   - under_maintenance and operational count as up.
// A day's uptime is 1 - weighted downtime / time with data. Time before the component's data
// starts (its first status record, or its start_date if later) and time after `now` have no data;
// a day with no data at all is reported as such, not as 100%. A component without any history
// record is assumed to have had its current status since created_at (or start_date).
//
// Components watched by monitors are measured instead (ComputeMeasuredUptime): a day's uptime is
// the share of good checks (up or slow) among all checks of all the component's monitors, and a
// day without any check has no data. Days before the monitors' first check keep the status-history
// figure, so adding a monitor does not blank out the component's past.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "model/model.h"
#include "model/monitor.h"

namespace herald::page {

inline constexpr double kPartialOutageWeight = 0.3;
inline constexpr int kUptimeDays = 90;

// Where a day's figure comes from; the page says which (colour is never the only signal).
enum class UptimeSource { kStatusHistory, kChecks };

struct UptimeDay {
  TimeMs start = 0;  // start of the calendar day in the page zone
  TimeMs end = 0;    // start of the next day (days are 23 or 25 hours around DST changes)
  std::string date;  // "YYYY-MM-DD" in the page zone
  bool has_data = false;
  double uptime = 1.0;                                                  // 0..1, weighted as above; 1.0 when !has_data
  model::ComponentStatus worst = model::ComponentStatus::kOperational;  // worst status in effect that day
  TimeMs covered_ms = 0;                                                // time of the day with data
  TimeMs major_outage_ms = 0;
  TimeMs partial_outage_ms = 0;
  TimeMs degraded_ms = 0;
  TimeMs maintenance_ms = 0;
  // Measured days (source kChecks): the checks of all the component's monitors that day. `worst`
  // is then derived from them (see ComputeMeasuredUptime) so the bar's colour matches its text.
  UptimeSource source = UptimeSource::kStatusHistory;
  std::int64_t checks = 0, failed = 0, slow = 0;
};

struct ComponentUptime {
  std::string component_id;
  std::vector<UptimeDay> days;   // oldest first, the last one is today (up to `now`)
  std::optional<double> uptime;  // over the whole window, 0..1; nullopt when no day has data
  int monitors = 0;              // monitors whose checks measured some of the days (0: status history only)
};

// Uptime of `component` over the `days` calendar days ending today (in `time_zone`, UTC when
// unknown). `history` may hold changes of other components (they are ignored) in any order: as
// Store::StatusHistory returns them, the last change before the window plus all changes since.
ComponentUptime ComputeUptime(const model::Component& component, std::span<const model::StatusChange> history,
                              TimeMs now, const std::string& time_zone, int days = kUptimeDays);

// Thresholds that colour a measured day with failed checks: under 1% failed reads as degraded
// (single failures that never confirmed an outage), under 10% as a partial outage, more as a
// major outage. A day with only slow checks is degraded.
inline constexpr double kMeasuredDegradedBelow = 0.01;
inline constexpr double kMeasuredPartialBelow = 0.10;

// `history` as ComputeUptime returned it for the same component, window and zone, with the days
// from the first one that has checks onwards replaced by what `day_rollups` measured: the
// day-granularity rollups ('d'; others are ignored) of the component's `monitors` monitors. Day
// rollups are UTC days: each counts for the page-zone day that contains its midday (12:00 UTC),
// which for any zone is the day it overlaps most. Without any check in the window, `history` is
// returned unchanged. The window's uptime weighs every day with data by its length (up to `now`).
ComponentUptime ComputeMeasuredUptime(const ComponentUptime& history, std::span<const model::MonitorRollup> day_rollups,
                                      int monitors, TimeMs now);

// "99.95%": two decimals, truncated rather than rounded so that any downtime shows below 100%.
std::string FormatUptimePercent(double fraction);

}  // namespace herald::page
