#include "monitor/rollups.h"

#include <gtest/gtest.h>

namespace herald::monitor {
namespace {

model::MonitorSample Sample(const std::string& id, TimeMs at, model::CheckVerdict verdict, double total_ms,
                            int status = 200) {
  model::MonitorSample s;
  s.monitor_id = id;
  s.at = at;
  s.verdict = verdict;
  s.status_code = status;
  s.timings.total_ms = total_ms;
  return s;
}

TEST(RollupBufferTest, CountsEachSampleInItsMinuteAndDay) {
  RollupBuffer b(100);
  const TimeMs day = 20'000 * kDayMs;
  EXPECT_EQ(b.Add(Sample("m1", day + 10'000, model::CheckVerdict::kUp, 100)), 0);
  EXPECT_EQ(b.Add(Sample("m1", day + 50'000, model::CheckVerdict::kSlow, 300)), 0);
  EXPECT_EQ(b.Add(Sample("m1", day + 70'000, model::CheckVerdict::kDown, 5000, 0)), 0);  // a timeout
  auto buckets = b.Buckets();
  ASSERT_EQ(buckets.size(), 3u);  // day, then the two minutes ('d' sorts before 'm')
  EXPECT_EQ(buckets[0].granularity, 'd');
  EXPECT_EQ(buckets[0].bucket_start, day);
  EXPECT_EQ(buckets[0].checks, 3);
  EXPECT_EQ(buckets[0].up, 1);
  EXPECT_EQ(buckets[0].slow, 1);
  EXPECT_EQ(buckets[0].down, 1);
  EXPECT_EQ(buckets[0].answered, 2) << "a timeout's latency is the timeout: not counted";
  EXPECT_DOUBLE_EQ(buckets[0].latency_sum_ms, 400);
  EXPECT_DOUBLE_EQ(buckets[0].latency_max_ms, 300);
  EXPECT_EQ(buckets[1].granularity, 'm');
  EXPECT_EQ(buckets[1].bucket_start, day);
  EXPECT_EQ(buckets[1].checks, 2);
  EXPECT_EQ(buckets[2].bucket_start, day + kMinuteMs);
  EXPECT_EQ(buckets[2].checks, 1);
  b.Clear();
  EXPECT_TRUE(b.empty());
}

TEST(RollupBufferTest, AFullBufferDropsNewBucketsButFillsExistingOnes) {
  RollupBuffer b(2);
  EXPECT_EQ(b.Add(Sample("m1", 0, model::CheckVerdict::kUp, 1)), 0);
  EXPECT_EQ(b.Add(Sample("m2", 0, model::CheckVerdict::kUp, 1)), 2);
  EXPECT_EQ(b.Add(Sample("m1", 1000, model::CheckVerdict::kUp, 1)), 0);
  EXPECT_EQ(b.size(), 2u);
  for (const auto& r : b.Buckets()) EXPECT_EQ(r.checks, 2);
}

TEST(RollupBufferTest, FloorToHandlesTimesBeforeTheEpoch) {
  EXPECT_EQ(FloorTo(90'000, kMinuteMs), kMinuteMs);
  EXPECT_EQ(FloorTo(-1, kMinuteMs), -kMinuteMs);
  EXPECT_EQ(FloorTo(0, kDayMs), 0);
}

}  // namespace
}  // namespace herald::monitor
