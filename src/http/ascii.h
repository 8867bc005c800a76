// ASCII helpers for HTTP tokens (header names, auth schemes, codings): HTTP's case-insensitive
// tokens are ASCII, so no locale lookups, and inline because the server calls them per header.
#pragma once

#include <cstddef>
#include <string_view>

namespace herald::http {

inline bool AsciiIEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x >= 'A' && x <= 'Z') x += 32;
    if (y >= 'A' && y <= 'Z') y += 32;
    if (x != y) return false;
  }
  return true;
}

}  // namespace herald::http
