// RateLimiter: a token bucket per key (usually the client IP) that refills at `per_second`
// tokens per second up to `burst`; each Allow() takes one token. Used to keep one client from
// starving others (subscribe forms, API writes), not for billing-grade accounting.
//
// Memory is bounded: a bucket idle long enough to have refilled completely behaves exactly like
// a new one, so it is dropped; and at most `max_keys` buckets are kept, evicting the least
// recently used (which at worst gives that client a fresh burst).
//
// Thread safety: all methods are thread-safe (one mutex; each call is O(1) amortised).
#pragma once

#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"

namespace herald::http {

class RateLimiter {
 public:
  // per_second must be > 0 and burst >= 1 (smaller values are raised to those minimums).
  RateLimiter(double per_second, double burst, const Clock& clock, std::size_t max_keys = 100'000);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes a token from `key`'s bucket; false when it is empty (the request should get 429).
  bool Allow(std::string_view key);
  // Number of buckets currently held (for tests and metrics).
  std::size_t size() const;

 private:
  struct Bucket {
    double tokens;
    TimeMs last;  // when tokens was last brought up to date
    std::list<std::string>::iterator lru;
  };

  void EvictIdle(TimeMs now);

  const double per_ms_;
  const double burst_;
  const TimeMs full_after_ms_;  // an idle bucket is full again after this long
  const std::size_t max_keys_;
  const Clock& clock_;

  mutable std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::list<std::string> lru_;  // front: most recently used
};

}  // namespace herald::http
