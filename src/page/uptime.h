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
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "model/model.h"

namespace herald::page {

inline constexpr double kPartialOutageWeight = 0.3;
inline constexpr int kUptimeDays = 90;

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
};

struct ComponentUptime {
  std::string component_id;
  std::vector<UptimeDay> days;   // oldest first, the last one is today (up to `now`)
  std::optional<double> uptime;  // over the whole window, 0..1; nullopt when no day has data
};

// Uptime of `component` over the `days` calendar days ending today (in `time_zone`, UTC when
// unknown). `history` may hold changes of other components (they are ignored) in any order: as
// Store::StatusHistory returns them, the last change before the window plus all changes since.
ComponentUptime ComputeUptime(const model::Component& component, std::span<const model::StatusChange> history,
                              TimeMs now, const std::string& time_zone, int days = kUptimeDays);

// "99.95%": two decimals, truncated rather than rounded so that any downtime shows below 100%.
std::string FormatUptimePercent(double fraction);

}  // namespace herald::page
