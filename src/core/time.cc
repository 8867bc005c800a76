#include "core/time.h"

#include <date/date.h>
#include <date/tz.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <sstream>

namespace herald {
namespace {

using Ms = std::chrono::milliseconds;
using SysMs = std::chrono::time_point<std::chrono::system_clock, Ms>;

SysMs ToSys(TimeMs t) { return SysMs(Ms(t)); }

bool ReadInt(std::string_view s, size_t pos, size_t len, int& out) {
  if (pos + len > s.size()) return false;
  for (size_t i = pos; i < pos + len; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return std::from_chars(s.data() + pos, s.data() + pos + len, out).ec == std::errc();
}

const date::time_zone* FindZone(const std::string& zone) {
  // Rendering a page formats hundreds of times in the same zone; remember the last lookup.
  thread_local std::string last_name;
  thread_local const date::time_zone* last_zone = nullptr;
  if (last_zone && zone == last_name) return last_zone;
  try {
    last_zone = date::locate_zone(zone);
    last_name = zone;
    return last_zone;
  } catch (...) {
    return nullptr;
  }
}

}  // namespace

std::string FormatIso8601(TimeMs t) {
  // Years 1970-9999 by hand ("2026-03-04T05:06:07.089Z"): date::format goes through an
  // ostringstream and its locale, which cost ~1 us, and a webhook fan-out stamps every message
  // (meta.generated_at). Other years keep date::format's spelling.
  constexpr TimeMs kYear10000 = 253402300800000;
  if (t < 0 || t >= kYear10000) return date::format("%FT%TZ", ToSys(t));
  const auto day = date::floor<date::days>(ToSys(t));
  const date::year_month_day ymd{day};
  const TimeMs in_day = t - std::chrono::duration_cast<Ms>(day.time_since_epoch()).count();
  std::string out = "0000-00-00T00:00:00.000Z";
  auto put = [&](size_t pos, long long v, int width) {
    for (int i = width - 1; i >= 0; --i, v /= 10) out[pos + static_cast<size_t>(i)] = static_cast<char>('0' + v % 10);
  };
  put(0, static_cast<int>(ymd.year()), 4);
  put(5, static_cast<unsigned>(ymd.month()), 2);
  put(8, static_cast<unsigned>(ymd.day()), 2);
  put(11, in_day / 3600000, 2);
  put(14, in_day / 60000 % 60, 2);
  put(17, in_day / 1000 % 60, 2);
  put(20, in_day % 1000, 3);
  return out;
}

std::optional<TimeMs> ParseIso8601(std::string_view s) {
  int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0;
  if (!ReadInt(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !ReadInt(s, 5, 2, mo) || s[7] != '-' ||
      !ReadInt(s, 8, 2, d))
    return std::nullopt;
  auto ymd = date::year(y) / date::month(mo) / date::day(d);
  if (!ymd.ok()) return std::nullopt;
  size_t pos = 10;
  int offset_min = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
    if (!ReadInt(s, pos + 1, 2, h) || pos + 3 >= s.size() || s[pos + 3] != ':' || !ReadInt(s, pos + 4, 2, mi))
      return std::nullopt;
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!ReadInt(s, pos + 1, 2, sec)) return std::nullopt;
      pos += 3;
      if (pos < s.size() && s[pos] == '.') {
        size_t start = ++pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
        if (pos == start) return std::nullopt;
        std::string frac(s.substr(start, std::min<size_t>(3, pos - start)));
        while (frac.size() < 3) frac += '0';
        ms = std::stoi(frac);
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
    if (pos >= s.size()) return std::nullopt;  // a time needs a zone designator
    if (s[pos] == 'Z' || s[pos] == 'z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      int oh, om;
      if (!ReadInt(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !ReadInt(s, pos + 4, 2, om) ||
          oh > 23 || om > 59)
        return std::nullopt;
      offset_min = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
      pos += 6;
    } else {
      return std::nullopt;
    }
    if (pos != s.size()) return std::nullopt;
  }
  auto tp = date::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(sec) +
            Ms(ms) - std::chrono::minutes(offset_min);
  return std::chrono::duration_cast<Ms>(tp.time_since_epoch()).count();
}

std::string FormatHttpDate(TimeMs t) {
  return date::format("%a, %d %b %Y %H:%M:%S GMT", date::floor<std::chrono::seconds>(ToSys(t)));
}

std::optional<TimeMs> ParseHttpDate(std::string_view text) {
  // IMF-fixdate only (RFC 9110 5.6.7); parsed by hand because date::parse trips
  // -Wmaybe-uninitialized inside libstdc++ with GCC 12.
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  char wday[4] = {}, mon[4] = {}, zone[4] = {};
  int day = 0, year = 0, hh = 0, mm = 0, ss = 0, used = 0;
  const std::string s(text);
  if (std::sscanf(s.c_str(), "%3s, %d %3s %d %d:%d:%d %3s%n", wday, &day, mon, &year, &hh, &mm, &ss, zone, &used) !=
          8 ||
      static_cast<size_t>(used) != s.size() || std::string_view(zone) != "GMT" || std::string_view(wday).size() != 3)
    return std::nullopt;
  const auto m = kMonths.find(mon);
  if (m == std::string_view::npos || m % 3 != 0 || hh > 23 || mm > 59 || ss > 60 || hh < 0 || mm < 0 || ss < 0)
    return std::nullopt;
  const date::year_month_day ymd{date::year{year}, date::month{static_cast<unsigned>(m / 3 + 1)},
                                 date::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  const auto t = date::sys_days{ymd} + std::chrono::hours{hh} + std::chrono::minutes{mm} + std::chrono::seconds{ss};
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string FormatIcalUtc(TimeMs t) {
  return date::format("%Y%m%dT%H%M%SZ", date::floor<std::chrono::seconds>(ToSys(t)));
}

bool IsValidTimeZone(const std::string& zone) { return !zone.empty() && FindZone(zone) != nullptr; }

std::string FormatInZone(TimeMs t, const std::string& zone, const char* pattern) {
  auto secs = date::floor<std::chrono::seconds>(ToSys(t));
  if (const auto* z = FindZone(zone)) return date::format(pattern, date::make_zoned(z, secs));
  return date::format(pattern, date::make_zoned(date::locate_zone("UTC"), secs));
}

TimeMs StartOfDayInZone(TimeMs t, const std::string& zone) {
  const auto* z = FindZone(zone);
  if (!z) z = date::locate_zone("UTC");
  auto local = z->to_local(ToSys(t));
  auto day = date::floor<date::days>(local);
  auto sys = z->to_sys(day, date::choose::earliest);
  return std::chrono::duration_cast<Ms>(sys.time_since_epoch()).count();
}

}  // namespace herald
