// Time formatting and parsing. Herald stores every time as TimeMs (UTC epoch milliseconds) and
// converts only at the edges: ISO 8601 in JSON, RFC 1123 in HTTP headers and RSS, RFC 3339 in
// Atom, iCalendar basic format, and human text in an IANA time zone for pages and messages.
// All functions are pure and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace herald {

// "2026-01-01T12:00:00.000Z" (Statuspage uses millisecond precision with an offset).
std::string FormatIso8601(TimeMs t);
// Accepts "YYYY-MM-DDTHH:MM[:SS[.fff]]" followed by "Z" or "+HH:MM"/"-HH:MM" (RFC 3339), or a
// plain date "YYYY-MM-DD" (midnight UTC). Returns nullopt for anything else or impossible dates.
std::optional<TimeMs> ParseIso8601(std::string_view text);
// "Thu, 01 Jan 2026 12:00:00 GMT"
std::string FormatHttpDate(TimeMs t);
// Parses an IMF-fixdate ("Thu, 01 Jan 2026 12:00:00 GMT"), as in Retry-After; nullopt otherwise.
std::optional<TimeMs> ParseHttpDate(std::string_view text);
// "20260101T120000Z"
std::string FormatIcalUtc(TimeMs t);

// True if `zone` names an IANA time zone known to the system tz database.
bool IsValidTimeZone(const std::string& zone);
// Formats t in `zone` with a strftime-like pattern of date::format ("%b %d, %H:%M %Z").
// Falls back to UTC if the zone is unknown.
std::string FormatInZone(TimeMs t, const std::string& zone, const char* pattern);
// Start of the calendar day containing t in `zone`, as TimeMs.
TimeMs StartOfDayInZone(TimeMs t, const std::string& zone);

}  // namespace herald
