// Rendering of console pages: the shared layout (skip link, header with the signed-in user and a
// sign-out button, the navigation derived from Screens() and filtered by the role, the main
// landmark) around one screen's template.
#include <string>

#include "assets/web_assets.h"
#include "console/screen.h"

namespace herald::console {
namespace {

std::string Template(std::string_view name) {
  return std::string(assets::FindWebAsset("templates/console/" + std::string(name) + ".mustache"));
}

std::string RenderContent(std::string_view template_name, const mu::data& data) {
  mu::mustache body{Template(template_name)};
  return body.is_valid() ? body.render(data) : std::string("<!-- template error -->");
}

http::Response Html(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.Set("Content-Type", "text/html; charset=utf-8");
  SetConsoleHeaders(r);
  return r;
}

}  // namespace

void SetConsoleHeaders(http::Response& r) {
  r.Set("Content-Security-Policy", std::string(kConsoleContentSecurityPolicy));
  r.Set("Cache-Control", "no-store");
  r.Set("X-Frame-Options", "DENY");
  r.Set("X-Content-Type-Options", "nosniff");
  r.Set("Referrer-Policy", "same-origin");
}

http::Response ScreenContext::Page(int status, const std::string& title, std::string_view template_name,
                                   mu::data data) const {
  data.set("csrf", staff.csrf_token);
  mu::data layout;
  layout.set("title", title + " - Herald console");
  layout.set("heading", title);
  layout.set("signed_in", true);
  layout.set("user_email", staff.user.email);
  layout.set("user_role", std::string(model::ToString(staff.user.role)));
  layout.set("csrf", staff.csrf_token);
  mu::data nav{mu::data::type::list};
  const std::string page_query = PageQuery();
  for (const auto& s : screens) {
    if (s.nav_label.empty() || !Can(s.view)) continue;
    mu::data item;
    item.set("href", std::string(s.path) + page_query);
    item.set("label", std::string(s.nav_label));
    // The screen's own entry, also on its sub-pages (/admin/incidents/{id} under "Incidents").
    const bool within = s.path != "/admin" && screen.path.starts_with(std::string(s.path) + "/");
    if (s.path == screen.path || within) item.set("current", true);
    nav.push_back(item);
  }
  layout.set("nav", nav);
  layout.set("content", RenderContent(template_name, data));
  mu::mustache frame{Template("layout")};
  return Html(status, frame.render(layout));
}

http::Response ScreenContext::Message(int status, const std::string& title, const std::string& message) const {
  mu::data d;
  d.set("message", message);
  return Page(status, title, "message", d);
}

http::Response PublicPage(int status, const std::string& title, std::string_view template_name, mu::data data) {
  mu::data layout;
  layout.set("title", title + " - Herald console");
  layout.set("heading", title);
  layout.set("content", RenderContent(template_name, data));
  mu::mustache frame{Template("layout")};
  return Html(status, frame.render(layout));
}

void ReplaceHeader(http::Response& r, std::string_view name, std::string value) {
  for (auto& [k, v] : r.headers)
    if (k == name) {
      v = std::move(value);
      return;
    }
  r.Set(std::string(name), std::move(value));
}

http::Response Redirect(const std::string& location) {
  http::Response r;
  r.status = 303;
  r.Set("Location", location);
  SetConsoleHeaders(r);
  return r;
}

}  // namespace herald::console
