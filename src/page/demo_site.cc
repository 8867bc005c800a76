#include "page/demo_site.h"

#include <cmath>

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

// Deterministic noise in [0, 1) for an integer (splitmix64).
double Noise(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return static_cast<double>(x >> 11) / static_cast<double>(1ULL << 53);
}

}  // namespace

DemoMonitorData DemoMonitorResults(const std::string& monitor_id, TimeMs now, int days, double base_ms,
                                   int trouble_minutes) {
  DemoMonitorData out;
  const std::uint64_t seed = std::hash<std::string>{}(monitor_id);
  const TimeMs last_minute = now / kMin * kMin;
  const TimeMs gap_from = last_minute - 3 * kHour, gap_to = gap_from + 40 * kMin;
  const TimeMs first_day = (now / kDay - (days - 1)) * kDay;
  model::MonitorRollup day;
  for (TimeMs t = first_day; t <= last_minute; t += kMin) {
    if (t / kDay * kDay != day.bucket_start || day.monitor_id.empty()) {
      if (day.checks > 0) out.days.push_back(day);
      day = model::MonitorRollup{};
      day.monitor_id = monitor_id;
      day.granularity = 'd';
      day.bucket_start = t / kDay * kDay;
    }
    if (t >= gap_from && t < gap_to) continue;
    const auto minute = static_cast<std::uint64_t>(t / kMin);
    const auto day_no = static_cast<std::uint64_t>(t / kDay);
    const double hour = static_cast<double>(t % kDay) / kHour;
    double ms =
        base_ms * (1.0 + 0.25 * std::sin((hour - 9.0) / 24.0 * 2 * M_PI)) + base_ms * 0.3 * Noise(minute ^ seed);
    model::CheckVerdict verdict = model::CheckVerdict::kUp;
    // Now and then a slow hour or a short outage on past days, so the bars have something to show.
    // About one day in 23 has a slow afternoon hour and one in 37 a short outage at night.
    const bool slow_day = (day_no + seed % 23) % 23 == 0, outage_day = (day_no + seed % 37) % 37 == 5;
    const int minute_of_day = static_cast<int>((t % kDay) / kMin);
    if (slow_day && minute_of_day >= 14 * 60 && minute_of_day < 15 * 60) {
      ms *= 6;
      verdict = model::CheckVerdict::kSlow;
    } else if (outage_day && minute_of_day >= 3 * 60 && minute_of_day < 3 * 60 + 25) {
      verdict = model::CheckVerdict::kDown;
    }
    if (trouble_minutes > 0 && t > last_minute - trouble_minutes * kMin) {
      ms *= 4;
      verdict = Noise(minute ^ seed ^ 0x7777) < 0.2 ? model::CheckVerdict::kDown : model::CheckVerdict::kSlow;
    }
    // A down check here timed out: no latency. The others answered.
    const bool answered = verdict != model::CheckVerdict::kDown;
    auto add = [&](model::MonitorRollup& r) {
      ++r.checks;
      if (verdict == model::CheckVerdict::kUp) ++r.up;
      if (verdict == model::CheckVerdict::kSlow) ++r.slow;
      if (verdict == model::CheckVerdict::kDown) ++r.down;
      if (answered) {
        ++r.answered;
        r.latency_sum_ms += ms;
        r.latency_max_ms = std::max(r.latency_max_ms, ms);
      }
    };
    add(day);
    if (t > now - 24 * kHour) {
      model::MonitorRollup m;
      m.monitor_id = monitor_id;
      m.granularity = 'm';
      m.bucket_start = t;
      add(m);
      out.minutes.push_back(m);
    }
  }
  if (day.checks > 0) out.days.push_back(day);
  return out;
}

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

  // Monitors: the API is checked twice (one with a chart), Search once since it went live; the
  // hidden CI runners' monitor must never show. The API checks began 30 days ago: older days
  // keep the status history.
  auto monitor = [&](const std::string& id, std::string component, std::string name, bool chart, int days,
                     double base_ms, int trouble) {
    PageMonitor m;
    m.id = id;
    m.component_id = std::move(component);
    m.name = std::move(name);
    m.show_chart = chart;
    in.monitors.push_back(m);
    DemoMonitorData data = DemoMonitorResults(id, now, days, base_ms, trouble);
    in.day_rollups.insert(in.day_rollups.end(), data.days.begin(), data.days.end());
    if (chart) in.minute_rollups.insert(in.minute_rollups.end(), data.minutes.begin(), data.minutes.end());
  };
  monitor("mon_api_https", "api", "API health check (HTTPS)", true, 30, 95, 50);
  monitor("mon_api_tcp", "api", "API port 443", false, 30, 12, 50);
  monitor("mon_search", "search", "Search query", true, 20, 140, 0);
  monitor("mon_ci", "internal_ci", "CI runner heartbeat", true, 30, 20, 0);

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
