#include "http/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace herald::http {

RateLimiter::RateLimiter(double per_second, double burst, const Clock& clock, std::size_t max_keys)
    : per_ms_(std::max(per_second, 1e-6) / 1000.0),
      burst_(std::max(burst, 1.0)),
      full_after_ms_(static_cast<TimeMs>(std::ceil(burst_ / per_ms_))),
      max_keys_(std::max<std::size_t>(max_keys, 1)),
      clock_(clock) {}

bool RateLimiter::Allow(std::string_view key) {
  const TimeMs now = clock_.Now();
  std::lock_guard lock(mu_);
  EvictIdle(now);

  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) {
      buckets_.erase(lru_.back());
      lru_.pop_back();
    }
    lru_.emplace_front(key);
    it = buckets_.emplace(lru_.front(), Bucket{burst_, now, lru_.begin()}).first;
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  }

  Bucket& b = it->second;
  // A clock stepping backwards must not mint tokens later, so `last` never decreases.
  if (now > b.last) {
    b.tokens = std::min(burst_, b.tokens + static_cast<double>(now - b.last) * per_ms_);
    b.last = now;
  }
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

std::size_t RateLimiter::size() const {
  std::lock_guard lock(mu_);
  return buckets_.size();
}

void RateLimiter::EvictIdle(TimeMs now) {
  // The LRU tail is the longest idle; stop at the first bucket still refilling, so each call
  // does work proportional to what it removes.
  while (!lru_.empty()) {
    auto it = buckets_.find(lru_.back());
    if (now - it->second.last < full_after_ms_) break;
    buckets_.erase(it);
    lru_.pop_back();
  }
}

}  // namespace herald::http
