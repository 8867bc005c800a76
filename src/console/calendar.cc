#include "console/calendar.h"

#include <date/date.h>
#include <date/tz.h>

#include <charconv>
#include <chrono>

namespace herald::console {
namespace {

using Ms = std::chrono::milliseconds;

const date::time_zone* Zone(const std::string& zone) {
  try {
    return date::locate_zone(zone);
  } catch (...) {
    return nullptr;
  }
}

bool Digits(std::string_view s, size_t pos, size_t len, int& out) {
  if (pos + len > s.size()) return false;
  for (size_t i = pos; i < pos + len; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return std::from_chars(s.data() + pos, s.data() + pos + len, out).ec == std::errc();
}

TimeMs LocalToUtc(const date::time_zone* z, date::local_time<Ms> local) {
  // choose::earliest: the first of a repeated hour; a skipped time maps to the transition itself.
  return z->to_sys(local, date::choose::earliest).time_since_epoch().count();
}

TimeMs DayStart(const date::time_zone* z, date::local_days day) {
  return LocalToUtc(z, date::local_time<Ms>(day.time_since_epoch()));
}

std::string Key(date::year_month ym) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(ym.year()), static_cast<unsigned>(ym.month()));
  return buf;
}

}  // namespace

std::optional<TimeMs> ParseLocalDateTime(std::string_view text, const std::string& zone) {
  const auto* z = Zone(zone);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!z || (text.size() != 16 && text.size() != 19)) return std::nullopt;
  if (!Digits(text, 0, 4, y) || text[4] != '-' || !Digits(text, 5, 2, mo) || text[7] != '-' || !Digits(text, 8, 2, d) ||
      (text[10] != 'T' && text[10] != ' ') || !Digits(text, 11, 2, h) || text[13] != ':' || !Digits(text, 14, 2, mi))
    return std::nullopt;
  if (text.size() == 19 && (text[16] != ':' || !Digits(text, 17, 2, s))) return std::nullopt;
  const date::year_month_day ymd{date::year(y), date::month(static_cast<unsigned>(mo)),
                                 date::day(static_cast<unsigned>(d))};
  if (!ymd.ok() || y < 1971 || y > 9998 || h > 23 || mi > 59 || s > 59) return std::nullopt;
  const auto local = date::local_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(s);
  return LocalToUtc(z, date::local_time<Ms>(local.time_since_epoch()));
}

std::string FormatLocalDateTime(TimeMs t, const std::string& zone) {
  const auto* z = Zone(zone);
  if (!z) z = date::locate_zone("UTC");
  const auto secs = date::floor<std::chrono::minutes>(date::sys_time<Ms>(Ms(t)));
  return date::format("%Y-%m-%dT%H:%M", z->to_local(secs));
}

std::optional<CalendarMonth> MonthGrid(std::string_view year_month, const std::string& zone) {
  const auto* z = Zone(zone);
  int y = 0, m = 0;
  if (!z || year_month.size() != 7 || !Digits(year_month, 0, 4, y) || year_month[4] != '-' ||
      !Digits(year_month, 5, 2, m) || m < 1 || m > 12 || y < 1971 || y > 9998)
    return std::nullopt;
  const date::year_month ym{date::year(y), date::month(static_cast<unsigned>(m))};
  CalendarMonth out;
  out.year = y;
  out.month = static_cast<unsigned>(m);
  out.key = Key(ym);
  out.prev = Key(ym - date::months(1));
  out.next = Key(ym + date::months(1));
  const date::local_days first{ym / 1}, after{(ym + date::months(1)) / 1};
  out.start = DayStart(z, first);
  out.end = DayStart(z, after);
  // Back to the Monday on or before the first, forward to the Sunday on or after the last.
  const date::local_days grid_start = first - (date::weekday(first) - date::Monday);
  for (date::local_days day = grid_start; day < after;) {
    std::array<CalendarDay, 7> week;
    for (unsigned i = 0; i < 7; ++i, day += date::days(1)) {
      const date::year_month_day ymd{day};
      CalendarDay& c = week[i];
      c.year = static_cast<int>(ymd.year());
      c.month = static_cast<unsigned>(ymd.month());
      c.day = static_cast<unsigned>(ymd.day());
      c.weekday = i;
      c.in_month = ymd.year() == ym.year() && ymd.month() == ym.month();
      c.start = DayStart(z, day);
      c.end = DayStart(z, day + date::days(1));
    }
    out.weeks.push_back(week);
  }
  return out;
}

std::string MonthKey(TimeMs t, const std::string& zone) {
  const auto* z = Zone(zone);
  if (!z) z = date::locate_zone("UTC");
  const auto local = z->to_local(date::sys_time<Ms>(Ms(t)));
  const date::year_month_day ymd{date::floor<date::days>(local)};
  return Key(ymd.year() / ymd.month());
}

}  // namespace herald::console
