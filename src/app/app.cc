#include "app/app.h"

#include <fmt/format.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <condition_variable>
#include <future>

#include "assets/web_assets.h"
#include "console/request.h"
#include "console/upload.h"
#include "core/log.h"
#include "core/text.h"
#include "core/thread_name.h"
#include "core/time.h"
#include "http/auth.h"
#include "http/errors.h"
#include "notify/registry.h"
#include "service/dashboard.h"

namespace herald::app {
namespace {

bool AcceptsGzip(std::string_view accept_encoding) {
  // "gzip" listed and not refused with q=0.
  size_t pos = accept_encoding.find("gzip");
  if (pos == std::string_view::npos) return false;
  std::string_view rest = accept_encoding.substr(pos + 4);
  size_t comma = rest.find(',');
  std::string_view params = rest.substr(0, comma);
  return params.find("q=0") == std::string_view::npos || params.find("q=0.") != std::string_view::npos;
}

bool EtagMatches(std::string_view if_none_match, const std::string& etag) {
  if (if_none_match == "*") return true;
  // A list of (possibly weak) tags.
  size_t pos = 0;
  while (pos < if_none_match.size()) {
    size_t comma = if_none_match.find(',', pos);
    std::string_view tag =
        if_none_match.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == etag) return true;
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return false;
}

// The metrics label of a request: a bounded set, with ids collapsed. A view of the path or of
// a literal; `scratch` holds the label when it has to be built (the /v1 API's ids).
std::string_view RouteLabel(const http::Request& r, std::string& scratch) {
  const std::string_view p = r.path;
  if (p.starts_with("/v1/")) {
    std::string& out = scratch;
    out.clear();
    size_t i = 0;
    int seg = 0;
    while (i < p.size()) {
      size_t j = p.find('/', i + 1);
      std::string_view part = p.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i);
      ++seg;
      // /v1/pages/{id}/incidents/{id}/incident_updates/{id}
      if (seg == 3 || seg == 5 || seg == 7) part = "/{id}";
      out += part;
      if (j == std::string_view::npos) break;
      i = j;
    }
    return out;
  }
  if (p.starts_with("/api/v2/") || p == "/" || p == "/events" || p == "/healthz" || p == "/readyz" || p == "/metrics")
    return p;
  if (p.starts_with("/incidents/")) return "/incidents/{id}";
  if (p.starts_with("/pages/")) return "/pages/{slug}/...";
  if (p.starts_with("/history")) return "/history";
  if (p.starts_with("/subscriptions/")) return p.substr(0, p.find('/', 15));
  if (p == "/subscribe" || p.ends_with("/subscribe")) return "/subscribe";
  if (p.starts_with("/heartbeat/")) return "/heartbeat/{token}";
  if (p.starts_with("/admin/invite/")) return "/admin/invite/{token}";
  if (p == "/admin/login" || p == "/admin/logout" || p == "/admin/login/code") return p;
  if (console::Console::Owns(p)) {
    // Known screens by their path; anything else in one label (the set stays bounded).
    if (const auto* s = console::FindScreen(p)) return s->path;
    return "/admin/...";
  }
  return "other";
}

}  // namespace

// The separate metrics listener (AppOptions::metrics_listen): /metrics and /healthz only.
class App::MetricsHandler final : public http::Handler {
 public:
  explicit MetricsHandler(App& app) : app_(app) {}
  std::optional<http::Response> HandleFast(const http::Request& req) override {
    if (req.method != "GET" && req.method != "HEAD") {
      return http::MethodNotAllowed("GET, HEAD", "only GET and HEAD are allowed here");
    }
    if (req.path == "/metrics") return app_.ServeMetrics(req, /*public_listener=*/false);
    if (req.path == "/healthz") {
      http::Response r;
      r.body = "ok\n";
      r.Set("Content-Type", "text/plain");
      return r;
    }
    return http::ErrorResponse(Error::NotFound("this listener serves /metrics and /healthz only"));
  }
  http::Response HandleBlocking(const http::Request& req) override { return *HandleFast(req); }

 private:
  App& app_;
};

App::App(store::Store& store, const Clock& clock, AppOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {
  if (options_.public_url.empty())
    options_.public_url = fmt::format("http://{}:{}", options_.server.host, options_.server.port);
  page::SnapshotPublisher::Options popts;
  popts.public_url = options_.public_url;
  popts.poll_ms = options_.poll_ms;
  popts.signup_channels = notify::SignupChannels();
  publisher_ = std::make_unique<page::SnapshotPublisher>(store_, clock_, popts, [this](const page::Snapshot& s) {
    if (!server_) return;
    std::string data = fmt::format("{{\"generated_at\":\"{}\"}}", FormatIso8601(s.generated_at));
    for (const auto& p : s.pages) server_->Broadcast(p.page_id, "update", data);
  });
  auto on_change = [this] {
    publisher_->RequestRebuild();
    if (auto* d = dispatcher_.load()) d->Wake();
    TellConsoleDashboards();
  };
  // The monitor engine's Reload/NotifyHeartbeat and the probes' Validate plug into these deps.
  service::MonitorDeps monitor_deps{store_, clock_, on_change};
  monitor_deps.channels = [this]() -> const notify::Channels* {
    return subscriptions_ready_ ? &notify_->channels : nullptr;
  };
  monitor_deps.allow_http_endpoints = options_.notify.allow_http;
  monitor_deps.validate_probe = [this](const model::Monitor& m) -> Status {
    if (const auto* rt = monitor_ready_.load()) return rt->Validate(m);
    return {};
  };
  monitor_deps.reload = [this] {
    if (auto* rt = monitor_ready_.load()) rt->engine->Reload();
  };
  monitor_deps.notify_heartbeat = [this](const std::string& id, TimeMs at) {
    if (auto* rt = monitor_ready_.load()) rt->engine->NotifyHeartbeat(id, at);
  };
  monitors_ = std::make_unique<service::MonitorService>(monitor_deps);
  monitors_api_ =
      std::make_unique<api::MonitorsApi>(api::MonitorsApiDeps{store_, clock_, *monitors_, options_.public_url});
  heartbeat_ = std::make_unique<api::HeartbeatApi>(api::HeartbeatDeps{*monitors_, clock_, {}});
  api::AdminDeps admin_deps{store_, clock_, on_change, options_.public_url};
  admin_deps.monitors_api = [this] { return monitors_api_.get(); };
  admin_deps.subscribers_api = [this] { return subscriptions_ready_ ? subscribers_api_.get() : nullptr; };
  audit_log_ = std::make_unique<service::AuditLog>(store_, clock_);
  admin_deps.audit_log = audit_log_.get();
  admin_ = std::make_unique<api::AdminApi>(admin_deps);
  incidents_ = std::make_unique<service::IncidentService>(service::Deps{store_, clock_, on_change});
  service::StaffAuthOptions staff_options;
  staff_options.session_idle_ms = options_.console.session_idle_minutes * 60LL * 1000;
  staff_options.session_absolute_ms = options_.console.session_max_hours * 3600LL * 1000;
  // The authenticator app names the account "Herald <host>: <email>", so staff of several
  // Herald servers can tell the entries apart (the host of the public URL, without a port).
  std::string host = options_.public_url.substr(options_.public_url.find("://") + 3);
  host = host.substr(0, host.find('/'));
  if (!host.starts_with('[')) host = host.substr(0, host.find(':'));
  second_factor_ = std::make_unique<service::StaffSecondFactorService>(store_, clock_, "Herald " + host);
  staff_options.needs_second_factor = [this](const model::StaffUser& u) { return second_factor_->Enabled(u.id); };
  staff_options.verify_second_factor = [this](const model::StaffUser& u, const std::string& code) {
    return second_factor_->Verify(u, code);
  };
  staff_auth_ = std::make_unique<service::StaffAuthService>(store_, clock_, staff_options);
  console::ConsoleDeps console_deps{store_, clock_, *staff_auth_, options_.public_url, {}, {}};
  if (!options_.notify.smtp_url.empty())
    console_deps.send_invite = [this](const std::string& email, const std::string& link) {
      return SendStaffInvite(email, link);
    };
  // Every successful console POST goes into the audit log as the signed-in person's. The screen
  // describes its write (ScreenContext::write); otherwise the action is the screen and the form's
  // `action` ("team.invite") and the target the email it names, if any. Nothing else is read from
  // the form: it may carry passwords.
  console_deps.on_write = [this](const http::Request& req, const service::CurrentStaff& staff,
                                 const console::WriteRecord& w) {
    const console::Form form = console::ParseForm(req.body);
    std::string screen = req.path.size() > 7 ? req.path.substr(7) : "home";  // past "/admin/"
    screen = screen.substr(0, screen.find('/'));
    const std::string form_action = console::Field(form, "action");
    const std::string email = console::Field(form, "email");
    std::string action = w.action.empty() ? screen + "." + (form_action.empty() ? "submit" : form_action) : w.action;
    std::string target_type = !w.target_type.empty() ? w.target_type : email.empty() ? screen : "staff_user";
    std::string target_id = !w.target_id.empty() ? w.target_id : email;
    (void)audit_log_->RecordUserWrite(
        staff.user.id, staff.user.email, std::move(action), std::move(target_type), std::move(target_id), w.page_id,
        req.remote_addr, "POST " + req.path + (form_action.empty() ? "" : " (" + form_action + ")"), w.changes_json);
  };
  console_deps.on_change = on_change;
  console_deps.monitors = monitors_.get();
  console_deps.subscriptions = [this] { return subscriptions_ready_ ? subscriptions_.get() : nullptr; };
  console_deps.audit_log = audit_log_.get();
  console_deps.second_factor = second_factor_.get();
  if (options_.oidc) {
    oidc_http_ = std::make_unique<net::CurlEngine>(net::CurlEngine::Options{});
    console_deps.oidc_display_name = options_.oidc_display_name;
    console_deps.oidc_callback_path = options_.oidc_callback_path;
    console_deps.oidc = [this]() -> service::oidc::OidcSignIn* {
      std::lock_guard lock(oidc_mu_);
      if (!oidc_) {
        // The state cookie's key is shared by the instances on one database.
        auto key = staff_auth_->ServerKey("oidc-state");
        if (!key) return nullptr;
        oidc_ = std::make_unique<service::oidc::OidcSignIn>(*options_.oidc, *key, *oidc_http_, clock_);
      }
      return oidc_.get();
    };
  }
  console_ = std::make_unique<console::Console>(std::move(console_deps));
  server_ = std::make_unique<http::Server>(options_.server, *this);
  if (options_.metrics_listen) {
    metrics_handler_ = std::make_unique<MetricsHandler>(*this);
    http::ServerOptions mo = *options_.metrics_listen;
    mo.io_threads = 1;  // a scrape every few seconds
    mo.worker_threads = 1;
    metrics_server_ = std::make_unique<http::Server>(mo, *metrics_handler_);
  }
  api_limiter_ = std::make_unique<http::RateLimiter>(options_.api_per_second, options_.api_burst, clock_);
  metrics_.SetGaugeSource([this] {
    auto snap = publisher_->Current();
    double age = snap ? (clock_.Now() - snap->generated_at) / 1000.0 : -1;
    return fmt::format(
               "# HELP herald_snapshot_age_seconds Age of the public snapshot being served.\n"
               "# TYPE herald_snapshot_age_seconds gauge\nherald_snapshot_age_seconds {}\n"
               "# HELP herald_snapshot_build_seconds Time the last snapshot took to build.\n"
               "# TYPE herald_snapshot_build_seconds gauge\nherald_snapshot_build_seconds {}\n"
               "# HELP herald_database_up Whether the last database round trip worked.\n"
               "# TYPE herald_database_up gauge\nherald_database_up {}\n"
               "# HELP herald_database_writable Whether the last write probe worked (a full disk fails it).\n"
               "# TYPE herald_database_writable gauge\nherald_database_writable {}\n"
               "# HELP herald_open_connections Open HTTP connections.\n"
               "# TYPE herald_open_connections gauge\nherald_open_connections {}\n"
               "# HELP herald_http_connections_shed_total Connections closed to make room under their "
               "address's cap.\n"
               "# TYPE herald_http_connections_shed_total counter\nherald_http_connections_shed_total {}\n",
               age, publisher_->last_build_seconds(), publisher_->database_healthy() ? 1 : 0, writes_ok_ ? 1 : 0,
               server_->open_connections(), server_->shed_connections()) +
           NotifyMetrics() + MonitorMetrics() +
           fmt::format(
               "# HELP herald_audit_record_failures_total Writes whose audit log entry could not be stored (the "
               "entry is in the server's log instead).\n"
               "# TYPE herald_audit_record_failures_total counter\nherald_audit_record_failures_total {}\n",
               audit_log_->record_failures());
  });
}

App::~App() { Stop(); }

std::string App::NotifyMetrics() const {
  const auto* d = dispatcher_.load();
  if (!d) return "";
  const auto& st = d->stats();
  return fmt::format(
      "# HELP herald_notifications_total Notification attempts by outcome.\n"
      "# TYPE herald_notifications_total counter\n"
      "herald_notifications_total{{outcome=\"sent\"}} {}\n"
      "herald_notifications_total{{outcome=\"delivered\"}} {}\n"
      "herald_notifications_total{{outcome=\"retried\"}} {}\n"
      "herald_notifications_total{{outcome=\"failed\"}} {}\n"
      "herald_notifications_total{{outcome=\"quarantined\"}} {}\n"
      "herald_notifications_total{{outcome=\"resent\"}} {}\n"
      "# HELP herald_notifications_in_flight Messages handed to channels and not yet answered.\n"
      "# TYPE herald_notifications_in_flight gauge\nherald_notifications_in_flight {}\n",
      st.sent.load(), st.delivered.load(), st.retried.load(), st.failed.load(), st.quarantined.load(), st.resent.load(),
      st.in_flight.load());
}

std::string App::MonitorMetrics() const {
  const auto* rt = monitor_ready_.load();
  return rt ? monitor::MetricsText(rt->engine->stats()) : "";
}

void App::StartMonitoring() {
  if (monitor_ || !options_.monitor_enabled) return;
  monitor::MonitorRuntimeOptions mo;
  mo.public_url = options_.public_url;
  mo.ca_file = options_.monitor_ca_file;
  auto on_change = [this] {  // component status set by monitors, incidents opened by automation
    publisher_->RequestRebuild();
    if (auto* d = dispatcher_.load()) d->Wake();
    TellConsoleDashboards();
  };
  monitor_ = monitor::MakeMonitorRuntime(
      store_, clock_, [this](const model::IncidentDraft& draft) { return monitors_->PublishDraft(draft); }, on_change,
      mo);
  if (notify_) monitor_->alerter->SetChannels(&notify_->channels);
  monitor_->Start();
  monitor_ready_.store(monitor_.get());
}

void App::StartNotifications() {
  if (notify_ || !options_.notify_enabled) return;
  auto rt = notify::MakeNotifyRuntime(store_, clock_, options_.notify, options_.public_url, options_.instance_name);
  if (!rt) {
    log::Warn("notifications not started yet", {{"error", rt.error().message}});
    return;
  }
  AdoptNotifyRuntime(std::move(*rt));
}

void App::AdoptNotifyRuntime(std::unique_ptr<notify::NotifyRuntime> runtime) {
  notify_ = std::move(runtime);
  service::SubscriptionOptions so;
  so.allow_http_endpoints = options_.notify.allow_http;
  so.default_region = options_.notify.sms_default_region;
  subscriptions_ = std::make_unique<service::SubscriptionService>(
      service::SubscriptionDeps{store_, clock_, notify_->channels, *notify_->links, so});
  subscribers_api_ =
      std::make_unique<api::SubscribersApi>(api::SubscribersApiDeps{store_, clock_, *subscriptions_, *notify_->links});
  api::PublicSubscribeOptions po;
  po.vapid_public_key = notify_->vapid_public_key;
  public_subscribe_ = std::make_unique<api::PublicSubscribe>(
      api::PublicSubscribeDeps{store_, clock_, *subscriptions_, *notify_->links, po});
  subscriptions_ready_ = true;
  notify_->Start();
  dispatcher_.store(notify_->dispatcher.get());
  if (monitor_) monitor_->alerter->SetChannels(&notify_->channels);  // staff alerts can go out now
  publisher_->RequestRebuild();  // the page's push button needs the VAPID key just created
}

Status App::Start() {
  // A page that cannot be built at start is a configuration problem worth failing loudly on,
  // unless the database is merely down: then serve what we can and recover.
  if (auto st = publisher_->RebuildNow(); !st && st.error().code != ErrorCode::kUnavailable) return st;
  if (auto st = server_->Start(); !st) return st;
  if (metrics_server_) {
    if (auto st = metrics_server_->Start(); !st) {
      server_->Stop();
      return Error{st.error().code, "metrics.listen: " + st.error().message, "metrics.listen"};
    }
  }
  publisher_->Start();
  // Monitoring needs neither notifications nor a reachable database to start.
  StartMonitoring();
  if (options_.notify_enabled) {
    // Bad channel settings are a configuration error; an unreachable database is retried.
    auto rt = notify::MakeNotifyRuntime(store_, clock_, options_.notify, options_.public_url, options_.instance_name);
    if (!rt && rt.error().code != ErrorCode::kUnavailable) return rt.error();
    if (rt) AdoptNotifyRuntime(std::move(*rt));
  }
  scheduler_ = std::thread([this] {
    SetThreadName("herald-schedule");
    SchedulerLoop();
  });
  return {};
}

void App::Stop() {
  if (stopping_.exchange(true)) return;
  if (scheduler_.joinable()) scheduler_.join();
  monitor_ready_.store(nullptr);
  if (monitor_) monitor_->Stop();  // before the channels its staff alerts go out on
  dispatcher_.store(nullptr);
  if (notify_) notify_->Stop();
  publisher_->Stop();
  if (metrics_server_) metrics_server_->Stop();
  server_->Stop();
}

void App::ProbeWrites() {
  std::lock_guard probe_lock(probe_mu_);
  const TimeMs now = clock_.Now();
  // The value changes every time, so the row is really rewritten (an unchanged upsert might not
  // touch the disk).
  const Status st = store_.PutSetting("write_probe:" + options_.instance_name, FormatIso8601(now), now);
  const bool was_ok = writes_ok_.exchange(st.ok());
  {
    std::lock_guard lock(write_error_mu_);
    write_error_ = st.ok() ? "" : st.error().message;
  }
  if (was_ok && !st.ok()) log::Warn("database writes fail", {{"error", st.error().message}});
  if (!was_ok && st.ok()) log::Info("database writes work again");
}

void App::SchedulerLoop() {
  // Maintenance windows open and close on time even when nobody touches the API.
  TimeMs last_purge = 0;
  while (!stopping_) {
    // While writes fail, probe on every tick so that readiness recovers within a tick.
    if (const TimeMs now = clock_.Now();
        !writes_ok_ || last_write_probe_ == 0 || now - last_write_probe_ >= options_.write_probe_ms) {
      ProbeWrites();
      last_write_probe_ = now == 0 ? 1 : now;
    }
    (void)incidents_->RunMaintenanceTransitions();
    if (!notify_) StartNotifications();
    // Unconfirmed sign-ups are forgotten after 7 days.
    if (const TimeMs now = clock_.Now(); subscriptions_ready_ && now - last_pending_purge_ > 3600'000) {
      if (subscriptions_->PurgePending()) last_pending_purge_ = now;
    }
    // Audit entries are kept for the configured retention; an hourly purge keeps each one short.
    if (const TimeMs now = clock_.Now(); now - last_audit_purge_ > 3600'000) {
      if (auto purged = audit_log_->Purge(options_.audit_retention_days); purged) {
        last_audit_purge_ = now;
        if (*purged > 0) log::Info("audit log purged", {{"entries", std::to_string(*purged)}});
      }
    }
    // Console sessions past their idle or absolute lifetime are refused anyway; drop their rows.
    if (const TimeMs now = clock_.Now(); now - last_session_purge_ > 3600'000) {
      if (staff_auth_->PurgeSessions()) last_session_purge_ = now;
    }
    PollConsoleDigest();
    // Idempotency keys are honoured for 24 hours; older records only take space.
    if (const TimeMs now = clock_.Now(); now - last_purge > 60'000) {
      if (store_.PurgeIdempotency(now - 24LL * 3600 * 1000)) last_purge = now;
    }
    for (int i = 0; i < options_.poll_ms / 50 && !stopping_; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

namespace {

// RFC 9110 section 13.2.2: If-None-Match decides when present; otherwise If-Modified-Since does,
// against the snapshot's build time (its Last-Modified, whole seconds). An unparseable date is
// ignored, as the RFC requires.
bool NotModified(const http::Request& req, const page::Snapshot& snap, const page::Asset& asset) {
  const std::string_view if_none_match = req.Header("if-none-match");
  if (!if_none_match.empty()) return EtagMatches(if_none_match, asset.etag);
  const std::string_view if_modified_since = req.Header("if-modified-since");
  if (if_modified_since.empty()) return false;
  const auto since = ParseHttpDate(if_modified_since);
  return since && snap.generated_at / 1000 <= *since / 1000;
}

}  // namespace

http::Response App::ServeAsset(const http::Request& req, const page::Snapshot& snap, const page::Asset& asset,
                               bool conditional) {
  http::Response r;
  r.shared_headers = asset.headers;  // built once per snapshot
  if (conditional && NotModified(req, snap, asset)) {
    r.status = 304;
    return r;
  }
  if (asset.gzip && asset.gzip_headers && AcceptsGzip(req.Header("accept-encoding"))) {
    r.shared_headers = asset.gzip_headers;  // the same plus Content-Encoding: no per-request copy
    r.shared_body = asset.gzip;
    r.body_file = asset.gzip_file;  // the same bytes in the snapshot's memfd, sent with sendfile
  } else {
    r.shared_body = asset.body;
    r.body_file = asset.body_file;
  }
  return r;
}

http::BodyRule App::BodyRuleFor(std::string_view method, std::string_view target) {
  // The subscriber import takes up to 32 MB, into a file: the general limit stays small.
  if (api::SubscribersApi::IsImport(method, target)) return {api::kMaxImportBytes, true};
  return console::UploadBodyRule(method, target);
}

std::optional<http::Response> App::HandleFast(const http::Request& req) {
  const std::string& p = req.path;
  http::Response r;
  if (p.starts_with("/v1/") || p == "/v1") {
    if (!api_limiter_->Allow(req.remote_addr)) {
      r = http::ErrorResponse(Error{ErrorCode::kRateLimited, "too many requests; slow down and retry", {}});
      r.Set("Retry-After", "1");
      return r;
    }
    if (pending_blocking_.fetch_add(1) >= options_.max_pending_blocking) {
      pending_blocking_.fetch_sub(1);
      return http::ErrorResponse(Error::Unavailable("the server is busy; retry shortly"));
    }
    return std::nullopt;  // HandleBlocking releases the slot
  }
  if (console::Console::Owns(p)) {
    if (auto asset = console::Console::Asset(p)) return asset;
    // Sign-in and every console page read the session from the database: worker pool.
    if (pending_blocking_.fetch_add(1) >= options_.max_pending_blocking) {
      pending_blocking_.fetch_sub(1);
      return http::ErrorResponse(Error::Unavailable("the server is busy; retry shortly"));
    }
    return std::nullopt;
  }
  if (api::PublicSubscribe::Owns(p) || api::HeartbeatApi::Owns(p)) {
    // Sign-ups, heartbeats, confirmations and preference pages write to the database: worker pool.
    if (pending_blocking_.fetch_add(1) >= options_.max_pending_blocking) {
      pending_blocking_.fetch_sub(1);
      return http::ErrorResponse(Error::Unavailable("the server is busy; retry shortly"));
    }
    return std::nullopt;
  }
  if (req.method == "OPTIONS") {
    r.status = 204;
    r.Set("Access-Control-Allow-Origin", "*");
    r.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
    r.Set("Access-Control-Allow-Headers", "Content-Type, If-None-Match");
    r.Set("Access-Control-Max-Age", "86400");
    return r;
  }
  if (req.method != "GET" && req.method != "HEAD") {
    return http::MethodNotAllowed("GET, HEAD", "only GET and HEAD are allowed here");
  }
  auto snap = publisher_->Current();
  if (p == "/healthz") {
    r.body = "ok\n";
    r.Set("Content-Type", "text/plain");
    return r;
  }
  if (p == "/readyz") {
    // Ready as long as there is something to serve: a database outage must not take the status
    // page out of a load balancer. The body says what works: reads, writes (a full disk).
    return http::JsonResponse(snap ? 200 : 503, ReadinessBody(snap.get()));
  }
  if (p == "/sw.js") {
    // The web push service worker must be served from the root to control the whole origin.
    r.body = std::string(assets::FindWebAsset("assets/sw.js"));
    r.Set("Content-Type", "text/javascript; charset=utf-8");
    r.Set("Cache-Control", "no-cache");
    return r;
  }
  if (p == "/metrics") {
    // Off on the public listener unless a token is set: it tells strangers about traffic and
    // internals. Without one, /metrics is an unknown path like any other.
    if (auto m = ServeMetrics(req, /*public_listener=*/true)) return m;
  }
  if (!snap) return http::ErrorResponse(Error::Unavailable("starting up"));
  const std::string_view host = req.Header("host");
  if (p == "/events" || p.ends_with("/events")) {
    if (const auto* page = snap->PageFor(host, p)) {
      r.sse_topic = page->page_id;
      r.Set("Access-Control-Allow-Origin", "*");
      return r;
    }
  }
  auto not_found_page = [&]() -> const page::Asset* {
    const auto* page = snap->PageFor(host, p);
    return page ? snap->Find(host, page->base_path + "404.html") : nullptr;
  };
  // The not-found page is a file of the site (static hosts serve it by that name), but asked for
  // by its own address ("/404", "/404.html") it is still an answer that nothing is there.
  if (const auto* asset = snap->Find(host, p))
    if (p.find("404") == std::string::npos || asset != not_found_page()) return ServeAsset(req, *snap, *asset);
  if (p.starts_with("/api/")) return http::ErrorResponse(Error::NotFound("no such API document: " + p.substr(0, 200)));
  if (snap->pages.empty()) {
    // A fresh server with no public page yet: say how to make one instead of raw JSON.
    if (p == "/" || p == "/index.html") return WelcomePage(200);
    if (p == "/assets/page.css") {
      r.body = std::string(assets::FindWebAsset("assets/page.css"));
      r.Set("Content-Type", "text/css; charset=utf-8");
      return r;
    }
    return WelcomePage(404);
  }
  // Links made while the page served at "/" had its own path (/pages/{slug}/..., in messages
  // already sent) lead to the same file at "/".
  for (const auto& page : snap->pages) {
    if (page.base_path != "/" || !p.starts_with("/pages/") || p.size() < 8 + page.slug.size() ||
        p.compare(7, page.slug.size(), page.slug) != 0 || p[7 + page.slug.size()] != '/')
      continue;
    r.status = 301;
    r.Set("Location", p.substr(7 + page.slug.size()));
    return r;
  }
  r = http::ErrorResponse(Error::NotFound("page not found"));
  if (const auto* notfound = not_found_page()) {
    r = ServeAsset(req, *snap, *notfound, /*conditional=*/false);  // a 404 is never "not modified"
    r.status = 404;
  }
  return r;
}

http::Response App::WelcomePage(int status) const {
  http::Response r;
  r.status = status;
  r.body = page::RenderWelcomePage(options_.public_url);
  r.Set("Content-Type", "text/html; charset=utf-8");
  r.Set("Cache-Control", "no-store");  // gone as soon as a page exists
  r.Set("Content-Security-Policy", std::string(page::kPageContentSecurityPolicy));
  r.Set("X-Content-Type-Options", "nosniff");
  return r;
}

std::string App::ReadinessBody(const page::Snapshot* snap) {
  std::string write_error;
  {
    std::lock_guard lock(write_error_mu_);
    write_error = write_error_;
  }
  const bool reads = publisher_->database_healthy();
  // "read_only": reads answer but writes fail (a full disk, a read-only replica).
  const char* database = !reads ? "down" : writes_ok_ ? "up" : "read_only";
  boost::json::object o{{"ready", snap != nullptr},
                        {"database", database},
                        {"writes", writes_ok_ ? "ok" : "failing"},
                        {"snapshot_generated_at", snap ? FormatIso8601(snap->generated_at) : ""}};
  if (!write_error.empty()) o["write_error"] = write_error;
  return boost::json::serialize(o);
}

std::optional<http::Response> App::ServeMetrics(const http::Request& req, bool public_listener) {
  const std::string& token = options_.metrics_token;
  if (public_listener && token.empty()) return std::nullopt;
  if (!token.empty() &&
      !http::SecretEquals(http::AuthorizationCredentials(req.Header("authorization"), {"Bearer"}), token))
    return http::ErrorResponse(
        Error{ErrorCode::kUnauthorized, "send the metrics token: Authorization: Bearer <metrics.token>", {}});
  http::Response r;
  r.body = metrics_.Render();
  r.Set("Content-Type", "text/plain; version=0.0.4");
  r.Set("Cache-Control", "no-store");
  return r;
}

http::Response App::HandleBlocking(const http::Request& req) {
  struct Release {
    std::atomic<int>& n;
    ~Release() { n.fetch_sub(1); }
  } release{pending_blocking_};
  if (api::HeartbeatApi::Owns(req.path)) return heartbeat_->Handle(req);
  if (req.path == console::kLiveTopic) return ConsoleEvents(req);
  if (console::Console::Owns(req.path)) return console_->Handle(req);
  if (api::PublicSubscribe::Owns(req.path)) {
    if (!subscriptions_ready_)
      return http::ErrorResponse(Error::Unavailable("notifications are starting; retry shortly"));
    return public_subscribe_->Handle(req);
  }
  return admin_->Handle(req);
}

Status App::SendStaffInvite(const std::string& email, const std::string& link) {
  notify::Channel* channel = subscriptions_ready_ ? notify_->channels.Find(model::ChannelKind::kEmail) : nullptr;
  if (!channel) return Error::Unavailable("the email channel is not running");
  notify::Message m;
  m.id = NewId();
  m.kind = "staff.invite";
  m.page_name = "Herald";
  m.page_url = options_.public_url;
  m.subject = "Your Herald console sign-in link";
  m.text =
      "You were invited to the Herald status console.\n\nChoose your password here (the link works once, "
      "for 24 hours):\n" +
      link + "\n";
  m.html = "<p>You were invited to the Herald status console.</p><p><a href=\"" + HtmlEscape(link) +
           "\">Choose your password</a> (the link works once, for 24 hours).</p>";
  m.short_text = m.subject;
  m.url = link;
  m.created_at = clock_.Now();
  model::Subscriber to;
  to.channel = model::ChannelKind::kEmail;
  to.address = email;
  to.state = model::SubscriberState::kActive;
  // Channels report asynchronously; this runs on a worker thread, which may wait for the answer.
  auto done = std::make_shared<std::promise<notify::SendOutcome>>();
  auto outcome = done->get_future();
  channel->Send(m, to, [done](notify::SendOutcome o) { done->set_value(std::move(o)); });
  if (outcome.wait_for(std::chrono::seconds(20)) != std::future_status::ready)
    return Error::Unavailable("the mail server did not answer in time");
  auto o = outcome.get();
  if (o.kind != notify::SendOutcome::Kind::kDelivered) return Error::Unavailable(o.detail);
  return {};
}

// The console dashboard's live stream. The console's router answers whole responses, so the
// stream is served here, beside the public /events and on the same hub: the session is checked
// once, when the stream opens (signed out: 401, and the page keeps working without live updates);
// the events carry no data, only "refetch", so a stream that outlives its session reveals nothing.
http::Response App::ConsoleEvents(const http::Request& req) {
  if (req.method != "GET") return http::MethodNotAllowed("GET", "the console's event stream is read with GET");
  auto who = staff_auth_->Authenticate(console::Cookie(req, console::kSessionCookie));
  if (!who) return http::ErrorResponse(Error::Unavailable("the database cannot be reached; retry shortly"));
  if (!*who) return http::ErrorResponse(Error{ErrorCode::kUnauthorized, "sign in to the console first", {}});
  switch (console_live_.Open(&req, req.remote_addr)) {
    case console::LiveEvents::Admission::kAdmitted: break;
    case console::LiveEvents::Admission::kClientFull: {
      http::Response r = http::ErrorResponse(
          Error{ErrorCode::kRateLimited, "too many console event streams from your address; close a tab", {}});
      r.Set("Retry-After", "30");
      return r;
    }
    case console::LiveEvents::Admission::kFull: {
      http::Response r = http::ErrorResponse(Error::Unavailable("too many console event streams; retry later"));
      r.Set("Retry-After", "30");
      return r;
    }
  }
  http::Response r;
  r.sse_topic = std::string(console::kLiveTopic);
  r.Set("Cache-Control", "no-store");
  r.Set("X-Content-Type-Options", "nosniff");
  return r;  // OnResponse closes it in console_live_ when the stream ends (or the server refuses it)
}

void App::TellConsoleDashboards() {
  if (server_ && console_live_.open() > 0) server_->Broadcast(std::string(console::kLiveTopic), "change", "{}");
}

// What has no hook (delivery counters moving as a fan-out runs, monitors without a component
// changing state, writes by another instance) is found by comparing every page's dashboard
// digest every console::kDigestIntervalMs, and only while a console stream is open.
void App::PollConsoleDigest() {
  if (!console_live_.DigestDue(clock_.Now())) return;
  auto pages = store_.ListPages();
  if (!pages) return;
  std::string digest;
  for (const auto& p : *pages) {
    auto d = service::LoadDashboard(store_, clock_, p.id);
    if (!d) return;
    digest += service::DashboardDigest(*d) + "\n";
  }
  if (console_live_.DigestChanged(digest)) TellConsoleDashboards();
}

void App::OnResponse(const http::Request& req, const http::Response& resp, double seconds) {
  if (req.path == console::kLiveTopic) console_live_.Close(&req);
  if (!resp.route.empty()) return metrics_.ObserveRequest(resp.route, resp.status, seconds);
  std::string scratch;  // stays empty (no allocation) except for /v1 labels
  metrics_.ObserveRequest(RouteLabel(req, scratch), resp.status, seconds);
}

}  // namespace herald::app
