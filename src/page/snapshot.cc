#include "page/snapshot.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <map>
#include <set>

#include "core/log.h"
#include "core/text.h"
#include "core/thread_name.h"
#include "core/time.h"
#include "page/charts.h"
#include "assets/web_assets.h"
#include "page/signup_form.h"

namespace herald::page {
namespace {

constexpr TimeMs kDayMs = 24LL * 3600 * 1000;
constexpr int kHistoryDays = 90;

std::string ContentTypeFor(std::string_view path) {
  auto ends = [&](std::string_view s) { return path.ends_with(s); };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".json")) return "application/json; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".atom")) return "application/atom+xml; charset=utf-8";
  if (ends(".rss")) return "application/rss+xml; charset=utf-8";
  if (ends(".ics")) return "text/calendar; charset=utf-8";
  if (ends(".png")) return "image/png";
  if (ends(".ico")) return "image/x-icon";
  return "application/octet-stream";
}

// `previous`: the same path's asset in the last snapshot, if any. An update usually changes a
// few documents (the index, the incident's page, the API); the rest are byte-identical and take
// their gzip form and ETag from it instead of being compressed and hashed again.
Asset MakeAsset(std::string content_type, std::shared_ptr<const std::string> body, std::string cache_control,
                const Asset* previous) {
  Asset a;
  a.content_type = std::move(content_type);
  a.cache_control = std::move(cache_control);
  // A document from the render cache is the previous snapshot's very string when unchanged.
  if (previous && previous->body && previous->content_type == a.content_type &&
      (previous->body == body || *previous->body == *body)) {
    a.body = previous->body;
    a.gzip = previous->gzip;
    a.etag = previous->etag;
    a.body_file = previous->body_file;
    a.gzip_file = previous->gzip_file;
    return a;
  }
  a.etag = "\"" + Sha256Hex(*body).substr(0, 20) + "\"";
  if (body->size() > 256) {
    std::string z = Gzip(*body);
    if (z.size() < body->size()) a.gzip = std::make_shared<const std::string>(std::move(z));
  }
  a.body = std::move(body);
  return a;
}

// At most this many charted monitors are loaded one by one when they are few among many; beyond
// it, one query for the whole page is cheaper than several.
constexpr size_t kPerMonitorChartQueries = 4;

// Loads the page's monitors and their rollups into `in`. Monitoring data is an extra: when the
// store cannot give it, the page is built without it (charts left out, uptime from the status
// history) rather than not at all, and the failure is logged.
void LoadMonitoring(store::Store& store, const model::Page& page, TimeMs now, const std::set<std::string>& hidden,
                    SiteInput& in) {
  auto warn = [&](const char* what, const Error& e) {
    log::Warn("status page built without monitor data", {{"page", page.slug}, {"call", what}, {"error", e.message}});
  };
  auto monitors = store.ListMonitors(page.id);
  if (!monitors) return warn("ListMonitors", monitors.error());
  std::vector<std::string> charted;
  for (const auto& m : *monitors) {
    if (m.component_id.empty() || hidden.count(m.component_id)) continue;
    PageMonitor pm;
    pm.id = m.id;
    pm.component_id = m.component_id;
    pm.name = m.name;
    // A paused monitor's past still counts for uptime, but a chart that can only go blank is not shown.
    pm.show_chart = m.show_chart && m.enabled;
    pm.interval_ms = m.interval_ms;
    if (pm.show_chart) charted.push_back(pm.id);
    in.monitors.push_back(std::move(pm));
  }
  if (in.monitors.empty()) return;
  std::set<std::string> kept;
  for (const auto& m : in.monitors) kept.insert(m.id);

  // Day rollups are UTC days: start one day early so the oldest page-zone day is covered.
  const TimeMs day_since = (now / kDayMs - kHistoryDays - 1) * kDayMs;
  auto days = store.ListMonitorRollups(page.id, "", 'd', day_since);
  if (!days) {
    warn("ListMonitorRollups(d)", days.error());
  } else {
    for (auto& r : *days)
      if (kept.count(r.monitor_id)) in.day_rollups.push_back(std::move(r));
  }
  if (charted.empty()) return;
  const TimeMs minute_since = now - kChartWindowMs;
  std::vector<model::MonitorRollup> minutes;
  bool ok = true;
  if (charted.size() <= kPerMonitorChartQueries && charted.size() * 4 < monitors->size()) {
    // A few charts among many monitors: their own rows, not a day of every monitor's minutes.
    for (const auto& id : charted) {
      auto r = store.ListMonitorRollups(page.id, id, 'm', minute_since);
      if (!r) {
        warn("ListMonitorRollups(m)", r.error());
        ok = false;
        break;
      }
      std::move(r->begin(), r->end(), std::back_inserter(minutes));
    }
  } else {
    auto r = store.ListMonitorRollups(page.id, "", 'm', minute_since);
    if (!r) {
      warn("ListMonitorRollups(m)", r.error());
      ok = false;
    } else {
      minutes = std::move(*r);
    }
  }
  if (!ok) {
    // Without its data a chart would claim nothing was measured: leave the charts out.
    for (auto& m : in.monitors) m.show_chart = false;
    return;
  }
  std::set<std::string> chart_ids(charted.begin(), charted.end());
  for (auto& r : minutes)
    if (chart_ids.count(r.monitor_id)) in.minute_rollups.push_back(std::move(r));
}

// Gives every body of `snap` (identity and gzip) a place in a sealed memfd, so that the server can
// send them with sendfile(2). Files unchanged since the previous snapshot keep their place in its
// memfd; the others are written into one new memfd, sealed against writes, growing and
// shrinking: what a response is sending can never change under it. A rebuild thus writes what
// changed, not the whole site. Old memfds live as long as a file still points into them; when
// those hold more than twice the live bytes (old versions of changed files), everything is
// written into a fresh one. On any failure the new files keep no region and are served from
// their strings as before.
void StoreInMemfd(Snapshot& snap) {
  auto needs_write = [](const Asset& a) { return (a.body && !a.body_file) || (a.gzip && !a.gzip_file); };
  std::uint64_t live = 0, missing = 0;
  std::set<const http::SharedFd*> kept_files;
  std::uint64_t kept_bytes = 0;
  for (const auto& [path, a] : snap.files) {
    const std::uint64_t bytes = (a.body ? a.body->size() : 0) + (a.gzip ? a.gzip->size() : 0);
    live += bytes;
    if (needs_write(a)) {
      missing += bytes;
      continue;
    }
    for (const auto* region : {&a.body_file, &a.gzip_file}) {
      if (!*region || !kept_files.insert(region->file.get()).second) continue;
      struct stat st {};
      if (::fstat(region->file->get(), &st) == 0) kept_bytes += static_cast<std::uint64_t>(st.st_size);
    }
  }
  const bool compact = kept_bytes + missing > 2 * live + (1u << 20);
  for (auto& [path, a] : snap.files) {
    if (compact || needs_write(a)) {
      a.body_file = {};
      a.gzip_file = {};
    }
  }
  if (!compact && missing == 0) return;
  int fd = ::memfd_create("herald-snapshot", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) {
    static std::atomic<bool> warned{false};
    if (!warned.exchange(true))
      log::Warn("snapshot bodies served from memory: memfd_create failed", {{"errno", std::to_string(errno)}});
    return;
  }
  auto file = std::make_shared<const http::SharedFd>(fd);
  const std::uint64_t size = compact ? live : missing;
  if (size > 0 && ::ftruncate(fd, static_cast<off_t>(size)) != 0) return;
  std::uint64_t offset = 0;
  auto put = [&](const std::string& bytes) -> std::optional<http::FileRegion> {
    http::FileRegion region{file, offset, bytes.size()};
    std::size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return std::nullopt;
      done += static_cast<std::size_t>(n);
    }
    offset += bytes.size();
    return region;
  };
  std::vector<std::pair<Asset*, std::pair<http::FileRegion, http::FileRegion>>> regions;
  for (auto& [path, a] : snap.files) {
    if (!needs_write(a)) continue;
    std::pair<http::FileRegion, http::FileRegion> r;
    if (a.body) {
      auto b = put(*a.body);
      if (!b) return;
      r.first = *b;
    }
    if (a.gzip) {
      auto z = put(*a.gzip);
      if (!z) return;
      r.second = *z;
    }
    regions.emplace_back(&a, std::move(r));
  }
  if (::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) return;
  // Only a complete, sealed file is handed out.
  for (auto& [a, r] : regions) {
    a->body_file = std::move(r.first);
    a->gzip_file = std::move(r.second);
  }
}

}  // namespace

std::string Gzip(std::string_view data) {
  z_stream zs{};
  if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&zs, data.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return rc == Z_STREAM_END ? out : std::string();
}

const Asset* Snapshot::Find(std::string_view host, std::string_view path) const {
  // Called for every request: the key is built in a per-thread buffer that keeps its capacity,
  // so a lookup allocates nothing.
  thread_local std::string full;
  full.clear();
  if (auto colon = host.rfind(':'); colon != std::string_view::npos && host.find(']') == std::string_view::npos)
    host = host.substr(0, colon);
  auto h = hosts.empty() ? hosts.end() : hosts.find(std::string(host));
  if (h != hosts.end() && !path.starts_with("/pages/")) {
    full += h->second;
    full += path.substr(1);
  } else {
    full += path;
  }
  if (full.empty() || full.back() == '/') full += "index.html";
  if (auto it = files.find(full); it != files.end()) return &it->second;
  const std::size_t size = full.size();
  full += ".html";
  if (auto it = files.find(full); it != files.end()) return &it->second;
  full.resize(size);
  full += "/index.html";
  if (auto it = files.find(full); it != files.end()) return &it->second;
  return nullptr;
}

const PageEntry* Snapshot::PageFor(std::string_view host, std::string_view path) const {
  if (auto colon = host.rfind(':'); colon != std::string_view::npos && host.find(']') == std::string_view::npos)
    host = host.substr(0, colon);
  std::string base = "/";
  if (auto h = hosts.find(std::string(host)); h != hosts.end() && !path.starts_with("/pages/")) {
    base = h->second;
  } else if (path.starts_with("/pages/")) {
    size_t end = path.find('/', 7);
    base = std::string(path.substr(0, end == std::string_view::npos ? path.size() : end + 1));
    if (base.back() != '/') base += '/';
  }
  for (const auto& p : pages)
    if (p.base_path == base) return &p;
  return nullptr;
}

std::shared_ptr<Snapshot> AssembleSnapshot(const std::vector<SiteInput>& sites, TimeMs now,
                                           std::optional<TimeMs> stale_since, const Snapshot* previous,
                                           std::unordered_map<std::string, RenderCache>* caches) {
  auto previous_asset = [&](const std::string& path) -> const Asset* {
    if (!previous) return nullptr;
    auto it = previous->files.find(path);
    return it == previous->files.end() ? nullptr : &it->second;
  };
  auto snap = std::make_shared<Snapshot>();
  snap->generated_at = now;
  snap->last_modified = FormatHttpDate(now);
  snap->stale_since = stale_since;
  const std::string dynamic = "public, max-age=5, stale-while-revalidate=30";
  for (const SiteInput& given : sites) {
    // A copy only when the time or staleness differ (the publisher sets them): a large page's
    // input is thousands of incidents.
    std::optional<SiteInput> copy;
    if (given.now != now || given.stale_since != stale_since) {
      copy = given;
      copy->now = now;
      copy->stale_since = stale_since;
    }
    const SiteInput& site = copy ? *copy : given;
    snap->pages.push_back({site.page.id, site.page.slug, site.base_path});
    if (!site.page.hostname.empty()) snap->hosts[site.page.hostname] = site.base_path;
    RenderCache* cache = caches ? &(*caches)[site.page.id] : nullptr;
    for (auto& f : RenderSite(site, cache)) {
      std::string cc = f.path.starts_with("assets/") ? "public, max-age=300" : dynamic;
      std::string full = site.base_path + f.path;
      auto body = f.shared_body ? std::move(f.shared_body) : std::make_shared<const std::string>(std::move(f.body));
      Asset a = MakeAsset(std::move(f.content_type), std::move(body), cc, previous_asset(full));
      snap->files[std::move(full)] = std::move(a);
    }
    for (auto& [path, body] : RenderPublicApi(site)) {
      std::string full = site.base_path + path;
      Asset a = MakeAsset(ContentTypeFor(path), std::make_shared<const std::string>(std::move(body)), dynamic,
                          previous_asset(full));
      a.cors = true;
      snap->files[std::move(full)] = std::move(a);
    }
  }
  for (auto& [path, a] : snap->files) {
    auto h = std::make_shared<std::vector<std::pair<std::string, std::string>>>();
    h->emplace_back("Content-Type", a.content_type);
    h->emplace_back("ETag", a.etag);
    h->emplace_back("Last-Modified", snap->last_modified);
    h->emplace_back("Cache-Control", a.cache_control);
    h->emplace_back("Vary", "Accept-Encoding");
    h->emplace_back("X-Content-Type-Options", "nosniff");
    if (a.content_type.starts_with("text/html"))
      h->emplace_back("Content-Security-Policy",
                      "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; "
                      "frame-ancestors 'none'");
    if (a.cors) h->emplace_back("Access-Control-Allow-Origin", "*");
    if (stale_since) h->emplace_back("X-Herald-Stale-Since", FormatIso8601(*stale_since));
    if (a.gzip) {
      auto g = std::make_shared<std::vector<std::pair<std::string, std::string>>>(*h);
      g->emplace_back("Content-Encoding", "gzip");
      a.gzip_headers = std::move(g);
    }
    a.headers = std::move(h);
  }
  StoreInMemfd(*snap);
  return snap;
}

Result<SiteInput> LoadSite(store::Store& store, const model::Page& page, TimeMs now, const std::string& public_url,
                           const std::vector<model::Incident>* incidents,
                           const std::vector<SignupChannel>& signup_channels) {
  SiteInput in;
  in.page = page;
  in.now = now;
  in.public_url = public_url;
  in.base_path = page.is_default ? "/" : "/pages/" + page.slug + "/";
  // The web push button needs the server's VAPID public key ("private.public" in settings,
  // written when notifications first start; absent: no button).
  if (auto vapid = store.GetSetting("webpush.vapid"); vapid.ok() && *vapid) {
    if (auto dot = (*vapid)->find('.'); dot != std::string::npos) in.vapid_public_key = (*vapid)->substr(dot + 1);
  }
  std::optional<std::string> configured;
  if (auto channels = store.GetSetting("notify.channels"); channels.ok() && *channels) configured = **channels;
  in.signup_channels = MarkOffered(signup_channels, configured);
  auto comps = store.ListComponents(page.id);
  if (!comps) return comps.error();
  std::set<std::string> hidden;
  for (auto& c : *comps) {
    if (c.hidden) {
      hidden.insert(c.id);
      continue;
    }
    in.components.push_back(std::move(c));
  }
  Result<std::vector<model::Incident>> incs = std::vector<model::Incident>();
  if (incidents) {
    *incs = *incidents;
  } else {
    store::IncidentFilter f;
    f.include_internal_updates = false;
    f.limit = kSiteIncidentLimit;
    incs = store.ListIncidents(page.id, f);
    if (!incs) return incs.error();
  }
  for (auto& inc : *incs) {
    std::erase_if(inc.components, [&](const auto& a) { return hidden.count(a.component_id) > 0; });
    std::erase_if(inc.updates, [](const auto& u) { return u.internal; });
    for (auto& u : inc.updates)
      std::erase_if(u.affected_components, [&](const auto& a) { return hidden.count(a.component_id) > 0; });
    in.incidents.push_back(std::move(inc));
  }
  auto hist = store.StatusHistory(page.id, now - (kHistoryDays + 1) * kDayMs);
  if (!hist) return hist.error();
  for (auto& h : *hist)
    if (!hidden.count(h.component_id)) in.history.push_back(std::move(h));
  LoadMonitoring(store, page, now, hidden, in);
  return in;
}

SnapshotPublisher::SnapshotPublisher(store::Store& store, const Clock& clock, Options options,
                                     std::function<void(const Snapshot&)> on_publish)
    : store_(store), clock_(clock), options_(std::move(options)), on_publish_(std::move(on_publish)) {}

SnapshotPublisher::~SnapshotPublisher() { Stop(); }

Status SnapshotPublisher::RebuildNow() { return Rebuild(false); }

Status SnapshotPublisher::Rebuild(bool quiet) {
  std::lock_guard lock(build_mu_);
  auto started = std::chrono::steady_clock::now();
  const TimeMs now = clock_.Now();
  Status result;
  auto last_id = store_.LastOutboxId();
  auto pages = last_id ? store_.ListPages() : Result<std::vector<model::Page>>(last_id.error());
  std::vector<SiteInput> sites;
  if (pages) {
    // Like the CLI and the sign-up pages: with no default page, the first one is served at "/".
    if (!pages->empty() && std::none_of(pages->begin(), pages->end(), [](const auto& p) { return p.is_default; }))
      pages->front().is_default = true;
    if (auto st = RefreshIncidents(*pages, *last_id, now); !st.ok()) pages = st.error();
  }
  if (pages) {
    for (const auto& p : *pages) {
      if (p.is_private) continue;
      auto site = LoadSite(store_, p, now, options_.public_url, &incidents_[p.id], options_.signup_channels);
      if (!site) {
        pages = site.error();
        break;
      }
      sites.push_back(std::move(*site));
    }
  }
  if (pages) {
    // A change that landed since the loop last looked is announced even by a quiet refresh.
    if (quiet && *last_id != last_outbox_id_) quiet = false;
    has_monitor_data_ = std::any_of(sites.begin(), sites.end(), [](const SiteInput& s) { return !s.monitors.empty(); });
    last_sites_ = std::move(sites);
    // Pages deleted or made private take their rendered documents with them.
    std::erase_if(render_caches_, [&](const auto& entry) {
      return std::none_of(last_sites_.begin(), last_sites_.end(),
                          [&](const SiteInput& s) { return s.page.id == entry.first; });
    });
    stale_since_.reset();
    last_outbox_id_ = *last_id;
    healthy_ = true;
  } else {
    if (pages.error().code != ErrorCode::kUnavailable) return pages.error();
    // Keep answering with the last good data and say since when it may be out of date.
    if (!stale_since_) stale_since_ = current_.load() ? current_.load()->generated_at : now;
    healthy_ = false;
    quiet = false;  // the stale notice is news
    result = pages.error();
  }
  for (auto& site : last_sites_) {
    site.now = now;
    site.stale_since = stale_since_;
  }
  auto snap = AssembleSnapshot(last_sites_, now, stale_since_, current_.load().get(), &render_caches_);
  current_.store(snap);
  last_built_at_ = now;
  last_build_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (on_publish_ && !quiet) on_publish_(*snap);
  return result;
}

namespace {

// Store::ListIncidents's order: newest (by scheduled_for, else started_at) first.
bool NewerFirst(const model::Incident& a, const model::Incident& b) {
  const TimeMs sa = a.scheduled_for.value_or(a.started_at), sb = b.scheduled_for.value_or(b.started_at);
  if (sa != sb) return sa > sb;
  if (a.created_at != b.created_at) return a.created_at > b.created_at;
  return a.id > b.id;
}

// Outbox events read again behind the last one seen: on PostgreSQL a transaction that took an
// id earlier may commit after a later one was already read.
constexpr std::int64_t kOutboxLookback = 64;
constexpr int kOutboxBatch = 1000;
// Every so often everything is loaded again anyway (writes that leave no outbox event).
constexpr TimeMs kFullLoadEveryMs = 5 * 60 * 1000;

}  // namespace

// Brings incidents_ up to date. Incidents named by outbox events since the last call are read
// again one by one; a page gets all its incidents loaded again when an event may have changed
// incidents without naming them (a component deleted, a page changed, an unknown kind), when an
// incident left a full list (the next older one must come in), on the first build and every
// kFullLoadEveryMs.
Status SnapshotPublisher::RefreshIncidents(const std::vector<model::Page>& pages, std::int64_t last_id, TimeMs now) {
  const std::int64_t seen = incidents_outbox_id_;
  incidents_outbox_id_ = -1;  // until this succeeds: a failure leaves incidents_ half done
  bool all = seen < 0 || now - incidents_loaded_at_ >= kFullLoadEveryMs || now < incidents_loaded_at_;
  std::map<std::string, std::set<std::string>> changed;  // page id -> incident ids
  std::set<std::string> reload;                          // page ids
  if (!all && last_id != seen) {
    auto events = store_.ReadOutbox(std::max<std::int64_t>(0, seen - kOutboxLookback), kOutboxBatch);
    if (!events) return events.error();
    if (events->size() >= static_cast<size_t>(kOutboxBatch)) all = true;
    for (const auto& e : *events) {
      if (e.kind.starts_with("incident.") || e.kind.starts_with("incident_update.")) {
        changed[e.page_id].insert(e.subject_id);
      } else if (e.kind != "component.created" && e.kind != "component.updated") {
        reload.insert(e.page_id);
      }
    }
  }
  std::unordered_map<std::string, std::vector<model::Incident>> next;
  for (const auto& p : pages) {
    if (p.is_private) continue;
    auto it = incidents_.find(p.id);
    bool full = all || it == incidents_.end() || reload.count(p.id);
    std::vector<model::Incident> list;
    if (!full) {
      list = std::move(it->second);
      const bool was_full_list = list.size() >= static_cast<size_t>(kSiteIncidentLimit);
      for (const auto& id : changed[p.id]) {
        std::erase_if(list, [&](const model::Incident& i) { return i.id == id; });
        auto inc = store_.GetIncident(p.id, id);
        if (!inc) {
          if (inc.error().code != ErrorCode::kNotFound) return inc.error();
          full = full || was_full_list;
          continue;
        }
        std::erase_if(inc->updates, [](const model::IncidentUpdate& u) { return u.internal; });
        list.push_back(std::move(*inc));
      }
      std::stable_sort(list.begin(), list.end(), NewerFirst);
      if (list.size() > static_cast<size_t>(kSiteIncidentLimit)) list.resize(kSiteIncidentLimit);
      // A changed incident that sorts last in a full list may belong behind one never loaded.
      if (was_full_list && !changed[p.id].empty() && !list.empty() && changed[p.id].count(list.back().id)) full = true;
    }
    if (full) {
      store::IncidentFilter f;
      f.include_internal_updates = false;
      f.limit = kSiteIncidentLimit;
      auto incs = store_.ListIncidents(p.id, f);
      if (!incs) return incs.error();
      list = std::move(*incs);
    }
    next[p.id] = std::move(list);
  }
  incidents_ = std::move(next);
  incidents_outbox_id_ = last_id;
  if (all) incidents_loaded_at_ = now;
  return {};
}

void SnapshotPublisher::RequestRebuild() {
  {
    std::lock_guard lock(mu_);
    requested_ = true;
  }
  cv_.notify_one();
}

void SnapshotPublisher::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    SetThreadName("herald-snapshot");
    Loop();
  });
}

void SnapshotPublisher::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SnapshotPublisher::Loop() {
  // Rebuilding is background work: on a busy machine the io threads answering visitors come
  // first (Linux applies nice values per thread).
  setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms), [&] { return requested_ || stopping_; });
    if (stopping_) break;
    bool rebuild = requested_;
    requested_ = false;
    lock.unlock();
    if (!rebuild) {
      // Changes by other processes show up as new outbox events; a failing database shows up
      // here too, and its recovery.
      auto id = store_.LastOutboxId();
      rebuild = !id ? healthy_.load() : (*id != last_outbox_id_ || !healthy_.load());
    }
    bool quiet = false;
    if (!rebuild && healthy_.load()) {
      std::lock_guard build(build_mu_);
      quiet = rebuild = has_monitor_data_ && clock_.Now() - last_built_at_ >= options_.monitor_refresh_ms;
    }
    if (rebuild) (void)Rebuild(quiet);
    polls_.fetch_add(1);
    lock.lock();
  }
}

}  // namespace herald::page
