#include "monitor/scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

namespace herald::monitor {
namespace {

constexpr TimeMs kStart = 1767225600000;  // 2026-01-01T00:00:00Z

TEST(Scheduler, TenThousandMonitorsAreSpreadOverTheInterval) {
  Scheduler s;
  for (int i = 0; i < 10'000; ++i) s.Upsert("mon_" + std::to_string(i), 30'000, kStart);
  // Step through two intervals a second at a time, as the engine's loop would.
  std::map<std::string, std::vector<TimeMs>> starts;
  std::vector<int> per_second;
  for (TimeMs t = kStart + 1000; t <= kStart + 60'000; t += 1000) {
    auto due = s.PopDue(t);
    per_second.push_back(static_cast<int>(due.size()));
    for (const auto& d : due) {
      EXPECT_LE(d.due_at, t);
      EXPECT_GT(d.due_at, t - 1000);  // never late by more than the step
      starts[d.monitor_id].push_back(d.due_at);
    }
  }
  // About 333 a second, never a burst.
  const int total = std::accumulate(per_second.begin(), per_second.end(), 0);
  EXPECT_EQ(total, 20'000);
  for (size_t i = 0; i < per_second.size(); ++i) {
    EXPECT_GT(per_second[i], 250) << "second " << i;
    EXPECT_LT(per_second[i], 420) << "second " << i;
  }
  // Each monitor ran exactly twice, 30 s apart.
  ASSERT_EQ(starts.size(), 10'000u);
  for (const auto& [id, times] : starts) {
    ASSERT_EQ(times.size(), 2u) << id;
    EXPECT_EQ(times[1] - times[0], 30'000) << id;
  }
}

TEST(Scheduler, PhaseIsDeterministicAndWithinTheInterval) {
  for (int i = 0; i < 100; ++i) {
    const std::string id = "m" + std::to_string(i);
    const TimeMs p = PhaseOf(id, 30'000);
    EXPECT_GE(p, 0);
    EXPECT_LT(p, 30'000);
    EXPECT_EQ(p, PhaseOf(id, 30'000));
  }
  // A restart (a new scheduler at another time) keeps each monitor's slot.
  Scheduler a, b;
  a.Upsert("x", 10'000, kStart);
  b.Upsert("x", 10'000, kStart + 123'456);
  const TimeMs first_a = *a.NextDue(), first_b = *b.NextDue();
  EXPECT_EQ((first_b - first_a) % 10'000, 0);
}

TEST(Scheduler, MissedSlotsAreSkippedNotBursted) {
  Scheduler s;
  s.Upsert("m", 5'000, kStart);
  const TimeMs first = *s.NextDue();
  // The loop stalled for a minute: one check now, then back on the 5 s grid.
  auto due = s.PopDue(first + 60'000);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].due_at, first);
  EXPECT_EQ(*s.NextDue(), first + 65'000);
}

TEST(Scheduler, IntervalFloorIsFiveSeconds) {
  Scheduler s;
  s.Upsert("m", 100, kStart);
  const TimeMs first = *s.NextDue();
  ASSERT_EQ(s.PopDue(first).size(), 1u);
  EXPECT_EQ(*s.NextDue() - first, kMinIntervalMs);
}

TEST(Scheduler, RemoveRunAtAndIntervalChanges) {
  Scheduler s;
  s.Upsert("a", 60'000, kStart);
  s.Upsert("b", 60'000, kStart);
  s.Remove("a");
  EXPECT_FALSE(s.Contains("a"));
  EXPECT_EQ(s.size(), 1u);
  for (TimeMs t = kStart; t <= kStart + 60'000; t += 1000)
    for (const auto& d : s.PopDue(t)) EXPECT_EQ(d.monitor_id, "b");
  // A heartbeat makes "b" due now; afterwards it returns to its own slot.
  const TimeMs slot = *s.NextDue();
  const TimeMs now = slot - 20'000;
  s.RunAt("b", now);
  auto due = s.PopDue(now);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(*s.NextDue(), slot);
  // Upsert with the same interval keeps the schedule; another interval moves it.
  s.Upsert("b", 60'000, now);
  EXPECT_EQ(*s.NextDue(), slot);
  s.Upsert("b", 10'000, now);
  EXPECT_LE(*s.NextDue(), now + 10'000);
  EXPECT_EQ(s.PopDue(now + 10'000).size(), 1u);  // the old 60 s entry is gone
  EXPECT_TRUE(s.PopDue(now + 10'000).empty());
}

}  // namespace
}  // namespace herald::monitor
