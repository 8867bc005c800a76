#include "http/rate_limiter.h"

#include <gtest/gtest.h>

#include <string>

namespace herald::http {
namespace {

TEST(RateLimiter, AllowsBurstThenRefills) {
  FakeClock clock;
  RateLimiter limiter(/*per_second=*/2, /*burst=*/3, clock);
  EXPECT_TRUE(limiter.Allow("1.2.3.4"));
  EXPECT_TRUE(limiter.Allow("1.2.3.4"));
  EXPECT_TRUE(limiter.Allow("1.2.3.4"));
  EXPECT_FALSE(limiter.Allow("1.2.3.4"));
  clock.Advance(499);
  EXPECT_FALSE(limiter.Allow("1.2.3.4"));
  clock.Advance(1);  // 500 ms at 2/s is one token
  EXPECT_TRUE(limiter.Allow("1.2.3.4"));
  EXPECT_FALSE(limiter.Allow("1.2.3.4"));
  clock.Advance(60'000);  // refills only up to the burst
  EXPECT_TRUE(limiter.Allow("1.2.3.4"));
  EXPECT_TRUE(limiter.Allow("1.2.3.4"));
  EXPECT_TRUE(limiter.Allow("1.2.3.4"));
  EXPECT_FALSE(limiter.Allow("1.2.3.4"));
}

TEST(RateLimiter, KeysAreIndependent) {
  FakeClock clock;
  RateLimiter limiter(1, 1, clock);
  EXPECT_TRUE(limiter.Allow("a"));
  EXPECT_FALSE(limiter.Allow("a"));
  EXPECT_TRUE(limiter.Allow("b"));
  EXPECT_FALSE(limiter.Allow("b"));
}

TEST(RateLimiter, ClockGoingBackwardsMintsNoTokens) {
  FakeClock clock;
  RateLimiter limiter(1, 1, clock);
  EXPECT_TRUE(limiter.Allow("a"));
  clock.Advance(-10'000);
  EXPECT_FALSE(limiter.Allow("a"));
  clock.Advance(10'000);
  EXPECT_FALSE(limiter.Allow("a"));
  clock.Advance(1'000);
  EXPECT_TRUE(limiter.Allow("a"));
}

TEST(RateLimiter, EvictsIdleKeys) {
  FakeClock clock;
  RateLimiter limiter(10, 5, clock);  // full again after 500 ms
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(limiter.Allow("k" + std::to_string(i)));
  EXPECT_EQ(limiter.size(), 100u);
  clock.Advance(499);
  EXPECT_TRUE(limiter.Allow("fresh"));
  EXPECT_EQ(limiter.size(), 101u);
  clock.Advance(1);
  EXPECT_TRUE(limiter.Allow("fresh"));
  EXPECT_EQ(limiter.size(), 1u);  // the 100 idle buckets were full again, so they were dropped
}

TEST(RateLimiter, CapsKeysEvictingLeastRecentlyUsed) {
  FakeClock clock;
  RateLimiter limiter(0.001, 1, clock, /*max_keys=*/3);
  EXPECT_TRUE(limiter.Allow("a"));
  EXPECT_TRUE(limiter.Allow("b"));
  EXPECT_TRUE(limiter.Allow("c"));
  EXPECT_FALSE(limiter.Allow("a"));  // a is now the most recently used; b is the oldest
  EXPECT_TRUE(limiter.Allow("d"));   // evicts b
  EXPECT_EQ(limiter.size(), 3u);
  EXPECT_FALSE(limiter.Allow("a"));
  EXPECT_FALSE(limiter.Allow("c"));
  EXPECT_FALSE(limiter.Allow("d"));
  EXPECT_TRUE(limiter.Allow("b"));  // forgotten, so it starts with a fresh burst
}

}  // namespace
}  // namespace herald::http
