// DnsProbe: one DNS query (A, AAAA, CNAME, MX, TXT or NS) for the monitor's name, to the system's
// resolver or to spec.dns_server ("127.0.0.1:5353", "[::1]:53"). Down when the name does not
// resolve, the server fails or does not answer in time, or — with spec.expected_answer — no
// answer equals it (names compare without case and trailing dot; an MX answer matches "10
// mail.example.com" or just "mail.example.com"). The answers go into the evidence. Runs on the
// asynchronous SocketEngine (c-ares), no thread per check.
//
// Thread safety: Start and Validate may be called concurrently from any thread; `done` runs on
// the SocketEngine's thread.
#pragma once

#include <string>
#include <vector>

#include "monitor/probe.h"
#include "net/socket_engine.h"

namespace herald::monitor {

class DnsProbe final : public Probe {
 public:
  explicit DnsProbe(net::SocketEngine& sockets) : sockets_(sockets) {}
  model::MonitorKind Kind() const override { return model::MonitorKind::kDns; }
  Status Validate(const model::ProbeSpec& spec, const std::string& field) const override;
  void Start(const model::Monitor& monitor, std::function<void(ProbeResult)> done) override;

  // Whether `answers` (as the SocketEngine gives them) contain `expected` for `record_type`.
  static bool AnswerMatches(const std::string& record_type, const std::vector<std::string>& answers,
                            const std::string& expected);

 private:
  net::SocketEngine& sockets_;
};

}  // namespace herald::monitor
