#include "monitor/probes/tcp/tcp_probe.h"

#include "monitor/probes/common.h"

namespace herald::monitor {

Status TcpProbe::Validate(const model::ProbeSpec& spec, const std::string& field) const {
  std::string why;
  if (!probes::ParseHostPort(spec.target, &why)) return Error::Invalid(probes::FieldName(field, "target"), why);
  if (spec.slow_ms < 0) return Error::Invalid(probes::FieldName(field, "slow_ms"), "must not be negative");
  return {};
}

void TcpProbe::Start(const model::Monitor& monitor, std::function<void(ProbeResult)> done) {
  std::string why;
  auto hp = probes::ParseHostPort(monitor.spec.target, &why);
  if (!hp) {
    ProbeResult result;
    probes::Fail(result.sample, "invalid target: " + why);
    return done(std::move(result));
  }
  const int slow_ms = monitor.spec.slow_ms;
  const std::int64_t timeout_ms = monitor.timeout_ms;
  sockets_.Connect(hp->host, hp->port, std::chrono::milliseconds(timeout_ms), net::TlsOptions{},
                   [host = hp->host, slow_ms, timeout_ms, done = std::move(done)](const net::ConnectResult& r) {
                     ProbeResult result;
                     model::MonitorSample& s = result.sample;
                     s.timings.dns_ms = r.dns_ms;
                     s.timings.connect_ms = r.connect_ms;
                     s.timings.total_ms = r.total_ms;
                     if (!r.remote_ip.empty()) s.evidence = "remote address " + r.remote_ip;
                     if (!r.ok) {
                       probes::Fail(s, probes::FailureText(r.failure, r.error, timeout_ms, host));
                     } else {
                       s.verdict = model::CheckVerdict::kUp;
                       probes::ApplySlowThreshold(s, slow_ms);
                     }
                     done(std::move(result));
                   });
}

}  // namespace herald::monitor
