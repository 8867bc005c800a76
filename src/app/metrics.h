// Metrics: Prometheus counters and histograms for the server, in the text exposition format.
// Routes are labelled by pattern (not raw path) so the label set stays bounded; past kMaxRoutes
// distinct labels, new ones are counted as "other".
//
// Recording a request takes no lock and allocates nothing: the route label is found in a
// fixed-size, insert-only hash table read without locking (a label is interned under a mutex
// the first time it is seen), and its counters are relaxed atomics. This runs once per request
// on the io threads, where a shared mutex and two map lookups used to show in the profile.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace herald::app {

class Metrics {
 public:
  static constexpr std::size_t kMaxRoutes = 256;

  Metrics() = default;
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  void ObserveRequest(std::string_view route, int status, double seconds);
  // Gauges computed at scrape time.
  void SetGaugeSource(std::function<std::string()> source) { gauges_ = std::move(source); }
  std::string Render() const;

 private:
  static constexpr std::array<double, 10> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5};
  static constexpr int kMinStatus = 100, kMaxStatus = 599;
  struct Route {
    explicit Route(std::string_view l) : label(l) {}
    const std::string label;
    std::array<std::atomic<std::uint64_t>, kMaxStatus - kMinStatus + 1> by_status{};
    // Per bucket (not cumulative: one increment per request; Render accumulates), then +Inf.
    std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> buckets{};
    std::atomic<std::uint64_t> sum_ns{0};
  };
  // Open addressing, twice kMaxRoutes slots so probes stay short; slots are written once.
  static constexpr std::size_t kSlots = 2 * kMaxRoutes;

  Route* Find(std::string_view label);

  std::array<std::atomic<Route*>, kSlots> slots_{};
  mutable std::mutex mu_;                       // interning new labels, and Render's listing of them
  std::vector<std::unique_ptr<Route>> routes_;  // owns the routes (guarded by mu_)
  std::function<std::string()> gauges_;
};

}  // namespace herald::app
