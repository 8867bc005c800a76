#include "monitor/probes/registry.h"

#include "monitor/probes/dns/dns_probe.h"
#include "monitor/probes/heartbeat/heartbeat_probe.h"
#include "monitor/probes/http/http_probe.h"
#include "monitor/probes/tcp/tcp_probe.h"
#include "monitor/probes/tls/tls_probe.h"

namespace herald::monitor {

Probe* Probes::Find(model::MonitorKind kind) const {
  for (const auto& p : probes_)
    if (p->Kind() == kind) return p.get();
  return nullptr;
}

void Probes::Add(std::unique_ptr<Probe> probe) {
  for (auto& p : probes_) {
    if (p->Kind() == probe->Kind()) {
      p = std::move(probe);
      return;
    }
  }
  probes_.push_back(std::move(probe));
}

Probes MakeProbes(ProbeDeps deps) {
  Probes probes;
  probes.Add(std::make_unique<HttpProbe>(deps.http));
  probes.Add(std::make_unique<TcpProbe>(deps.sockets));
  probes.Add(std::make_unique<DnsProbe>(deps.sockets));
  probes.Add(std::make_unique<TlsProbe>(deps.sockets, deps.clock));
  probes.Add(std::make_unique<HeartbeatProbe>(deps.clock));
  return probes;
}

}  // namespace herald::monitor
