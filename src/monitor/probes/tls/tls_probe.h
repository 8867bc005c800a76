// TlsProbe: a TLS handshake with "host:port" and a look at the certificate. Down when the
// handshake fails, the certificate has expired or is not yet valid, or — with verify_tls — it
// does not match the host or is not trusted (self-signed, unknown CA). "Slow" (a warning) when it
// expires within spec.expiry_warn_days, or the handshake takes over slow_ms. The evidence always
// says when the certificate expires ("certificate expires in 5 days (2026-12-07)"). Runs on the
// asynchronous SocketEngine; "now" comes from the Clock.
//
// Thread safety: Start and Validate may be called concurrently from any thread; `done` runs on
// the SocketEngine's thread.
#pragma once

#include "core/clock.h"
#include "monitor/probe.h"
#include "net/socket_engine.h"

namespace herald::monitor {

class TlsProbe final : public Probe {
 public:
  TlsProbe(net::SocketEngine& sockets, const Clock& clock) : sockets_(sockets), clock_(clock) {}
  model::MonitorKind Kind() const override { return model::MonitorKind::kTls; }
  Status Validate(const model::ProbeSpec& spec, const std::string& field) const override;
  void Start(const model::Monitor& monitor, std::function<void(ProbeResult)> done) override;

 private:
  net::SocketEngine& sockets_;
  const Clock& clock_;
};

}  // namespace herald::monitor
