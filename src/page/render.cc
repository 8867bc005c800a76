#include "page/render.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <kainjow/mustache.hpp>
#include <map>
#include <set>
#include <unordered_map>

#include "assets/web_assets.h"
#include "core/text.h"
#include "core/time.h"
#include "model/overall_status.h"
#include "page/charts.h"
#include "page/colors.h"
#include "page/feeds.h"
#include "page/markdown.h"
#include "page/sign_up.h"
#include "page/signup_form.h"
#include "page/uptime.h"
#include "statuspage/public_api.h"

namespace herald::page {
namespace {

namespace mu = kainjow::mustache;
using model::ComponentStatus;
using model::Impact;
using model::IncidentStatus;

constexpr const char* kShortTime = "%b %d, %H:%M %Z";
constexpr const char* kLongTime = "%b %d, %Y %H:%M %Z";
constexpr int kPastDays = 7;

// --- Cleaning: the defensive second filter at the trust boundary. -----------------------------

// Ids become file names and URL segments: only plain ones are accepted.
bool IsSafeId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// Only absolute http(s) URLs (or site-relative paths) go into href/src: no javascript: or data:.
std::string SafeUrl(std::string_view url) {
  std::string lower;
  for (char c : Trim(url)) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.rfind("https://", 0) == 0 || lower.rfind("http://", 0) == 0) return std::string(Trim(url));
  if (lower.size() > 1 && lower[0] == '/' && lower[1] != '/' && lower[1] != '\\') return std::string(Trim(url));
  return "";
}

TimeMs StartOf(const model::Incident& i) {
  if (i.scheduled_for) return *i.scheduled_for;
  return i.started_at > 0 ? i.started_at : i.created_at;
}

SiteInput Clean(const SiteInput& in) {
  SiteInput out;
  out.page = in.page;
  out.now = in.now;
  out.base_path = in.base_path.empty() || in.base_path.back() != '/' ? in.base_path + "/" : in.base_path;
  out.public_url = in.public_url;
  while (!out.public_url.empty() && out.public_url.back() == '/') out.public_url.pop_back();
  out.stale_since = in.stale_since;
  out.vapid_public_key = in.vapid_public_key;
  out.signup_channels = in.signup_channels;
  out.static_export = in.static_export;
  out.live_url = in.live_url;
  while (!out.live_url.empty() && out.live_url.back() == '/') out.live_url.pop_back();

  std::set<std::string> hidden_groups;
  for (const auto& c : in.components)
    if (c.is_group && c.hidden) hidden_groups.insert(c.id);
  std::set<std::string> visible;
  for (const auto& c : in.components) {
    if (c.hidden || (!c.group_id.empty() && hidden_groups.count(c.group_id))) continue;
    if (!in.page.id.empty() && !c.page_id.empty() && c.page_id != in.page.id) continue;
    out.components.push_back(c);
    visible.insert(c.id);
  }
  std::stable_sort(out.components.begin(), out.components.end(),
                   [](const auto& a, const auto& b) { return a.position < b.position; });

  auto keep_affected = [&](std::vector<model::AffectedComponent>& v) {
    std::erase_if(v, [&](const auto& a) { return !visible.count(a.component_id); });
  };
  for (const auto& i : in.incidents) {
    if (!IsSafeId(i.id)) continue;
    if (!in.page.id.empty() && !i.page_id.empty() && i.page_id != in.page.id) continue;
    model::Incident c = i;
    std::erase_if(c.updates, [](const auto& u) { return u.internal; });
    std::stable_sort(c.updates.begin(), c.updates.end(),
                     [](const auto& a, const auto& b) { return a.display_at > b.display_at; });
    keep_affected(c.components);
    for (auto& u : c.updates) keep_affected(u.affected_components);
    out.incidents.push_back(std::move(c));
  }
  std::stable_sort(out.incidents.begin(), out.incidents.end(),
                   [](const auto& a, const auto& b) { return StartOf(a) > StartOf(b); });

  for (const auto& h : in.history)
    if (visible.count(h.component_id)) out.history.push_back(h);

  // Monitors only of visible components (a group's monitor has nowhere to show), and only the
  // rollups of those; minute rollups only of monitors that opted into a chart.
  std::set<std::string> groups;
  for (const auto& c : out.components)
    if (c.is_group) groups.insert(c.id);
  std::set<std::string> kept, charted;
  for (const auto& m : in.monitors) {
    if (m.component_id.empty() || !visible.count(m.component_id) || groups.count(m.component_id)) continue;
    out.monitors.push_back(m);
    kept.insert(m.id);
    if (m.show_chart) charted.insert(m.id);
  }
  for (const auto& r : in.day_rollups)
    if (r.granularity == 'd' && kept.count(r.monitor_id)) out.day_rollups.push_back(r);
  for (const auto& r : in.minute_rollups)
    if (r.granularity == 'm' && charted.count(r.monitor_id)) out.minute_rollups.push_back(r);
  return out;
}

// --- Wording and classes. ------------------------------------------------------------------------

// CSS class (and icon id) of a status; colour is never the only signal, the label goes with it.
std::string_view StatusClass(ComponentStatus s) {
  switch (s) {
    case ComponentStatus::kOperational: return "ok";
    case ComponentStatus::kDegradedPerformance: return "degraded";
    case ComponentStatus::kPartialOutage: return "partial";
    case ComponentStatus::kMajorOutage: return "major";
    case ComponentStatus::kUnderMaintenance: return "maint";
  }
  return "ok";
}

std::string_view ImpactClass(Impact i) {
  switch (i) {
    case Impact::kNone: return "none";
    case Impact::kMinor: return "degraded";
    case Impact::kMajor: return "partial";
    case Impact::kCritical: return "major";
    case Impact::kMaintenance: return "maint";
  }
  return "none";
}

std::string_view IndicatorClass(Impact i) { return i == Impact::kNone ? "ok" : ImpactClass(i); }

std::string_view ImpactLabel(const model::Incident& i) {
  if (i.is_maintenance()) return "Maintenance";
  switch (i.impact) {
    case Impact::kNone: return "No impact";
    case Impact::kMinor: return "Minor impact";
    case Impact::kMajor: return "Major impact";
    case Impact::kCritical: return "Critical impact";
    case Impact::kMaintenance: return "Maintenance";
  }
  return "";
}

bool MaintenanceUpcoming(const model::Incident& i, TimeMs now) {
  return i.is_maintenance() && i.status == IncidentStatus::kScheduled &&
         (!i.scheduled_until || *i.scheduled_until > now);
}

// Headings inside Markdown must continue the page's outline (WCAG 1.3.1): the highest level the
// author used becomes `first_level` ("## What happened" in a postmortem under an <h2> becomes
// <h3>). cmark writes the tags itself (raw HTML is dropped in safe mode), so a plain replacement
// over its output is exact.
std::string ShiftHeadings(std::string html, int first_level) {
  int top = 0;
  for (int level = 1; level <= 6 && !top; ++level)
    if (html.find("<h" + std::to_string(level)) != std::string::npos) top = level;
  if (top == 0 || top >= first_level) return html;
  for (int from = 6; from >= 1; --from) {
    int to = std::min(6, from + first_level - top);
    if (to == from) continue;
    for (const char* fmt : {"<h%d", "</h%d>"}) {
      char a[8], b[8];
      std::snprintf(a, sizeof a, fmt, from);
      std::snprintf(b, sizeof b, fmt, to);
      std::string sa = a, sb = b;
      for (size_t p = 0; (p = html.find(sa, p)) != std::string::npos; p += sb.size()) html.replace(p, sa.size(), sb);
    }
  }
  return html;
}

// --- Template data. ------------------------------------------------------------------------------

struct Ctx {
  const SiteInput& in;
  std::string zone;
  std::unordered_map<std::string, const model::Component*> by_id;
  std::unordered_map<std::string, ComponentUptime> uptime;
  std::unordered_map<std::string, std::vector<std::string>> charts;  // component id -> chart HTML
  // component id -> the incidents and maintenances that affected it, for its uptime days
  std::unordered_map<std::string, std::vector<const model::Incident*>> incidents_of;
  // (time, pattern) -> text in `zone`, see Format.
  mutable std::unordered_map<std::string, std::string> formatted;
};

// A time in the page's zone, formatted once per build: the same days recur in every
// component's uptime bars (90 per component) and the incident lists, and each FormatInZone goes
// through an ostream and a locale (a fifth of a rebuild before this cache).
const std::string& Format(const Ctx& c, TimeMs t, const char* pattern) {
  std::string key = std::to_string(t);
  key += '|';
  key += pattern;
  auto [it, inserted] = c.formatted.try_emplace(std::move(key));
  if (inserted) it->second = FormatInZone(t, c.zone, pattern);
  return it->second;
}

// One rule for every time on the page: the page's zone, always with the date (a snapshot or an
// export is still read on later days, so no time can count on being "today"), and the year when
// it is not the year the page was built in. page.js shows the same in the visitor's zone and
// leaves out the date when it is today there.
const char* TimePattern(const Ctx& c, TimeMs t) {
  return Format(c, t, "%Y") == Format(c, c.in.now, "%Y") ? kShortTime : kLongTime;
}

mu::data Time(const Ctx& c, TimeMs t, const char* pattern) {
  mu::data d;
  d.set("iso", FormatIso8601(t));
  d.set("text", Format(c, t, pattern));
  return d;
}
mu::data Time(const Ctx& c, TimeMs t) { return Time(c, t, TimePattern(c, t)); }

std::string IncidentUrl(const Ctx& c, const model::Incident& i) {
  return c.in.base_path + "incidents/" + i.id + ".html";
}

std::string AffectedNames(const Ctx& c, const model::Incident& i) {
  std::vector<std::string> ids;
  for (const auto& a : i.components) ids.push_back(a.component_id);
  if (ids.empty())
    for (const auto& u : i.updates)
      for (const auto& a : u.affected_components) ids.push_back(a.component_id);
  std::string names;
  std::set<std::string> seen;
  for (const auto& id : ids) {
    auto it = c.by_id.find(id);
    if (it == c.by_id.end() || !seen.insert(id).second) continue;
    if (!names.empty()) names += ", ";
    names += it->second->name;
  }
  return names;
}

mu::data IncidentData(const Ctx& c, const model::Incident& i, bool full_dates) {
  auto at = [&](TimeMs t) { return full_dates ? Time(c, t, kLongTime) : Time(c, t); };
  mu::data d;
  d.set("id", i.id);
  d.set("name", i.name);
  d.set("url", IncidentUrl(c, i));
  d.set("impact_class", std::string(i.is_maintenance() ? "maint" : ImpactClass(i.impact)));
  d.set("impact_label", std::string(ImpactLabel(i)));
  d.set("status_label", std::string(model::Label(i.status)));
  d.set("is_maintenance", i.is_maintenance());
  d.set("closed", model::IsClosed(i.status));
  d.set("started", at(StartOf(i)));
  // Mustache looks names up the context stack, so every optional key is set (false when absent)
  // lest a nested section pick up a parent's value.
  for (const char* key : {"resolved", "window", "affected", "next_update", "postmortem_html", "latest", "in_progress"})
    d.set(key, false);
  if (i.resolved_at) d.set("resolved", at(*i.resolved_at));
  if (i.scheduled_for) {
    mu::data w;
    w.set("from", at(*i.scheduled_for));
    w.set("until", false);
    if (i.scheduled_until) w.set("until", at(*i.scheduled_until));
    d.set("window", w);
  }
  std::string affected = AffectedNames(c, i);
  if (!affected.empty()) d.set("affected", affected);
  mu::data updates{mu::data::type::list};
  for (const auto& u : i.updates) {
    mu::data ud;
    ud.set("status_label", std::string(model::Label(u.status)));
    ud.set("body_html", ShiftHeadings(RenderMarkdown(u.body), 4));
    ud.set("time", at(u.display_at));
    updates.push_back(ud);
  }
  d.set("updates", updates);
  d.set("has_updates", !i.updates.empty());
  if (!i.updates.empty()) {
    mu::data latest;
    latest.set("status_label", std::string(model::Label(i.updates.front().status)));
    latest.set("body_html", ShiftHeadings(RenderMarkdown(i.updates.front().body), 4));
    d.set("latest", latest);
  }
  if (!i.updates.empty() && i.updates.front().next_update_at && !model::IsClosed(i.status))
    d.set("next_update", at(*i.updates.front().next_update_at));
  if (!Trim(i.postmortem_body).empty()) d.set("postmortem_html", ShiftHeadings(RenderMarkdown(i.postmortem_body), 3));
  return d;
}

std::string Count(std::int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Whether incident `i` was going on at some time in [from, to): from its start (or its
// maintenance window) until it was resolved, or until `now` while it is open.
bool During(const model::Incident& i, TimeMs from, TimeMs to, TimeMs now) {
  const TimeMs start = StartOf(i);
  TimeMs end = now;
  if (i.is_maintenance() && i.scheduled_until) end = std::min(now, *i.scheduled_until);
  if (i.resolved_at) end = *i.resolved_at;
  if (start > now) return false;
  return start < to && end >= from;
}

// What a day's bar says after its date. `measured_component`: the component's other days are
// measured by checks, so a day from the status history (before its monitors started) says so.
std::string DayDetail(const UptimeDay& day, bool measured_component) {
  if (day.source == UptimeSource::kChecks) {
    if (!day.has_data) return "No data (no checks)";
    std::string text = FormatUptimePercent(day.uptime) + " uptime, ";
    if (day.failed > 0) {
      text += Count(day.failed) + " of " + Count(day.checks) + (day.checks == 1 ? " check" : " checks") + " failed";
    } else {
      text += Count(day.checks) + (day.checks == 1 ? " check" : " checks") + " passed";
    }
    if (day.slow > 0) text += ", " + Count(day.slow) + " slow";
    return text;
  }
  if (!day.has_data) return "No data";
  std::string text = FormatUptimePercent(day.uptime) + " uptime";
  if (day.worst != ComponentStatus::kOperational) text += ", " + std::string(model::Label(day.worst));
  if (measured_component) text += " (status history)";
  return text;
}

// The days as a list with one item per run of alike days: the same colour and the same text but
// the date, and no incident. Each item is a <details> (reachable by keyboard and touch, and
// opened without script) whose summary is the bar and whose text gives the date or the date
// range and the figures; a day with incidents is an item of its own that links them. A run of
// quiet days is one element, not one per day: 200 components' bars stay far under 500 KB
// instead of 2 MB, so the page stays light to load and lay out. The item's class wN makes it N
// days wide; page.css draws the gaps between the days over the row.
std::string BarsHtml(const Ctx& c, const std::string& label, const ComponentUptime& u,
                     const std::vector<const model::Incident*>* affecting) {
  struct Run {
    size_t first = 0, last = 0;
    std::string_view cls;
    std::string detail;
    std::vector<const model::Incident*> incidents;
  };
  std::vector<Run> runs;
  for (size_t n = 0; n < u.days.size(); ++n) {
    const UptimeDay& day = u.days[n];
    std::string_view cls = day.has_data ? StatusClass(day.worst) : std::string_view("nodata");
    std::string detail = DayDetail(day, u.monitors > 0);
    std::vector<const model::Incident*> incidents;
    if (affecting)
      for (const model::Incident* i : *affecting)
        if (During(*i, day.start, day.end, c.in.now)) incidents.push_back(i);
    if (!runs.empty() && incidents.empty() && runs.back().incidents.empty() && runs.back().cls == cls &&
        runs.back().detail == detail) {
      runs.back().last = n;
      continue;
    }
    runs.push_back({n, n, cls, std::move(detail), std::move(incidents)});
  }
  std::string html;
  html.reserve(128 + runs.size() * 200);
  html += "<div class=\"bars-wrap\"><ol class=\"bars\" aria-label=\"" + HtmlEscape(label) + "\">";
  for (const Run& r : runs) {
    std::string text = Format(c, u.days[r.first].start, "%b %d, %Y");
    if (r.last != r.first) text += " to " + Format(c, u.days[r.last].start, "%b %d, %Y");
    text += ": " + r.detail;
    if (r.incidents.empty()) text += ". No incidents";
    html += "<li class=\"bar bar--";
    html += r.cls;
    if (r.last != r.first) html += " w" + std::to_string(r.last - r.first + 1);
    html += "\"><details class=\"day\"><summary><span class=\"day-text\">" + HtmlEscape(text) + "</span></summary>";
    if (!r.incidents.empty()) {
      html += "<ul class=\"day-incidents\">";
      for (const model::Incident* i : r.incidents)
        html += "<li><a href=\"" + HtmlEscape(IncidentUrl(c, *i)) + "\">" + HtmlEscape(i->name) + "</a></li>";
      html += "</ul>";
    }
    html += "</details></li>";
  }
  html += "</ol></div>";
  return html;
}

mu::data ComponentData(const Ctx& c, const model::Component& comp, ComponentStatus status) {
  mu::data d;
  d.set("id", comp.id);
  d.set("name", comp.name);
  if (!Trim(comp.description).empty()) d.set("description", comp.description);
  d.set("status_class", std::string(StatusClass(status)));
  d.set("status_label", std::string(model::Label(status)));
  if (Trim(comp.description).empty()) d.set("description", false);
  d.set("uptime", false);
  d.set("is_group", false);
  d.set("charts", false);
  if (!comp.is_group) {
    if (auto it = c.charts.find(comp.id); it != c.charts.end() && !it->second.empty()) {
      mu::data list{mu::data::type::list};
      for (const auto& html : it->second) {
        mu::data ch;
        ch.set("html", html);
        list.push_back(ch);
      }
      d.set("charts", list);
    }
  }
  if (comp.showcase && !comp.is_group) {
    auto it = c.uptime.find(comp.id);
    if (it != c.uptime.end()) {
      const ComponentUptime& u = it->second;
      const auto affecting = c.incidents_of.find(comp.id);
      mu::data up;
      up.set("percent", u.uptime ? FormatUptimePercent(*u.uptime) : std::string("No data"));
      up.set("days", std::to_string(u.days.size()));
      // Which source the figures come from, in text (the bar colours mean the same either way).
      const std::string source =
          u.monitors > 0 ? "measured by " + std::to_string(u.monitors) + (u.monitors == 1 ? " monitor" : " monitors")
                         : std::string("from the status history");
      up.set("source", source);
      up.set("bars_html",
             BarsHtml(
                 c, comp.name + ": uptime per day over the past " + std::to_string(u.days.size()) + " days, " + source,
                 u, affecting == c.incidents_of.end() ? nullptr : &affecting->second));
      up.set("measured", u.monitors > 0);
      d.set("uptime", up);
    }
  }
  return d;
}

bool ShowComponent(const model::Component& c) {
  return !(c.only_show_if_degraded && c.status == ComponentStatus::kOperational);
}

mu::data ComponentsData(const Ctx& c) {
  std::set<std::string> group_ids;
  for (const auto& comp : c.in.components)
    if (comp.is_group) group_ids.insert(comp.id);
  mu::data list{mu::data::type::list};
  for (const auto& comp : c.in.components) {
    if (comp.is_group) {
      mu::data members{mu::data::type::list};
      ComponentStatus worst = ComponentStatus::kOperational;
      int n = 0;
      for (const auto& m : c.in.components) {
        if (m.is_group || m.group_id != comp.id || !ShowComponent(m)) continue;
        if (model::Severity(m.status) > model::Severity(worst)) worst = m.status;
        members.push_back(ComponentData(c, m, m.status));
        ++n;
      }
      if (n == 0) continue;
      mu::data g = ComponentData(c, comp, worst);
      g.set("is_group", true);
      g.set("members", members);
      g.set("count", std::to_string(n));
      g.set("open", worst != ComponentStatus::kOperational);
      list.push_back(g);
    } else if (comp.group_id.empty() || !group_ids.count(comp.group_id)) {
      if (ShowComponent(comp)) list.push_back(ComponentData(c, comp, comp.status));
    }
  }
  return list;
}

// What the sign-up form needs besides the components: the channels this server can send on, the
// push key, and for a static export the live page to subscribe on instead.
void SubscribeData(const Ctx& c, mu::data& d) {
  const SiteInput& in = c.in;
  if (in.static_export) {
    d.set("subscribe_url", (in.live_url.empty() ? in.public_url : in.live_url) + in.base_path + "subscribe");
    return;
  }
  d.set("subscribe_url", false);
  // An empty string is "true" to this Mustache library: no key must be false to hide the button.
  if (!in.vapid_public_key.empty()) d.set("vapid_public_key", in.vapid_public_key);
  SetSignupChoices(d, in.signup_channels, nullptr);
}

// Partials shared by the page templates.
void AddPartials(mu::data& d) {
  for (const char* name : {"timeline", "component", "incident_card", "subscribe_form"}) {
    std::string file = std::string("templates/_") + name + ".mustache";
    d.set(name, mu::partial([file] { return std::string(assets::FindWebAsset(file)); }));
  }
}

std::string Render(std::string_view template_name, const mu::data& d) {
  mu::mustache tmpl{std::string(assets::FindWebAsset("templates/" + std::string(template_name) + ".mustache"))};
  if (!tmpl.is_valid()) return "<!-- template " + std::string(template_name) + ": " + tmpl.error_message() + " -->";
  return tmpl.render(d);
}

// When a document's data last changed, for its "Updated" line: the live documents (index,
// history, 404) say the build's time of day; incident pages and months, which keep their bytes
// for years, say the date too.
struct Stamp {
  TimeMs at;
  bool with_date;
};

// Wraps `content` (the <main> of a page) in the shared layout.
std::string Layout(const Ctx& c, const std::string& title, const std::string& content, Stamp stamp) {
  const SiteInput& in = c.in;
  mu::data d;
  d.set("title", title);
  d.set("page_name", in.page.name);
  d.set("base", in.base_path);
  std::string home = SafeUrl(in.page.url);
  if (!home.empty()) d.set("page_url", home);
  std::string logo = SafeUrl(in.page.logo_url);
  if (!logo.empty()) d.set("logo_url", logo);
  d.set("generated_iso", FormatIso8601(stamp.at));
  d.set("content", content);
  d.set("extra_head", std::string());
  d.set("static_export", in.static_export);
  mu::mustache tmpl{std::string(assets::FindWebAsset("templates/layout.mustache"))};
  // In the page's zone like every other time here; page.js shows it in the visitor's.
  d.set("updated", stamp.with_date ? Time(c, stamp.at, kLongTime) : Time(c, stamp.at));
  return tmpl.is_valid() ? tmpl.render(d) : "<!-- layout: " + tmpl.error_message() + " -->";
}

mu::data Common(const Ctx& c) {
  mu::data d;
  d.set("base", c.in.base_path);
  d.set("page_name", c.in.page.name);
  d.set("stale", false);
  if (c.in.stale_since) d.set("stale", Time(c, *c.in.stale_since, kLongTime));
  AddPartials(d);
  return d;
}

std::string RenderIndex(const Ctx& c, const OverallStatus& overall) {
  const SiteInput& in = c.in;
  mu::data d = Common(c);
  d.set("overall_class", std::string(IndicatorClass(overall.indicator)));
  d.set("overall_text", std::string(overall.description));

  mu::data active{mu::data::type::list}, maint{mu::data::type::list};
  bool any_active = false, any_maint = false;
  for (const auto& i : in.incidents) {
    if (model::IncidentOpen(i)) active.push_back(IncidentData(c, i, false)), any_active = true;
  }
  // Maintenance: in progress first, then upcoming soonest first.
  std::vector<const model::Incident*> m;
  for (const auto& i : in.incidents)
    if (model::MaintenanceInProgress(i) || MaintenanceUpcoming(i, in.now)) m.push_back(&i);
  std::stable_sort(m.begin(), m.end(), [](const auto* a, const auto* b) {
    bool aa = model::MaintenanceInProgress(*a), ba = model::MaintenanceInProgress(*b);
    if (aa != ba) return aa;
    return *a->scheduled_for < *b->scheduled_for;
  });
  for (const auto* i : m) {
    mu::data md = IncidentData(c, *i, false);
    md.set("in_progress", model::MaintenanceInProgress(*i));
    maint.push_back(md);
    any_maint = true;
  }
  // The lists render the cards; the flags open each section once, however many cards it holds
  // (a list section would repeat the heading per card).
  if (any_active) {
    d.set("active", active);
    d.set("has_active", true);
  }
  if (any_maint) {
    d.set("maintenance", maint);
    d.set("has_maintenance", true);
  }

  d.set("components", ComponentsData(c));
  SubscribeData(c, d);
  d.set("uptime_days", std::to_string(kUptimeDays));

  // Past incidents: the last 7 days in the page zone, today first, quiet days said so.
  mu::data days{mu::data::type::list};
  TimeMs day_start = StartOfDayInZone(in.now, c.zone);
  for (int n = 0; n < kPastDays; ++n) {
    const std::string& key = Format(c, day_start, "%Y-%m-%d");
    mu::data day;
    day.set("date", Time(c, day_start, "%b %d, %Y"));
    day.set("incidents", false);
    mu::data list{mu::data::type::list};
    bool any = false;
    for (const auto& i : in.incidents) {
      TimeMs s = StartOf(i);
      // A day lasts at most 25 hours: only incidents that may fall in it are formatted.
      if (s > in.now || s < day_start || s >= day_start + 25 * 3600 * 1000LL || Format(c, s, "%Y-%m-%d") != key)
        continue;
      list.push_back(IncidentData(c, i, false));
      any = true;
    }
    if (any) day.set("incidents", list);
    days.push_back(day);
    day_start = StartOfDayInZone(day_start - 1, c.zone);
  }
  d.set("past_days", days);
  return Layout(c, in.page.name + " Status", Render("index", d), {in.now, false});
}

// The last change of an incident a visitor can see (updated_at is bumped by every write of the
// incident, an update's by an edit of its text).
TimeMs IncidentStamp(const model::Incident& i) {
  TimeMs t = std::max({i.updated_at, i.created_at, StartOf(i), i.resolved_at.value_or(0)});
  for (const auto& u : i.updates) t = std::max({t, u.updated_at, u.display_at});
  return t;
}

std::string RenderIncidentPage(const Ctx& c, const model::Incident& i) {
  mu::data d = Common(c);
  d.set("incident", IncidentData(c, i, true));
  // Signing up from an incident page: its components are ticked, so the visitor hears how it
  // goes on (and of later incidents there), and the form opens on them.
  std::set<std::string> affected;
  for (const auto& a : i.components) affected.insert(a.component_id);
  for (const auto& u : i.updates)
    for (const auto& a : u.affected_components) affected.insert(a.component_id);
  d.set("components", SignUpComponents(c.in.components, affected));
  d.set("some_components", !affected.empty());
  d.set("show_subscribe", !model::IsClosed(i.status));
  SubscribeData(c, d);
  return Layout(c, i.name + " - " + c.in.page.name + " Status", Render("incident", d), {IncidentStamp(i), true});
}

// --- Cache keys: every input of a cached document, written out in full. Each value is length-
// prefixed or terminated, so two different inputs never give the same key. ---------------------

void Put(std::string& k, std::string_view v) {
  k += std::to_string(v.size());
  k += ':';
  k += v;
}
void Put(std::string& k, std::int64_t v) {
  k += std::to_string(v);
  k += ';';
}
void Put(std::string& k, const std::optional<TimeMs>& v) {
  if (v) return Put(k, *v);
  k += "-;";
}
void Put(std::string& k, const std::vector<model::AffectedComponent>& v) {
  Put(k, static_cast<std::int64_t>(v.size()));
  for (const auto& a : v) {
    Put(k, a.component_id);
    Put(k, static_cast<std::int64_t>(a.old_status));
    Put(k, static_cast<std::int64_t>(a.new_status));
  }
}

// What every document of the site shows besides its own data (Common and Layout).
std::string SiteKey(const Ctx& c) {
  std::string k;
  for (std::string_view v :
       {std::string_view(c.in.page.id), std::string_view(c.in.page.name), std::string_view(c.in.page.url),
        std::string_view(c.in.page.logo_url), std::string_view(c.in.base_path), std::string_view(c.zone)})
    Put(k, v);
  Put(k, c.in.stale_since);
  Put(k, static_cast<std::int64_t>(c.in.static_export));
  // Times of a year other than the build's carry the year (TimePattern): a new year changes them.
  Put(k, Format(c, c.in.now, "%Y"));
  return k;
}

// What the sign-up form of an incident page shows besides the incident (SignUpComponents and
// SubscribeData): the components, the channels offered, and for an export the live page.
std::string SubscribeKey(const Ctx& c) {
  std::string k;
  Put(k, static_cast<std::int64_t>(c.in.components.size()));
  for (const auto& comp : c.in.components) {
    Put(k, comp.id);
    Put(k, comp.name);
    Put(k, comp.group_id);
    Put(k, static_cast<std::int64_t>(comp.is_group));
  }
  for (std::string_view v :
       {std::string_view(c.in.vapid_public_key), std::string_view(c.in.public_url), std::string_view(c.in.live_url)})
    Put(k, v);
  for (const auto& ch : c.in.signup_channels) {
    for (std::string_view v : {std::string_view(ch.value), std::string_view(ch.label),
                               std::string_view(ch.address_label), std::string_view(ch.input_mode)})
      Put(k, v);
    Put(k, static_cast<std::int64_t>(ch.preselectable) * 2 + static_cast<std::int64_t>(ch.offered));
  }
  Put(k, static_cast<std::int64_t>(c.in.static_export));
  return k;
}

// Everything of an incident that IncidentData and IncidentStamp read, with the names of the
// components it affected (they come from the page's components).
std::string IncidentKey(const Ctx& c, const model::Incident& i) {
  std::string k;
  k.reserve(256 + i.postmortem_body.size());
  Put(k, i.id);
  Put(k, i.name);
  for (auto e : {static_cast<std::int64_t>(i.type), static_cast<std::int64_t>(i.impact),
                 static_cast<std::int64_t>(i.status), i.created_at, i.updated_at, i.started_at})
    Put(k, e);
  for (const auto& t : {i.monitoring_at, i.resolved_at, i.scheduled_for, i.scheduled_until}) Put(k, t);
  Put(k, i.postmortem_body);
  Put(k, i.components);
  Put(k, static_cast<std::int64_t>(i.updates.size()));
  for (const auto& u : i.updates) {
    Put(k, u.id);
    Put(k, static_cast<std::int64_t>(u.status));
    Put(k, u.body);
    Put(k, u.display_at);
    Put(k, u.created_at);
    Put(k, u.updated_at);
    Put(k, u.next_update_at);
    Put(k, u.affected_components);
  }
  Put(k, AffectedNames(c, i));
  return k;
}

struct Month {
  std::string key;    // "2026-01"
  std::string label;  // "January 2026"
  std::vector<const model::Incident*> incidents;
};

std::vector<Month> Months(const Ctx& c) {
  std::map<std::string, Month, std::greater<>> months;
  for (const auto& i : c.in.incidents) {
    TimeMs s = StartOf(i);
    if (s > c.in.now) continue;  // upcoming maintenance is not history yet
    std::string key = FormatInZone(s, c.zone, "%Y-%m");
    Month& m = months[key];
    m.key = key;
    m.label = FormatInZone(s, c.zone, "%B %Y");
    m.incidents.push_back(&i);
  }
  std::vector<Month> out;
  for (auto& [k, m] : months) out.push_back(std::move(m));
  return out;
}

std::string RenderHistory(const Ctx& c, const std::vector<Month>& months) {
  mu::data d = Common(c);
  mu::data list{mu::data::type::list};
  for (const auto& m : months) {
    mu::data md;
    md.set("key", m.key);
    md.set("label", m.label);
    md.set("count", std::to_string(m.incidents.size()) + (m.incidents.size() == 1 ? " incident" : " incidents"));
    list.push_back(md);
  }
  if (!months.empty()) {
    d.set("months", list);
    d.set("has_months", true);  // a list in a section repeats it: one <ul> needs a boolean
  }
  return Layout(c, "Incident history - " + c.in.page.name + " Status", Render("history", d), {c.in.now, false});
}

std::string RenderMonth(const Ctx& c, const std::vector<Month>& months, size_t index) {
  const Month& m = months[index];
  mu::data d = Common(c);
  d.set("label", m.label);
  mu::data list{mu::data::type::list};
  for (const auto* i : m.incidents) list.push_back(IncidentData(c, *i, false));
  d.set("incidents", list);
  // Newest first: "newer" is the previous entry, "older" the next.
  if (index > 0) {
    mu::data n;
    n.set("key", months[index - 1].key);
    n.set("label", months[index - 1].label);
    d.set("newer", n);
  }
  if (index + 1 < months.size()) {
    mu::data o;
    o.set("key", months[index + 1].key);
    o.set("label", months[index + 1].label);
    d.set("older", o);
  }
  TimeMs stamp = 0;
  for (const auto* i : m.incidents) stamp = std::max(stamp, IncidentStamp(*i));
  return Layout(c, m.label + " - " + c.in.page.name + " Status", Render("history_month", d), {stamp, true});
}

}  // namespace

std::string RenderWelcomePage(std::string_view public_url) {
  mu::data d;
  std::string origin(public_url);
  while (!origin.empty() && origin.back() == '/') origin.pop_back();
  d.set("origin", origin);
  return Render("welcome", d);
}

OverallStatus ComputeOverallStatus(const std::vector<model::Component>& components,
                                   const std::vector<model::Incident>& incidents) {
  const Impact indicator = model::OverallIndicator(components, incidents);
  switch (indicator) {
    case Impact::kCritical: return {indicator, "Major system outage"};
    case Impact::kMajor: return {indicator, "Partial system outage"};
    case Impact::kMinor: return {indicator, "Degraded performance"};
    case Impact::kMaintenance: return {indicator, "Maintenance in progress"};
    case Impact::kNone: break;
  }
  return {Impact::kNone, "All systems operational"};
}

std::vector<std::pair<std::string, std::string>> RenderPublicApi(const SiteInput& in) {
  return statuspage::RenderPublicApi(
      {in.page, in.components, in.incidents, in.now,
       in.public_url + (in.base_path == "/" ? "" : in.base_path.substr(0, in.base_path.size() - 1))});
}

static void AddFile(std::vector<SiteFile>& files, std::string path, std::string content_type, std::string body) {
  files.push_back({std::move(path), std::move(content_type), std::move(body), nullptr});
}

std::shared_ptr<const std::string> RenderCache::Find(const std::string& path, const std::string& key) {
  auto it = entries_.find(path);
  if (it == entries_.end() || it->second.key != key) return nullptr;
  it->second.build = build_;
  ++stats_.reused;
  return it->second.body;
}

std::shared_ptr<const std::string> RenderCache::Put(const std::string& path, std::string key, std::string body) {
  Entry& e = entries_[path];
  e.key = std::move(key);
  e.body = std::make_shared<const std::string>(std::move(body));
  e.build = build_;
  ++stats_.rendered;
  return e.body;
}

void RenderCache::BeginBuild() {
  ++build_;
  stats_ = {};
}

void RenderCache::EndBuild() {
  std::erase_if(entries_, [&](const auto& e) { return e.second.build != build_; });
}

std::string RenderIncidentCard(const SiteInput& in, const model::Incident& incident) {
  Ctx c{in, IsValidTimeZone(in.page.time_zone) ? in.page.time_zone : "UTC", {}, {}, {}, {}, {}};
  for (const auto& comp : in.components) c.by_id[comp.id] = &comp;
  // As the front page lists it (RenderIndex): an open incident, or a maintenance in its window.
  mu::data d = IncidentData(c, incident, false);
  d.set("in_progress", model::MaintenanceInProgress(incident));
  AddPartials(d);
  mu::mustache tmpl{std::string(assets::FindWebAsset("templates/_incident_card.mustache"))};
  return tmpl.render(d);
}

std::vector<SiteFile> RenderSite(const SiteInput& raw, RenderCache* cache) {
  const SiteInput in = Clean(raw);
  Ctx c{in, IsValidTimeZone(in.page.time_zone) ? in.page.time_zone : "UTC", {}, {}, {}, {}, {}};
  for (const auto& comp : in.components) c.by_id[comp.id] = &comp;
  for (const auto& i : in.incidents) {
    std::set<std::string> ids;
    for (const auto& a : i.components) ids.insert(a.component_id);
    for (const auto& u : i.updates)
      for (const auto& a : u.affected_components) ids.insert(a.component_id);
    for (const auto& id : ids) c.incidents_of[id].push_back(&i);
  }
  // Monitors of each component: their day rollups measure its uptime; those with show_chart get
  // a response-time chart under it.
  std::unordered_map<std::string, std::vector<const PageMonitor*>> monitors_of;
  for (const auto& m : in.monitors) monitors_of[m.component_id].push_back(&m);
  std::unordered_map<std::string, std::vector<model::MonitorRollup>> days_of, minutes_of;
  {
    std::unordered_map<std::string, std::string> component_of;
    for (const auto& m : in.monitors) component_of[m.id] = m.component_id;
    for (const auto& r : in.day_rollups) days_of[component_of[r.monitor_id]].push_back(r);
    for (const auto& r : in.minute_rollups) minutes_of[r.monitor_id].push_back(r);
  }
  for (const auto& comp : in.components) {
    if (comp.is_group) continue;
    if (comp.showcase) {
      ComponentUptime u = ComputeUptime(comp, in.history, in.now, c.zone);
      if (auto it = days_of.find(comp.id); it != days_of.end()) {
        std::set<std::string> measuring;  // monitors with checks in the window
        for (const auto& r : it->second)
          if (r.checks > 0) measuring.insert(r.monitor_id);
        u = ComputeMeasuredUptime(u, it->second, static_cast<int>(measuring.size()), in.now);
      }
      c.uptime[comp.id] = std::move(u);
    }
    for (const PageMonitor* m : monitors_of[comp.id]) {
      if (!m->show_chart) continue;
      ChartInput chart;
      chart.id = m->id;
      chart.name = m->name;
      chart.component = comp.name;
      chart.interval_ms = m->interval_ms;
      chart.time_zone = c.zone;
      chart.now = in.now;
      if (auto it = minutes_of.find(m->id); it != minutes_of.end()) chart.rollups = std::move(it->second);
      c.charts[comp.id].push_back(RenderResponseTimeChart(chart));
    }
  }

  OverallStatus overall = ComputeOverallStatus(in.components, in.incidents);
  const std::string html = "text/html; charset=utf-8";
  std::vector<SiteFile> files;
  AddFile(files, "index.html", html, RenderIndex(c, overall));

  // Incident pages and months: from the cache when their inputs are unchanged.
  if (cache) cache->BeginBuild();
  const std::string site_key = cache ? SiteKey(c) : std::string();
  const std::string subscribe_key = cache ? SubscribeKey(c) : std::string();
  std::unordered_map<const model::Incident*, std::string> incident_keys;
  auto incident_key = [&](const model::Incident& i) -> const std::string& {
    auto [it, inserted] = incident_keys.try_emplace(&i);
    if (inserted) it->second = IncidentKey(c, i);
    return it->second;
  };
  auto add = [&](std::string path, const std::function<std::string()>& key,
                 const std::function<std::string()>& render) {
    if (!cache) {
      files.push_back({std::move(path), html, render(), nullptr});
      return;
    }
    std::string k = key();
    auto body = cache->Find(path, k);
    if (!body) body = cache->Put(path, std::move(k), render());
    files.push_back({std::move(path), html, std::string(), std::move(body)});
  };
  for (const auto& i : in.incidents)
    add(
        "incidents/" + i.id + ".html",
        [&] { return site_key + (model::IsClosed(i.status) ? std::string() : subscribe_key) + incident_key(i); },
        [&] { return RenderIncidentPage(c, i); });
  std::vector<Month> months = Months(c);
  AddFile(files, "history.html", html, RenderHistory(c, months));
  for (size_t m = 0; m < months.size(); ++m) {
    auto key = [&] {
      std::string k = site_key;
      Put(k, months[m].key);
      Put(k, months[m].label);
      Put(k, m > 0 ? months[m - 1].key + months[m - 1].label : std::string());
      Put(k, m + 1 < months.size() ? months[m + 1].key + months[m + 1].label : std::string());
      for (const auto* i : months[m].incidents) Put(k, incident_key(*i));
      return k;
    };
    add("history/" + months[m].key + ".html", key, [&] { return RenderMonth(c, months, m); });
  }
  if (cache) cache->EndBuild();
  AddFile(files, "history.atom", "application/atom+xml; charset=utf-8", RenderAtom(in));
  AddFile(files, "history.rss", "application/rss+xml; charset=utf-8", RenderRss(in));
  AddFile(files, "calendar.ics", "text/calendar; charset=utf-8", RenderIcs(in));
  AddFile(files, "badge.svg", "image/svg+xml", RenderBadge(overall));
  // Served with status 404 for any path that is not part of the site.
  AddFile(files, "404.html", html,
          Layout(c, "Page not found - " + in.page.name + " Status",
                 "<h1>Page not found</h1>\n<p>There is nothing at this address. The <a href=\"" +
                     HtmlEscape(in.base_path) + "\">current status</a> and the <a href=\"" + HtmlEscape(in.base_path) +
                     "history.html\">incident history</a> are here.</p>\n",
                 {in.now, false}));
  AddFile(files, "assets/page.css", "text/css; charset=utf-8", std::string(assets::FindWebAsset("assets/page.css")));
  // The page's own colours live in a stylesheet of their own (not inline), so the strict
  // Content-Security-Policy (style-src 'self') holds. 4.6 rather than 4.5 keeps rounding from
  // landing a hair under WCAG AA.
  {
    std::string accent = ValidateHexColor(in.page.accent_color).value_or(kDefaultAccent);
    AddFile(files, "assets/theme.css", "text/css; charset=utf-8",
            ":root{--accent:" + EnsureContrast(accent, "#ffffff", 4.6) +
                "}\n@media (prefers-color-scheme:dark){:root{--accent:" + EnsureContrast(accent, "#0f172a", 4.6) +
                "}}\n");
  }
  AddFile(files, "assets/favicon.svg", "image/svg+xml", std::string(assets::FindWebAsset("assets/favicon.svg")));
  AddFile(files, "assets/page.js", "text/javascript; charset=utf-8",
          std::string(assets::FindWebAsset("assets/page.js")));
  AddFile(files, "assets/push.js", "text/javascript; charset=utf-8",
          std::string(assets::FindWebAsset("assets/push.js")));
  return files;
}

}  // namespace herald::page
