#include "console/console.h"

#include "assets/web_assets.h"
#include "console/upload.h"
#include "core/log.h"

namespace herald::console {
namespace {

http::Response ErrorPage(int status, const std::string& title, const std::string& message) {
  mu::data d;
  d.set("message", message);
  return PublicPage(status, title, "message", d);
}

}  // namespace

bool MatchPath(std::string_view pattern, std::string_view path, std::map<std::string, std::string>* params) {
  std::map<std::string, std::string> found;
  while (!pattern.empty() || !path.empty()) {
    if (pattern.empty() || path.empty() || pattern[0] != '/' || path[0] != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const std::string_view want = pattern.substr(0, pattern.find('/'));
    const std::string_view got = path.substr(0, path.find('/'));
    pattern.remove_prefix(want.size());
    path.remove_prefix(got.size());
    if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
      if (got.empty()) return false;
      found[std::string(want.substr(1, want.size() - 2))] = std::string(got);
    } else if (want != got) {
      return false;
    }
  }
  if (params) *params = std::move(found);
  return true;
}

const ScreenDescriptor* FindScreen(std::string_view path, std::map<std::string, std::string>* params) {
  const ScreenDescriptor* with_params = nullptr;
  for (const auto& s : Screens()) {
    if (s.path == path) return &s;
    if (!with_params && s.path.find('{') != std::string_view::npos && MatchPath(s.path, path)) with_params = &s;
  }
  if (with_params && params) MatchPath(with_params->path, path, params);
  return with_params;
}

std::string ScreenContext::Param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

Result<model::Page> ScreenContext::CurrentPage() const {
  std::string want = Field(form, "page");
  if (want.empty()) want = Field(query, "page");
  std::vector<model::Page> pages;
  HERALD_TRY_ASSIGN(pages, deps.store.ListPages());
  if (pages.empty())
    return Error::NotFound("there is no status page yet; create one with herald page create or the API");
  if (want.empty()) {
    for (const auto& p : pages)
      if (p.is_default) return p;
    return pages.front();
  }
  for (const auto& p : pages)
    if (p.id == want || p.slug == want) return p;
  return Error{ErrorCode::kNotFound, "there is no status page " + want, "page"};
}

std::string ScreenContext::PageQuery() const {
  std::string want = Field(form, "page");
  if (want.empty()) want = Field(query, "page");
  return want.empty() ? std::string() : "?page=" + QueryEscape(want);
}

CookieOptions SessionCookieOptions(const ConsoleDeps& deps) {
  CookieOptions o;
  o.secure = deps.public_url.starts_with("https://");
  return o;
}

std::optional<http::Response> Console::Asset(std::string_view path) {
  // The console's own files: web/assets/console*.css and console*.js (screens that enhance
  // themselves with a script add one; the CSP allows scripts from this origin only).
  constexpr std::string_view kPrefix = "/admin/assets/";
  if (!path.starts_with(kPrefix)) return std::nullopt;
  const std::string_view name = path.substr(kPrefix.size());
  const bool css = name.ends_with(".css"), js = name.ends_with(".js");
  if (!name.starts_with("console") || (!css && !js) || name.find('/') != std::string_view::npos) return std::nullopt;
  const std::string_view body = assets::FindWebAsset("assets/" + std::string(name));
  if (body.empty()) return std::nullopt;
  http::Response r;
  r.body = std::string(body);
  r.Set("Content-Type", css ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8");
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
  std::map<std::string, std::string> params;
  const ScreenDescriptor* screen = FindScreen(path, &params);
  // multipart/form-data too (uploads): their text fields, the csrf token among them.
  const Form form = post ? ParsePostForm(req) : Form{};
  const Form query = ParseForm(req.query);
  static const ScreenDescriptor kNowhere{"", "", model::Permission::kReadPublic, nullptr, nullptr, std::nullopt};
  ScreenContext ctx{req, staff, deps_, form, query, screen ? *screen : kNowhere, screens, std::move(params), {}};
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
  if (r.status < 400 && screen->records_write && deps_.on_write) deps_.on_write(req, staff, ctx.write);
  return r;
}

}  // namespace herald::console
