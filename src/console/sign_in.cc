// The console's sign-in pages, reached without a session: /admin/login (GET the form, POST the
// email and password), /admin/login/code (the second factor, when the account has one: the
// password's ticket is in the herald_2fa cookie), /admin/logout (POST) and /admin/invite/{token}
// (choose a password from an invitation link). With single sign-on configured, also
// /admin/login/sso (to the identity provider) and its callback (/admin/oidc/callback by default). The forms of the
// first and last are protected against login CSRF by a signed double-submit pair (StaffAuthService::NewLoginCsrf): a
// random HttpOnly cookie and, in the form, its HMAC under a server key; a cross-site page can neither read the cookie
// nor forge the HMAC.
#include "service/oidc/sign_in.h"

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

// The session cookie for a new session, and the sign-in cookies removed.
void SetSessionCookies(ConsoleDeps& deps, http::Response& r, const service::NewSession& s) {
  CookieOptions o = SessionCookieOptions(deps);
  o.max_age_seconds = deps.auth.options().session_absolute_ms / 1000;
  r.Set("Set-Cookie", SetCookie(kSessionCookie, s.secret, o));
  CookieOptions gone = SessionCookieOptions(deps);
  gone.max_age_seconds = 0;
  r.Set("Set-Cookie", SetCookie(kLoginCookie, "", gone));
  r.Set("Set-Cookie", SetCookie(kSecondFactorCookie, "", gone));
}

std::string NextQuery(const std::string& next) { return next == "/admin" ? "" : "?next=" + QueryEscape(next); }

http::Response Throttled(http::Response r, int minutes) {
  r.Set("Retry-After", std::to_string(minutes * 60));
  return r;
}

std::string TooMany(int n) {
  return "Too many attempts, try again in " + std::to_string(n) + (n == 1 ? " minute" : " minutes");
}

http::Response LoginForm(ConsoleDeps& deps, int status, const std::string& email, const std::string& next,
                         const std::string& error) {
  mu::data d;
  d.set("email", email);
  d.set("next", next);
  if (deps.oidc()) {
    d.set("sso", true);
    d.set("sso_href", "/admin/login/sso" + (next == "/admin" ? std::string() : "?next=" + QueryEscape(next)));
    d.set("sso_label", "Sign in with " + deps.oidc_display_name);
  }
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
    case Outcome::kThrottled:
      return Throttled(LoginForm(deps, 429, email, next, TooMany(result->retry_minutes)), result->retry_minutes);
    case Outcome::kNeedsSecondFactor: {
      // The password was right; the code comes next. The ticket says so for a few minutes, in a
      // cookie only this site's sign-in pages read; no session exists yet.
      http::Response r = Redirect("/admin/login/code" + NextQuery(next));
      CookieOptions o = SessionCookieOptions(deps);
      o.max_age_seconds = deps.auth.options().second_factor_ticket_ms / 1000;
      r.Set("Set-Cookie", SetCookie(kSecondFactorCookie, result->second_factor_ticket, o));
      return r;
    }
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

// Single sign-on: to the provider, with the pending sign-in in its signed cookie.
http::Response SsoStart(ConsoleDeps& deps, service::oidc::OidcSignIn& oidc, const http::Request& req) {
  const std::string next = SafeNext(Field(ParseForm(req.query), "next"));
  auto start = oidc.Start(next);
  if (!start) {
    log::Warn("console: single sign-on cannot start", {{"error", start.error().message}});
    return LoginForm(deps, 503, "", next, start.error().message);
  }
  http::Response r = Redirect(start->redirect_url);
  r.Set("Set-Cookie", start->set_cookie);
  return r;
}

// The provider's redirect back: the identity checked completely (service/oidc/sign_in.h), then
// the user found or made with the role their groups give, and a session, as a password would.
http::Response SsoCallback(ConsoleDeps& deps, service::oidc::OidcSignIn& oidc, const http::Request& req) {
  auto who = oidc.Finish(req.query, req.Header("cookie"));
  http::Response r;
  if (!who) {
    const ErrorCode c = who.error().code;
    const int status = c == ErrorCode::kUnavailable ? 503 : c == ErrorCode::kForbidden ? 403 : 401;
    log::Warn("console: single sign-on refused", {{"error", who.error().message}, {"field", who.error().field}});
    r = LoginForm(deps, status, "", "/admin", who.error().message);
  } else {
    auto session = deps.auth.StartSessionForEmail(who->email, who->role, req.remote_addr);
    if (!session) {
      if (session.error().code != ErrorCode::kForbidden && session.error().code != ErrorCode::kInvalid)
        return Unavailable();
      r = LoginForm(deps, 403, "", "/admin", "Your account cannot sign in here: " + session.error().message + ".");
    } else {
      r = Redirect(who->next_path);
      SetSessionCookies(deps, r, *session);
    }
  }
  r.Set("Set-Cookie", oidc.ClearCookie());
  return r;
}

http::Response CodeForm(ConsoleDeps& deps, int status, const std::string& next, const std::string& error) {
  mu::data d;
  d.set("next", next);
  if (!error.empty()) d.set("error", error);
  auto cookie = LoginCsrfInto(deps, d);
  if (!cookie) return Unavailable();
  http::Response r = PublicPage(status, "Two-factor sign-in", "login_code", d);
  r.Set("Set-Cookie", *cookie);
  return r;
}

http::Response SecondFactor(ConsoleDeps& deps, const http::Request& req) {
  const std::string ticket = Cookie(req, kSecondFactorCookie);
  if (req.method != "POST") {
    const std::string next = SafeNext(Field(ParseForm(req.query), "next"));
    if (ticket.empty()) return Redirect("/admin/login" + NextQuery(next));
    return CodeForm(deps, 200, next, "");
  }
  const Form form = ParseForm(req.body);
  const std::string next = SafeNext(Field(form, "next"));
  if (!deps.auth.LoginCsrfMatches(Cookie(req, kLoginCookie), Field(form, "csrf"))) return CsrfRefused();
  auto result = deps.auth.FinishSecondFactor(ticket, Field(form, "code"), req.remote_addr);
  if (!result) {
    log::Warn("console: second factor check failed", {{"error", result.error().message}});
    return Unavailable();
  }
  switch (result->outcome) {
    case Outcome::kSignedIn: {
      http::Response r = Redirect(next);
      SetSessionCookies(deps, r, *result->session);
      return r;
    }
    case Outcome::kThrottled:
      return Throttled(CodeForm(deps, 429, next, TooMany(result->retry_minutes)), result->retry_minutes);
    case Outcome::kNeedsSecondFactor:
    case Outcome::kWrongCredentials: break;
  }
  return CodeForm(deps, 401, next,
                  "That code is not right, or it was used already, or signing in took longer than 5 minutes. Type "
                  "the code your app shows now, or start again.");
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
  if (req.path == "/admin/login/code") return SecondFactor(deps, req);
  if (req.path == "/admin/login/sso" || req.path == deps.oidc_callback_path) {
    auto* oidc = deps.oidc();
    if (!oidc) return Message(404, "Not found", "Single sign-on is not configured on this server.");
    if (req.method != "GET" && req.method != "HEAD") return Message(405, "Not allowed", "Use GET here.");
    return req.path == deps.oidc_callback_path ? SsoCallback(deps, *oidc, req) : SsoStart(deps, *oidc, req);
  }
  if (req.path == "/admin/logout") return Logout(deps, req);
  if (req.path.starts_with(kInvitePrefix) && req.path.size() > kInvitePrefix.size() &&
      req.path.find('/', kInvitePrefix.size()) == std::string::npos)
    return Invite(deps, req);
  return std::nullopt;
}

}  // namespace herald::console
