// The probe kinds Herald knows, one per model::MonitorKind. Adding a kind is one folder under
// monitor/probes/ and one line in MakeProbes (registry.cc).
//
// Thread safety: build with Add() from one thread before use; after that Find() and the probes
// themselves may be used from any thread.
#pragma once

#include <memory>
#include <vector>

#include "core/clock.h"
#include "model/monitor.h"
#include "monitor/probe.h"
#include "net/http_client.h"
#include "net/socket_engine.h"

namespace herald::monitor {

// What the probes run on; all must outlive the Probes made from them.
struct ProbeDeps {
  net::HttpClient& http;       // HTTP checks (the CurlEngine in production)
  net::SocketEngine& sockets;  // TCP, TLS and DNS checks
  const Clock& clock;          // TLS expiry and heartbeat deadlines
};

class Probes {  // owns one Probe per kind
 public:
  // The probe for `kind`, or nullptr if none is registered.
  Probe* Find(model::MonitorKind kind) const;
  // Registers `probe` for its Kind(), replacing an earlier one of the same kind.
  void Add(std::unique_ptr<Probe> probe);

 private:
  std::vector<std::unique_ptr<Probe>> probes_;
};

// Every kind, on `deps`.
Probes MakeProbes(ProbeDeps deps);

}  // namespace herald::monitor
