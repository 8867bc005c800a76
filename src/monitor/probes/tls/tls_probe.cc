#include "monitor/probes/tls/tls_probe.h"

#include "core/time.h"
#include "monitor/probes/common.h"

namespace herald::monitor {
namespace {

constexpr std::int64_t kDayMs = 86'400'000;

std::string Day(TimeMs t) { return FormatIso8601(t).substr(0, 10); }

void Judge(const model::ProbeSpec& spec, const std::string& host, TimeMs now, const net::ConnectResult& r,
           model::MonitorSample& s) {
  const std::int64_t left = r.cert_not_after - now;
  // Whole days, rounded up: a certificate valid for 4 days and 23 hours "expires in 5 days".
  const std::int64_t days = left > 0 ? (left + kDayMs - 1) / kDayMs : -((-left) / kDayMs);
  std::string expiry;
  if (left > 0) {
    expiry = "certificate expires in " + std::to_string(days) + (days == 1 ? " day (" : " days (") +
             Day(r.cert_not_after) + ")";
  } else {
    expiry = "certificate expired on " + Day(r.cert_not_after);
  }
  s.evidence = expiry;
  if (!r.cert_subject.empty()) s.evidence += "; subject " + r.cert_subject;
  if (!r.cert_issuer.empty()) s.evidence += "; issuer " + r.cert_issuer;
  if (!r.verify_ok) s.evidence += "; not verified: " + r.verify_error;
  if (!r.remote_ip.empty()) s.evidence += "; remote address " + r.remote_ip;

  if (r.cert_not_after == 0) return probes::Fail(s, "no certificate presented");
  if (left <= 0) return probes::Fail(s, expiry);
  if (r.cert_not_before > now)
    return probes::Fail(s, "certificate not valid before " + FormatIso8601(r.cert_not_before));
  if (spec.verify_tls) {
    if (!r.hostname_ok) return probes::Fail(s, "certificate does not match " + host);
    if (!r.verify_ok) return probes::Fail(s, "certificate not trusted: " + r.verify_error);
  }
  s.verdict = model::CheckVerdict::kUp;
  if (left < static_cast<std::int64_t>(spec.expiry_warn_days) * kDayMs) {
    s.verdict = model::CheckVerdict::kSlow;
    s.error = expiry;
    return;
  }
  probes::ApplySlowThreshold(s, spec.slow_ms);
}

}  // namespace

Status TlsProbe::Validate(const model::ProbeSpec& spec, const std::string& field) const {
  std::string why;
  if (!probes::ParseHostPort(spec.target, &why)) return Error::Invalid(probes::FieldName(field, "target"), why);
  if (spec.expiry_warn_days < 0 || spec.expiry_warn_days > model::kMaxExpiryWarnDays)
    return Error::Invalid(probes::FieldName(field, "expiry_warn_days"),
                          "must be from 0 to " + std::to_string(model::kMaxExpiryWarnDays) + " days");
  if (spec.slow_ms < 0) return Error::Invalid(probes::FieldName(field, "slow_ms"), "must not be negative");
  return {};
}

void TlsProbe::Start(const model::Monitor& monitor, std::function<void(ProbeResult)> done) {
  std::string why;
  auto hp = probes::ParseHostPort(monitor.spec.target, &why);
  if (!hp) {
    ProbeResult result;
    probes::Fail(result.sample, "invalid target: " + why);
    return done(std::move(result));
  }
  net::TlsOptions tls;
  tls.enabled = true;
  tls.server_name = hp->host;
  const std::int64_t timeout_ms = monitor.timeout_ms;
  sockets_.Connect(hp->host, hp->port, std::chrono::milliseconds(timeout_ms), tls,
                   [spec = monitor.spec, host = hp->host, timeout_ms, clock = &clock_,
                    done = std::move(done)](const net::ConnectResult& r) {
                     ProbeResult result;
                     model::MonitorSample& s = result.sample;
                     s.timings.dns_ms = r.dns_ms;
                     s.timings.connect_ms = r.connect_ms;
                     s.timings.tls_ms = r.tls_ms;
                     s.timings.total_ms = r.total_ms;
                     if (!r.ok) {
                       if (!r.remote_ip.empty()) s.evidence = "remote address " + r.remote_ip;
                       probes::Fail(s, probes::FailureText(r.failure, r.error, timeout_ms, host));
                     } else {
                       Judge(spec, host, clock->Now(), r, s);
                     }
                     done(std::move(result));
                   });
}

}  // namespace herald::monitor
