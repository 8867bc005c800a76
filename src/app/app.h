// App: one running Herald server. Wires the store, the snapshot publisher, the management API,
// the maintenance scheduler and metrics into the HTTP server's Handler.
//
// Public reads (pages, /api/v2, feeds, badge, assets, /events, health, metrics) are answered on
// the io threads from the current snapshot; /v1 and the console (/admin) go to the worker pool.
// Thread safety: HandleFast/HandleBlocking are called concurrently by the server.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "api/admin_api.h"
#include "api/heartbeat_api.h"
#include "api/monitors_api.h"
#include "api/subscribe_public.h"
#include "api/subscribers_api.h"
#include "app/metrics.h"
#include "config/config.h"
#include "console/console.h"
#include "console/live_events.h"
#include "core/clock.h"
#include "http/rate_limiter.h"
#include "http/server.h"
#include "monitor/runtime.h"
#include "net/curl_engine.h"
#include "notify/runtime.h"
#include "page/snapshot.h"
#include "service/audit_log.h"
#include "service/monitors.h"
#include "service/oidc/sign_in.h"
#include "service/services.h"
#include "service/staff_auth.h"
#include "service/staff_second_factor.h"
#include "service/subscriptions.h"
#include "store/store.h"

namespace herald::app {

struct AppOptions {
  http::ServerOptions server;
  std::string public_url;  // absolute origin used in feeds and links; default from listen address
  int poll_ms = 1000;      // snapshot refresh poll and maintenance scheduler tick
  // Management API requests per client IP: a steady rate and a burst. Public reads are not
  // limited (they cost a hash lookup); the API costs database work.
  double api_per_second = 20;
  double api_burst = 200;
  // Requests waiting for or running on the worker pool: the management API, and the public
  // sign-up, preference and heartbeat endpoints, which write too. Past this they are answered 503
  // at once instead of queueing without bound behind a slow database.
  int max_pending_blocking = 512;
  // Subscriber notifications: channels, SSRF allow-list. `notify_enabled` false runs no
  // dispatcher (static export, tests of other parts).
  bool notify_enabled = true;
  config::NotifyConfig notify;
  // The lease owner name among instances sharing a database; empty: a name unique to this
  // process (notify::UniqueLeaseOwner). Two running instances must never share one.
  std::string instance_name;
  // Monitors run here (one instance per deployment; see monitor/runtime.h), on their own
  // engines, with or without notifications; staff alerts go out once notifications run.
  bool monitor_enabled = true;
  std::string monitor_ca_file;  // extra trusted CA certificates for tls checks
  // /metrics: off on the public listener unless `metrics_token` is set (then it needs
  // `Authorization: Bearer <token>`); with `metrics_listen` set it is also served on that
  // separate listener (for a private network), with the token too when one is set.
  std::string metrics_token;
  std::optional<http::ServerOptions> metrics_listen;
  // How often the write probe runs while writes work (while they fail: every scheduler tick).
  int write_probe_ms = 5000;
  // Audit log entries older than this are purged (hourly, by the scheduler thread).
  int audit_retention_days = service::AuditLog::kDefaultRetentionDays;
  // The operator console at /admin: session lifetimes.
  config::ConsoleConfig console;
  // Single sign-on to the console with an OpenID Connect provider ([oidc]); unset: off.
  std::optional<service::oidc::OidcSettings> oidc;
  std::string oidc_display_name;
  std::string oidc_callback_path = "/admin/oidc/callback";
};

class App final : public http::Handler {
 public:
  App(store::Store& store, const Clock& clock, AppOptions options);
  ~App() override;

  Status Start();  // first snapshot, then the server and background threads
  void Stop();
  void Wait() { server_->Wait(); }
  std::uint16_t port() const { return server_->port(); }
  // The metrics listener's port (0 when there is none).
  std::uint16_t metrics_port() const { return metrics_server_ ? metrics_server_->port() : 0; }
  // Writes one small row (setting "write_probe:<instance>") and records whether that worked:
  // /readyz and herald_database_writable report it, because a database can answer reads while
  // every write fails (a full disk). The scheduler thread calls it; blocking.
  void ProbeWrites();

  std::optional<http::Response> HandleFast(const http::Request& request) override;
  http::Response HandleBlocking(const http::Request& request) override;
  http::BodyRule BodyRuleFor(std::string_view method, std::string_view target) override;
  void OnResponse(const http::Request& request, const http::Response& response, double seconds) override;

 private:
  // `conditional`: answer 304 to a matching If-None-Match / If-Modified-Since (not for error pages).
  http::Response ServeAsset(const http::Request& request, const page::Snapshot& snap, const page::Asset& asset,
                            bool conditional = true);
  // What a server with no public page answers: how to create one (status 200 at "/").
  http::Response WelcomePage(int status) const;
  void SchedulerLoop();
  void StartNotifications();
  void StartMonitoring();
  void AdoptNotifyRuntime(std::unique_ptr<notify::NotifyRuntime> runtime);
  std::string NotifyMetrics() const;
  std::string MonitorMetrics() const;
  // /metrics for `request`: the text, 401 without the token, or nullopt when not served here.
  std::optional<http::Response> ServeMetrics(const http::Request& request, bool public_listener);
  std::string ReadinessBody(const page::Snapshot* snap);

  store::Store& store_;
  const Clock& clock_;
  AppOptions options_;
  Metrics metrics_;
  std::unique_ptr<http::RateLimiter> api_limiter_;
  std::atomic<int> pending_blocking_{0};
  std::unique_ptr<page::SnapshotPublisher> publisher_;
  std::unique_ptr<service::AuditLog> audit_log_;  // before admin_, which records into it
  TimeMs last_audit_purge_ = 0;                   // scheduler thread only
  std::unique_ptr<api::AdminApi> admin_;
  std::unique_ptr<service::IncidentService> incidents_;
  // Monitoring management and the public heartbeat endpoint.
  std::unique_ptr<service::MonitorService> monitors_;
  std::unique_ptr<api::MonitorsApi> monitors_api_;
  std::unique_ptr<api::HeartbeatApi> heartbeat_;
  std::unique_ptr<http::Server> server_;
  class MetricsHandler;
  std::unique_ptr<MetricsHandler> metrics_handler_;
  std::unique_ptr<http::Server> metrics_server_;
  // The write probe's last outcome (see ProbeWrites). Probes run one at a time (probe_mu_), so a
  // probe that started before writes began to fail cannot finish after, and overwrite, one that
  // saw them fail.
  std::mutex probe_mu_;
  std::atomic<bool> writes_ok_{true};
  std::mutex write_error_mu_;
  std::string write_error_;      // guarded by write_error_mu_; empty while writes work
  TimeMs last_write_probe_ = 0;  // scheduler thread only
  std::atomic<bool> stopping_{false};
  std::thread scheduler_;
  std::unique_ptr<notify::NotifyRuntime> notify_;
  // Built with the notify runtime (they need its channels and link signer).
  std::unique_ptr<service::SubscriptionService> subscriptions_;
  std::unique_ptr<api::SubscribersApi> subscribers_api_;
  std::unique_ptr<api::PublicSubscribe> public_subscribe_;
  std::atomic<bool> subscriptions_ready_{false};
  TimeMs last_pending_purge_ = 0;
  std::atomic<notify::Dispatcher*> dispatcher_{nullptr};
  std::unique_ptr<monitor::MonitorRuntime> monitor_;
  std::atomic<monitor::MonitorRuntime*> monitor_ready_{nullptr};  // set once monitor_ runs
  // The operator console (/admin): staff sign-in and sessions, its screens.
  std::unique_ptr<service::StaffSecondFactorService> second_factor_;
  // Single sign-on: its own HTTP engine (the provider is the operator's, reached without the
  // address guard) and the sign-in, made on first use (its key comes from the database).
  std::unique_ptr<net::CurlEngine> oidc_http_;
  std::mutex oidc_mu_;
  std::unique_ptr<service::oidc::OidcSignIn> oidc_;
  std::unique_ptr<service::StaffAuthService> staff_auth_;
  std::unique_ptr<console::Console> console_;
  TimeMs last_session_purge_ = 0;  // scheduler thread only
  // The console dashboard's live stream, GET /admin/events (console/live_events.h): its bounds,
  // the stream itself (session checked when it opens) and the digest poll for changes without a hook.
  console::LiveEvents console_live_;
  http::Response ConsoleEvents(const http::Request& request);
  void TellConsoleDashboards();  // any thread: every open console dashboard refetches
  void PollConsoleDigest();      // scheduler thread
  // Emails a console invitation through the email channel, when it is configured.
  Status SendStaffInvite(const std::string& email, const std::string& link);
};

}  // namespace herald::app
