// Reading console requests: cookies, form bodies and the `next` address a sign-in returns to;
// writing cookies. Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "http/message.h"

namespace herald::console {

// Name -> value of the Cookie header ("a=1; b=2"); the first of a repeated name wins.
std::map<std::string, std::string> ParseCookies(std::string_view header);
std::string Cookie(const http::Request& request, std::string_view name);

// A flat application/x-www-form-urlencoded body (or query): name -> value, '+' as space; the
// first of a repeated name wins. Malformed escapes or invalid UTF-8 leave the field out.
using Form = std::map<std::string, std::string>;
Form ParseForm(std::string_view body);
// The field's value, or empty.
std::string Field(const Form& form, const std::string& name);

// `next` when it is a console address of this site ("/admin..."), else "/admin": a sign-in must
// never send anyone to another site (no "//host", no "/\host", no scheme, no control bytes).
std::string SafeNext(std::string_view next);

struct CookieOptions {
  bool secure = false;             // the public URL is https
  long long max_age_seconds = -1;  // -1: a browser-session cookie; 0: delete it
};
// A Set-Cookie value for the console: HttpOnly, SameSite=Lax, Path=/admin, Secure when asked.
std::string SetCookie(std::string_view name, std::string_view value, const CookieOptions& options);

// Percent-encodes a query component.
std::string QueryEscape(std::string_view s);

}  // namespace herald::console
