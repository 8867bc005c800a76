#include "cli/demo.h"

#include <map>

#include "core/log.h"
#include "core/text.h"
#include "core/time.h"
#include "page/demo_site.h"
#include "service/services.h"
#include "service/staff_auth.h"

namespace herald::cli {
namespace {

constexpr TimeMs kHour = 3600LL * 1000;
constexpr TimeMs kDay = 24 * kHour;

// `var` is the name the macro declares, so it cannot be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define DEMO_TRY(var, expr) \
  auto var = (expr);        \
  if (!var) return var.error();
// NOLINTEND(bugprone-macro-parentheses)

// The demo's monitors, pointed at Herald itself so they pass when a monitoring engine runs them,
// with 30 days of made-up results recorded as the engine would have recorded them.
Status SeedDemoMonitors(store::Store& store, TimeMs now, const std::string& page_id,
                        std::map<std::string, model::Component>& by_name, const std::string& self_url) {
  std::string host_port = self_url.substr(self_url.find("://") == std::string::npos ? 0 : self_url.find("://") + 3);
  if (auto slash = host_port.find('/'); slash != std::string::npos) host_port.resize(slash);
  struct Spec {
    const char* component;
    const char* name;
    model::MonitorKind kind;
    std::string target;
    bool chart;
    double base_ms;
  };
  const Spec specs[] = {
      {"API", "API status endpoint", model::MonitorKind::kHttp, self_url + "/api/v2/status.json", true, 62},
      {"API", "API port", model::MonitorKind::kTcp, host_port, false, 9},
      // Charted too, and in the group that is open while the demo's incident is: the chart shows at once.
      {"Webhooks", "Webhook sender health", model::MonitorKind::kHttp, self_url + "/healthz", true, 48},
  };
  for (const auto& s : specs) {
    model::Monitor m;
    m.id = NewId();
    m.page_id = page_id;
    m.component_id = by_name[s.component].id;
    m.name = s.name;
    m.kind = s.kind;
    m.spec.target = s.target;
    m.spec.slow_ms = 1000;
    if (s.kind == model::MonitorKind::kHttp && s.target.ends_with("status.json")) m.spec.json_path = "$.status";
    m.interval_ms = 60'000;
    m.timeout_ms = 10'000;
    m.show_chart = s.chart;
    m.created_at = m.updated_at = now - 30 * kDay;
    if (auto st = store.SaveMonitor(m); !st) return st;
    // Made up from the name, not the random id, so every demo database looks the same.
    page::DemoMonitorData data = page::DemoMonitorResults(s.name, now, 30, s.base_ms, 0);
    for (auto* list : {&data.days, &data.minutes})
      for (auto& r : *list) r.monitor_id = m.id;
    store::MonitorResultsWrite w;
    w.rollups = std::move(data.days);
    w.rollups.insert(w.rollups.end(), data.minutes.begin(), data.minutes.end());
    if (auto st = store.RecordMonitorResults(w); !st) return st;
  }
  return {};
}

}  // namespace

Result<bool> SeedDemo(store::Store& store, const Clock& clock, const std::string& self_url) {
  auto pages = store.ListPages();
  if (!pages) return pages.error();
  if (!pages->empty()) return false;
  service::Deps deps{store, clock, [] {}};
  service::PageService page_service(deps);
  service::ComponentService components(deps);
  service::IncidentService incidents(deps);

  service::PageInput pin;
  pin.name = "Acme Cloud";
  pin.slug = "acme";
  pin.url = "https://www.example.com";
  pin.time_zone = "Europe/Berlin";
  pin.is_default = true;
  DEMO_TRY(page, page_service.Create(pin));
  const std::string pid = page->id;

  const TimeMs now = clock.Now();
  struct Spec {
    const char* group;
    const char* name;
    const char* description;
  };
  const Spec specs[] = {
      {"Core platform", "Website", "www.example.com and the sign-in pages"},
      {"Core platform", "API", "REST and GraphQL APIs at api.example.com"},
      {"Core platform", "Dashboard", "The web app where you manage your account"},
      {"Core platform", "Authentication", "Sign-in, single sign-on and two-factor codes"},
      {"Payments", "Card payments", "Charging cards and issuing refunds"},
      {"Payments", "Invoices", "Creating and sending invoices"},
      {"Payments", "Payouts", "Transfers to your bank account"},
      {"Notifications", "Email delivery", "Transactional email sent on your behalf"},
      {"Notifications", "SMS delivery", "Text messages and one-time codes"},
      {"Notifications", "Webhooks", "Event notifications to your endpoints"},
      {"Regions", "Europe (Frankfurt)", "Hosting region eu-central"},
      {"Regions", "North America (Virginia)", "Hosting region us-east"},
  };
  std::map<std::string, std::string> group_ids;
  std::map<std::string, model::Component> by_name;
  int pos = 0;
  for (const auto& s : specs) {
    if (!group_ids.count(s.group)) {
      service::ComponentInput g;
      g.name = s.group;
      g.position = ++pos;
      DEMO_TRY(group, components.Create(pid, g, true));
      group_ids[s.group] = group->id;
    }
    service::ComponentInput c;
    c.name = s.name;
    c.description = s.description;
    c.group_id = group_ids[s.group];
    c.position = ++pos;
    DEMO_TRY(comp, components.Create(pid, c, false));
    by_name[s.name] = *comp;
  }
  // 90 days of history: a few past outages so the uptime bars show what they are for. The
  // history starts 90 days ago, recorded directly as it would have been recorded then.
  auto record = [&](const std::string& name, TimeMs at, model::ComponentStatus st) -> Status {
    model::Component c = by_name[name];
    c.status = st;
    c.updated_at = at;
    model::OutboxEvent e{0, pid, "component.updated", c.id, "{}", at};
    return store.SaveComponent(c, model::StatusChange{c.id, st, at}, e);
  };
  for (const auto& [name, c] : by_name) {
    model::Component copy = c;
    copy.created_at = now - 95 * kDay;
    copy.updated_at = now - 95 * kDay;
    model::OutboxEvent e{0, pid, "component.updated", c.id, "{}", copy.created_at};
    if (auto st = store.SaveComponent(copy, model::StatusChange{c.id, c.status, copy.created_at}, e); !st)
      return st.error();
  }
  const struct {
    const char* name;
    int days_ago;
    int hours;
    model::ComponentStatus st;
  } outages[] = {
      {"API", 62, 3, model::ComponentStatus::kPartialOutage},
      {"Card payments", 41, 2, model::ComponentStatus::kMajorOutage},
      {"Email delivery", 20, 6, model::ComponentStatus::kDegradedPerformance},
      {"Dashboard", 9, 1, model::ComponentStatus::kMajorOutage},
      {"Europe (Frankfurt)", 33, 4, model::ComponentStatus::kPartialOutage},
  };
  for (const auto& o : outages) {
    TimeMs start = now - o.days_ago * kDay;
    if (auto st = record(o.name, start, o.st); !st) return st.error();
    if (auto st = record(o.name, start + o.hours * kHour, model::ComponentStatus::kOperational); !st) return st.error();
  }

  // A resolved incident from last week, 14:05 to 14:50 in the page's zone as its text says,
  // posted as it happened (so its times and the component's uptime that day agree with it).
  {
    const TimeMs started = StartOfDayInZone(now - 6 * kDay, page->time_zone) + 14 * kHour + 5 * 60'000;
    FakeClock then(started);
    service::IncidentService past(service::Deps{store, then, [] {}});
    service::IncidentInput in;
    in.name = "Card payments failing for some customers";
    in.status = model::IncidentStatus::kInvestigating;
    in.impact = model::Impact::kMajor;
    in.deliver_notifications = false;
    in.components[by_name["Card payments"].id] = model::ComponentStatus::kPartialOutage;
    in.body = "Some card payments are declined with a generic error. We are looking into it.";
    DEMO_TRY(inc, past.Create(pid, in));
    then.Set(started + 45 * 60'000);
    service::IncidentInput done;
    done.status = model::IncidentStatus::kResolved;
    done.deliver_notifications = false;
    done.body =
        "Between 14:05 and 14:50 about 8% of card payments were declined with a generic error. "
        "A configuration change at our card processor caused it; it was rolled back. "
        "Payments that failed can be retried safely: **no card was charged twice**.";
    DEMO_TRY(resolved, past.Update(pid, inc->id, done));
  }
  // The open incident, with three updates spread over the last hour as they would have been
  // posted.
  {
    FakeClock then(now - 55 * 60'000);
    service::IncidentService incidents(service::Deps{store, then, [] {}});
    service::IncidentInput in;
    in.name = "Delays sending email notifications";
    in.status = model::IncidentStatus::kInvestigating;
    in.components[by_name["Email delivery"].id] = model::ComponentStatus::kDegradedPerformance;
    in.body = "Some emails are arriving up to 30 minutes late. We are looking into it.";
    DEMO_TRY(inc, incidents.Create(pid, in));
    then.Set(now - 35 * 60'000);
    service::IncidentInput u1;
    u1.status = model::IncidentStatus::kIdentified;
    u1.body =
        "We found the cause: one of our email providers is accepting messages slowly. We are moving "
        "traffic to our second provider.\n\n**What you can do:** nothing; emails are queued and none are lost.";
    DEMO_TRY(i1, incidents.Update(pid, inc->id, u1));
    then.Set(now - 10 * 60'000);
    service::IncidentInput u2;
    u2.status = model::IncidentStatus::kMonitoring;
    u2.body = "Traffic now goes through the second provider and delays are shrinking. We keep watching.";
    u2.next_update_at = now + 50 * 60'000;
    u2.components[by_name["Email delivery"].id] = model::ComponentStatus::kDegradedPerformance;
    DEMO_TRY(i2, incidents.Update(pid, inc->id, u2));
  }
  // Upcoming maintenance.
  {
    service::IncidentInput in;
    in.name = "Database upgrade for the Europe region";
    in.scheduled_for = (now / kHour + 48) * kHour;
    in.scheduled_until = *in.scheduled_for + 2 * kHour;
    in.component_ids = std::vector<std::string>{by_name["Europe (Frankfurt)"].id, by_name["Dashboard"].id};
    in.body =
        "We will upgrade the database behind the Europe region. The dashboard may be read-only for up to "
        "10 minutes during the window; the API keeps working.";
    DEMO_TRY(m, incidents.Create(pid, in));
  }
  if (auto st = SeedDemoMonitors(store, now, pid, by_name, self_url); !st)
    log::Warn("demo without monitors", {{"error", st.error().message}});
  return true;
}

Result<std::string> DemoConsoleAccess(store::Store& store, const Clock& clock, const std::string& base_url) {
  service::StaffAuthService auth(store, clock);
  auto user = store.FindStaffUserByEmail(kDemoAdminEmail);
  if (!user) return user.error();
  if (*user && !(*user)->password_hash.empty())
    return "console: sign in at " + base_url + "/admin as " + std::string(kDemoAdminEmail);
  std::string token;
  if (!*user) {
    auto invite = auth.InviteUser(kDemoAdminEmail, model::Role::kAdmin);
    if (!invite) return invite.error();
    token = invite->token;
  } else {
    auto invite = auth.ResetUser(kDemoAdminEmail, std::nullopt);
    if (!invite) return invite.error();
    token = (*invite)->token;
  }
  return "console: choose the password of " + std::string(kDemoAdminEmail) + " (admin) at " + base_url +
         "/admin/invite/" + token;
}

}  // namespace herald::cli
