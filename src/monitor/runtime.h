// MonitorRuntime: everything a server needs to run its own checks: the asynchronous socket
// engine (TCP, TLS, DNS), the probes of every kind, the StaffAlerter and the MonitorEngine. HTTP
// checks run on the notification runtime's libcurl engine and staff alerts go out through its
// channels (whose webhooks and chat messages its push engine carries).
//
// One instance per deployment runs monitors ([monitor] enabled = true, the default); with several
// instances on one PostgreSQL database, switch it off on all but one.
//
// Thread safety: construct and Start/Stop from one thread; the parts are thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/clock.h"
#include "monitor/engine.h"
#include "monitor/probes/registry.h"
#include "monitor/staff_alerter.h"
#include "net/http_client.h"
#include "net/socket_engine.h"
#include "notify/registry.h"
#include "store/store.h"

namespace herald::monitor {

struct MonitorRuntimeOptions {
  std::string public_url;  // linked from staff alerts
  std::string ca_file;     // extra trusted CAs (PEM) for TLS checks, besides the system's
};

struct MonitorRuntime {
  std::unique_ptr<net::SocketEngine> sockets;
  std::unique_ptr<Probes> probes;
  std::unique_ptr<StaffAlerter> alerter;
  std::unique_ptr<MonitorEngine> engine;

  ~MonitorRuntime();
  void Start();
  void Stop();  // engine first (no new checks), then the alerter and the socket engine
  // Probe::Validate of the monitor's kind (unknown kinds are refused).
  Status Validate(const model::Monitor& monitor) const;
};

std::unique_ptr<MonitorRuntime> MakeMonitorRuntime(store::Store& store, const Clock& clock, net::HttpClient& http,
                                                   const notify::Channels& channels, PublishDraftFn publish_draft,
                                                   std::function<void()> on_change, MonitorRuntimeOptions options);

}  // namespace herald::monitor
