// The console's screens: what one screen is (a ScreenDescriptor), what its handlers get (a
// ScreenContext: the request, the signed-in staff member, the parsed form, the deps) and how they
// answer (ScreenContext::Page renders a template inside the shared layout).
//
// A new screen is one file (screen_<name>.cc defining its descriptor function) and one line in
// the list in screens.cc; the router (console.h) does sign-in, permission, CSRF and the layout.
//
// Thread safety: descriptors are immutable; a ScreenContext belongs to one request.
#pragma once

#include <functional>
#include <kainjow/mustache.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "console/request.h"
#include "core/clock.h"
#include "core/result.h"
#include "http/message.h"
#include "model/permissions.h"
#include "service/audit_log.h"
#include "service/monitors.h"
#include "service/staff_auth.h"
#include "service/staff_second_factor.h"
#include "service/subscriptions.h"
#include "store/store.h"

namespace herald::service::oidc {
class OidcSignIn;
}

namespace herald::console {

namespace mu = kainjow::mustache;

// What a successful console write was, for the audit log. A screen's POST handler fills in
// ScreenContext::write; the router passes it to ConsoleDeps::on_write. Unset fields default to:
// action "<screen>.<form field action or submit>", target the email the form names.
struct WriteRecord {
  std::string action;       // "incident.create", "component.update", ...
  std::string target_type;  // "incident", "component", "staff_user", ...
  std::string target_id;
  std::string page_id;
  std::string changes_json;  // edits: {"field":{"before":..,"after":..}} as the API records them
};

// What every screen may use. Held by the Console for its lifetime.
struct ConsoleDeps {
  store::Store& store;
  const Clock& clock;
  service::StaffAuthService& auth;
  std::string public_url;  // origin of links in invitations; https: cookies are Secure
  // Sends an invitation link by email; unset when no email channel is configured.
  std::function<Status(const std::string& email, const std::string& link)> send_invite;
  // Called once after every successful state-changing request (POST answered below 400): the
  // one place where an audit log records console writes (who, what, when, from where).
  std::function<void(const http::Request& request, const service::CurrentStaff& staff, const WriteRecord& write)>
      on_write;
  // The services screens write through (app.cc sets them; tests set what they use). Writes go
  // through them exactly as the API's do: same validation, same outbox events.
  std::function<void()> on_change = [] {};  // after a write that changes what the public page shows
  service::MonitorService* monitors = nullptr;
  // Null until notifications run (then subscriber screens answer 503).
  std::function<service::SubscriptionService*()> subscriptions = [] {
    return static_cast<service::SubscriptionService*>(nullptr);
  };
  service::AuditLog* audit_log = nullptr;
  // Two-factor sign-in (TOTP); null: the account screen offers no setup.
  service::StaffSecondFactorService* second_factor = nullptr;
  // Single sign-on with the company's OpenID Connect provider: the sign-in to use (null when
  // none is configured, or it cannot be made now) and the name on its button.
  std::function<service::oidc::OidcSignIn*()> oidc = [] { return static_cast<service::oidc::OidcSignIn*>(nullptr); };
  std::string oidc_display_name = "single sign-on";
  std::string oidc_callback_path = "/admin/oidc/callback";  // oidc.redirect_path
};

struct ScreenDescriptor;

struct ScreenContext {
  const http::Request& request;
  const service::CurrentStaff& staff;
  ConsoleDeps& deps;
  const Form& form;  // the POST body's fields (empty for GET); `csrf` was checked already
  const Form& query;
  const ScreenDescriptor& screen;
  const std::vector<ScreenDescriptor>& screens;  // for the navigation
  std::map<std::string, std::string> params;     // the path's {name} segments, decoded
  mutable WriteRecord write;                     // a POST handler describes its write here

  bool Can(model::Permission p) const { return model::Allows(staff.user.role, p); }
  // The path parameter `name` ("id" for "/admin/incidents/{id}"), or empty.
  std::string Param(const std::string& name) const;
  // The status page the screen works on: the `page` field of the query (GET) or form (POST), an
  // id or a slug; without one, the default page (else the first). kNotFound when there is none or
  // the given one does not exist.
  Result<model::Page> CurrentPage() const;
  // "?page=<id>" when the request named a page, else "": appended to links within the console so
  // that a responder working on a second page stays on it.
  std::string PageQuery() const;
  // `template_name` (under web/templates/console/, without .mustache) rendered with `data`
  // inside the layout; `data` also gets `csrf` (the token every form must carry).
  http::Response Page(int status, const std::string& title, std::string_view template_name, mu::data data) const;
  // An error page in the layout (403, 404, ...) with one message.
  http::Response Message(int status, const std::string& title, const std::string& message) const;
};

using ScreenHandler = std::function<http::Response(const ScreenContext&)>;

struct ScreenDescriptor {
  std::string_view path;       // "/admin/team", or with {name} segments: "/admin/incidents/{id}"
  std::string_view nav_label;  // in the navigation when not empty
  model::Permission view;      // needed to see it (GET) and to appear in the navigation
  ScreenHandler get;
  ScreenHandler post;                           // unset: GET only
  std::optional<model::Permission> post_needs;  // unset: `view`
  // False for a POST that only computes (a preview): it writes nothing, so the audit log does not
  // record it.
  bool records_write = true;
};

// THE list of screens, in navigation order (screens.cc).
const std::vector<ScreenDescriptor>& Screens();
// Whether `path` matches `pattern` segment by segment; a "{name}" segment matches any one
// non-empty segment, stored (percent-decoded) into `params` when given.
bool MatchPath(std::string_view pattern, std::string_view path, std::map<std::string, std::string>* params = nullptr);
// The screen for `path` (exact patterns win over ones with parameters), or null.
const ScreenDescriptor* FindScreen(std::string_view path, std::map<std::string, std::string>* params = nullptr);

// One function per screen file.
ScreenDescriptor HomeScreen();
ScreenDescriptor AccountScreen();
ScreenDescriptor TeamScreen();
// Components, maintenance and the audit log (screen_components.cc, screen_maintenance.cc, screen_audit.cc).
ScreenDescriptor ComponentsScreen();
ScreenDescriptor ComponentScreen();
ScreenDescriptor MaintenanceScreen();
ScreenDescriptor MaintenanceNewScreen();
ScreenDescriptor MaintenanceOneScreen();
ScreenDescriptor AuditScreen();
ScreenDescriptor AuditExportScreen();
// Subscribers and settings (issue 15, subs): screen_subscribers.cc, screen_settings.cc
ScreenDescriptor SubscribersScreen();
ScreenDescriptor SubscriberScreen();
ScreenDescriptor SubscribersExportScreen();
ScreenDescriptor SubscribersImportScreen();
ScreenDescriptor SubscribersImportProgressScreen();
ScreenDescriptor SettingsScreen();
ScreenDescriptor ApiKeysScreen();
// Monitors, alert targets and automation (issue 15, dashboard and monitors).
ScreenDescriptor MonitorsScreen();
ScreenDescriptor MonitorNewScreen();
ScreenDescriptor MonitorScreen();
ScreenDescriptor AlertsScreen();
ScreenDescriptor AutomationScreen();
ScreenDescriptor AutomationRuleScreen();
// Incidents (screen_incidents.cc, screen_incident_templates.cc).
ScreenDescriptor IncidentsScreen();
ScreenDescriptor IncidentNewScreen();
ScreenDescriptor IncidentNewPreviewScreen();
ScreenDescriptor IncidentScreen();
ScreenDescriptor IncidentPreviewScreen();
ScreenDescriptor IncidentTemplatesScreen();
ScreenDescriptor IncidentTemplateScreen();

// The headers of every console page: no caching, no framing, strict CSP, no sniffing.
void SetConsoleHeaders(http::Response& response);
inline constexpr std::string_view kConsoleContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'";

// A page outside the signed-in layout (sign-in, invitation): `template_name` in a minimal frame.
http::Response PublicPage(int status, const std::string& title, std::string_view template_name, mu::data data);
// Sets `name` to `value`, replacing the value SetConsoleHeaders gave it.
void ReplaceHeader(http::Response& response, std::string_view name, std::string value);
// A 303 See Other to `location`.
http::Response Redirect(const std::string& location);

}  // namespace herald::console
