#include "console/request.h"

#include <boost/url/encode.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "core/text.h"

namespace herald::console {

std::map<std::string, std::string> ParseCookies(std::string_view header) {
  std::map<std::string, std::string> out;
  while (!header.empty()) {
    const size_t semi = header.find(';');
    std::string_view pair = Trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    std::string_view value = Trim(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    out.emplace(std::string(Trim(pair.substr(0, eq))), std::string(value));
  }
  return out;
}

std::string Cookie(const http::Request& request, std::string_view name) {
  for (const auto& [k, v] : request.headers) {
    if (k != "cookie") continue;
    auto cookies = ParseCookies(v);
    if (auto it = cookies.find(std::string(name)); it != cookies.end()) return it->second;
  }
  return {};
}

Form ParseForm(std::string_view body) {
  Form out;
  // Boost.URL decodes the pairs (and '+' as space, the form encoding's rule).
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  if (!boost::urls::parse_query(body)) return out;  // checked first: the view throws on bad input
  int fields = 0;
  for (const auto& p : boost::urls::params_view(body, opts)) {
    if (++fields > 200) break;
    if (!IsValidUtf8(p.key) || !IsValidUtf8(p.value)) continue;
    out.emplace(p.key, p.value);
  }
  return out;
}

std::string Field(const Form& form, const std::string& name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

std::string SafeNext(std::string_view next) {
  const std::string fallback = "/admin";
  if (next != "/admin" && !next.starts_with("/admin/") && !next.starts_with("/admin?")) return fallback;
  for (unsigned char c : next)
    if (c < 0x20 || c == 0x7f || c == '\\') return fallback;
  // No "//host", and no dot segments (also escaped: URL parsers treat %2e as '.') that would
  // climb out of /admin.
  if (next.find("//") != std::string_view::npos || next.find("/.") != std::string_view::npos ||
      next.find("%2e") != std::string_view::npos || next.find("%2E") != std::string_view::npos)
    return fallback;
  return std::string(next);
}

std::string SetCookie(std::string_view name, std::string_view value, const CookieOptions& options) {
  std::string out = std::string(name) + "=" + std::string(value) + "; Path=/admin; HttpOnly; SameSite=Lax";
  if (options.max_age_seconds >= 0) out += "; Max-Age=" + std::to_string(options.max_age_seconds);
  if (options.secure) out += "; Secure";
  return out;
}

std::string QueryEscape(std::string_view s) { return boost::urls::encode(s, boost::urls::unreserved_chars); }

}  // namespace herald::console
