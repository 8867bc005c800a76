// herald serve: the server, until SIGINT or SIGTERM.
#include <pthread.h>
#include <signal.h>

#include <iostream>

#include "app/app.h"
#include "cli/commands/commands.h"
#include "cli/demo.h"
#include "core/log.h"

namespace herald::cli {
namespace {

struct ServeOptions {
  CommonOptions common;
  std::string listen, public_url;
  bool demo = false, log_json = false;
};

std::string HostForUrl(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

int RunServe(const ServeOptions& o, const Clock& clock) {
  auto cfg = ResolveConfig(o.common);
  if (!cfg) return Fail(cfg.error());
  log::SetJson(cfg->log_json || o.log_json);
  if (!o.listen.empty()) cfg->listen = o.listen;
  if (!o.public_url.empty()) cfg->public_url = o.public_url;
  auto addr = config::ParseListen(cfg->listen);
  if (!addr) return Fail(addr.error());
  auto store = OpenMigrated(cfg->db);
  if (!store) return Fail(store.error());
  if (o.demo) {
    // The demo's monitors check this server itself.
    const std::string self = "http://" + HostForUrl(addr->first) + ":" + std::to_string(addr->second);
    auto seeded = SeedDemo(**store, clock, self);
    if (!seeded) return Fail(seeded.error());
    if (*seeded) log::Info("seeded demo data");
  }
  app::AppOptions opts;
  opts.server.host = addr->first;
  opts.server.port = addr->second;
  opts.server.io_threads = cfg->io_threads;
  opts.server.worker_threads = cfg->worker_threads;
  opts.server.max_body_bytes = cfg->max_body_bytes;
  opts.public_url = cfg->public_url;
  opts.api_per_second = cfg->api_per_second;
  opts.api_burst = cfg->api_burst;
  opts.server.max_connections_per_client = cfg->max_connections_per_client;
  opts.server.max_sse_per_client = cfg->max_sse_per_client;
  opts.metrics_token = cfg->metrics_token;
  if (!cfg->metrics_listen.empty()) {
    auto maddr = config::ParseListen(cfg->metrics_listen);
    if (!maddr) return Fail(Error::Invalid("metrics.listen", "metrics." + maddr.error().message));
    opts.metrics_listen.emplace();
    opts.metrics_listen->host = maddr->first;
    opts.metrics_listen->port = maddr->second;
  }
  opts.notify = cfg->notify;
  opts.monitor_enabled = cfg->monitor.enabled;
  opts.monitor_ca_file = cfg->monitor.ca_file;
  opts.audit_retention_days = cfg->audit.retention_days;
  opts.console = cfg->console;
  if (!cfg->oidc.issuer.empty()) {
    if (cfg->public_url.empty())
      return Fail(Error::Invalid("public_url",
                                 "single sign-on ([oidc]) needs public_url (or --public-url): the "
                                 "identity provider sends people back to an address under it"));
    auto oidc = service::oidc::SettingsFromConfig(cfg->oidc, cfg->public_url);
    if (!oidc) return Fail(oidc.error());
    opts.oidc = std::move(*oidc);
    opts.oidc_display_name = cfg->oidc.display_name;
    opts.oidc_callback_path = cfg->oidc.redirect_path;
  }
  // SIGINT/SIGTERM are blocked in every thread (the server's threads inherit the mask) and
  // taken synchronously below, so shutdown runs as ordinary code, not in a signal handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  app::App server(**store, clock, opts);
  if (auto st = server.Start(); !st) return Fail(st.error());
  log::Info("listening", {{"url", "http://" + HostForUrl(addr->first) + ":" + std::to_string(server.port()) + "/"},
                          {"db", (*store)->BackendName()}});
  if (o.demo) {
    const std::string base = cfg->public_url.empty()
                                 ? "http://" + HostForUrl(addr->first) + ":" + std::to_string(server.port())
                                 : cfg->public_url;
    auto access = DemoConsoleAccess(**store, clock, base);
    if (!access) return Fail(access.error());
    std::cout << *access << std::endl;
  }
  if (server.metrics_port()) std::cout << "herald metrics listening on port " << server.metrics_port() << std::endl;
  // Scripts and tests read the bound port from this line.
  std::cout << "herald listening on port " << server.port() << std::endl;
  int sig = 0;
  sigwait(&signals, &sig);
  log::Info("stopping", {{"signal", std::to_string(sig)}});
  server.Stop();
  log::Info("stopped");
  return 0;
}

}  // namespace

void AddServeCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<ServeOptions>();
  auto* serve = app.add_subcommand("serve", "Run the server");
  AddCommonOptions(serve, o->common, nullptr);
  serve->add_option("--listen", o->listen, "HOST:PORT to listen on (env HERALD_LISTEN; default 127.0.0.1:8080)");
  serve->add_option("--public-url", o->public_url, "Absolute URL the page is reached at, for feeds and links");
  serve->add_flag("--demo", o->demo, "Seed the demo page into an empty database");
  serve->add_flag("--log-json", o->log_json, "Write logs as JSON lines");
  serve->callback([o, &ctx] { ctx.exit_code = RunServe(*o, ctx.clock); });
}

}  // namespace herald::cli
