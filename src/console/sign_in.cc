// The console's sign-in pages, reached without a session: /admin/login (GET the form, POST the
// email and password), /admin/logout (POST) and /admin/invite/{token} (choose a password from an
// invitation link). The forms of the first and last are protected against login CSRF by a signed
// double-submit pair (StaffAuthService::NewLoginCsrf): a random HttpOnly cookie and, in the form,
// its HMAC under a server key; a cross-site page can neither read the cookie nor forge the HMAC.
#include "console/console.h"
#include "core/log.h"

namespace herald::console {
namespace {

using Outcome = service::SignInResult::Outcome;

constexpr std::string_view kWrong = "Email or password is wrong";
constexpr std::string_view kInvitePrefix = "/admin/invite/";

http::Response Message(int status, const std::string& title, const std::string& message) {
  mu::data d;
  d.set("message", message);
  return PublicPage(status, title, "message", d);
}

http::Response Unavailable() {
  return Message(503, "Unavailable", "The database cannot be reached. Try again shortly.");
}

http::Response CsrfRefused() {
  return Message(403, "Request refused",
                 "This form was missing its security token or it came from another page, so nothing was done. "
                 "Reload the page and try again.");
}

// A new pre-session CSRF pair: the token into `d`, the Set-Cookie value returned.
std::optional<std::string> LoginCsrfInto(ConsoleDeps& deps, mu::data& d) {
  auto pair = deps.auth.NewLoginCsrf();
  if (!pair) return std::nullopt;
  CookieOptions o = SessionCookieOptions(deps);
  o.max_age_seconds = 3600;
  d.set("csrf", pair->token);
  return SetCookie(kLoginCookie, pair->cookie, o);
}

// The session cookie for a new session, and the sign-in cookie removed.
void SetSessionCookies(ConsoleDeps& deps, http::Response& r, const service::NewSession& s) {
  CookieOptions o = SessionCookieOptions(deps);
  o.max_age_seconds = deps.auth.options().session_absolute_ms / 1000;
  r.Set("Set-Cookie", SetCookie(kSessionCookie, s.secret, o));
  CookieOptions gone = SessionCookieOptions(deps);
  gone.max_age_seconds = 0;
  r.Set("Set-Cookie", SetCookie(kLoginCookie, "", gone));
}

http::Response LoginForm(ConsoleDeps& deps, int status, const std::string& email, const std::string& next,
                         const std::string& error) {
  mu::data d;
  d.set("email", email);
  d.set("next", next);
  if (!error.empty()) d.set("error", error);
  auto cookie = LoginCsrfInto(deps, d);
  if (!cookie) return Unavailable();
  http::Response r = PublicPage(status, "Sign in", "login", d);
  r.Set("Set-Cookie", *cookie);
  return r;
}

http::Response Login(ConsoleDeps& deps, const http::Request& req) {
  const Form query = ParseForm(req.query);
  if (req.method != "POST") {
    // Already signed in: straight on.
    auto who = deps.auth.Authenticate(Cookie(req, kSessionCookie));
    const std::string next = SafeNext(Field(query, "next"));
    if (who && *who) return Redirect(next);
    return LoginForm(deps, 200, "", next, "");
  }
  const Form form = ParseForm(req.body);
  const std::string email = Field(form, "email");
  const std::string next = SafeNext(Field(form, "next"));
  if (!deps.auth.LoginCsrfMatches(Cookie(req, kLoginCookie), Field(form, "csrf"))) return CsrfRefused();
  auto result = deps.auth.SignIn(email, Field(form, "password"), req.remote_addr);
  if (!result) {
    log::Warn("console: sign-in failed", {{"error", result.error().message}});
    return Unavailable();
  }
  switch (result->outcome) {
    case Outcome::kSignedIn: {
      http::Response r = Redirect(next);
      SetSessionCookies(deps, r, *result->session);
      return r;
    }
    case Outcome::kThrottled: {
      const int n = result->retry_minutes;
      http::Response r =
          LoginForm(deps, 429, email, next,
                    "Too many attempts, try again in " + std::to_string(n) + (n == 1 ? " minute" : " minutes"));
      r.Set("Retry-After", std::to_string(n * 60));
      return r;
    }
    case Outcome::kNeedsSecondFactor:
      // The second factor's page is wired here when TOTP is enabled for the account.
      return Message(501, "Second factor needed",
                     "This account needs a second factor, which this server cannot ask for yet.");
    case Outcome::kWrongCredentials: break;
  }
  return LoginForm(deps, 401, email, next, std::string(kWrong));
}

http::Response Logout(ConsoleDeps& deps, const http::Request& req) {
  if (req.method != "POST") return Redirect("/admin");
  const std::string secret = Cookie(req, kSessionCookie);
  const Form form = ParseForm(req.body);
  auto who = deps.auth.Authenticate(secret);
  if (!who) return Unavailable();
  if (*who) {
    if (!service::StaffAuthService::CsrfMatches(secret, Field(form, "csrf"))) return CsrfRefused();
    if (auto st = deps.auth.SignOut(secret); !st) return Unavailable();
    if (deps.on_write)
      deps.on_write(req, **who, WriteRecord{"session.sign_out", "staff_user", (*who)->user.email, "", ""});
  }
  http::Response r = Redirect("/admin/login");
  CookieOptions gone = SessionCookieOptions(deps);
  gone.max_age_seconds = 0;
  r.Set("Set-Cookie", SetCookie(kSessionCookie, "", gone));
  return r;
}

http::Response InviteForm(ConsoleDeps& deps, int status, const std::string& token, const model::StaffUser& user,
                          const std::string& error) {
  mu::data d;
  d.set("email", user.email);
  d.set("token", token);
  d.set("min_length", std::to_string(service::kMinPasswordLength));
  if (!error.empty()) d.set("error", error);
  auto cookie = LoginCsrfInto(deps, d);
  if (!cookie) return Unavailable();
  http::Response r = PublicPage(status, "Choose your password", "invite", d);
  r.Set("Set-Cookie", *cookie);
  ReplaceHeader(r, "Referrer-Policy", "no-referrer");  // the address holds the token
  return r;
}

http::Response Invite(ConsoleDeps& deps, const http::Request& req) {
  const std::string token = req.path.substr(kInvitePrefix.size());
  auto user = deps.auth.InviteFor(token);
  if (!user) {
    if (user.error().code != ErrorCode::kNotFound) return Unavailable();
    return Message(404, "Invitation not valid",
                   "This invitation link was used, has expired or was replaced by a newer one. Ask an admin for a "
                   "new link.");
  }
  if (req.method != "POST") return InviteForm(deps, 200, token, *user, "");
  const Form form = ParseForm(req.body);
  if (!deps.auth.LoginCsrfMatches(Cookie(req, kLoginCookie), Field(form, "csrf"))) return CsrfRefused();
  const std::string password = Field(form, "password");
  if (password != Field(form, "password_again"))
    return InviteForm(deps, 422, token, *user, "The two passwords are not the same");
  auto session = deps.auth.AcceptInvite(token, password, req.remote_addr);
  if (!session) {
    if (session.error().code == ErrorCode::kInvalid)
      return InviteForm(deps, 422, token, *user, session.error().message);
    return Message(session.error().code == ErrorCode::kNotFound ? 404 : 403, "Invitation not valid",
                   session.error().message);
  }
  http::Response r = Redirect("/admin");
  SetSessionCookies(deps, r, *session);
  return r;
}

}  // namespace

std::optional<http::Response> HandleSignIn(ConsoleDeps& deps, const http::Request& req) {
  if (req.path == "/admin/login") return Login(deps, req);
  if (req.path == "/admin/logout") return Logout(deps, req);
  if (req.path.starts_with(kInvitePrefix) && req.path.size() > kInvitePrefix.size() &&
      req.path.find('/', kInvitePrefix.size()) == std::string::npos)
    return Invite(deps, req);
  return std::nullopt;
}

}  // namespace herald::console
