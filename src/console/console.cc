#include "console/console.h"

#include "assets/web_assets.h"
#include "core/log.h"

namespace herald::console {
namespace {

http::Response ErrorPage(int status, const std::string& title, const std::string& message) {
  mu::data d;
  d.set("message", message);
  return PublicPage(status, title, "message", d);
}

}  // namespace

CookieOptions SessionCookieOptions(const ConsoleDeps& deps) {
  CookieOptions o;
  o.secure = deps.public_url.starts_with("https://");
  return o;
}

std::optional<http::Response> Console::Asset(std::string_view path) {
  if (path != "/admin/assets/console.css") return std::nullopt;
  http::Response r;
  r.body = std::string(assets::FindWebAsset("assets/console.css"));
  r.Set("Content-Type", "text/css; charset=utf-8");
  r.Set("Cache-Control", "no-cache");
  r.Set("X-Content-Type-Options", "nosniff");
  return r;
}

http::Response Console::Handle(const http::Request& req) {
  if (auto r = HandleSignIn(deps_, req)) return *r;
  return HandleScreen(req);
}

http::Response Console::HandleScreen(const http::Request& req) {
  const bool post = req.method == "POST";
  if (!post && req.method != "GET" && req.method != "HEAD") {
    http::Response r = ErrorPage(405, "Not allowed", "Only GET and POST are used in the console.");
    r.Set("Allow", "GET, HEAD, POST");
    return r;
  }
  const std::string secret = Cookie(req, kSessionCookie);
  auto who = deps_.auth.Authenticate(secret);
  if (!who) {
    log::Warn("console: session check failed", {{"error", who.error().message}});
    return ErrorPage(503, "Unavailable", "The database cannot be reached. Try again shortly.");
  }
  if (!*who) {
    // Signed out (or expired): sign in, then come back here. A POST is not replayed.
    const std::string back = post ? "/admin" : SafeNext(req.target);
    return Redirect("/admin/login" + (back == "/admin" ? "" : "?next=" + QueryEscape(back)));
  }
  const service::CurrentStaff& staff = **who;
  const std::string path =
      req.path.size() > 6 && req.path.back() == '/' ? req.path.substr(0, req.path.size() - 1) : req.path;
  const auto& screens = Screens();
  const ScreenDescriptor* screen = nullptr;
  for (const auto& s : screens)
    if (s.path == path) screen = &s;
  const Form form = post ? ParseForm(req.body) : Form{};
  const Form query = ParseForm(req.query);
  static const ScreenDescriptor kNowhere{"", "", model::Permission::kReadPublic, nullptr, nullptr, std::nullopt};
  ScreenContext ctx{req, staff, deps_, form, query, screen ? *screen : kNowhere, screens};
  if (!screen) return ctx.Message(404, "Not found", "There is no console page at this address.");
  const model::Permission needed = post ? screen->post_needs.value_or(screen->view) : screen->view;
  if (!ctx.Can(needed))
    return ctx.Message(403, "Not allowed",
                       "Your role (" + std::string(model::ToString(staff.user.role)) + ") may not do this; it needs " +
                           model::RolesAllowed(needed) + " (" + std::string(model::ToString(needed)) + ").");
  if (!post) return screen->get(ctx);
  if (!screen->post) {
    http::Response r = ctx.Message(405, "Not allowed", "This page cannot be submitted to.");
    r.Set("Allow", "GET, HEAD");
    return r;
  }
  // Synchronizer token: every console form carries the session's token; a request without it
  // (a forged cross-site form, a stale tab from another session) is refused before anything runs.
  if (!service::StaffAuthService::CsrfMatches(secret, Field(form, "csrf")))
    return ctx.Message(403, "Request refused",
                       "This form was missing its security token or it did not match your session, so nothing was "
                       "changed. Reload the page and try again.");
  http::Response r = screen->post(ctx);
  // Audit: the one place a successful console write is seen, with who made it.
  if (r.status < 400 && deps_.on_write) deps_.on_write(req, staff, r);
  return r;
}

}  // namespace herald::console
