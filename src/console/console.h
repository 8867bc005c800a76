// Console: the operator console's router, served at /admin by the same binary. For the sign-in
// pages (/admin/login, /admin/logout, /admin/invite/{token}) it runs sign_in.cc; for every other
// path it authenticates the session cookie (signed out: 303 to /admin/login?next=<path>), finds
// the screen in Screens(), checks the role may see it (403 page otherwise), checks the CSRF token
// on POST (403 page, nothing changed), runs the screen and calls ConsoleDeps::on_write after a
// successful POST. Every answer carries SetConsoleHeaders' headers.
//
// Cookies: `herald_session` (the session's secret; HttpOnly, SameSite=Lax, Path=/admin, Secure
// when the public URL is https) and `herald_login` (the sign-in form's double-submit CSRF cookie).
//
// Thread safety: Handle may be called concurrently; it blocks on the store (worker threads only).
#pragma once

#include <string_view>

#include "console/screen.h"
#include "http/message.h"

namespace herald::console {

inline constexpr std::string_view kSessionCookie = "herald_session";
inline constexpr std::string_view kLoginCookie = "herald_login";
// Between a right password and the second factor: StaffAuthService's signed ticket (5 minutes).
inline constexpr std::string_view kSecondFactorCookie = "herald_2fa";

class Console {
 public:
  explicit Console(ConsoleDeps deps) : deps_(std::move(deps)) {}

  // Whether `path` belongs to the console (/admin, /admin/...).
  static bool Owns(std::string_view path) { return path == "/admin" || path.starts_with("/admin/"); }
  // The stylesheet, answered without the database (io thread); nullopt for other paths.
  static std::optional<http::Response> Asset(std::string_view path);

  http::Response Handle(const http::Request& request);

  ConsoleDeps& deps() { return deps_; }

 private:
  http::Response HandleScreen(const http::Request& request);

  ConsoleDeps deps_;
};

// The sign-in pages (sign_in.cc); nullopt when `request` is not for one of them.
std::optional<http::Response> HandleSignIn(ConsoleDeps& deps, const http::Request& request);
// Cookie options for `deps` (Secure when the public URL is https).
CookieOptions SessionCookieOptions(const ConsoleDeps& deps);

}  // namespace herald::console
