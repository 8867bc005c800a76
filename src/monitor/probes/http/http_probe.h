// HttpProbe: HTTP(S) checks on the outbound HttpClient (in production the libcurl multi engine,
// so no check holds a thread). One check sends the monitor's request (method, headers, body,
// redirects followed or not, TLS verification on or off, the monitor's timeout) and judges the
// answer: status in the expected ranges, keyword present or absent, a JSON path that must exist
// or equal a value, and the response-time threshold (slow_ms -> "slow"). Timings (DNS, connect,
// TLS, first byte, total), status code and remote address are recorded.
//
// Thread safety: Start and Validate may be called concurrently from any thread; `done` runs on
// the HttpClient's thread.
#pragma once

#include "monitor/probe.h"
#include "net/http_client.h"

namespace herald::monitor {

class HttpProbe final : public Probe {
 public:
  // Bodies are read up to this size for keyword and JSON checks (the client's default is 64 KiB).
  static constexpr size_t kMaxBodyBytes = 1024 * 1024;

  explicit HttpProbe(net::HttpClient& http) : http_(http) {}
  model::MonitorKind Kind() const override { return model::MonitorKind::kHttp; }
  Status Validate(const model::ProbeSpec& spec, const std::string& field) const override;
  void Start(const model::Monitor& monitor, std::function<void(ProbeResult)> done) override;

 private:
  net::HttpClient& http_;
};

}  // namespace herald::monitor
