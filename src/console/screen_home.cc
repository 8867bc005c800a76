// /admin, the dashboard: for the current status page, its overall status, open incidents with the
// promised next update ("due in 12 min"; overdue ones in words and with a warning sign, not by
// colour alone), maintenance in progress and coming within a week, monitors that are down,
// degraded or flapping, drafts waiting for approval with Publish and Discard, and delivery health.
// Data: service::LoadDashboard (a fixed number of bounded queries). The page stays current
// without a reload: console-dashboard.js listens to /admin/events (wired in app.cc) and swaps in
// the #dashboard element of a fresh copy of this page. Without JavaScript it is a plain page.
#include <algorithm>
#include <cctype>

#include "console/screen.h"
#include "core/time.h"
#include "service/dashboard.h"

namespace herald::console {
namespace {

std::string When(TimeMs t, const model::Page& page) { return FormatInZone(t, page.time_zone, "%Y-%m-%d %H:%M %Z"); }

std::string Plural(std::int64_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

mu::data IncidentRow(const service::DashboardIncident& di, const model::Page& page, TimeMs now,
                     const std::string& page_query) {
  const model::Incident& inc = di.incident;
  mu::data i;
  i.set("id", inc.id);
  i.set("href", "/admin/incidents/" + QueryEscape(inc.id) + page_query);
  i.set("name", inc.name);
  i.set("status", std::string(model::Label(inc.status)));
  i.set("impact", std::string(model::ToString(inc.impact)));
  i.set("started_iso", FormatIso8601(inc.started_at));
  i.set("started", When(inc.started_at, page));
  if (di.next_update_at) {
    i.set("next_update", service::NextUpdateLabel(*di.next_update_at, now));
    i.set("next_update_iso", FormatIso8601(*di.next_update_at));
    if (di.next_update_overdue) i.set("overdue", true);
  }
  return i;
}

mu::data MaintenanceRow(const model::Incident& m, const model::Page& page, const std::string& page_query) {
  mu::data r;
  r.set("href", "/admin/incidents/" + QueryEscape(m.id) + page_query);
  r.set("name", m.name);
  r.set("status", std::string(model::Label(m.status)));
  r.set("from", When(m.scheduled_for.value_or(m.started_at), page));
  r.set("from_iso", FormatIso8601(m.scheduled_for.value_or(m.started_at)));
  if (m.scheduled_until) {
    r.set("until", When(*m.scheduled_until, page));
    r.set("until_iso", FormatIso8601(*m.scheduled_until));
  }
  return r;
}

struct Outcome {
  int status = 200;
  std::string error;
};

http::Response Show(const ScreenContext& ctx, const Outcome& o) {
  auto page = ctx.CurrentPage();
  if (!page) {
    if (page.error().code != ErrorCode::kNotFound)
      return ctx.Message(503, "Unavailable", "The database cannot be reached. Try again shortly.");
    mu::data d;
    d.set("no_pages", true);
    std::string message = page.error().message;  // "there is no status page yet; create one ..."
    if (!message.empty()) message[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(message[0])));
    d.set("message", message);
    return ctx.Page(page.error().field.empty() ? 200 : 404, "Dashboard", "home", d);
  }
  auto dash = service::LoadDashboard(ctx.deps.store, ctx.deps.clock, page->id);
  auto pages = ctx.deps.store.ListPages();
  if (!dash || !pages) return ctx.Message(503, "Unavailable", "The database cannot be reached. Try again shortly.");
  const std::string page_query = ctx.PageQuery();
  mu::data d;
  d.set("page_id", page->id);
  d.set("page_name", page->name);
  if (pages->size() > 1) {
    mu::data options{mu::data::type::list};
    for (const auto& p : *pages) {
      mu::data opt;
      opt.set("id", p.id);
      opt.set("name", p.name);
      if (p.id == page->id) opt.set("selected", true);
      options.push_back(opt);
    }
    d.set("page_options", options);
    d.set("many_pages", true);
  }
  d.set("overall", dash->overall.description);
  d.set("indicator", dash->overall.indicator);

  // Overdue promises first: they are what a responder must act on.
  std::vector<const service::DashboardIncident*> incidents;
  for (const auto& di : dash->open_incidents) incidents.push_back(&di);
  std::stable_partition(incidents.begin(), incidents.end(), [](const auto* di) { return di->next_update_overdue; });
  mu::data open{mu::data::type::list};
  int overdue = 0;
  for (const auto* di : incidents) {
    open.push_back(IncidentRow(*di, *page, dash->now, page_query));
    overdue += di->next_update_overdue ? 1 : 0;
  }
  d.set("open", open);
  d.set("has_open", !incidents.empty());

  mu::data active{mu::data::type::list}, upcoming{mu::data::type::list};
  for (const auto& m : dash->active_maintenance) active.push_back(MaintenanceRow(m, *page, page_query));
  for (const auto& m : dash->upcoming_maintenance) upcoming.push_back(MaintenanceRow(m, *page, page_query));
  d.set("active_maintenance", active);
  d.set("upcoming_maintenance", upcoming);
  d.set("has_active_maintenance", !dash->active_maintenance.empty());
  d.set("has_upcoming_maintenance", !dash->upcoming_maintenance.empty());

  mu::data monitors{mu::data::type::list};
  for (const auto& dm : dash->monitors) {
    mu::data m;
    m.set("href", "/admin/monitors/" + QueryEscape(dm.monitor.id) + page_query);
    m.set("name", dm.monitor.name);
    m.set("state", std::string(model::ToString(dm.monitor.state)));
    if (dm.monitor.state == model::MonitorState::kDown) m.set("down", true);
    if (dm.flapping) m.set("flapping", Plural(dm.flips, "flip", "flips") + " in the last hour");
    if (dm.monitor.state_since) m.set("since", When(dm.monitor.state_since, *page));
    if (!dm.monitor.last_error.empty()) m.set("last_error", dm.monitor.last_error);
    monitors.push_back(m);
  }
  d.set("monitors", monitors);
  d.set("has_monitors", !dash->monitors.empty());

  const bool can_publish = ctx.Can(model::Permission::kPublishIncident);
  mu::data drafts{mu::data::type::list};
  for (const auto& dr : dash->drafts) {
    mu::data m;
    m.set("id", dr.id);
    m.set("name", dr.name);
    if (!dr.body.empty()) m.set("body", dr.body);
    m.set("impact", std::string(model::ToString(dr.impact)));
    m.set("publishes_itself", service::NextUpdateLabel(dr.publish_at, dash->now));
    m.set("publish_at_iso", FormatIso8601(dr.publish_at));
    if (can_publish) m.set("can_publish", true);
    drafts.push_back(m);
  }
  d.set("drafts", drafts);
  d.set("has_drafts", !dash->drafts.empty());

  const store::DeliveryHealth& h = dash->delivery;
  d.set("failed", std::to_string(h.failed));
  d.set("quarantined", std::to_string(h.quarantined));
  d.set("pending", std::to_string(h.pending_deliveries));
  d.set("fanouts", std::to_string(h.fanouts_in_progress));
  if (h.failed > 0) d.set("failed_attention", true);
  if (h.quarantined > 0) d.set("quarantined_attention", true);

  // One line the live region reads out when it changes (console-dashboard.js).
  std::string summary = dash->overall.description + ". " +
                        Plural(static_cast<std::int64_t>(incidents.size()), "open incident", "open incidents");
  if (overdue) summary += ", " + std::to_string(overdue) + " overdue for an update";
  summary += ", " + Plural(static_cast<std::int64_t>(dash->monitors.size()), "monitor", "monitors") + " failing";
  summary += ", " + Plural(static_cast<std::int64_t>(dash->drafts.size()), "draft", "drafts") + " waiting.";
  d.set("summary", summary);
  d.set("now_iso", FormatIso8601(dash->now));
  d.set("now", When(dash->now, *page));
  d.set("page_query", page_query);
  const std::string done = Field(ctx.query, "done");
  if (done == "published") d.set("notice", "The draft was published as an incident.");
  if (done == "discarded") d.set("notice", "The draft was discarded.");
  if (!o.error.empty()) d.set("error", o.error);
  return ctx.Page(o.status, "Dashboard", "home", d);
}

http::Response Get(const ScreenContext& ctx) { return Show(ctx, {}); }

// Publish or Discard a waiting draft, as POST /v1/pages/{id}/incident_drafts/{id}/publish|discard.
http::Response Post(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return ctx.Message(404, "Not found", page.error().message);
  if (!ctx.deps.monitors) return ctx.Message(503, "Unavailable", "Monitoring is not running here.");
  const std::string action = Field(ctx.form, "action");
  const std::string id = Field(ctx.form, "draft");
  Status st;
  if (action == "publish") {
    auto inc = ctx.deps.monitors->Publish(page->id, id);
    if (inc) ctx.write = {"incident_draft.publish", "incident_draft", id, page->id, ""};
    st = inc ? Status{} : Status(inc.error());
  } else if (action == "discard") {
    auto dr = ctx.deps.monitors->Discard(page->id, id);
    if (dr) ctx.write = {"incident_draft.discard", "incident_draft", id, page->id, ""};
    st = dr ? Status{} : Status(dr.error());
  } else {
    return Show(ctx, {422, "Unknown action."});
  }
  if (!st) {
    const ErrorCode c = st.error().code;
    if (c == ErrorCode::kNotFound || c == ErrorCode::kConflict || c == ErrorCode::kInvalid)
      return Show(ctx, {c == ErrorCode::kNotFound ? 404 : 409, "Nothing was changed: " + st.error().message + "."});
    return Show(ctx, {503, "Nothing was changed: the database cannot be reached. Try again shortly."});
  }
  const std::string q = ctx.PageQuery();
  return Redirect("/admin" + (q.empty() ? "?" : q + "&") + "done=" + (action == "publish" ? "published" : "discarded"));
}

}  // namespace

ScreenDescriptor HomeScreen() {
  return {"/admin", "Dashboard", model::Permission::kReadPublic, Get, Post, model::Permission::kPublishIncident};
}

}  // namespace herald::console
