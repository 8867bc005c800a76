// /admin/settings (admins): the current page's name, accent colour, time zone, company site and
// custom domain, written through PageService::Update as the API's PATCH is (same validation, same
// snapshot rebuild); the languages the page's messages come in; a link to the team.
// /admin/api-keys (admins): the management API's keys (name, role, created), a new key whose
// secret is shown once, and revoking one after a confirmation.
#include <boost/json.hpp>

#include "console/screen.h"
#include "core/text.h"
#include "core/time.h"
#include "core/time_zones.h"
#include "notify/templates.h"
#include "service/services.h"

namespace herald::console {
namespace {

namespace json = boost::json;
using model::Permission;

const char* const kUnavailable = "The database cannot be reached. Try again shortly.";

http::Response Failure(const ScreenContext& ctx, const Error& e) {
  if (e.code == ErrorCode::kNotFound) return ctx.Message(404, "Not found", e.message);
  return ctx.Message(503, "Unavailable", kUnavailable);
}

// ---------------------------------------------------------------------------------------------
// Settings

// The page's fields this screen edits, as text (the form's values and the audit log's before/after).
json::object PageFields(const model::Page& p) {
  return {{"id", p.id},   {"name", p.name},        {"accent_color", p.accent_color}, {"time_zone", p.time_zone},
          {"url", p.url}, {"hostname", p.hostname}};
}

struct SettingsForm {
  std::map<std::string, std::string> values;  // field -> value shown
  std::string error, error_field, notice;
};

http::Response ShowSettings(const ScreenContext& ctx, const model::Page& page, int status, const SettingsForm& f) {
  mu::data d;
  d.set("page_id", page.id);
  d.set("page_name", page.name);
  const json::object fields = PageFields(page);
  for (const char* name : {"name", "accent_color", "time_zone", "url", "hostname"}) {
    auto it = f.values.find(name);
    d.set(name, it != f.values.end() ? it->second : std::string(fields.at(name).as_string()));
    if (f.error_field == name) d.set(std::string("invalid_") + name, true);
  }
  const std::string zone = f.values.count("time_zone") ? f.values.at("time_zone") : page.time_zone;
  mu::data zones{mu::data::type::list};
  for (const auto& z : TimeZoneNames()) {
    mu::data o;
    o.set("value", z);
    if (z == zone) o.set("selected", true);
    zones.push_back(o);
  }
  d.set("zones", zones);
  // Languages: the message templates Herald has, and those the page's subscribers chose.
  std::string offered;
  for (const auto& l : notify::TemplateSet::Defaults().Languages()) offered += (offered.empty() ? "" : ", ") + l;
  d.set("template_languages", offered);
  auto in_use = ctx.deps.store.ListSubscriberLanguages(page.id);
  if (!in_use) return Failure(ctx, in_use.error());
  std::string used;
  for (const auto& l : *in_use) used += (used.empty() ? "" : ", ") + l;
  d.set("subscriber_languages", used.empty() ? std::string("none yet") : used);
  d.set("team_href", "/admin/team" + ctx.PageQuery());
  d.set("keys_href", "/admin/api-keys" + ctx.PageQuery());
  if (!f.error.empty()) d.set("error", f.error);
  if (!f.notice.empty()) d.set("notice", f.notice);
  return ctx.Page(status, "Settings", "settings", d);
}

http::Response SettingsGet(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return Failure(ctx, page.error());
  SettingsForm f;
  if (Field(ctx.query, "done") == "saved") f.notice = "Saved. The public page shows the changes in a moment.";
  return ShowSettings(ctx, *page, 200, f);
}

http::Response SettingsPost(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return Failure(ctx, page.error());
  SettingsForm f;
  service::PageInput in;
  for (auto [name, target] :
       std::initializer_list<std::pair<const char*, std::optional<std::string>*>>{{"name", &in.name},
                                                                                  {"accent_color", &in.accent_color},
                                                                                  {"time_zone", &in.time_zone},
                                                                                  {"url", &in.url},
                                                                                  {"hostname", &in.hostname}}) {
    std::string v(Trim(Field(ctx.form, name)));
    if (std::string_view(name) == "hostname") v = Lower(v);
    f.values[name] = v;
    *target = v;
  }
  const std::string before = json::serialize(PageFields(*page));
  service::PageService pages(service::Deps{ctx.deps.store, ctx.deps.clock, ctx.deps.on_change});
  auto saved = pages.Update(page->id, in);
  if (!saved) {
    if (saved.error().code != ErrorCode::kInvalid) return Failure(ctx, saved.error());
    f.error = saved.error().message;
    f.error_field = saved.error().field;
    return ShowSettings(ctx, *page, 422, f);
  }
  ctx.write = {"page.update", "page", page->id, page->id,
               service::TextChanges(before, json::serialize(PageFields(*saved)))};
  return Redirect("/admin/settings" + ctx.PageQuery() + (ctx.PageQuery().empty() ? "?" : "&") + "done=saved");
}

// ---------------------------------------------------------------------------------------------
// API keys

struct KeysOutcome {
  int status = 200;
  std::string notice, error, secret, secret_name, confirm_id, name;
};

http::Response ShowKeys(const ScreenContext& ctx, const KeysOutcome& o) {
  auto keys = ctx.deps.store.ListApiKeys();
  if (!keys) return Failure(ctx, keys.error());
  mu::data list{mu::data::type::list};
  for (const auto& k : *keys) {
    mu::data row;
    row.set("id", k.id);
    row.set("name", k.name);
    row.set("role", std::string(model::ToString(k.role)));
    row.set("created", FormatInZone(k.created_at, "UTC", "%Y-%m-%d %H:%M UTC"));
    row.set("confirm_href", "/admin/api-keys?confirm=" + QueryEscape(k.id));
    if (k.id == o.confirm_id) row.set("confirming", true);
    list.push_back(row);
  }
  mu::data d;
  d.set("keys", list);
  d.set("none", list.is_empty_list());
  mu::data roles{mu::data::type::list};
  for (model::Role r : model::AllRoles()) {
    mu::data opt;
    opt.set("value", std::string(model::ToString(r)));
    if (r == model::Role::kViewer) opt.set("selected", true);
    roles.push_back(opt);
  }
  d.set("roles", roles);
  d.set("name", o.name);
  if (!o.notice.empty()) d.set("notice", o.notice);
  if (!o.error.empty()) d.set("error", o.error);
  if (!o.secret.empty()) {
    d.set("secret", o.secret);
    d.set("secret_name", o.secret_name);
  }
  d.set("settings_href", "/admin/settings");
  http::Response r = ctx.Page(o.status, "API keys", "api_keys", d);
  if (!o.secret.empty()) ReplaceHeader(r, "Referrer-Policy", "no-referrer");
  return r;
}

http::Response KeysGet(const ScreenContext& ctx) {
  KeysOutcome o;
  o.confirm_id = Field(ctx.query, "confirm");
  if (Field(ctx.query, "done") == "revoked")
    o.notice = "The key was revoked; requests with it are refused from now on.";
  return ShowKeys(ctx, o);
}

http::Response KeysPost(const ScreenContext& ctx) {
  const std::string action = Field(ctx.form, "action");
  if (action == "create") {
    KeysOutcome o;
    o.name = Field(ctx.form, "name");
    const auto role = model::ParseRole(Field(ctx.form, "role"));
    if (!role) {
      o.status = 422;
      o.error = "Role: choose one from the list.";
      return ShowKeys(ctx, o);
    }
    auto created = service::CreateApiKey(ctx.deps.store, ctx.deps.clock, o.name, *role);
    if (!created) {
      if (created.error().code != ErrorCode::kInvalid) return Failure(ctx, created.error());
      o.status = 422;
      o.error = "Name: " + created.error().message;
      return ShowKeys(ctx, o);
    }
    ctx.write = {"api_key.create", "api_key", created->key.id, "", ""};
    // Shown now and never again: only its SHA-256 is stored. Not a redirect, so the secret is in
    // no URL and no later page.
    KeysOutcome done;
    done.secret = created->secret;
    done.secret_name = created->key.name;
    done.notice = "Created the key " + created->key.name + " (" + std::string(model::ToString(*role)) + ").";
    return ShowKeys(ctx, done);
  }
  if (action == "revoke") {
    const std::string id = Field(ctx.form, "id");
    auto keys = ctx.deps.store.ListApiKeys();
    if (!keys) return Failure(ctx, keys.error());
    if (std::none_of(keys->begin(), keys->end(), [&](const model::ApiKey& k) { return k.id == id; }))
      return ShowKeys(ctx, {404, "", "There is no such key; it may have been revoked already.", "", "", "", ""});
    if (auto st = ctx.deps.store.DeleteApiKey(id); !st) return Failure(ctx, st.error());
    ctx.write = {"api_key.revoke", "api_key", id, "", ""};
    return Redirect("/admin/api-keys?done=revoked");
  }
  return ShowKeys(ctx, {422, "", "Unknown action.", "", "", "", ""});
}

}  // namespace

ScreenDescriptor SettingsScreen() {
  return {"/admin/settings", "Settings", Permission::kManageSettings, SettingsGet, SettingsPost, std::nullopt};
}
ScreenDescriptor ApiKeysScreen() {
  return {"/admin/api-keys", "", Permission::kManageApiKeys, KeysGet, KeysPost, std::nullopt};
}

}  // namespace herald::console
