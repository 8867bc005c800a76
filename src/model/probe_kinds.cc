#include "model/probe_kinds.h"

#include <algorithm>
#include <array>

namespace herald::model {
namespace {

using F = ProbeField;

constexpr std::array kHttpFields{F::kMethod,          F::kHeaders,       F::kBody,     F::kExpectedStatus,
                                 F::kKeyword,         F::kKeywordAbsent, F::kJsonPath, F::kJsonExpected,
                                 F::kFollowRedirects, F::kVerifyTls,     F::kSlowMs};
constexpr std::array kTcpFields{F::kSlowMs};
constexpr std::array kDnsFields{F::kRecordType, F::kExpectedAnswer, F::kDnsServer, F::kSlowMs};
constexpr std::array kTlsFields{F::kExpiryWarnDays, F::kSlowMs};
constexpr std::array kHeartbeatFields{F::kGraceSeconds};

// In MonitorKind order (Describe indexes it).
constexpr std::array<ProbeKindDescriptor, 5> kKinds{{
    {MonitorKind::kHttp, "http", "HTTP(S) request", ProbeTarget::kUrl, "the URL to check", kHttpFields},
    {MonitorKind::kTcp, "tcp", "TCP connection", ProbeTarget::kHostPort, "host:port", kTcpFields},
    {MonitorKind::kDns, "dns", "DNS lookup", ProbeTarget::kHostname, "the name to resolve", kDnsFields},
    {MonitorKind::kTls, "tls", "TLS certificate", ProbeTarget::kHostPort, "host:port", kTlsFields},
    {MonitorKind::kHeartbeat, "heartbeat", "Heartbeat (the service calls Herald)", ProbeTarget::kNone, "",
     kHeartbeatFields},
}};

constexpr std::array<std::pair<ProbeField, std::string_view>, 16> kFieldNames{{
    {F::kMethod, "method"},
    {F::kHeaders, "headers"},
    {F::kBody, "body"},
    {F::kExpectedStatus, "expected_status"},
    {F::kKeyword, "keyword"},
    {F::kKeywordAbsent, "keyword_absent"},
    {F::kJsonPath, "json_path"},
    {F::kJsonExpected, "json_expected"},
    {F::kFollowRedirects, "follow_redirects"},
    {F::kVerifyTls, "verify_tls"},
    {F::kRecordType, "record_type"},
    {F::kExpectedAnswer, "expected_answer"},
    {F::kDnsServer, "dns_server"},
    {F::kExpiryWarnDays, "expiry_warn_days"},
    {F::kSlowMs, "slow_ms"},
    {F::kGraceSeconds, "grace_seconds"},
}};

}  // namespace

std::span<const ProbeKindDescriptor> ProbeKinds() { return kKinds; }

const ProbeKindDescriptor& Describe(MonitorKind kind) { return kKinds[static_cast<size_t>(kind)]; }

bool Takes(MonitorKind kind, ProbeField field) {
  const auto fields = Describe(kind).fields;
  return std::find(fields.begin(), fields.end(), field) != fields.end();
}

std::string_view ToString(ProbeField field) {
  for (const auto& [f, name] : kFieldNames)
    if (f == field) return name;
  return "";
}

std::string ProbeKindNames() {
  std::string out;
  for (size_t i = 0; i < kKinds.size(); ++i) {
    if (i > 0) out += i + 1 == kKinds.size() ? " or " : ", ";
    out += kKinds[i].wire_name;
  }
  return out;
}

}  // namespace herald::model
