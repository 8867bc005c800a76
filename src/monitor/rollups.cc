#include "monitor/rollups.h"

#include <algorithm>

namespace herald::monitor {

int RollupBuffer::Add(const model::MonitorSample& sample) {
  int dropped = 0;
  if (!AddTo(sample, 'm', FloorTo(sample.at, kMinuteMs))) ++dropped;
  if (!AddTo(sample, 'd', FloorTo(sample.at, kDayMs))) ++dropped;
  return dropped;
}

std::vector<model::MonitorRollup> RollupBuffer::Buckets() const {
  std::vector<model::MonitorRollup> out;
  out.reserve(buckets_.size());
  for (const auto& [key, r] : buckets_) out.push_back(r);
  return out;
}

bool RollupBuffer::AddTo(const model::MonitorSample& s, char granularity, TimeMs bucket_start) {
  auto key = std::make_tuple(s.monitor_id, granularity, bucket_start);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_buckets_) return false;
    model::MonitorRollup r;
    r.monitor_id = s.monitor_id;
    r.granularity = granularity;
    r.bucket_start = bucket_start;
    r.latency_sum_ms = 0;
    it = buckets_.emplace(key, std::move(r)).first;
  }
  model::MonitorRollup& r = it->second;
  ++r.checks;
  switch (s.verdict) {
    case model::CheckVerdict::kUp: ++r.up; break;
    case model::CheckVerdict::kSlow: ++r.slow; break;
    case model::CheckVerdict::kDown: ++r.down; break;
  }
  // Latency only of checks that got an answer: a timeout's "latency" is the timeout.
  if (s.verdict != model::CheckVerdict::kDown || s.status_code > 0) {
    ++r.answered;
    r.latency_sum_ms += s.timings.total_ms;
    r.latency_max_ms = std::max(r.latency_max_ms, s.timings.total_ms);
  }
  return true;
}

}  // namespace herald::monitor
