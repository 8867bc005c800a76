#include "page/demo_site.h"

#include "core/time.h"

namespace herald::page {
namespace {

constexpr TimeMs kMin = 60 * 1000;
constexpr TimeMs kHour = 60 * kMin;
constexpr TimeMs kDay = 24 * kHour;

using model::ComponentStatus;
using model::Impact;
using model::IncidentStatus;

model::Component Comp(std::string id, std::string name, int pos, std::string group = "",
                      ComponentStatus status = ComponentStatus::kOperational) {
  model::Component c;
  c.id = std::move(id);
  c.page_id = "demo";
  c.name = std::move(name);
  c.position = pos;
  c.group_id = std::move(group);
  c.status = status;
  return c;
}

model::IncidentUpdate Update(const std::string& incident, std::string id, IncidentStatus status, std::string body,
                             TimeMs at) {
  model::IncidentUpdate u;
  u.id = std::move(id);
  u.incident_id = incident;
  u.status = status;
  u.body = std::move(body);
  u.display_at = u.created_at = u.updated_at = at;
  return u;
}

}  // namespace

SiteInput DemoSite(TimeMs now) {
  SiteInput in;
  in.now = now;
  in.public_url = "http://127.0.0.1:8080";
  in.page.id = "demo";
  in.page.slug = "demo";
  in.page.name = "Acme Cloud";
  in.page.url = "https://acme.example";
  in.page.time_zone = "Europe/Berlin";
  in.page.accent_color = "#4f46e5";
  in.page.is_default = true;

  TimeMs created = now - 120 * kDay;
  auto add = [&](model::Component c) {
    c.created_at = created;
    in.components.push_back(std::move(c));
  };
  model::Component core = Comp("grp_core", "Core platform", 1);
  core.is_group = true;
  core.description = "The services every product depends on.";
  add(core);
  model::Component api = Comp("api", "API", 2, "grp_core", ComponentStatus::kPartialOutage);
  api.description = "REST and GraphQL APIs at api.acme.example.";
  add(api);
  add(Comp("auth", "Authentication", 3, "grp_core"));
  add(Comp("db", "Databases", 4, "grp_core"));
  model::Component web = Comp("web", "Website and dashboard", 5);
  web.description = "acme.example and the customer dashboard.";
  add(web);
  add(Comp("cdn", "CDN", 6, "", ComponentStatus::kDegradedPerformance));
  model::Component eu = Comp("grp_regions", "Regions", 7);
  eu.is_group = true;
  add(eu);
  add(Comp("eu", "Europe (Frankfurt)", 8, "grp_regions"));
  add(Comp("us", "North America (Virginia)", 9, "grp_regions"));
  model::Component newc = Comp("search", "Search", 10);
  newc.start_date = std::nullopt;
  newc.created_at = now - 20 * kDay;
  in.components.push_back(newc);
  model::Component sms = Comp("sms", "SMS notifications", 11);
  sms.only_show_if_degraded = true;
  add(sms);
  model::Component hidden = Comp("internal_ci", "Internal CI runners", 12);
  hidden.hidden = true;
  add(hidden);

  // History: everything operational since creation, with a few past outages.
  for (const auto& c : in.components)
    if (!c.is_group) in.history.push_back({c.id, ComponentStatus::kOperational, c.created_at});
  auto outage = [&](const char* id, ComponentStatus s, TimeMs from, TimeMs len) {
    in.history.push_back({id, s, from});
    in.history.push_back({id, ComponentStatus::kOperational, from + len});
  };
  outage("api", ComponentStatus::kMajorOutage, now - 40 * kDay, 3 * kHour);
  outage("api", ComponentStatus::kDegradedPerformance, now - 12 * kDay, 5 * kHour);
  outage("db", ComponentStatus::kPartialOutage, now - 3 * kDay - 4 * kHour, 2 * kHour);
  outage("eu", ComponentStatus::kUnderMaintenance, now - 25 * kDay, 2 * kHour);
  outage("web", ComponentStatus::kMajorOutage, now - 70 * kDay, 45 * kMin);
  outage("cdn", ComponentStatus::kPartialOutage, now - 55 * kDay, 6 * kHour);
  in.history.push_back({"api", ComponentStatus::kPartialOutage, now - 50 * kMin});
  in.history.push_back({"cdn", ComponentStatus::kDegradedPerformance, now - 30 * kMin});

  // The ongoing incident.
  {
    model::Incident i;
    i.id = "inc_api_errors";
    i.page_id = "demo";
    i.name = "Elevated error rates on the API";
    i.impact = Impact::kMajor;
    i.status = IncidentStatus::kIdentified;
    i.created_at = i.started_at = now - 50 * kMin;
    i.updated_at = now - 10 * kMin;
    i.components = {{"api", ComponentStatus::kPartialOutage, ComponentStatus::kOperational},
                    {"cdn", ComponentStatus::kDegradedPerformance, ComponentStatus::kOperational}};
    i.updates.push_back(Update(i.id, "u3", IncidentStatus::kIdentified,
                               "We found the cause: a **faulty configuration change** on the load balancers in "
                               "Frankfurt. We are rolling it back now.\n\nWorkaround: retry failed requests; "
                               "about 1 in 5 requests fails.",
                               now - 10 * kMin));
    i.updates.front().next_update_at = now + 20 * kMin;
    auto internal = Update(i.id, "u2i", IncidentStatus::kInvestigating,
                           "INTERNAL NOTE: paging the network team, do not share.", now - 30 * kMin);
    internal.internal = true;
    i.updates.push_back(internal);
    i.updates.push_back(Update(i.id, "u1", IncidentStatus::kInvestigating,
                               "We are investigating reports of errors when calling the API. Some requests fail "
                               "with `502 Bad Gateway`.",
                               now - 45 * kMin));
    in.incidents.push_back(i);
  }
  // Upcoming maintenance.
  {
    model::Incident i;
    i.id = "mnt_db_upgrade";
    i.page_id = "demo";
    i.name = "Database upgrade to PostgreSQL 17";
    i.impact = Impact::kMaintenance;
    i.type = model::NoticeType::kMaintenance;
    i.status = IncidentStatus::kScheduled;
    i.created_at = i.updated_at = now - 2 * kDay;
    i.scheduled_for = StartOfDayInZone(now, "Europe/Berlin") + 2 * kDay + 22 * kHour;
    i.scheduled_until = *i.scheduled_for + 2 * kHour;
    i.components = {{"db", ComponentStatus::kUnderMaintenance, ComponentStatus::kOperational}};
    i.updates.push_back(Update(i.id, "m1", IncidentStatus::kScheduled,
                               "We will upgrade our databases. Writes may pause for up to 5 minutes; reads are "
                               "not affected.",
                               now - 2 * kDay));
    in.incidents.push_back(i);
  }
  // Past incidents.
  {
    model::Incident i;
    i.id = "inc_db_latency";
    i.page_id = "demo";
    i.name = "Slow queries in the Databases cluster";
    i.impact = Impact::kMinor;
    i.status = IncidentStatus::kResolved;
    i.created_at = i.started_at = now - 3 * kDay - 4 * kHour;
    i.resolved_at = i.updated_at = now - 3 * kDay - 2 * kHour;
    i.components = {{"db", ComponentStatus::kPartialOutage, ComponentStatus::kOperational}};
    i.updates.push_back(Update(i.id, "d3", IncidentStatus::kResolved,
                               "Query times are back to normal. We are sorry for the slowdown.",
                               now - 3 * kDay - 2 * kHour));
    i.updates.push_back(Update(i.id, "d2", IncidentStatus::kMonitoring,
                               "A fix has been applied and we are monitoring the results.",
                               now - 3 * kDay - 3 * kHour));
    i.updates.push_back(Update(i.id, "d1", IncidentStatus::kInvestigating,
                               "Some database queries are slower than usual.", now - 3 * kDay - 4 * kHour));
    in.incidents.push_back(i);
  }
  {
    model::Incident i;
    i.id = "inc_outage_api";
    i.page_id = "demo";
    i.name = "API unavailable";
    i.impact = Impact::kCritical;
    i.status = IncidentStatus::kPostmortem;
    i.created_at = i.started_at = now - 40 * kDay;
    i.resolved_at = i.updated_at = now - 40 * kDay + 3 * kHour;
    i.components = {{"api", ComponentStatus::kMajorOutage, ComponentStatus::kOperational}};
    i.updates.push_back(
        Update(i.id, "o2", IncidentStatus::kResolved, "The API is available again.", now - 40 * kDay + 3 * kHour));
    i.updates.push_back(
        Update(i.id, "o1", IncidentStatus::kInvestigating, "The API is not responding.", now - 40 * kDay));
    i.postmortem_body =
        "## What happened\n\nA certificate expired on an internal proxy.\n\n## What we changed\n\n"
        "- Certificates are now renewed automatically\n- Expiry is monitored 30 days ahead";
    in.incidents.push_back(i);
  }
  {
    model::Incident i;
    i.id = "mnt_eu_network";
    i.page_id = "demo";
    i.name = "Network maintenance in Frankfurt";
    i.impact = Impact::kMaintenance;
    i.type = model::NoticeType::kMaintenance;
    i.status = IncidentStatus::kCompleted;
    i.scheduled_for = now - 25 * kDay;
    i.scheduled_until = now - 25 * kDay + 2 * kHour;
    i.created_at = now - 30 * kDay;
    i.resolved_at = i.updated_at = now - 25 * kDay + 2 * kHour;
    i.components = {{"eu", ComponentStatus::kUnderMaintenance, ComponentStatus::kOperational}};
    i.updates.push_back(
        Update(i.id, "n2", IncidentStatus::kCompleted, "The maintenance is complete.", now - 25 * kDay + 2 * kHour));
    i.updates.push_back(Update(i.id, "n1", IncidentStatus::kScheduled, "We will replace network switches in Frankfurt.",
                               now - 30 * kDay));
    in.incidents.push_back(i);
  }
  return in;
}

}  // namespace herald::page
