// /admin/automation: what happens to each component's customers when its monitors confirm a
// failure (its automation rule: off, publish an incident at once, or prepare a draft that
// publishes itself after a delay), and /admin/automation/{component_id} to set or remove one.
// Writes through service::MonitorService (PutRule, DeleteRule) as the API's PUT and DELETE.
#include <map>

#include "console/screen.h"
#include "service/monitors.h"

namespace herald::console {
namespace {

const std::string kUnavailable = "The database cannot be reached. Try again shortly.";

std::string ModeWords(model::AutomationMode m) {
  switch (m) {
    case model::AutomationMode::kOff: return "off: the component's status follows its monitors, nothing else";
    case model::AutomationMode::kPublish: return "publish: an incident is opened and subscribers are told at once";
    case model::AutomationMode::kDraft: return "draft: a draft waits for a person, and publishes itself after a delay";
  }
  return "";
}

http::Response List(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return ctx.Message(404, "Automation rules", page.error().message);
  auto components = ctx.deps.store.ListComponents(page->id);
  auto rules = ctx.deps.store.ListAutomationRules(page->id);
  if (!components || !rules) return ctx.Message(503, "Automation rules", kUnavailable);
  std::map<std::string, const model::AutomationRule*> by_component;
  for (const auto& r : *rules) by_component[r.component_id] = &r;
  const std::string q = ctx.PageQuery();
  mu::data rows{mu::data::type::list};
  for (const auto& c : *components) {
    if (c.is_group) continue;
    mu::data row;
    row.set("name", c.name);
    row.set("href", "/admin/automation/" + QueryEscape(c.id) + q);
    auto it = by_component.find(c.id);
    row.set("rule", it == by_component.end() ? std::string("no rule (status follows monitors only)")
                                             : ModeWords(it->second->mode));
    rows.push_back(row);
  }
  mu::data d;
  d.set("components", rows);
  d.set("page_query", q);
  const std::string done = Field(ctx.query, "done");
  if (done == "saved") d.set("notice", "The rule was saved.");
  if (done == "deleted") d.set("notice", "The rule was removed.");
  return ctx.Page(200, "Automation rules", "automation", d);
}

struct FormState {
  int status = 200;
  const Error* error = nullptr;
};

http::Response ShowRule(const ScreenContext& ctx, const model::Page& page, const model::Component& c,
                        const FormState& st) {
  auto rule = ctx.deps.monitors ? ctx.deps.monitors->GetRule(page.id, c.id)
                                : Result<model::AutomationRule>(Error::Unavailable("monitoring is not available"));
  const bool exists = rule.ok();
  if (!rule && rule.error().code != ErrorCode::kNotFound) return ctx.Message(503, "Automation rule", kUnavailable);
  const model::AutomationRule r = exists ? *rule : model::AutomationRule{};
  const bool typed = st.error != nullptr;
  auto value = [&](const char* name, const std::string& stored) { return typed ? Field(ctx.form, name) : stored; };
  mu::data d;
  d.set("component", c.name);
  d.set("component_id", c.id);
  d.set("page_id", page.id);
  d.set("page_query", ctx.PageQuery());
  if (exists) d.set("exists", true);
  if (ctx.Can(model::Permission::kManageMonitors)) d.set("can_manage", true);
  const std::string mode = value("mode", std::string(model::ToString(r.mode)));
  mu::data modes{mu::data::type::list};
  for (auto m : {model::AutomationMode::kOff, model::AutomationMode::kPublish, model::AutomationMode::kDraft}) {
    mu::data o;
    o.set("value", std::string(model::ToString(m)));
    o.set("label", ModeWords(m));
    if (mode == model::ToString(m)) o.set("selected", true);
    modes.push_back(o);
  }
  d.set("modes", modes);
  d.set("draft_publish_after_seconds",
        value("draft_publish_after_seconds", std::to_string(r.draft_publish_after_ms / 1000)));
  d.set("resolve_after_seconds", value("resolve_after_seconds", std::to_string(r.resolve_after_ms / 1000)));
  d.set("flap_window_seconds", value("flap_window_seconds", std::to_string(r.flap_window_ms / 1000)));
  d.set("incident_name", value("incident_name", r.incident_name));
  d.set("incident_body", value("incident_body", r.incident_body));
  if (typed ? !Field(ctx.form, "notify").empty() : r.notify) d.set("notify", true);
  if (st.error) {
    d.set("error", st.error->message);
    if (!st.error->field.empty()) {
      d.set("error_field", "rule-" + st.error->field);
      d.set("invalid_" + st.error->field, true);
    }
  }
  return ctx.Page(st.status, "Automation: " + c.name, "automation_rule", d);
}

Result<model::Component> FindComponent(const ScreenContext& ctx, const model::Page& page) {
  return ctx.deps.store.GetComponent(page.id, ctx.Param("id"));
}

http::Response GetRule(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return ctx.Message(404, "Automation rule", page.error().message);
  auto c = FindComponent(ctx, *page);
  if (!c)
    return ctx.Message(c.error().code == ErrorCode::kNotFound ? 404 : 503, "Automation rule",
                       c.error().code == ErrorCode::kNotFound ? "There is no such component." : kUnavailable);
  return ShowRule(ctx, *page, *c, {});
}

Result<std::optional<std::int64_t>> Seconds(const ScreenContext& ctx, const std::string& name) {
  const std::string text = Field(ctx.form, name);
  if (text.empty()) return std::optional<std::int64_t>();
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (end != text.c_str() + text.size()) return Error::Invalid(name, name + " must be a whole number of seconds");
  return std::optional<std::int64_t>(v * 1000);
}

http::Response PostRule(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return ctx.Message(404, "Automation rule", page.error().message);
  if (!ctx.deps.monitors) return ctx.Message(503, "Automation rule", "Monitoring is not available here.");
  auto c = FindComponent(ctx, *page);
  if (!c)
    return ctx.Message(c.error().code == ErrorCode::kNotFound ? 404 : 503, "Automation rule",
                       c.error().code == ErrorCode::kNotFound ? "There is no such component." : kUnavailable);
  const std::string q = ctx.PageQuery();
  const std::string back = "/admin/automation" + (q.empty() ? "?" : q + "&");
  if (Field(ctx.form, "action") == "delete") {
    if (auto st = ctx.deps.monitors->DeleteRule(page->id, c->id); !st)
      return ShowRule(ctx, *page, *c, {st.error().code == ErrorCode::kNotFound ? 404 : 503, &st.error()});
    ctx.write = {"automation_rule.delete", "automation_rule", c->id, page->id, ""};
    return Redirect(back + "done=deleted");
  }
  service::AutomationRuleInput in;
  in.mode = Field(ctx.form, "mode");
  in.incident_name = Field(ctx.form, "incident_name");
  in.incident_body = Field(ctx.form, "incident_body");
  in.notify = !Field(ctx.form, "notify").empty();
  for (auto [name, slot] : {std::pair{"draft_publish_after_seconds", &in.draft_publish_after_ms},
                            std::pair{"resolve_after_seconds", &in.resolve_after_ms},
                            std::pair{"flap_window_seconds", &in.flap_window_ms}}) {
    auto v = Seconds(ctx, name);
    if (!v) return ShowRule(ctx, *page, *c, {422, &v.error()});
    *slot = *v;
  }
  auto r = ctx.deps.monitors->PutRule(page->id, c->id, in);
  if (!r) return ShowRule(ctx, *page, *c, {r.error().code == ErrorCode::kUnavailable ? 503 : 422, &r.error()});
  ctx.write = {"automation_rule.update", "automation_rule", c->id, page->id, ""};
  return Redirect(back + "done=saved");
}

}  // namespace

ScreenDescriptor AutomationScreen() {
  return {"/admin/automation", "", model::Permission::kReadInternal, List, nullptr, {}};
}
ScreenDescriptor AutomationRuleScreen() {
  return {"/admin/automation/{id}",          "", model::Permission::kReadInternal, GetRule, PostRule,
          model::Permission::kManageMonitors};
}

}  // namespace herald::console
