// Small checks on the parts of an outbound HTTP request that callers supply, shared by the
// outbound engines (curl_engine.cc, push_engine.cc) so that both refuse the same things.
//
// Thread safety: pure functions.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace herald::net {

// A CR, LF or NUL: in a header value or an SMTP address it would end the line and let the rest
// inject headers, a second request or extra SMTP commands.
inline bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

// An HTTP token (RFC 9110): method and header names.
inline bool IsToken(std::string_view s) {
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           kExtra.find(c) != std::string_view::npos;
  });
}

}  // namespace herald::net
