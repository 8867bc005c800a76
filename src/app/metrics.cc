#include "app/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

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

Metrics::~Metrics() = default;

Metrics::Route* Metrics::Find(std::string_view label) {
  const std::size_t start = std::hash<std::string_view>{}(label) % kSlots;
  // Readers: a slot, once set, never changes, so an acquire load is all it takes.
  for (std::size_t i = 0; i < kSlots; ++i) {
    Route* r = slots_[(start + i) % kSlots].load(std::memory_order_acquire);
    if (!r) break;
    if (r->label == label) return r;
  }
  {
    std::lock_guard lock(mu_);
    // Full: a label set this large means a route is labelled by raw path somewhere. "other"
    // itself always fits (kSlots > kMaxRoutes + 1).
    const bool full = routes_.size() >= kMaxRoutes && label != "other";
    for (std::size_t i = 0; i < kSlots; ++i) {
      std::size_t at = (start + i) % kSlots;
      Route* r = slots_[at].load(std::memory_order_relaxed);
      if (r && r->label == label) return r;  // interned by another thread meanwhile
      if (r) continue;
      if (full) break;
      routes_.push_back(std::make_unique<Route>(label));
      slots_[at].store(routes_.back().get(), std::memory_order_release);
      return routes_.back().get();
    }
  }
  return Find("other");
}

void Metrics::ObserveRequest(std::string_view route, int status, double seconds) {
  Route* r = Find(route);
  if (!r) return;
  status = std::clamp(status, kMinStatus, kMaxStatus);
  r->by_status[static_cast<std::size_t>(status - kMinStatus)].fetch_add(1, std::memory_order_relaxed);
  std::size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  r->buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  r->sum_ns.fetch_add(static_cast<std::uint64_t>(std::max(seconds, 0.0) * 1e9), std::memory_order_relaxed);
}

std::string Metrics::Render() const {
  std::vector<const Route*> routes;
  {
    std::lock_guard lock(mu_);
    for (const auto& r : routes_) routes.push_back(r.get());
  }
  std::sort(routes.begin(), routes.end(), [](const Route* a, const Route* b) { return a->label < b->label; });
  std::string out;
  out += "# HELP herald_http_requests_total HTTP requests answered, by route pattern and status.\n";
  out += "# TYPE herald_http_requests_total counter\n";
  for (const Route* r : routes) {
    std::string label = EscapeLabel(r->label);
    for (std::size_t i = 0; i < r->by_status.size(); ++i) {
      std::uint64_t n = r->by_status[i].load(std::memory_order_relaxed);
      if (n)
        out += fmt::format("herald_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n", label,
                           static_cast<int>(i) + kMinStatus, n);
    }
  }
  out += "# HELP herald_http_request_duration_seconds Time to answer a request, by route pattern.\n";
  out += "# TYPE herald_http_request_duration_seconds histogram\n";
  for (const Route* r : routes) {
    std::string label = EscapeLabel(r->label);
    // Counters move while we read them; a scrape is a moment's approximation either way.
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += r->buckets[i].load(std::memory_order_relaxed);
      out += fmt::format("herald_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", label,
                         kBuckets[i], cumulative);
    }
    cumulative += r->buckets[kBuckets.size()].load(std::memory_order_relaxed);
    out +=
        fmt::format("herald_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", label, cumulative);
    out += fmt::format("herald_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", label,
                       static_cast<double>(r->sum_ns.load(std::memory_order_relaxed)) / 1e9);
    out += fmt::format("herald_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", label, cumulative);
  }
  if (gauges_) out += gauges_();
  return out;
}

}  // namespace herald::app
