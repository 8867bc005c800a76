#include "page/render.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include "core/time.h"
#include "page/demo_site.h"

namespace herald::page {
namespace {

using model::ComponentStatus;
using model::Impact;
using model::IncidentStatus;

const TimeMs kNow = *ParseIso8601("2026-01-15T13:37:00Z");

const SiteFile* Find(const std::vector<SiteFile>& files, const std::string& path) {
  for (const auto& f : files)
    if (f.path == path) return &f;
  return nullptr;
}

std::string Body(const std::vector<SiteFile>& files, const std::string& path) {
  const SiteFile* f = Find(files, path);
  EXPECT_NE(f, nullptr) << path;
  return f ? f->body : "";
}

bool Contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

std::string IndexOf(const SiteInput& in) { return Body(RenderSite(in), "index.html"); }

TEST(RenderTest, ProducesEveryFile) {
  auto files = RenderSite(DemoSite(kNow));
  for (const char* p :
       {"index.html", "history.html", "history.atom", "history.rss", "calendar.ics", "badge.svg", "assets/page.css",
        "assets/page.js", "incidents/inc_api_errors.html", "incidents/mnt_db_upgrade.html",
        "incidents/inc_db_latency.html", "incidents/inc_outage_api.html", "incidents/mnt_eu_network.html",
        "history/2026-01.html", "history/2025-12.html"})
    EXPECT_NE(Find(files, p), nullptr) << p;
  for (const auto& f : files) {
    EXPECT_FALSE(f.body.empty()) << f.path;
    EXPECT_FALSE(f.content_type.empty()) << f.path;
    EXPECT_FALSE(Contains(f.body, "<!-- template")) << f.path << " has a template error";
    EXPECT_FALSE(Contains(f.body, "<!-- layout")) << f.path << " has a template error";
  }
  EXPECT_EQ(Find(files, "index.html")->content_type, "text/html; charset=utf-8");
}

TEST(RenderTest, IndexStructureAndAccessibility) {
  std::string html = IndexOf(DemoSite(kNow));
  EXPECT_TRUE(Contains(html, "<html lang=\"en\">"));
  EXPECT_TRUE(Contains(html, "<header"));
  EXPECT_TRUE(Contains(html, "<main id=\"main\""));
  EXPECT_TRUE(Contains(html, "<footer"));
  EXPECT_TRUE(Contains(html, "href=\"#main\""));  // skip link
  EXPECT_TRUE(Contains(html, "<meta name=\"herald-generated\" content=\"2026-01-15T13:37:00.000Z\">"));
  EXPECT_TRUE(Contains(html, "<link rel=\"stylesheet\" href=\"/assets/page.css\">"));
  EXPECT_TRUE(Contains(html, "<script src=\"/assets/page.js\" defer></script>"));
  EXPECT_TRUE(Contains(html, "Updated <time datetime=\"2026-01-15T13:37:00.000Z\">Jan 15, 14:37 CET</time>"));
  EXPECT_TRUE(Contains(html, "href=\"/history.atom\""));
  EXPECT_TRUE(Contains(html, "href=\"/history.rss\""));
  EXPECT_TRUE(Contains(html, "href=\"/calendar.ics\""));
  EXPECT_TRUE(Contains(html, "href=\"/history.html\""));
  // Exactly one h1, and it states the overall status.
  EXPECT_EQ(html.find("<h1"), html.rfind("<h1"));
  EXPECT_TRUE(Contains(html, "<h1 class=\"overall-text\">Partial system outage</h1>"));
}

TEST(RenderTest, ActiveIncidentTimeline) {
  std::string html = IndexOf(DemoSite(kNow));
  EXPECT_TRUE(Contains(html, "Elevated error rates on the API"));
  EXPECT_TRUE(Contains(html, "<strong>faulty configuration change</strong>"));  // Markdown rendered
  EXPECT_TRUE(Contains(html, "Next update by <time"));
  EXPECT_TRUE(Contains(html, "Identified"));
  EXPECT_TRUE(Contains(html, "datetime=\"2026-01-15T13:27:00.000Z\">Jan 15, 14:27 CET</time>"));
  EXPECT_TRUE(Contains(html, "Scheduled maintenance"));
  EXPECT_TRUE(Contains(html, "Database upgrade to PostgreSQL 17"));
}

// Several active incidents and maintenance windows share one section each: one heading, one
// landmark (a heading per card would repeat "Active incidents" and nest the sections).
TEST(RenderTest, SeveralActiveIncidentsShareOneSection) {
  SiteInput in = DemoSite(kNow);
  const auto originals = in.incidents;
  for (auto copy : originals) {
    if (copy.status == model::IncidentStatus::kResolved || copy.status == model::IncidentStatus::kPostmortem ||
        copy.status == model::IncidentStatus::kCompleted)
      continue;
    copy.id += "_second";
    copy.name += " (second)";
    in.incidents.push_back(copy);
  }
  std::string html = IndexOf(in);
  auto count = [&](const std::string& what) {
    size_t n = 0;
    for (size_t p = 0; (p = html.find(what, p)) != std::string::npos; p += what.size()) ++n;
    return n;
  };
  EXPECT_TRUE(Contains(html, "Elevated error rates on the API (second)"));
  EXPECT_TRUE(Contains(html, "Database upgrade to PostgreSQL 17 (second)"));
  EXPECT_EQ(count("id=\"active-h\""), 1u);
  EXPECT_EQ(count("id=\"maint-h\""), 1u);
  EXPECT_EQ(count("<section"), count("</section>"));
}

TEST(RenderTest, ComponentsGroupsAndUptime) {
  std::string html = IndexOf(DemoSite(kNow));
  EXPECT_TRUE(Contains(html, "<details open>"));  // the core group has a partial outage
  EXPECT_TRUE(Contains(html, "Core platform"));
  EXPECT_TRUE(Contains(html, "status--partial"));
  EXPECT_TRUE(Contains(html, "Partial outage"));
  EXPECT_FALSE(Contains(html, "SMS notifications"));  // only_show_if_degraded while operational
  EXPECT_TRUE(Contains(html, "bar--nodata"));         // Search is 20 days old
  EXPECT_TRUE(Contains(html, ": No data. No incidents</span>"));
  EXPECT_TRUE(Contains(html, "uptime per day over the past 90 days"));
  EXPECT_TRUE(Contains(html, "% uptime"));

  SiteInput in = DemoSite(kNow);
  for (auto& c : in.components)
    if (c.id == "sms") c.status = ComponentStatus::kMajorOutage;
  EXPECT_TRUE(Contains(IndexOf(in), "SMS notifications"));
}

// The HTML between a component's name and the end of its list item.
std::string ComponentHtml(const std::string& html, const std::string& name) {
  size_t at = html.find("<span class=\"component-name\">" + name);
  if (at == std::string::npos) return "";
  return html.substr(at, html.find("\n</li>", at) - at);
}

TEST(RenderTest, ChartsUnderOptedInVisibleComponentsOnly) {
  std::string html = IndexOf(DemoSite(kNow));
  std::string api = ComponentHtml(html, "API");
  ASSERT_FALSE(api.empty());
  EXPECT_TRUE(Contains(api, "<figure class=\"chart\" id=\"chart-mon_api_https\">"));
  EXPECT_TRUE(Contains(api, "API health check (HTTPS)"));
  EXPECT_TRUE(Contains(api, "role=\"img\""));
  EXPECT_FALSE(Contains(api, "API port 443"));  // not opted in
  EXPECT_TRUE(Contains(ComponentHtml(html, "Search"), "id=\"chart-mon_search\""));
  EXPECT_FALSE(Contains(ComponentHtml(html, "Authentication"), "<figure"));
  // The hidden component's monitor leaves no trace, on any page.
  for (const auto& f : RenderSite(DemoSite(kNow))) {
    EXPECT_FALSE(Contains(f.body, "CI runner heartbeat")) << f.path;
    EXPECT_FALSE(Contains(f.body, "mon_ci")) << f.path;
  }
  // A chart's data never reaches the public JSON API, which stays Statuspage's.
  SiteInput plain = DemoSite(kNow);
  plain.monitors.clear();
  plain.minute_rollups.clear();
  plain.day_rollups.clear();
  EXPECT_EQ(RenderPublicApi(DemoSite(kNow)), RenderPublicApi(plain));
}

TEST(RenderTest, ChartOfAMonitorInAHiddenGroupIsNotShown) {
  SiteInput in = DemoSite(kNow);
  for (auto& c : in.components)
    if (c.id == "grp_core") c.hidden = true;  // hides API, Authentication, Databases
  std::string html = IndexOf(in);
  EXPECT_FALSE(Contains(html, "API health check"));
  EXPECT_TRUE(Contains(html, "chart-mon_search"));
}

TEST(RenderTest, MonitorAndComponentNamesAreEscapedInCharts) {
  SiteInput in = DemoSite(kNow);
  for (auto& m : in.monitors)
    if (m.id == "mon_api_https") m.name = "<b onmouseover=alert(1)>probe</b>";
  for (auto& c : in.components)
    if (c.id == "api") c.name = "API <script>alert(2)</script>";
  std::string html = IndexOf(in);
  EXPECT_FALSE(Contains(html, "<b onmouseover"));
  EXPECT_FALSE(Contains(html, "<script>alert"));
  EXPECT_TRUE(Contains(html, "&lt;b onmouseover=alert(1)&gt;probe&lt;/b&gt;"));
}

TEST(RenderTest, UptimeBarsSayWhetherChecksMeasuredThem) {
  std::string html = IndexOf(DemoSite(kNow));
  std::string api = ComponentHtml(html, "API");
  EXPECT_TRUE(Contains(api, "uptime per day over the past 90 days, measured by 2 monitors"));
  EXPECT_TRUE(Contains(api, "uptime<span class=\"legend-source\">, measured by 2 monitors</span>"));
  EXPECT_TRUE(std::regex_search(api, std::regex("Jan 1[0-4], 2026: 100.00% uptime, 2,880 checks passed")));
  // Today: the API is failing one check in five.
  EXPECT_TRUE(
      std::regex_search(api, std::regex("Jan 15, 2026: 9[0-9].[0-9]{2}% uptime, [0-9]+ of [0-9,]+ checks failed")))
      << api;
  // Before its checks began the API's days come from the status history, and say so.
  EXPECT_TRUE(Contains(api, "Dec 06, 2025: 87.50% uptime, Major outage (status history)"));
  std::string auth = ComponentHtml(html, "Authentication");
  EXPECT_TRUE(Contains(auth, "uptime per day over the past 90 days, from the status history"));
  EXPECT_FALSE(Contains(auth, "legend-source"));
  EXPECT_FALSE(Contains(auth, "checks"));
}

// First-hour issue 11: "Next update by 11:00 CET" lost its date (and year) when the promise was
// for another day, and the footer was in UTC while everything else was in the page's zone.
TEST(RenderTest, EveryTimeIsInThePagesZoneWithItsDate) {
  SiteInput in = DemoSite(kNow);
  for (auto& i : in.incidents)
    if (i.id == "inc_api_errors") i.updates.front().next_update_at = *ParseIso8601("2026-01-16T10:00:00Z");
  std::string html = IndexOf(in);
  EXPECT_TRUE(Contains(html, "Next update by <time datetime=\"2026-01-16T10:00:00.000Z\">Jan 16, 11:00 CET</time>"))
      << html.substr(html.find("Next update"), 200);
  EXPECT_TRUE(Contains(html, "Updated <time datetime=\"2026-01-15T13:37:00.000Z\">Jan 15, 14:37 CET</time>"));
  for (auto& i : in.incidents)
    if (i.id == "inc_api_errors") i.updates.front().next_update_at = *ParseIso8601("2027-01-02T10:00:00Z");
  EXPECT_TRUE(Contains(IndexOf(in), ">Jan 02, 2027 11:00 CET</time>"));
}

// First-hour issue 12: each day of the uptime bars is a <details> with the day's text and links to
// the incidents of that day; no native title tooltips.
TEST(RenderTest, UptimeDaysShowTheirIncidents) {
  std::string html = IndexOf(DemoSite(kNow));
  std::string api = ComponentHtml(html, "API");
  EXPECT_FALSE(Contains(api, " title=\""));
  const auto today = api.rfind("<details class=\"day\">");
  ASSERT_NE(today, std::string::npos);
  const std::string day = api.substr(today, api.find("</details>", today) - today);
  EXPECT_TRUE(Contains(day, "<summary><span class=\"day-text\">Jan 15, 2026: ")) << day;
  EXPECT_TRUE(Contains(day, "<a href=\"/incidents/inc_api_errors.html\">Elevated error rates on the API</a>")) << day;
  EXPECT_TRUE(Contains(api, ". No incidents</span></summary></details>"));
}

// First-hour issue 10: an exported site kept a form posting to the static host and a script
// asking for /events.
TEST(RenderTest, StaticExportLinksToTheLivePageAndDoesNotListen) {
  SiteInput in = DemoSite(kNow);
  in.static_export = true;
  in.live_url = "https://status.example.com/";
  auto files = RenderSite(in);
  for (const char* path : {"index.html", "incidents/inc_api_errors.html"}) {
    const std::string html = Body(files, path);
    EXPECT_FALSE(Contains(html, "<form")) << path;
    EXPECT_TRUE(Contains(html, "<body data-base=\"/\" data-static>")) << path;
  }
  EXPECT_TRUE(Contains(Body(files, "index.html"), "<a href=\"https://status.example.com/subscribe\">"));
  EXPECT_TRUE(Contains(IndexOf(DemoSite(kNow)), "<form class=\"subscribe-form\""));
}

// First-hour issue 13: an open incident's page offers to subscribe, its components ticked.
TEST(RenderTest, OpenIncidentPageOffersToSubscribeToItsComponents) {
  SiteInput in = DemoSite(kNow);
  std::string html = Body(RenderSite(in), "incidents/inc_api_errors.html");
  EXPECT_TRUE(Contains(html, "Get updates about this incident"));
  EXPECT_TRUE(Contains(html, "<details class=\"field\" open>"));
  EXPECT_TRUE(std::regex_search(html, std::regex("value=\"[a-z_]+\" checked> API<")));
  EXPECT_FALSE(Contains(Body(RenderSite(in), "incidents/inc_db_latency.html"), "Get updates about this incident"));
}

TEST(RenderTest, WelcomePageSaysHowToCreateAPage) {
  std::string html = RenderWelcomePage("http://127.0.0.1:8080/");
  EXPECT_TRUE(Contains(html, "herald apply herald.toml"));
  EXPECT_TRUE(Contains(html, "http://127.0.0.1:8080/v1/pages"));
  EXPECT_FALSE(Contains(html, "<style"));
  EXPECT_FALSE(Contains(html, "<script"));
}

TEST(RenderTest, PastIncidentsByDay) {
  std::string html = IndexOf(DemoSite(kNow));
  EXPECT_TRUE(Contains(html, "Past incidents"));
  EXPECT_TRUE(Contains(html, "No incidents reported."));
  EXPECT_TRUE(Contains(html, "Slow queries in the Databases cluster"));
  EXPECT_TRUE(Contains(html, "\">Jan 15, 2026</time></h3>"));
  EXPECT_TRUE(Contains(html, "\">Jan 09, 2026</time></h3>"));
  EXPECT_FALSE(Contains(html, "\">Jan 08, 2026</time></h3>"));
}

struct BannerCase {
  std::vector<ComponentStatus> statuses;
  std::optional<Impact> open_incident;
  bool maintenance_in_progress;
  Impact indicator;
  const char* text;
};

TEST(RenderTest, BannerPerStatusCombination) {
  const std::vector<BannerCase> cases = {
      {{ComponentStatus::kOperational, ComponentStatus::kOperational},
       {},
       false,
       Impact::kNone,
       "All systems operational"},
      {{ComponentStatus::kOperational, ComponentStatus::kDegradedPerformance},
       {},
       false,
       Impact::kMinor,
       "Degraded performance"},
      {{ComponentStatus::kPartialOutage, ComponentStatus::kDegradedPerformance},
       {},
       false,
       Impact::kMajor,
       "Partial system outage"},
      {{ComponentStatus::kMajorOutage, ComponentStatus::kPartialOutage},
       {},
       false,
       Impact::kCritical,
       "Major system outage"},
      {{ComponentStatus::kUnderMaintenance, ComponentStatus::kOperational},
       {},
       false,
       Impact::kMaintenance,
       "Maintenance in progress"},
      {{ComponentStatus::kOperational}, {}, true, Impact::kMaintenance, "Maintenance in progress"},
      {{ComponentStatus::kUnderMaintenance}, Impact::kCritical, false, Impact::kCritical, "Major system outage"},
      {{ComponentStatus::kOperational}, Impact::kMajor, false, Impact::kMajor, "Partial system outage"},
      {{ComponentStatus::kOperational}, Impact::kNone, false, Impact::kNone, "All systems operational"},
      {{ComponentStatus::kDegradedPerformance}, {}, true, Impact::kMinor, "Degraded performance"},
  };
  for (const auto& tc : cases) {
    SiteInput in;
    in.now = kNow;
    in.page.name = "P";
    int n = 0;
    for (auto s : tc.statuses) {
      model::Component c;
      c.id = "c" + std::to_string(n++);
      c.name = c.id;
      c.status = s;
      in.components.push_back(c);
    }
    if (tc.open_incident) {
      model::Incident i;
      i.id = "i1";
      i.name = "Incident";
      i.impact = *tc.open_incident;
      i.status = IncidentStatus::kInvestigating;
      in.incidents.push_back(i);
    }
    if (tc.maintenance_in_progress) {
      model::Incident m;
      m.id = "m1";
      m.name = "Maintenance";
      m.impact = Impact::kMaintenance;
      m.status = IncidentStatus::kInProgress;
      m.scheduled_for = kNow - 1000;
      m.scheduled_until = kNow + 3600000;
      in.incidents.push_back(m);
    }
    OverallStatus o = ComputeOverallStatus(in.components, in.incidents);
    EXPECT_EQ(o.indicator, tc.indicator) << tc.text;
    EXPECT_EQ(o.description, tc.text);
    std::string html = IndexOf(in);
    EXPECT_TRUE(Contains(html, std::string("<h1 class=\"overall-text\">") + tc.text + "</h1>")) << tc.text;
    EXPECT_TRUE(Contains(html, "<use href=\"#i-")) << "status needs an icon";
  }
}

TEST(RenderTest, ResolvedIncidentDoesNotAffectBanner) {
  SiteInput in = DemoSite(kNow);
  for (auto& c : in.components) c.status = ComponentStatus::kOperational;
  std::erase_if(in.incidents, [](const auto& i) { return i.id == "inc_api_errors"; });
  EXPECT_TRUE(Contains(IndexOf(in), "All systems operational"));
}

TEST(RenderTest, HiddenComponentsAndInternalUpdatesNeverAppear) {
  SiteInput in = DemoSite(kNow);
  // Also a hidden group whose visible-looking member must go too, and an internal update that
  // promises the next update time.
  model::Component g;
  g.id = "secret_group";
  g.name = "SECRETGROUP";
  g.is_group = true;
  g.hidden = true;
  in.components.push_back(g);
  model::Component m;
  m.id = "secret_member";
  m.name = "SECRETMEMBER";
  m.group_id = "secret_group";
  in.components.push_back(m);
  in.history.push_back({"internal_ci", ComponentStatus::kMajorOutage, kNow - 1000});
  in.incidents[0].components.push_back({"internal_ci", ComponentStatus::kMajorOutage, ComponentStatus::kOperational});
  for (const auto& f : RenderSite(in)) {
    EXPECT_FALSE(Contains(f.body, "Internal CI runners")) << f.path;
    EXPECT_FALSE(Contains(f.body, "internal_ci")) << f.path;
    EXPECT_FALSE(Contains(f.body, "SECRETGROUP")) << f.path;
    EXPECT_FALSE(Contains(f.body, "SECRETMEMBER")) << f.path;
    EXPECT_FALSE(Contains(f.body, "INTERNAL NOTE")) << f.path;
    EXPECT_FALSE(Contains(f.body, "paging the network team")) << f.path;
  }
  // The hidden component's outage does not darken the banner either.
  in.components.erase(in.components.begin(), in.components.end() - 2);
  for (auto& c : in.components) c.status = ComponentStatus::kMajorOutage;  // both hidden
  in.incidents.clear();
  EXPECT_TRUE(Contains(IndexOf(in), "All systems operational"));
}

TEST(RenderTest, UserTextIsEscapedEverywhere) {
  SiteInput in = DemoSite(kNow);
  const std::string evil = "<script>alert('x')</script>\"&";
  in.page.name = "Acme " + evil;
  in.components[1].name = "API " + evil;
  in.components[1].description = "desc " + evil;
  in.incidents[0].name = "Outage " + evil;
  in.incidents[0].updates[0].body = "Body " + evil + " [x](javascript:alert(1))";
  in.incidents[1].name = "Maint " + evil;  // maintenance: in the ICS too
  in.incidents[1].updates[0].body = "Plan " + evil;
  in.page.url = "javascript:alert(1)";
  in.page.logo_url = "javascript:alert(2)";
  for (const auto& f : RenderSite(in)) {
    if (f.path.rfind("assets/", 0) == 0 || f.path == "calendar.ics") continue;  // ICS text is not markup
    EXPECT_FALSE(Contains(f.body, "<script>alert")) << f.path;
    EXPECT_FALSE(Contains(f.body, "javascript:")) << f.path;
  }
  auto files = RenderSite(in);
  EXPECT_TRUE(
      Contains(Body(files, "index.html"), "Outage &lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;&quot;&amp;"));
  EXPECT_TRUE(Contains(Body(files, "history.atom"), "Outage &lt;script&gt;"));
  EXPECT_TRUE(Contains(Body(files, "history.rss"), "Outage &lt;script&gt;"));
  // In the feeds' HTML content the Markdown output is escaped once more: no live tag survives.
  EXPECT_FALSE(Contains(Body(files, "history.atom"), "<script"));
  std::string ics = Body(files, "calendar.ics");
  EXPECT_TRUE(Contains(ics, "SUMMARY:Maint <script>alert('x')</script>\"&")) << ics;  // ICS is not HTML
}

TEST(RenderTest, AccentColourIsValidatedBeforeCss) {
  SiteInput in = DemoSite(kNow);
  in.page.accent_color = "red;}</style><script>alert(1)</script>";
  std::string html = IndexOf(in);
  EXPECT_FALSE(Contains(html, "<script>alert"));
  EXPECT_FALSE(Contains(html, "<style"));  // no inline CSS: the page's CSP forbids it
  std::string theme = Body(RenderSite(in), "assets/theme.css");
  EXPECT_FALSE(Contains(theme, "script"));
  EXPECT_TRUE(Contains(theme, ":root{--accent:#2563eb}"));
  in.page.accent_color = "#FF0";
  theme = Body(RenderSite(in), "assets/theme.css");
  EXPECT_FALSE(Contains(theme, ":root{--accent:#ffff00}\n"));  // too light on white: darkened for AA
  EXPECT_TRUE(Contains(theme, "{:root{--accent:#ffff00}}"));   // fine on the dark background
}

TEST(RenderTest, StaleNoticeOnlyWhenStale) {
  SiteInput in = DemoSite(kNow);
  EXPECT_FALSE(Contains(IndexOf(in), "Live data is temporarily unavailable"));
  in.stale_since = kNow - 5 * 60 * 1000;
  auto files = RenderSite(in);
  std::string html = Body(files, "index.html");
  EXPECT_TRUE(Contains(
      html,
      "Live data is temporarily unavailable. Showing the status as of <time datetime=\"2026-01-15T13:32:00.000Z\">"));
  EXPECT_TRUE(Contains(Body(files, "incidents/inc_api_errors.html"), "Live data is temporarily unavailable"));
}

TEST(RenderTest, IncidentPages) {
  SiteInput in = DemoSite(kNow);
  auto files = RenderSite(in);
  for (const auto& i : in.incidents) {
    std::string html = Body(files, "incidents/" + i.id + ".html");
    EXPECT_TRUE(Contains(html, "<h1>" + i.name + "</h1>")) << i.id;
  }
  std::string pm = Body(files, "incidents/inc_outage_api.html");
  EXPECT_TRUE(Contains(pm, "Postmortem"));
  EXPECT_TRUE(Contains(pm, "<h3>What happened</h3>"));  // continues the page outline under <h2>
  EXPECT_TRUE(Contains(pm, "Critical impact"));
  EXPECT_TRUE(Contains(pm, "Affected components:</span> API"));
  std::string active = Body(files, "incidents/inc_api_errors.html");
  EXPECT_TRUE(Contains(active, "API, CDN"));
  EXPECT_FALSE(Contains(active, "Postmortem"));
  EXPECT_TRUE(Contains(Body(files, "incidents/mnt_db_upgrade.html"), "Scheduled for"));
}

TEST(RenderTest, UnsafeIncidentIdsAreSkipped) {
  SiteInput in = DemoSite(kNow);
  in.incidents[0].id = "../../etc/passwd";
  for (const auto& f : RenderSite(in)) EXPECT_EQ(f.path.find(".."), std::string::npos) << f.path;
}

TEST(RenderTest, HistoryPages) {
  auto files = RenderSite(DemoSite(kNow));
  std::string h = Body(files, "history.html");
  size_t jan = h.find("January 2026"), dec = h.find("December 2025");
  ASSERT_NE(jan, std::string::npos);
  ASSERT_NE(dec, std::string::npos);
  EXPECT_LT(jan, dec);  // newest first
  EXPECT_TRUE(Contains(h, "href=\"/history/2026-01.html\""));
  // One list, however many months (regression: the list opened once per month).
  size_t lists = 0;
  for (size_t pos = 0; (pos = h.find("<ul class=\"months", pos)) != std::string::npos; ++pos) ++lists;
  EXPECT_EQ(lists, 1u);
  std::string m = Body(files, "history/2026-01.html");
  EXPECT_TRUE(Contains(m, "Slow queries in the Databases cluster"));
  EXPECT_FALSE(Contains(m, "Database upgrade to PostgreSQL 17"));  // upcoming: not history yet
  EXPECT_TRUE(Contains(m, "href=\"/history/2025-12.html\""));      // older month
}

// The sign-up form's choices as notify::SignupChannels() gives them to a server (page cannot ask
// notify; SiteInput carries them).
std::vector<SignupChannel> FormChoices() {
  auto choice = [](std::string value, std::string label, std::string address_label, std::string mode, bool pre) {
    SignupChannel c;
    c.value = std::move(value);
    c.label = std::move(label);
    c.address_label = std::move(address_label);
    c.input_mode = std::move(mode);
    c.preselectable = pre;
    return c;
  };
  return {choice("email", "Email", "email address", "email", true),
          choice("sms", "Text message", "phone number (with country code)", "tel", false),
          choice("webhook", "Webhook", "webhook URL", "url", true),
          choice("slack", "Slack", "webhook URL", "url", false),
          choice("teams", "Microsoft Teams", "webhook URL", "url", false),
          choice("discord", "Discord", "webhook URL", "url", false),
          choice("mattermost", "Mattermost", "webhook URL", "url", false)};
}

TEST(RenderTest, SubscribeFormOffersOnlyConfiguredChannels) {
  SiteInput in = DemoSite(kNow);
  in.signup_channels = FormChoices();
  std::string all = IndexOf(in);
  EXPECT_TRUE(Contains(all, "value=\"email\""));
  EXPECT_TRUE(Contains(all, "value=\"sms\""));
  EXPECT_TRUE(Contains(all, ">Email address, phone number (with country code) or webhook URL</label>"));
  auto turn_off = [&](const std::string& value) {
    for (auto& c : in.signup_channels)
      if (c.value == value) c.offered = false;
  };
  turn_off("sms");
  EXPECT_TRUE(Contains(IndexOf(in), ">Email address or webhook URL</label>"))
      << "the label asks only for what is offered";
  turn_off("email");
  std::string some = IndexOf(in);
  EXPECT_FALSE(Contains(some, "value=\"email\""));
  EXPECT_FALSE(Contains(some, "value=\"sms\""));
  EXPECT_TRUE(Contains(some, "value=\"webhook\" checked"));
  EXPECT_TRUE(Contains(some, ">Webhook URL</label>"));
  EXPECT_TRUE(Contains(some, "inputmode=\"url\""));
  EXPECT_FALSE(Contains(some, "data-push-subscribe"));
  in.vapid_public_key = "BPubKey";
  EXPECT_TRUE(Contains(IndexOf(in), "data-vapid-key=\"BPubKey\""));
}

TEST(RenderTest, BasePathIsUsedForLinks) {
  SiteInput in = DemoSite(kNow);
  in.base_path = "/pages/acme/";
  std::string html = IndexOf(in);
  EXPECT_TRUE(Contains(html, "href=\"/pages/acme/assets/page.css\""));
  EXPECT_TRUE(Contains(html, "href=\"/pages/acme/incidents/inc_api_errors.html\""));
  EXPECT_TRUE(Contains(html, "data-base=\"/pages/acme/\""));
}

TEST(RenderTest, EmptyPageRenders) {
  SiteInput in;
  in.now = kNow;
  in.page.name = "Empty";
  auto files = RenderSite(in);
  std::string html = Body(files, "index.html");
  EXPECT_TRUE(Contains(html, "All systems operational"));
  EXPECT_TRUE(Contains(Body(files, "history.html"), "No incidents reported."));
}

// Writes the demo site for a look in a browser: HERALD_RENDER_PREVIEW_DIR=/tmp/preview. A tool
// rather than a test: registered only when the directory is given (a skipped test would count).
void WritePreview(const std::string& dir) {
  SiteInput in = DemoSite(kNow);
  // Relative links work from file:// too when the base path is the preview directory itself.
  in.base_path = std::string("file://") + std::filesystem::absolute(dir).string() + "/";
  if (const char* stale = std::getenv("HERALD_RENDER_PREVIEW_STALE"); stale && *stale) in.stale_since = kNow - 300000;
  for (const auto& f : RenderSite(in)) {
    std::filesystem::path p = std::filesystem::path(dir) / f.path;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << f.body;
    ASSERT_TRUE(std::filesystem::exists(p)) << p;
  }
}

class PreviewTest : public ::testing::Test {
 public:
  explicit PreviewTest(std::string dir) : dir_(std::move(dir)) {}
  void TestBody() override { WritePreview(dir_); }

 private:
  std::string dir_;
};

[[maybe_unused]] const bool kPreviewRegistered = [] {
  const char* dir = std::getenv("HERALD_RENDER_PREVIEW_DIR");
  if (!dir || !*dir) return false;
  ::testing::RegisterTest("RenderTest", "WritesPreviewWhenAsked", nullptr, nullptr, __FILE__, __LINE__,
                          [d = std::string(dir)]() -> ::testing::Test* { return new PreviewTest(d); });
  return true;
}();

// Issue 19: a page with many components must stay light. A run of alike days is one rect (and one
// line of text), not one element per day; each bar still says its dates and uptime.
TEST(RenderTest, UptimeBarsAreOneElementPerRunOfAlikeDays) {
  SiteInput in = DemoSite(kNow);
  in.history.push_back({"auth", ComponentStatus::kMajorOutage, kNow - 10 * 24 * 3600 * 1000LL});
  in.history.push_back({"auth", ComponentStatus::kOperational, kNow - 10 * 24 * 3600 * 1000LL + 3600 * 1000});
  std::string html = IndexOf(in);
  size_t from = html.find("aria-label=\"Authentication: uptime per day");
  ASSERT_NE(from, std::string::npos);
  std::string auth = html.substr(from, html.find("</ol>", from) - from);
  auto count = [&](const std::string& what) {
    size_t n = 0;
    for (size_t p = auth.find(what); p != std::string::npos; p = auth.find(what, p + 1)) ++n;
    return n;
  };
  // Quiet days before the outage, the outage, quiet days since (today may differ: it is partial),
  // each run one element a keyboard or a tap opens (a <details>), its text naming the dates.
  EXPECT_GE(count("<details"), 3u);
  EXPECT_LE(count("<details"), 5u);
  EXPECT_EQ(count("<details"), count("<summary>"));
  EXPECT_TRUE(Contains(auth,
                       "<li class=\"bar bar--major\"><details class=\"day\"><summary><span "
                       "class=\"day-text\">Jan 05, 2026: 95.83% uptime, Major outage. No incidents</span>"))
      << auth;
  EXPECT_TRUE(Contains(auth,
                       "<li class=\"bar bar--ok w79\"><details class=\"day\"><summary><span "
                       "class=\"day-text\">Oct 18, 2025 to Jan 04, 2026: 100.00% uptime. No incidents</span>"))
      << auth;
  // Days of the same figures stay apart when an incident went on during one: it lists and links it.
  SiteInput with_incident = in;
  model::Incident i;
  i.id = "authdown";
  i.page_id = "demo";
  i.name = "Sign-in errors";
  i.impact = Impact::kMinor;
  i.status = IncidentStatus::kResolved;
  i.created_at = i.started_at = kNow - 30 * 24 * 3600 * 1000LL;
  i.resolved_at = i.updated_at = i.started_at + 60 * 1000;
  i.components = {{"auth", ComponentStatus::kOperational, ComponentStatus::kOperational}};
  with_incident.incidents.push_back(i);
  html = IndexOf(with_incident);
  from = html.find("aria-label=\"Authentication: uptime per day");
  ASSERT_NE(from, std::string::npos);
  auth = html.substr(from, html.find("</ol>", from) - from);
  EXPECT_GE(count("<details"), 5u);
  EXPECT_LE(count("<details"), 7u);
  EXPECT_TRUE(Contains(auth,
                       "uptime</span></summary><ul class=\"day-incidents\"><li><a "
                       "href=\"/incidents/authdown.html\">Sign-in errors</a></li></ul></details>"))
      << auth;

  // 200 components with three bad days each: the index stays under 500 KB (one element per day
  // made it 2.3 MB).
  SiteInput big = DemoSite(kNow);
  for (int n = 0; n < 200; ++n) {
    model::Component c;
    c.id = "c" + std::to_string(n);
    c.page_id = "demo";
    c.name = "Service " + std::to_string(n);
    c.group_id = n % 2 ? "grp_regions" : "grp_core";
    c.position = 100 + n;
    c.created_at = kNow - 200 * 24 * 3600 * 1000LL;
    big.components.push_back(c);
    for (int k = 1; k <= 3; ++k) {
      TimeMs at = kNow - (n % 80 + k * 3) * 24 * 3600 * 1000LL;
      big.history.push_back({c.id, ComponentStatus::kPartialOutage, at});
      big.history.push_back({c.id, ComponentStatus::kOperational, at + 2 * 3600 * 1000});
    }
  }
  const size_t bytes = IndexOf(big).size();
  RecordProperty("index_bytes", static_cast<int>(bytes));
  EXPECT_LT(bytes, 500'000u);
}

// A site with many incidents over many months, for the cache tests.
SiteInput LargeSite(TimeMs now) {
  SiteInput in = DemoSite(now);
  for (int n = 0; n < 120; ++n) {
    model::Incident i;
    i.id = "past" + std::to_string(n);
    i.page_id = "demo";
    i.name = "Past incident " + std::to_string(n);
    i.impact = Impact::kMinor;
    i.status = IncidentStatus::kResolved;
    i.created_at = i.started_at = now - (n + 2) * 3 * 24 * 3600 * 1000LL;
    i.resolved_at = i.started_at + 3600 * 1000;
    i.updated_at = *i.resolved_at;
    i.components = {{n % 2 ? "api" : "eu", ComponentStatus::kDegradedPerformance, ComponentStatus::kOperational}};
    for (int k = 0; k < 2; ++k) {
      model::IncidentUpdate u;
      u.id = i.id + "u" + std::to_string(k);
      u.incident_id = i.id;
      u.status = k ? IncidentStatus::kResolved : IncidentStatus::kInvestigating;
      u.body = k ? "Resolved." : "We are **looking** into it.";
      u.display_at = u.created_at = u.updated_at = i.started_at + k * 3600 * 1000;
      i.updates.insert(i.updates.begin(), u);
    }
    in.incidents.push_back(i);
  }
  return in;
}

// Issue 19: a rebuild with the render cache produces exactly the bytes of a full render, after
// every kind of change, and renders only the documents whose inputs changed.
TEST(RenderCacheTest, IncrementalBuildsEqualFullBuildsAfterEveryChange) {
  SiteInput in = LargeSite(kNow);
  RenderCache cache;
  auto check = [&](const std::string& step) {
    auto cached = RenderSite(in, &cache);
    auto full = RenderSite(in);
    EXPECT_EQ(cached.size(), full.size()) << step;
    for (size_t n = 0; n < std::min(cached.size(), full.size()); ++n) {
      EXPECT_EQ(cached[n].path, full[n].path) << step;
      EXPECT_TRUE(cached[n].Body() == full[n].Body()) << step << ": " << full[n].path << " differs";
    }
    return cache.last_build();
  };
  auto find = [&](const std::string& id) -> model::Incident& {
    for (auto& i : in.incidents)
      if (i.id == id) return i;
    ADD_FAILURE() << id;
    return in.incidents.front();
  };
  auto stats = check("first build");
  EXPECT_EQ(stats.reused, 0);
  const int documents = stats.rendered;
  EXPECT_GT(documents, 120);

  stats = check("nothing changed");
  EXPECT_EQ(stats.rendered, 0);
  EXPECT_EQ(stats.reused, documents);

  // An update on the open incident: its page and its month, nothing else.
  {
    auto& i = find("inc_api_errors");
    model::IncidentUpdate u = i.updates.front();
    u.id = "u4";
    u.body = "The rollback is done; error rates are falling.";
    u.display_at = u.created_at = u.updated_at = kNow - 1000;
    i.updates.insert(i.updates.begin(), u);
    i.updated_at = kNow - 1000;
  }
  stats = check("incident update");
  EXPECT_EQ(stats.rendered, 2);

  // An edited update of an old incident.
  find("past40").updates.back().body = "Corrected text.";
  stats = check("edited update");
  EXPECT_EQ(stats.rendered, 2);

  // A renamed component shows in the incidents that affected it.
  for (auto& c : in.components)
    if (c.id == "eu") c.name = "Europe (Frankfurt am Main)";
  stats = check("renamed component");
  EXPECT_GT(stats.rendered, 60);

  // A deleted incident; a new one in a month of its own (the neighbouring months' links change).
  std::erase_if(in.incidents, [](const auto& i) { return i.id == "past7"; });
  {
    model::Incident i = find("past119");
    i.id = "older";
    i.started_at = i.created_at = kNow - 700 * 24 * 3600 * 1000LL;
    in.incidents.push_back(i);
  }
  stats = check("deleted and added incidents");
  EXPECT_LT(stats.rendered, 8);

  // The page renamed, the database unreachable, a day later: everything that shows them.
  in.page.name = "Acme";
  check("renamed page");
  in.stale_since = kNow;
  check("stale");
  in.stale_since.reset();
  in.now = kNow + 24 * 3600 * 1000LL;
  stats = check("a day later");
  EXPECT_EQ(stats.rendered, documents + 1);  // after the stale notice went away; one incident more
  EXPECT_EQ(cache.size(), static_cast<size_t>(stats.rendered));

  // An open incident's page has a sign-up form listing the components and the channels this
  // server sends: they change it, not the pages of closed incidents.
  in.signup_channels = FormChoices();
  in.signup_channels.front().offered = false;  // email
  stats = check("email off");
  EXPECT_GE(stats.rendered, 1);
  EXPECT_LT(stats.rendered, 10);
  for (const auto& c : in.components)
    if (c.id == "api") {
      model::Component copy = c;
      copy.id = "billing";
      copy.name = "Billing";
      in.components.push_back(copy);
      break;
    }
  stats = check("component added");
  EXPECT_GE(stats.rendered, 1);
  EXPECT_LT(stats.rendered, 10);
  // Times of another year than the build's carry the year: New Year changes the months' texts.
  in.now = kNow + 365 * 24 * 3600 * 1000LL;
  check("a year later");
}

// Documents that keep their bytes for years say when their own data last changed, not when the
// snapshot was built: the index says the build's time.
TEST(RenderCacheTest, IncidentPagesSayWhenTheIncidentLastChanged) {
  SiteInput in = DemoSite(kNow);
  auto files = RenderSite(in);
  std::string page = Body(files, "incidents/inc_api_errors.html");
  EXPECT_TRUE(Contains(page, "<meta name=\"herald-generated\" content=\"2026-01-15T13:27:00.000Z\">")) << page;
  // In the page's zone, with the year, like every time of an incident page (first-hour issue 11).
  EXPECT_TRUE(Contains(page, "Updated <time datetime=\"2026-01-15T13:27:00.000Z\">Jan 15, 2026 14:27 CET</time>"))
      << page;
  in.now += 3600 * 1000;
  EXPECT_EQ(Body(RenderSite(in), "incidents/inc_api_errors.html"), page);
  EXPECT_NE(Body(RenderSite(in), "index.html"), Body(files, "index.html"));
}
}  // namespace
}  // namespace herald::page
