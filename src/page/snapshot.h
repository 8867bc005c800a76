// Snapshot: the whole public surface of every public page (HTML, JSON, feeds, badge, assets),
// rendered once per change and never modified afterwards, so that serving a request is a hash
// lookup with no database access and no locking. Each file is stored with its gzip form
// (compressed once here, not per request) and its ETag. All bodies of a snapshot (identity and
// gzip) are also written once into one sealed memfd, from which the HTTP server sends them with
// sendfile(2); the strings stay for export, tests and servers without memfd.
//
// SnapshotPublisher builds snapshots from the store and swaps them in with one atomic pointer
// store. When the database is unreachable it keeps serving the last good data and rebuilds it
// with a notice saying since when the data may be out of date; it recovers by itself.
//
// Thread safety: Snapshot is immutable. SnapshotPublisher::Current is lock-free for readers
// and callable from any thread; RebuildNow/RequestRebuild from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "core/clock.h"
#include "core/result.h"
#include "http/message.h"
#include "page/render.h"
#include "store/store.h"

namespace herald::page {

struct Asset {
  std::string content_type;
  std::shared_ptr<const std::string> body;
  std::shared_ptr<const std::string> gzip;  // null when compression does not pay
  std::string etag;                         // strong, quoted
  std::string cache_control;
  bool cors = false;  // public API: readable from any origin
  // Every response header of this file, built once with the snapshot (served without copying).
  std::shared_ptr<const std::vector<std::pair<std::string, std::string>>> headers;
  // `headers` plus "Content-Encoding: gzip", for serving `gzip` (set when `gzip` is).
  std::shared_ptr<const std::vector<std::pair<std::string, std::string>>> gzip_headers;
  // `body` and `gzip` in the snapshot's memfd (shared by all its assets); empty when the
  // memfd could not be made, and then the strings are served.
  http::FileRegion body_file;
  http::FileRegion gzip_file;
};

struct PageEntry {
  std::string page_id;
  std::string slug;
  std::string base_path;  // "/" or "/pages/{slug}/"
};

struct Snapshot {
  TimeMs generated_at = 0;
  std::string last_modified;                           // HTTP date of generated_at
  std::optional<TimeMs> stale_since;                   // database unreachable since then
  std::unordered_map<std::string, Asset> files;        // absolute path -> asset
  std::unordered_map<std::string, std::string> hosts;  // host name -> base path of its page
  std::vector<PageEntry> pages;

  // Finds the asset for a request path on a host: "/" and "/x/" mean their index.html, and
  // "/incidents/abc" finds "incidents/abc.html". A page with its own host name serves its
  // files at the root of that host.
  const Asset* Find(std::string_view host, std::string_view path) const;
  // The page whose base path is a prefix of `path` (for SSE topics), or null.
  const PageEntry* PageFor(std::string_view host, std::string_view path) const;
};

// Builds a snapshot from rendered inputs (no I/O): used by the publisher and by `herald export`.
// With `previous`, every file whose bytes did not change keeps the previous snapshot's body,
// gzip form, ETag and place in the memfd (comparing bytes is far cheaper than compressing and
// hashing them again). With `caches` (one RenderCache per page id, kept by the caller from one
// build to the next), documents whose inputs did not change are not even rendered again.
std::shared_ptr<Snapshot> AssembleSnapshot(const std::vector<SiteInput>& sites, TimeMs now,
                                           std::optional<TimeMs> stale_since, const Snapshot* previous = nullptr,
                                           std::unordered_map<std::string, RenderCache>* caches = nullptr);
// How many incidents of a page (newest first) the public site shows: history reaches back this far.
inline constexpr int kSiteIncidentLimit = 2000;
// Loads one page's public data from the store (hidden components and internal updates removed).
// `incidents`: the page's incidents as the publisher keeps them (the newest kSiteIncidentLimit,
// without internal updates, in Store::ListIncidents's order); null loads them from the store.
// `signup_channels` is the sign-up form's catalogue (notify::SignupChannels); the "notify.channels"
// setting says which of them are offered.
Result<SiteInput> LoadSite(store::Store& store, const model::Page& page, TimeMs now, const std::string& public_url,
                           const std::vector<model::Incident>* incidents = nullptr,
                           const std::vector<SignupChannel>& signup_channels = {});
// gzip (RFC 1952) of `data`.
std::string Gzip(std::string_view data);

class SnapshotPublisher {
 public:
  struct Options {
    std::string public_url = "http://127.0.0.1:8080";
    int poll_ms = 1000;  // how often to look for changes made by other processes and DB health
    // Monitor results arrive without any outbox event: while a page shows monitor data (charts,
    // measured uptime) the snapshot is rebuilt this often anyway. Such a refresh publishes
    // quietly (no on_publish), so a new chart point does not make every open page reload.
    int monitor_refresh_ms = 60'000;
    // The sign-up form's channel choices (notify::SignupChannels, given by the app).
    std::vector<SignupChannel> signup_channels;
  };
  SnapshotPublisher(store::Store& store, const Clock& clock, Options options,
                    std::function<void(const Snapshot&)> on_publish = nullptr);
  // on_publish runs after every publish caused by a change (or a rebuild asked for), not after
  // the quiet monitor refresh.
  ~SnapshotPublisher();

  std::shared_ptr<const Snapshot> Current() const { return current_.load(); }
  // Loads from the store and publishes. When the store is unavailable, republishes the last
  // loaded data marked stale and returns the error.
  Status RebuildNow();
  // Asks the background thread for a rebuild; several requests close together coalesce.
  void RequestRebuild();
  // Background thread: serves RequestRebuild and polls the outbox so that writes by other
  // processes (the CLI, other instances on PostgreSQL) show within poll_ms.
  void Start();
  void Stop();
  bool database_healthy() const { return healthy_.load(); }
  // How many times the background thread has looked for work (and done it): tests wait for it to
  // move on by two to know that a whole look began after what they changed.
  std::int64_t polls() const { return polls_.load(); }
  double last_build_seconds() const { return last_build_seconds_.load(); }

 private:
  void Loop();
  Status Rebuild(bool quiet);
  Status RefreshIncidents(const std::vector<model::Page>& pages, std::int64_t last_id, TimeMs now);
  store::Store& store_;
  const Clock& clock_;
  Options options_;
  std::function<void(const Snapshot&)> on_publish_;
  std::atomic<std::shared_ptr<const Snapshot>> current_;
  std::mutex build_mu_;  // one build at a time
  std::vector<SiteInput> last_sites_;
  std::unordered_map<std::string, RenderCache> render_caches_;  // by page id (guarded by build_mu_)
  // The public incidents of each page, kept current from the outbox: a rebuild after an update
  // reads that incident again, not the page's thousands (guarded by build_mu_).
  std::unordered_map<std::string, std::vector<model::Incident>> incidents_;
  std::int64_t incidents_outbox_id_ = -1;  // the outbox events incidents_ reflects
  TimeMs incidents_loaded_at_ = 0;         // clock time of the last full load
  std::optional<TimeMs> stale_since_;
  std::int64_t last_outbox_id_ = -1;
  std::atomic<bool> healthy_{true};
  std::atomic<std::int64_t> polls_{0};
  std::atomic<double> last_build_seconds_{0};
  bool has_monitor_data_ = false;  // the last good build showed monitor data (guarded by build_mu_)
  TimeMs last_built_at_ = 0;       // clock time of the last build (guarded by build_mu_)

  std::mutex mu_;
  std::condition_variable cv_;
  bool requested_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace herald::page
