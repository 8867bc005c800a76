// MonitorRuntime: everything a server needs to run its own checks: its own outbound engines
// (a libcurl multi engine for HTTP checks, thread herald-mon-http; the asynchronous socket
// engine for TCP, TLS and DNS), the probes of every kind, the StaffAlerter and the MonitorEngine.
// It depends on nothing but the store, and a store that is down at start only delays the first
// checks (the engine reads the monitors again every second until it can): monitoring runs with
// notifications off, and before the notification runtime could start. Staff alerts go out on
// the notification runtime's channels once it runs (StaffAlerter::SetChannels); until then they
// wait in the store.
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
#include "net/curl_engine.h"
#include "net/socket_engine.h"
#include "store/store.h"

namespace herald::monitor {

struct MonitorRuntimeOptions {
  std::string public_url;  // linked from staff alerts
  std::string ca_file;     // extra trusted CAs (PEM) for TLS checks, besides the system's
};

struct MonitorRuntime {
  std::unique_ptr<net::CurlEngine> http;  // HTTP checks
  std::unique_ptr<net::SocketEngine> sockets;
  std::unique_ptr<Probes> probes;
  std::unique_ptr<StaffAlerter> alerter;
  std::unique_ptr<MonitorEngine> engine;

  ~MonitorRuntime();
  void Start();
  void Stop();  // engine first (no new checks), then the alerter and the outbound engines
  // Probe::Validate of the monitor's kind (unknown kinds are refused).
  Status Validate(const model::Monitor& monitor) const;
};

// Builds the runtime without touching the store. The alerter has no channels yet.
std::unique_ptr<MonitorRuntime> MakeMonitorRuntime(store::Store& store, const Clock& clock,
                                                   PublishDraftFn publish_draft, std::function<void()> on_change,
                                                   const MonitorRuntimeOptions& options);

}  // namespace herald::monitor
