// The machine-readable views of a page: Atom 1.0 and RSS 2.0 feeds of incidents, an iCalendar
// (RFC 5545) calendar of scheduled maintenance and a shields-style SVG status badge. Called by
// RenderSite; exposed so they can be tested and served alone. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "page/render.h"

namespace herald::page {

// `in` is expected to be already cleaned (no hidden components, no internal updates), as
// RenderSite passes it; the functions still skip internal updates.
std::string RenderAtom(const SiteInput& in);
std::string RenderRss(const SiteInput& in);
std::string RenderIcs(const SiteInput& in);
std::string RenderBadge(const OverallStatus& status, std::string_view label = "status");

// XML 1.0 text/attribute escaping; characters XML cannot carry (most C0 controls) are dropped.
std::string XmlEscape(std::string_view s);
// RFC 5545 TEXT escaping: backslash, semicolon, comma and newlines.
std::string IcsEscape(std::string_view s);
// One content line folded at 75 octets (never inside a UTF-8 sequence), ending in CRLF.
std::string IcsFoldLine(std::string_view line);

}  // namespace herald::page
