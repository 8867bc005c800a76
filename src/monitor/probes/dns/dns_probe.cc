#include "monitor/probes/dns/dns_probe.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include "monitor/probes/common.h"

namespace herald::monitor {
namespace {

constexpr std::string_view kTypes[] = {"A", "AAAA", "CNAME", "MX", "TXT", "NS"};

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// A name as compared: lower case, no trailing dot.
std::string NormalName(std::string_view s) {
  while (!s.empty() && s.back() == '.') s.remove_suffix(1);
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// An address as compared: canonical text ("2001:0db8::0010" equals "2001:db8::10").
std::string NormalAddress(const std::string& s, int family) {
  unsigned char buf[16];
  char out[INET6_ADDRSTRLEN];
  if (inet_pton(family, s.c_str(), buf) != 1 || inet_ntop(family, buf, out, sizeof out) == nullptr) return s;
  return out;
}

std::string AnswersText(const std::vector<std::string>& answers) {
  std::string out;
  for (const auto& a : answers) {
    if (out.size() > 200) {
      out += ", ...";
      break;
    }
    if (!out.empty()) out += ", ";
    out += a;
  }
  return out;
}

}  // namespace

bool DnsProbe::AnswerMatches(const std::string& record_type, const std::vector<std::string>& answers,
                             const std::string& expected) {
  const std::string type = Upper(record_type);
  for (const auto& a : answers) {
    if (type == "A" || type == "AAAA") {
      const int family = type == "A" ? AF_INET : AF_INET6;
      if (NormalAddress(a, family) == NormalAddress(expected, family)) return true;
    } else if (type == "CNAME" || type == "NS") {
      if (NormalName(a) == NormalName(expected)) return true;
    } else if (type == "MX") {
      const size_t space = a.find(' ');
      const std::string host = space == std::string::npos ? a : a.substr(space + 1);
      const std::string want = NormalName(expected);
      if (NormalName(a) == want || NormalName(host) == want) return true;
      // "10 mail.example.com." with a trailing dot or different case still matches.
      const size_t want_space = expected.find(' ');
      if (want_space != std::string::npos && space != std::string::npos &&
          a.substr(0, space) == expected.substr(0, want_space) &&
          NormalName(host) == NormalName(expected.substr(want_space + 1)))
        return true;
    } else if (a == expected) {
      return true;
    }
  }
  return false;
}

Status DnsProbe::Validate(const model::ProbeSpec& spec, const std::string& field) const {
  if (!probes::IsHostName(spec.target))
    return Error::Invalid(probes::FieldName(field, "target"), "must be a DNS name like www.example.com");
  const std::string type = Upper(spec.record_type);
  if (std::find(std::begin(kTypes), std::end(kTypes), type) == std::end(kTypes))
    return Error::Invalid(probes::FieldName(field, "record_type"), "must be one of A, AAAA, CNAME, MX, TXT, NS");
  if (!spec.dns_server.empty() && !probes::IsIpLiteral(spec.dns_server)) {
    std::string why;
    auto hp = probes::ParseHostPort(spec.dns_server, &why);
    if (!hp) return Error::Invalid(probes::FieldName(field, "dns_server"), why);
    if (!probes::IsIpLiteral(hp->host))
      return Error::Invalid(probes::FieldName(field, "dns_server"),
                            "must be an IP address with an optional port (127.0.0.1:53, [::1]:53)");
  }
  if (spec.dns_server.find(':') != std::string::npos && spec.dns_server.front() != '[' &&
      probes::IsIpLiteral(spec.dns_server))
    return Error::Invalid(probes::FieldName(field, "dns_server"), "an IPv6 server must be in brackets: [::1]:53");
  if (spec.slow_ms < 0) return Error::Invalid(probes::FieldName(field, "slow_ms"), "must not be negative");
  return {};
}

void DnsProbe::Start(const model::Monitor& monitor, std::function<void(ProbeResult)> done) {
  net::DnsQuery q;
  q.name = monitor.spec.target;
  q.record_type = Upper(monitor.spec.record_type);
  q.server = monitor.spec.dns_server;
  q.timeout = std::chrono::milliseconds(monitor.timeout_ms);
  sockets_.Query(
      q, [type = q.record_type, name = q.name, expected = monitor.spec.expected_answer, slow_ms = monitor.spec.slow_ms,
          timeout_ms = monitor.timeout_ms, done = std::move(done)](const net::DnsResult& r) {
        ProbeResult result;
        model::MonitorSample& s = result.sample;
        s.timings.dns_ms = r.total_ms;
        s.timings.total_ms = r.total_ms;
        if (!r.ok) {
          // The engine's words are already DNS-specific ("no such name: ...", "DNS server failure").
          probes::Fail(s, r.error.empty() ? probes::FailureText(r.failure, r.error, timeout_ms, name) : r.error);
        } else {
          s.evidence = type + " " + AnswersText(r.answers);
          if (!expected.empty() && !AnswerMatches(type, r.answers, expected)) {
            probes::Fail(s, "expected " + type + " answer \"" + expected + "\", got " + AnswersText(r.answers));
          } else {
            s.verdict = model::CheckVerdict::kUp;
            probes::ApplySlowThreshold(s, slow_ms);
          }
        }
        done(std::move(result));
      });
}

}  // namespace herald::monitor
