// The public status site of one page, rendered from an in-memory snapshot of its data: the HTML
// pages (index, one permanent page per incident, history by month), the feeds (Atom, RSS,
// iCalendar), the badge and the static assets. The snapshot builder calls RenderSite once per
// change and serves the bytes until the next change, so reads never touch the database.
//
// Everything here is a pure function of its input: no I/O, no clock, no globals. Thread-safe.
// Trust boundary: every text staff wrote is escaped for its context (HTML, XML, iCalendar) and
// Markdown goes through the safe renderer; hidden components and internal updates are dropped
// here again even though callers are expected to have filtered them already.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "model/model.h"
#include "model/monitor.h"

namespace herald::page {

// A monitor as the public page may know it: its name and what it measures for, never its
// target, headers or settings (the snapshot is the trust boundary).
struct PageMonitor {
  std::string id;
  std::string component_id;
  std::string name;
  bool show_chart = false;
  std::int64_t interval_ms = 60'000;
};

// One choice of the sign-up form, in the order of notify's channel registry, which supplies them
// (notify::SignupChannels; page sits below notify). signup_form.h renders them.
struct SignupChannel {
  std::string value;           // the wire name: "slack"
  std::string label;           // "Microsoft Teams"
  std::string address_label;   // what the address is called: "webhook URL"
  std::string input_mode;      // the address input's inputmode when this choice is preselected
  bool preselectable = false;  // may be checked when the visitor chose nothing
  bool offered = true;         // this server can send on it (configured)

  bool operator==(const SignupChannel&) const = default;
};

struct SiteInput {
  model::Page page;
  std::vector<model::Component> components;  // what the public may see (hidden ones are skipped again)
  std::vector<model::Incident> incidents;    // incidents and maintenances, updates newest first
  std::vector<model::StatusChange> history;  // last change before the window + all changes since
  TimeMs now = 0;                            // when the snapshot is built
  std::string base_path = "/";               // "/" for the default page, "/pages/{slug}/" for others
  std::string public_url;                    // absolute origin, "http://127.0.0.1:8080", for feeds
  std::optional<TimeMs> stale_since;         // set when the database is unreachable
  // The sign-up form's channel choices; those this server cannot send on (not configured) are
  // not offered.
  std::vector<SignupChannel> signup_channels;
  std::string vapid_public_key;  // web push key (base64url); empty hides the push button
  // `herald export`: a static copy has no sign-up endpoint and no event stream, so its pages link
  // to the live page at `live_url` (the server's public URL) for subscribing and do not try live
  // updates.
  bool static_export = false;
  std::string live_url;
  // Monitoring (empty when the page has no monitors or they could not be loaded). Monitors of
  // components the public cannot see are dropped again here, with their rollups.
  std::vector<PageMonitor> monitors;
  std::vector<model::MonitorRollup> minute_rollups;  // the last 24 h of monitors with show_chart
  std::vector<model::MonitorRollup> day_rollups;     // the last 90 days of monitors with a component
};

struct SiteFile {
  std::string path;  // relative to base_path: "index.html", "incidents/abc.html", "badge.svg", ...
  std::string content_type;
  std::string body;
  // Set instead of `body` for a document kept in a RenderCache: the same bytes, shared with the
  // cache (and, unchanged, with the previous snapshot) instead of copied.
  std::shared_ptr<const std::string> shared_body;
  const std::string& Body() const { return shared_body ? *shared_body : body; }
};

// Documents rendered by earlier builds of one page, so that a rebuild renders only what changed:
// after an incident update that is the index, that incident's page and its month, not the other
// thousands of incident pages and months. Each cached document keeps the key of its inputs (every
// value it is rendered from, written out in full) and is reused only when a new build's key is
// equal, so a build with the cache produces exactly the bytes of a build without it. Documents a
// build no longer produces are dropped at its end. Not thread-safe: one build at a time.
class RenderCache {
 public:
  struct Stats {
    int reused = 0;    // documents of the last build taken from the cache
    int rendered = 0;  // documents of the last build rendered (and cached)
  };
  const Stats& last_build() const { return stats_; }
  size_t size() const { return entries_.size(); }

  // Used by RenderSite: the cached body of `path` when its key equals `key`, else null.
  std::shared_ptr<const std::string> Find(const std::string& path, const std::string& key);
  std::shared_ptr<const std::string> Put(const std::string& path, std::string key, std::string body);
  void BeginBuild();
  void EndBuild();  // drops the documents the build did not produce

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const std::string> body;
    std::uint64_t build = 0;
  };
  std::unordered_map<std::string, Entry> entries_;  // by path
  std::uint64_t build_ = 0;
  Stats stats_;
};

// Every public file of the page. Paths: index.html, incidents/{id}.html, history.html,
// history/{YYYY-MM}.html, history.atom, history.rss, calendar.ics, badge.svg, assets/page.css,
// assets/page.js. With `cache`, incident pages and history months whose inputs did not change
// since the cache's last build are taken from it (same bytes).
//
// Every HTML document says when it was last updated (the layout's footer and herald-generated
// meta): the index, history.html and 404.html at `in.now`, an incident page when the incident or
// one of its updates last changed, a month when the latest of its incidents did. So a document
// whose data did not change keeps its bytes from one build to the next.
std::vector<SiteFile> RenderSite(const SiteInput& in, RenderCache* cache = nullptr);

// The card the front page shows for an open incident or a maintenance (templates/_incident_card),
// alone, with `in`'s page, components and base path: the console's composer previews it.
std::string RenderIncidentCard(const SiteInput& in, const model::Incident& incident);

// The page's /api/v2 documents (statuspage::RenderPublicApi over its data), as (path relative to
// base_path, body): "api/v2/summary.json", ...
std::vector<std::pair<std::string, std::string>> RenderPublicApi(const SiteInput& in);

// The page's overall status as the page words it: model::OverallIndicator (the one rule) and the
// banner's text for it.
struct OverallStatus {
  model::Impact indicator = model::Impact::kNone;
  std::string_view description;  // "All systems operational", "Partial system outage", ...
};
OverallStatus ComputeOverallStatus(const std::vector<model::Component>& components,
                                   const std::vector<model::Incident>& incidents);

// The Content-Security-Policy of every public HTML page: nothing inline, nothing from elsewhere.
inline constexpr std::string_view kPageContentSecurityPolicy =
    "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'";

// What a server with no public page shows at "/": that Herald runs and how to create a page.
std::string RenderWelcomePage(std::string_view public_url);

}  // namespace herald::page
