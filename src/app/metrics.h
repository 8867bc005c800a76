// Metrics: Prometheus counters and histograms for the server, in the text exposition format.
// Routes are labelled by pattern (not raw path) so the label set stays bounded.
// Thread safety: all methods may be called from any thread.
#pragma once

#include <array>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace herald::app {

class Metrics {
 public:
  void ObserveRequest(const std::string& route, int status, double seconds);
  // Gauges computed at scrape time.
  void SetGaugeSource(std::function<std::string()> source) { gauges_ = std::move(source); }
  std::string Render() const;

 private:
  static constexpr std::array<double, 10> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5};
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> counts{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;  // (route, status) -> count
  std::map<std::string, Histogram> latency_;
  std::function<std::string()> gauges_;
};

}  // namespace herald::app
