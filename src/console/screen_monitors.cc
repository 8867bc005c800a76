// /admin/monitors: the page's monitors with their state, last check, last error and a 24-hour
// response-time chart; /admin/monitors/new (choose a kind, then its form) and /admin/monitors/{id}
// (its details; for admins the same form to edit it, pause or resume, a new heartbeat token shown
// once, delete after a confirmation step). The form is derived from the probe kind list
// (monitor_form.h). Writes go through service::MonitorService as the API's do; targets, headers
// and bodies are masked below admin (model/secret_mask.h, as the API masks them).
#include <map>

#include "assets/web_assets.h"
#include "console/monitor_chart.h"
#include "console/monitor_form.h"
#include "console/screen.h"
#include "core/time.h"
#include "model/secret_mask.h"

namespace herald::console {
namespace {

const std::string kUnavailable = "The database cannot be reached. Try again shortly.";

std::string When(TimeMs t, const model::Page& page) {
  return t ? FormatInZone(t, page.time_zone, "%Y-%m-%d %H:%M:%S %Z") : std::string("never");
}

std::string StateWords(const model::Monitor& m) {
  return m.enabled ? std::string(model::ToString(m.state)) : std::string("paused");
}

// "?page=<id>&" or "?" to append one more parameter to.
std::string QueryStart(const ScreenContext& ctx) {
  const std::string q = ctx.PageQuery();
  return q.empty() ? "?" : q + "&";
}

std::vector<std::pair<std::string, std::string>> ComponentChoices(const ScreenContext& ctx,
                                                                  const std::string& page_id) {
  std::vector<std::pair<std::string, std::string>> out;
  if (auto list = ctx.deps.store.ListComponents(page_id))
    for (const auto& c : *list)
      if (!c.is_group) out.emplace_back(c.id, c.name);
  return out;
}

// The controls as the template draws them; `error` goes next to the control it names.
mu::data ControlsData(const std::vector<FormControl>& controls, const Error* error) {
  mu::data list{mu::data::type::list};
  for (const auto& c : controls) {
    mu::data d;
    d.set("name", c.name);
    d.set("label", c.label);
    d.set("value", c.value);
    if (c.checked) d.set("checked", true);
    if (c.required) d.set("required", true);
    std::string described;
    if (!c.help.empty()) {
      d.set("help", c.help);
      described = "f-" + c.name + "-help";
    }
    if (error && error->field == c.name) {
      d.set("error", error->message);
      d.set("invalid", true);
      described += (described.empty() ? "" : " ") + std::string("f-" + c.name + "-error");
    }
    if (!described.empty()) d.set("described", described);
    switch (c.type) {
      case ControlType::kText: d.set("is_text", true); break;
      case ControlType::kNumber: d.set("is_number", true); break;
      case ControlType::kCheckbox: d.set("is_checkbox", true); break;
      case ControlType::kLines: d.set("is_lines", true); break;
      case ControlType::kSelect: {
        d.set("is_select", true);
        mu::data options{mu::data::type::list};
        for (const auto& [value, words] : c.options) {
          mu::data o;
          o.set("value", value);
          o.set("label", words);
          if (value == c.value) o.set("selected", true);
          options.push_back(o);
        }
        d.set("options", options);
        break;
      }
    }
    list.push_back(d);
  }
  return list;
}

// The monitor form (monitor_fields.mustache), the same for adding and editing, rendered here so that
// both screens' templates include it as {{{form}}}.
std::string FormHtml(const ScreenContext& ctx, const mu::data& controls, const std::string& action,
                     const std::string& submit, const std::string& page_id, const std::string& kind) {
  mu::data d;
  d.set("controls", controls);
  d.set("action", action);
  d.set("submit", submit);
  d.set("page_id", page_id);
  if (!kind.empty()) d.set("kind", kind);
  d.set("csrf", ctx.staff.csrf_token);
  mu::mustache tpl{std::string(assets::FindWebAsset("templates/console/monitor_fields.mustache"))};
  return tpl.render(d);
}

// The summary at the top of a form with an error (role=alert), linking to the field.
void SetError(mu::data& d, const Error& e, const std::vector<FormControl>& controls) {
  d.set("error", e.message);
  for (const auto& c : controls)
    if (c.name == e.field) d.set("error_field", "f-" + c.name);
}

bool BadInput(const Error& e) {
  return e.code == ErrorCode::kInvalid || e.code == ErrorCode::kConflict || e.code == ErrorCode::kNotFound;
}

// ---------------------------------------------------------------------------------------------
// The list

http::Response List(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return ctx.Message(404, "Monitors", page.error().message);
  auto monitors = ctx.deps.store.ListMonitors(page->id);
  const TimeMs now = ctx.deps.clock.Now();
  auto rollups = ctx.deps.store.ListMonitorRollups(page->id, "", 'm', page::ChartWindowStart(now));
  if (!monitors || !rollups) return ctx.Message(503, "Monitors", kUnavailable);
  std::map<std::string, std::vector<model::MonitorRollup>> by_monitor;
  for (auto& r : *rollups) by_monitor[r.monitor_id].push_back(std::move(r));
  const std::string page_query = ctx.PageQuery();
  mu::data rows{mu::data::type::list};
  for (const auto& m : *monitors) {
    mu::data r;
    r.set("name", m.name);
    r.set("href", "/admin/monitors/" + QueryEscape(m.id) + page_query);
    r.set("kind", std::string(model::Describe(m.kind).label));
    r.set("state", StateWords(m));
    r.set("last_check", When(m.last_check_at, *page));
    if (!m.last_error.empty()) r.set("last_error", m.last_error);
    const auto series = page::AggregateLatency(by_monitor[m.id], now);
    r.set("chart", RenderSparkline(series, m.name));
    rows.push_back(r);
  }
  mu::data d;
  d.set("monitors", rows);
  d.set("has_monitors", !monitors->empty());
  d.set("page_query", page_query);
  if (ctx.Can(model::Permission::kManageMonitors)) d.set("can_manage", true);
  const std::string done = Field(ctx.query, "done");
  if (done == "deleted") d.set("notice", "The monitor was deleted, with its results.");
  return ctx.Page(200, "Monitors", "monitors", d);
}

// ---------------------------------------------------------------------------------------------
// New

struct FormState {
  int status = 200;
  const Error* error = nullptr;
  const Form* typed = nullptr;  // re-show what was typed
};

http::Response ShowNew(const ScreenContext& ctx, const model::Page& page, std::optional<model::MonitorKind> kind,
                       const FormState& st) {
  mu::data d;
  d.set("page_id", page.id);
  d.set("page_query", ctx.PageQuery());
  if (!kind) {
    mu::data kinds{mu::data::type::list};
    for (const auto& k : model::ProbeKinds()) {
      mu::data o;
      o.set("value", std::string(k.wire_name));
      o.set("label", std::string(k.label));
      if (k.kind == model::MonitorKind::kHttp) o.set("checked", true);
      kinds.push_back(o);
    }
    d.set("kinds", kinds);
    d.set("choose_kind", true);
    return ctx.Page(st.status, "Add a monitor", "monitor_form", d);
  }
  model::Monitor defaults;
  defaults.kind = *kind;
  auto controls = MonitorControls(*kind, defaults, ComponentChoices(ctx, page.id));
  if (st.typed) FillFromForm(controls, *st.typed);
  d.set("kind_label", std::string(model::Describe(*kind).label));
  d.set("form", FormHtml(ctx, ControlsData(controls, st.error), "/admin/monitors/new", "Add monitor", page.id,
                         std::string(model::Describe(*kind).wire_name)));
  if (st.error) SetError(d, *st.error, controls);
  return ctx.Page(st.status, "Add a monitor", "monitor_form", d);
}

http::Response GetNew(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return ctx.Message(404, "Add a monitor", page.error().message);
  const std::string kind_name = Field(ctx.query, "kind");
  std::optional<model::MonitorKind> kind = model::ParseMonitorKind(kind_name);
  if (!kind_name.empty() && !kind) {
    const Error e = Error::Invalid("kind", "Choose one of the kinds: " + model::ProbeKindNames());
    return ShowNew(ctx, *page, std::nullopt, {422, &e, nullptr});
  }
  return ShowNew(ctx, *page, kind, {});
}

// The page that shows a heartbeat URL once (after creating a heartbeat monitor or a new token).
http::Response ShowToken(const ScreenContext& ctx, const model::Monitor& m, const std::string& token,
                         const std::string& what) {
  mu::data d;
  d.set("notice", what);
  d.set("name", m.name);
  d.set("url", ctx.deps.public_url + "/heartbeat/" + token);
  d.set("href", "/admin/monitors/" + QueryEscape(m.id) + ctx.PageQuery());
  http::Response r = ctx.Page(200, "Heartbeat URL", "monitor_token", d);
  ReplaceHeader(r, "Referrer-Policy", "no-referrer");
  return r;
}

http::Response PostNew(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return ctx.Message(404, "Add a monitor", page.error().message);
  if (!ctx.deps.monitors) return ctx.Message(503, "Add a monitor", "Monitoring is not available here.");
  auto kind = model::ParseMonitorKind(Field(ctx.form, "kind"));
  if (!kind) {
    const Error e = Error::Invalid("kind", "Choose one of the kinds: " + model::ProbeKindNames());
    return ShowNew(ctx, *page, std::nullopt, {422, &e, nullptr});
  }
  auto in = ParseMonitorForm(*kind, ctx.form);
  if (!in) return ShowNew(ctx, *page, kind, {422, &in.error(), &ctx.form});
  auto out = ctx.deps.monitors->Create(page->id, *in);
  if (!out) {
    if (!BadInput(out.error())) return ctx.Message(503, "Add a monitor", kUnavailable);
    return ShowNew(ctx, *page, kind, {422, &out.error(), &ctx.form});
  }
  ctx.write = {"monitor.create", "monitor", out->monitor.id, page->id, ""};
  if (!out->heartbeat_token.empty())
    return ShowToken(ctx, out->monitor, out->heartbeat_token,
                     "The monitor was added. Its job calls this URL; it is shown only now.");
  return Redirect("/admin/monitors/" + QueryEscape(out->monitor.id) + QueryStart(ctx) + "done=created");
}

// ---------------------------------------------------------------------------------------------
// One monitor

http::Response ShowMonitor(const ScreenContext& ctx, const model::Page& page, const model::Monitor& stored,
                           const FormState& st) {
  const bool admin = ctx.Can(model::Permission::kManageMonitors);
  const bool reveal = ctx.Can(model::Permission::kReadSecrets);
  const model::Monitor m = reveal ? stored : model::WithSecretsMasked(stored);
  mu::data d;
  d.set("id", m.id);
  d.set("name", m.name);
  d.set("page_id", page.id);
  d.set("page_query", ctx.PageQuery());
  d.set("kind_label", std::string(model::Describe(m.kind).label));
  d.set("kind", std::string(model::Describe(m.kind).wire_name));
  d.set("state", StateWords(m));
  if (m.state_since) d.set("state_since", When(m.state_since, page));
  d.set("last_check", When(m.last_check_at, page));
  if (!m.last_error.empty()) d.set("last_error", m.last_error);
  if (m.kind == model::MonitorKind::kHeartbeat) {
    d.set("heartbeat", true);
    d.set("last_heartbeat", When(m.last_heartbeat_at, page));
  }
  if (!m.enabled) d.set("paused", true);
  const TimeMs now = ctx.deps.clock.Now();
  auto rollups = ctx.deps.store.ListMonitorRollups(page.id, m.id, 'm', page::ChartWindowStart(now));
  if (!rollups) return ctx.Message(503, "Monitor", kUnavailable);
  const auto series = page::AggregateLatency(*rollups, now);
  d.set("chart", RenderSparkline(series, m.name));
  d.set("chart_summary", LatencySummary(SummarizeLatency(series)));
  auto controls = MonitorControls(m.kind, m, ComponentChoices(ctx, page.id));
  if (st.typed) FillFromForm(controls, *st.typed);
  if (admin) {
    d.set("can_manage", true);
    d.set("form", FormHtml(ctx, ControlsData(controls, st.error), "/admin/monitors/" + QueryEscape(m.id),
                           "Save changes", page.id, ""));
  } else {
    mu::data facts{mu::data::type::list};
    for (const auto& c : controls) {
      mu::data f;
      f.set("label", c.label);
      std::string value = c.value;
      if (c.type == ControlType::kCheckbox) value = c.checked ? "yes" : "no";
      for (const auto& [v, words] : c.options)
        if (v == c.value) value = words;
      f.set("value", value.empty() ? std::string("(none)") : value);
      facts.push_back(f);
    }
    d.set("facts", facts);
  }
  if (st.error) SetError(d, *st.error, controls);
  const std::string done = Field(ctx.query, "done");
  if (done == "created") d.set("notice", "The monitor was added. Its first check runs now.");
  if (done == "saved") d.set("notice", "Saved.");
  if (done == "paused") d.set("notice", "Paused: no checks run until you resume it.");
  if (done == "resumed") d.set("notice", "Resumed: checks run again.");
  return ctx.Page(st.status, m.name, "monitor", d);
}

http::Response GetMonitor(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return ctx.Message(404, "Monitor", page.error().message);
  auto m = ctx.deps.store.GetMonitor(page->id, ctx.Param("id"));
  if (!m) {
    if (m.error().code == ErrorCode::kNotFound)
      return ctx.Message(404, "Monitor", "There is no such monitor on this page.");
    return ctx.Message(503, "Monitor", kUnavailable);
  }
  if (Field(ctx.query, "confirm") == "delete" && ctx.Can(model::Permission::kManageMonitors)) {
    // The confirmation step is a page of its own (a GET: nothing happens until its POST).
    mu::data d;
    d.set("id", m->id);
    d.set("name", m->name);
    d.set("page_id", page->id);
    d.set("back", "/admin/monitors/" + QueryEscape(m->id) + ctx.PageQuery());
    return ctx.Page(200, "Delete " + m->name + "?", "monitor_delete", d);
  }
  return ShowMonitor(ctx, *page, *m, {});
}

http::Response PostMonitor(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return ctx.Message(404, "Monitor", page.error().message);
  if (!ctx.deps.monitors) return ctx.Message(503, "Monitor", "Monitoring is not available here.");
  auto& svc = *ctx.deps.monitors;
  auto m = ctx.deps.store.GetMonitor(page->id, ctx.Param("id"));
  if (!m) {
    if (m.error().code == ErrorCode::kNotFound)
      return ctx.Message(404, "Monitor", "There is no such monitor on this page.");
    return ctx.Message(503, "Monitor", kUnavailable);
  }
  const std::string action = Field(ctx.form, "action");
  const std::string back = "/admin/monitors/" + QueryEscape(m->id) + QueryStart(ctx);
  ctx.write = {"monitor.update", "monitor", m->id, page->id, ""};
  if (action == "delete") {
    if (auto st = svc.Delete(page->id, m->id); !st) return ShowMonitor(ctx, *page, *m, {409, &st.error(), nullptr});
    ctx.write.action = "monitor.delete";
    return Redirect("/admin/monitors" + QueryStart(ctx) + "done=deleted");
  }
  if (action == "pause" || action == "resume") {
    service::MonitorInput in;
    in.enabled = action == "resume";
    auto out = svc.Update(page->id, m->id, in);
    if (!out) return ShowMonitor(ctx, *page, *m, {BadInput(out.error()) ? 422 : 503, &out.error(), nullptr});
    ctx.write.changes_json = std::string("{\"enabled\":{\"before\":") + (m->enabled ? "true" : "false") +
                             ",\"after\":" + (action == "resume" ? "true" : "false") + "}}";
    return Redirect(back + "done=" + (action == "pause" ? "paused" : "resumed"));
  }
  if (action == "rotate") {
    auto out = svc.RotateToken(page->id, m->id);
    if (!out) return ShowMonitor(ctx, *page, *m, {BadInput(out.error()) ? 422 : 503, &out.error(), nullptr});
    ctx.write.action = "monitor.rotate_token";
    return ShowToken(ctx, out->monitor, out->heartbeat_token,
                     "A new heartbeat URL: the old one stopped working just now. It is shown only now.");
  }
  if (action != "save") {
    const Error e = Error::Invalid("action", "Unknown action.");
    return ShowMonitor(ctx, *page, *m, {422, &e, nullptr});
  }
  auto in = ParseMonitorForm(m->kind, ctx.form);
  if (!in) return ShowMonitor(ctx, *page, *m, {422, &in.error(), &ctx.form});
  in->kind.reset();  // the kind stays; a monitor of another kind is a new monitor
  auto out = svc.Update(page->id, m->id, *in);
  if (!out) {
    if (!BadInput(out.error())) return ctx.Message(503, "Monitor", kUnavailable);
    return ShowMonitor(ctx, *page, *m, {422, &out.error(), &ctx.form});
  }
  if (!out->heartbeat_token.empty())
    return ShowToken(ctx, out->monitor, out->heartbeat_token, "Saved. Its job calls this URL; it is shown only now.");
  return Redirect(back + "done=saved");
}

}  // namespace

ScreenDescriptor MonitorsScreen() {
  return {"/admin/monitors", "Monitors", model::Permission::kReadInternal, List, nullptr, {}};
}
ScreenDescriptor MonitorNewScreen() {
  return {"/admin/monitors/new", "", model::Permission::kManageMonitors, GetNew, PostNew, {}};
}
ScreenDescriptor MonitorScreen() {
  return {"/admin/monitors/{id}",
          "",
          model::Permission::kReadInternal,
          GetMonitor,
          PostMonitor,
          model::Permission::kManageMonitors};
}

}  // namespace herald::console
