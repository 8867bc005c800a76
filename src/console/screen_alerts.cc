// /admin/alerts: the staff alert targets that hear about every monitor state change (email, chat,
// webhook): list, add (a webhook's signing secret is shown once), delete. URLs are masked below
// admin (model::VisibleAddress, as the API masks them). Writes through service::MonitorService.
#include "console/screen.h"
#include "core/time.h"
#include "model/secret_mask.h"
#include "notify/registry.h"

namespace herald::console {
namespace {

struct Outcome {
  int status = 200;
  std::string notice;
  const Error* error = nullptr;
  std::string secret;
};

http::Response Show(const ScreenContext& ctx, const Outcome& o) {
  auto page = ctx.CurrentPage();
  if (!page) return ctx.Message(404, "Alert targets", page.error().message);
  auto targets = ctx.deps.store.ListAlertTargets(page->id);
  if (!targets) return ctx.Message(503, "Alert targets", "The database cannot be reached. Try again shortly.");
  const bool reveal = ctx.Can(model::Permission::kReadSecrets);
  mu::data rows{mu::data::type::list};
  for (const auto& t : *targets) {
    mu::data r;
    r.set("id", t.id);
    r.set("name", t.name);
    r.set("channel", std::string(notify::Describe(t.channel).label));
    r.set("address", model::VisibleAddress(t, reveal));
    r.set("created", FormatInZone(t.created_at, page->time_zone, "%Y-%m-%d %H:%M %Z"));
    rows.push_back(r);
  }
  mu::data channels{mu::data::type::list};
  for (const auto& c : notify::ChannelKinds()) {
    if (!c.staff_alert_target) continue;
    mu::data opt;
    opt.set("value", std::string(model::ToString(c.kind)));
    opt.set("label", std::string(c.label));
    if (Field(ctx.form, "channel") == model::ToString(c.kind)) opt.set("selected", true);
    channels.push_back(opt);
  }
  mu::data d;
  d.set("targets", rows);
  d.set("has_targets", !targets->empty());
  d.set("channels", channels);
  d.set("page_id", page->id);
  d.set("page_query", ctx.PageQuery());
  if (ctx.Can(model::Permission::kManageMonitors)) d.set("can_manage", true);
  const std::string done = Field(ctx.query, "done");
  if (done == "deleted") d.set("notice", "The alert target was deleted.");
  if (done == "added") d.set("notice", "The alert target was added.");
  if (!o.notice.empty()) d.set("notice", o.notice);
  if (!o.secret.empty()) d.set("secret", o.secret);
  if (o.error) {
    d.set("error", o.error->message);
    d.set("new_name", Field(ctx.form, "name"));
    d.set("new_address", Field(ctx.form, "address"));
    for (const char* f : {"name", "channel", "address"})
      if (o.error->field == f) {
        d.set(std::string("invalid_") + f, true);
        d.set("error_field", std::string("target-") + f);
      }
  }
  http::Response r = ctx.Page(o.status, "Alert targets", "alerts", d);
  if (!o.secret.empty()) ReplaceHeader(r, "Referrer-Policy", "no-referrer");
  return r;
}

http::Response Get(const ScreenContext& ctx) { return Show(ctx, {}); }

http::Response Post(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return ctx.Message(404, "Alert targets", page.error().message);
  if (!ctx.deps.monitors) return ctx.Message(503, "Alert targets", "Monitoring is not available here.");
  const std::string action = Field(ctx.form, "action");
  const std::string q = ctx.PageQuery();
  if (action == "delete") {
    const std::string id = Field(ctx.form, "target");
    if (auto st = ctx.deps.monitors->DeleteTarget(page->id, id); !st) return Show(ctx, {404, "", &st.error(), ""});
    ctx.write = {"alert_target.delete", "alert_target", id, page->id, ""};
    return Redirect("/admin/alerts" + (q.empty() ? "?" : q + "&") + "done=deleted");
  }
  service::AlertTargetInput in;
  in.name = Field(ctx.form, "name");
  in.channel = Field(ctx.form, "channel");
  in.address = Field(ctx.form, "address");
  auto out = ctx.deps.monitors->CreateTarget(page->id, in);
  if (!out) return Show(ctx, {out.error().code == ErrorCode::kUnavailable ? 503 : 422, "", &out.error(), ""});
  ctx.write = {"alert_target.create", "alert_target", out->target.id, page->id, ""};
  if (out->secret.empty()) return Redirect("/admin/alerts" + (q.empty() ? "?" : q + "&") + "done=added");
  return Show(ctx, {200, "The alert target was added. Its signing secret is shown only now.", nullptr, out->secret});
}

}  // namespace

ScreenDescriptor AlertsScreen() {
  return {"/admin/alerts", "", model::Permission::kReadInternal, Get, Post, model::Permission::kManageMonitors};
}

}  // namespace herald::console
