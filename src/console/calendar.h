// Local times and month grids for the console's maintenance screens: a maintenance window is
// entered and shown in the status page's time zone (what its customers read), stored in UTC.
//
// Thread safety: pure functions over the system tz database (date/tz), safe from any thread.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace herald::console {

// "2026-12-10T22:00" or "2026-12-10 22:00" (":SS" optional), read as the wall clock of `zone`,
// as UTC milliseconds; nullopt when malformed, an impossible date, or an unknown zone. A time
// the clocks skip (the spring-forward hour) is the moment they jump; a time they show twice (the
// autumn hour) is the first of the two.
std::optional<TimeMs> ParseLocalDateTime(std::string_view text, const std::string& zone);
// `t` on the wall clock of `zone` as an <input type="datetime-local"> value: "2026-12-10T22:00".
std::string FormatLocalDateTime(TimeMs t, const std::string& zone);

struct CalendarDay {
  int year = 0;
  unsigned month = 0, day = 0;
  unsigned weekday = 0;       // 0 Monday ... 6 Sunday
  bool in_month = false;      // false for the days of the month before or after that fill a week
  TimeMs start = 0, end = 0;  // [start, end) of the local day, in UTC (23 or 25 hours on DST days)
};

// A month as a calendar shows it: whole weeks, Monday first.
struct CalendarMonth {
  int year = 0;
  unsigned month = 0;
  std::string key;            // "2026-12"
  std::string prev, next;     // "2026-11", "2027-01"
  TimeMs start = 0, end = 0;  // the month's first local midnight and the next month's, in UTC
  std::vector<std::array<CalendarDay, 7>> weeks;
};

// The month "YYYY-MM" (years 1971-9998) in `zone`; nullopt when malformed or the zone is unknown.
std::optional<CalendarMonth> MonthGrid(std::string_view year_month, const std::string& zone);
// "2026-12": the month containing `t` in `zone`.
std::string MonthKey(TimeMs t, const std::string& zone);

}  // namespace herald::console
