#include "page/uptime.h"

#include <date/tz.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/time.h"

namespace herald::page {
namespace {

using model::ComponentStatus;

// `utc_midnight` is a calendar date parsed as midnight UTC; returns that date's midnight in `zone`.
TimeMs LocalMidnight(TimeMs utc_midnight, const std::string& zone) {
  const date::time_zone* z = date::locate_zone(zone);
  date::local_days day{date::days{utc_midnight / (24LL * 3600 * 1000)}};
  auto sys = z->to_sys(day, date::choose::earliest);
  return std::chrono::duration_cast<std::chrono::milliseconds>(sys.time_since_epoch()).count();
}

struct Span {
  TimeMs from;
  TimeMs to;
  ComponentStatus status;
};

// The component's statuses as contiguous spans [from, to), the last one ending at `now`.
std::vector<Span> BuildSpans(const model::Component& c, std::span<const model::StatusChange> history, TimeMs now,
                             const std::string& zone) {
  std::vector<model::StatusChange> own;
  for (const auto& ch : history)
    if (ch.component_id == c.id) own.push_back(ch);
  std::stable_sort(own.begin(), own.end(), [](const auto& a, const auto& b) { return a.at < b.at; });

  std::optional<TimeMs> start_date;
  if (c.start_date) {
    if (auto t = ParseIso8601(*c.start_date)) start_date = LocalMidnight(*t, zone);
  }
  if (own.empty()) {
    TimeMs since = c.created_at > 0 ? c.created_at : 0;
    if (start_date) since = *start_date;
    if (since <= 0) return {};
    own.push_back({c.id, c.status, since});
  }

  std::vector<Span> spans;
  for (size_t i = 0; i < own.size(); ++i) {
    TimeMs from = own[i].at;
    TimeMs to = i + 1 < own.size() ? own[i + 1].at : now;
    if (start_date) from = std::max(from, *start_date);
    to = std::min(to, now);
    if (to > from) spans.push_back({from, to, own[i].status});
  }
  return spans;
}

}  // namespace

ComponentUptime ComputeUptime(const model::Component& component, std::span<const model::StatusChange> history,
                              TimeMs now, const std::string& time_zone, int days) {
  ComponentUptime result;
  result.component_id = component.id;
  if (days <= 0) return result;
  std::string zone = IsValidTimeZone(time_zone) ? time_zone : "UTC";

  // Day boundaries, walking back from today; each day ends where the next one starts so that
  // 23- and 25-hour days around DST changes are measured correctly. Every component of a page
  // has the same days: they are computed once per zone and day, not once per component (a page
  // of 200 components spent most of its uptime time here).
  struct DayGrid {
    std::string zone;
    TimeMs today = -1;
    int days = 0;
    std::vector<TimeMs> starts;  // oldest first, then the end of today
    std::vector<std::string> dates;
  };
  thread_local DayGrid grid;
  const TimeMs today = StartOfDayInZone(now, zone);
  if (grid.zone != zone || grid.today != today || grid.days != days) {
    grid = DayGrid{zone, today, days, {}, {}};
    grid.starts.push_back(today);
    for (int i = 1; i < days; ++i) grid.starts.push_back(StartOfDayInZone(grid.starts.back() - 1, zone));
    std::reverse(grid.starts.begin(), grid.starts.end());
    for (TimeMs start : grid.starts) grid.dates.push_back(FormatInZone(start, zone, "%Y-%m-%d"));
    grid.starts.push_back(StartOfDayInZone(today + 26LL * 3600 * 1000, zone));
  }
  const std::vector<TimeMs>& starts = grid.starts;

  std::vector<Span> spans = BuildSpans(component, history, now, zone);
  double total_covered = 0, total_down = 0;
  result.days.reserve(grid.dates.size());
  for (size_t i = 0; i < grid.dates.size(); ++i) {
    UptimeDay day;
    day.start = starts[i];
    day.end = starts[i + 1];
    day.date = grid.dates[i];
    for (const Span& s : spans) {
      TimeMs from = std::max(s.from, day.start), to = std::min(s.to, day.end);
      if (to <= from) continue;
      TimeMs len = to - from;
      day.covered_ms += len;
      switch (s.status) {
        case ComponentStatus::kMajorOutage: day.major_outage_ms += len; break;
        case ComponentStatus::kPartialOutage: day.partial_outage_ms += len; break;
        case ComponentStatus::kDegradedPerformance: day.degraded_ms += len; break;
        case ComponentStatus::kUnderMaintenance: day.maintenance_ms += len; break;
        case ComponentStatus::kOperational: break;
      }
      if (!day.has_data || model::Severity(s.status) > model::Severity(day.worst)) day.worst = s.status;
      day.has_data = true;
    }
    if (day.has_data) {
      double down = static_cast<double>(day.major_outage_ms) + kPartialOutageWeight * day.partial_outage_ms;
      day.uptime = std::clamp(1.0 - down / static_cast<double>(day.covered_ms), 0.0, 1.0);
      total_covered += static_cast<double>(day.covered_ms);
      total_down += down;
    }
    result.days.push_back(std::move(day));
  }
  if (total_covered > 0) result.uptime = std::clamp(1.0 - total_down / total_covered, 0.0, 1.0);
  return result;
}

ComponentUptime ComputeMeasuredUptime(const ComponentUptime& history, std::span<const model::MonitorRollup> day_rollups,
                                      int monitors, TimeMs now) {
  ComponentUptime result = history;
  std::vector<UptimeDay>& days = result.days;
  if (days.empty()) return result;
  // Sum the checks of every monitor per page-zone day.
  struct Sum {
    std::int64_t checks = 0, good = 0, slow = 0, down = 0;
  };
  std::vector<Sum> sums(days.size());
  for (const auto& r : day_rollups) {
    if (r.granularity != 'd' || r.checks <= 0) continue;
    const TimeMs midday = r.bucket_start + 12LL * 3600 * 1000;
    // Days are sorted and contiguous: binary search for the one containing midday.
    auto it =
        std::upper_bound(days.begin(), days.end(), midday, [](TimeMs t, const UptimeDay& d) { return t < d.start; });
    if (it == days.begin()) continue;
    --it;
    if (midday >= it->end) continue;
    Sum& s = sums[static_cast<size_t>(it - days.begin())];
    s.checks += r.checks;
    s.good += r.up + r.slow;
    s.slow += r.slow;
    s.down += r.down;
  }
  size_t first = 0;
  while (first < sums.size() && sums[first].checks == 0) ++first;
  if (first == sums.size()) return result;  // no check in the window: the status history stands

  result.monitors = monitors;
  for (size_t i = first; i < days.size(); ++i) {
    UptimeDay& d = days[i];
    const Sum& s = sums[i];
    UptimeDay m;
    m.start = d.start;
    m.end = d.end;
    m.date = d.date;
    m.source = UptimeSource::kChecks;
    m.checks = s.checks;
    m.failed = s.down;
    m.slow = s.slow;
    if (s.checks > 0) {
      m.has_data = true;
      m.uptime = std::clamp(static_cast<double>(s.good) / static_cast<double>(s.checks), 0.0, 1.0);
      m.covered_ms = std::max<TimeMs>(0, std::min(m.end, now) - m.start);
      const double failed_share = static_cast<double>(s.down) / static_cast<double>(s.checks);
      if (s.down == 0) {
        m.worst = s.slow > 0 ? ComponentStatus::kDegradedPerformance : ComponentStatus::kOperational;
      } else if (failed_share < kMeasuredDegradedBelow) {
        m.worst = ComponentStatus::kDegradedPerformance;
      } else if (failed_share < kMeasuredPartialBelow) {
        m.worst = ComponentStatus::kPartialOutage;
      } else {
        m.worst = ComponentStatus::kMajorOutage;
      }
    }
    d = std::move(m);
  }
  double covered = 0, down = 0;
  for (const auto& d : days) {
    if (!d.has_data) continue;
    covered += static_cast<double>(d.covered_ms);
    down += static_cast<double>(d.covered_ms) * (1.0 - d.uptime);
  }
  result.uptime.reset();
  if (covered > 0) {
    result.uptime = std::clamp(1.0 - down / covered, 0.0, 1.0);
  } else {
    // Measured days that have not started yet (covered 0): fall back to the plain check ratio.
    std::int64_t checks = 0, good = 0;
    for (const auto& s : sums) checks += s.checks, good += s.checks - s.down;
    if (checks > 0) result.uptime = static_cast<double>(good) / static_cast<double>(checks);
  }
  return result;
}

std::string FormatUptimePercent(double fraction) {
  double pct = std::floor(std::clamp(fraction, 0.0, 1.0) * 10000.0 + 1e-9) / 100.0;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", pct);
  return buf;
}

}  // namespace herald::page
