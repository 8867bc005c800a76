#include "app/metrics.h"

#include <fmt/format.h>

namespace herald::app {
namespace {
std::string EscapeLabel(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}
}  // namespace

void Metrics::ObserveRequest(const std::string& route, int status, double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{route, status}];
  auto& h = latency_[route];
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++h.counts[i];
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::Render() const {
  std::string out;
  {
    std::lock_guard lock(mu_);
    out += "# HELP herald_http_requests_total HTTP requests answered, by route pattern and status.\n";
    out += "# TYPE herald_http_requests_total counter\n";
    for (const auto& [k, n] : requests_)
      out += fmt::format("herald_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n", EscapeLabel(k.first),
                         k.second, n);
    out += "# HELP herald_http_request_duration_seconds Time to answer a request, by route pattern.\n";
    out += "# TYPE herald_http_request_duration_seconds histogram\n";
    for (const auto& [route, h] : latency_) {
      std::string r = EscapeLabel(route);
      for (size_t i = 0; i < kBuckets.size(); ++i)
        out += fmt::format("herald_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", r, kBuckets[i],
                           h.counts[i]);
      out += fmt::format("herald_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", r, h.count);
      out += fmt::format("herald_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", r, h.sum);
      out += fmt::format("herald_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", r, h.count);
    }
  }
  if (gauges_) out += gauges_();
  return out;
}

}  // namespace herald::app
