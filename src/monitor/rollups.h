// RollupBuffer: the minute and day rollups of check results not yet written. Each sample is
// counted in its minute bucket and its day bucket (checks, up/slow/down, latency of the checks
// that got an answer); store::RecordMonitorResults adds the buckets to the stored ones, so the
// buffer holds increments and is cleared after each write.
//
// Thread safety: none; the monitor engine's lock guards it.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "core/clock.h"
#include "model/monitor.h"

namespace herald::monitor {

constexpr TimeMs kMinuteMs = 60'000;
constexpr TimeMs kDayMs = 86'400'000;

// The start of the `unit`-long period holding `t` (UTC; also right for times before 1970).
constexpr TimeMs FloorTo(TimeMs t, TimeMs unit) { return t - ((t % unit) + unit) % unit; }

class RollupBuffer {
 public:
  // At most `max_buckets` buckets are held; a sample that would need another is not counted.
  explicit RollupBuffer(size_t max_buckets) : max_buckets_(max_buckets) {}

  // Counts `sample` in its minute and day buckets. Returns how many of the two it could not be
  // counted in because the buffer is full.
  int Add(const model::MonitorSample& sample);
  // The buckets, ordered by monitor, granularity and start.
  std::vector<model::MonitorRollup> Buckets() const;
  bool empty() const { return buckets_.empty(); }
  size_t size() const { return buckets_.size(); }
  void Clear() { buckets_.clear(); }

 private:
  bool AddTo(const model::MonitorSample& sample, char granularity, TimeMs bucket_start);

  size_t max_buckets_;
  std::map<std::tuple<std::string, char, TimeMs>, model::MonitorRollup> buckets_;
};

}  // namespace herald::monitor
