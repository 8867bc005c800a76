// TcpProbe: can a TCP connection to "host:port" be opened within the monitor's timeout? Runs on
// the asynchronous SocketEngine (no thread per check). Records DNS and connect times and the
// address connected to; slow_ms marks a slow connect.
//
// Thread safety: Start and Validate may be called concurrently from any thread; `done` runs on
// the SocketEngine's thread.
#pragma once

#include "monitor/probe.h"
#include "net/socket_engine.h"

namespace herald::monitor {

class TcpProbe final : public Probe {
 public:
  explicit TcpProbe(net::SocketEngine& sockets) : sockets_(sockets) {}
  model::MonitorKind Kind() const override { return model::MonitorKind::kTcp; }
  Status Validate(const model::ProbeSpec& spec, const std::string& field) const override;
  void Start(const model::Monitor& monitor, std::function<void(ProbeResult)> done) override;

 private:
  net::SocketEngine& sockets_;
};

}  // namespace herald::monitor
