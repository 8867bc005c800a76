// /admin: each page with its overall status and its open incidents (the first screen a responder
// sees; the full dashboard builds on it).
#include "console/screen.h"
#include "core/time.h"
#include "model/overall_status.h"

namespace herald::console {
namespace {

std::string_view Words(model::Impact i) {
  switch (i) {
    case model::Impact::kNone: return "All systems operational";
    case model::Impact::kMinor: return "Minor service disruption";
    case model::Impact::kMajor: return "Partial system outage";
    case model::Impact::kCritical: return "Major system outage";
    case model::Impact::kMaintenance: return "Maintenance in progress";
  }
  return "";
}

http::Response Get(const ScreenContext& ctx) {
  auto pages = ctx.deps.store.ListPages();
  if (!pages) return ctx.Message(503, "Unavailable", "The database cannot be reached. Try again shortly.");
  mu::data list{mu::data::type::list};
  for (const auto& p : *pages) {
    auto components = ctx.deps.store.ListComponents(p.id);
    store::IncidentFilter f;
    f.unresolved_only = true;
    f.include_internal_updates = false;
    f.limit = 100;
    auto incidents = ctx.deps.store.ListIncidents(p.id, f);
    if (!components || !incidents)
      return ctx.Message(503, "Unavailable", "The database cannot be reached. Try again shortly.");
    const model::Impact overall = model::OverallIndicator(*components, *incidents);
    mu::data page;
    page.set("name", p.name);
    page.set("slug", p.slug);
    page.set("status", std::string(Words(overall)));
    page.set("indicator", std::string(model::ToString(overall)));
    mu::data open{mu::data::type::list};
    bool any_open = false;
    for (const auto& inc : *incidents) {
      if (!model::IncidentOpen(inc)) continue;
      mu::data i;
      i.set("name", inc.name);
      i.set("status", std::string(model::Label(inc.status)));
      i.set("impact", std::string(model::ToString(inc.impact)));
      i.set("started_iso", FormatIso8601(inc.started_at));
      i.set("started", FormatInZone(inc.started_at, p.time_zone, "%Y-%m-%d %H:%M %Z"));
      open.push_back(i);
      any_open = true;
    }
    page.set("has_open", any_open);
    page.set("open", open);
    list.push_back(page);
  }
  mu::data d;
  d.set("pages", list);
  d.set("no_pages", pages->empty());
  return ctx.Page(200, "Overview", "home", d);
}

}  // namespace

ScreenDescriptor HomeScreen() { return {"/admin", "Overview", model::Permission::kReadPublic, Get, nullptr, {}}; }

}  // namespace herald::console
