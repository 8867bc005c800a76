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
  // 23- and 25-hour days around DST changes are measured correctly.
  std::vector<TimeMs> starts;
  starts.push_back(StartOfDayInZone(now, zone));
  for (int i = 1; i < days; ++i) starts.push_back(StartOfDayInZone(starts.back() - 1, zone));
  std::reverse(starts.begin(), starts.end());

  std::vector<Span> spans = BuildSpans(component, history, now, zone);
  double total_covered = 0, total_down = 0;
  result.days.reserve(starts.size());
  for (size_t i = 0; i < starts.size(); ++i) {
    UptimeDay day;
    day.start = starts[i];
    day.end = i + 1 < starts.size() ? starts[i + 1] : StartOfDayInZone(starts[i] + 26LL * 3600 * 1000, zone);
    day.date = FormatInZone(day.start, zone, "%Y-%m-%d");
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

std::string FormatUptimePercent(double fraction) {
  double pct = std::floor(std::clamp(fraction, 0.0, 1.0) * 10000.0 + 1e-9) / 100.0;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", pct);
  return buf;
}

}  // namespace herald::page
