#include "monitor/evaluator.h"

#include <gtest/gtest.h>

namespace herald::monitor {
namespace {

using model::CheckVerdict;
using model::ComponentStatus;
using model::MonitorState;
constexpr CheckVerdict U = CheckVerdict::kUp, S = CheckVerdict::kSlow, D = CheckVerdict::kDown;

// Feeds verdicts one by one, applying each evaluated state as confirmed (as the engine does when
// writes succeed), and returns the state after each verdict.
std::vector<MonitorState> Feed(const Thresholds& t, const std::vector<CheckVerdict>& verdicts,
                               MonitorState start = MonitorState::kUnknown) {
  MonitorWindow w;
  MonitorState confirmed = start;
  std::vector<MonitorState> out;
  for (auto v : verdicts) {
    w.Push(v, t);
    confirmed = w.Evaluate(confirmed, t);
    out.push_back(confirmed);
  }
  return out;
}

Thresholds T(int n, int m, int k) {
  Thresholds t;
  t.failures_to_down = n;
  t.failure_window = m;
  t.successes_to_up = k;
  return t;
}

TEST(Evaluator, FirstUpConfirmsUpFromUnknown) {
  EXPECT_EQ(Feed(T(3, 3, 2), {U}), (std::vector{MonitorState::kUp}));
  // A failure from unknown is not "up", and not yet down either.
  EXPECT_EQ(Feed(T(3, 3, 2), {D, U}), (std::vector{MonitorState::kUnknown, MonitorState::kUp}));
}

TEST(Evaluator, DownNeedsNFailuresAmongTheLastM) {
  const auto t = T(2, 4, 2);
  // One failure in four: still up. Two among the last four (not consecutive): down.
  auto s = Feed(t, {U, D, U, U, D});
  EXPECT_EQ(s[1], MonitorState::kUp);
  EXPECT_EQ(s[3], MonitorState::kUp);
  EXPECT_EQ(s[4], MonitorState::kDown);
  // Failures further apart than M do not add up.
  s = Feed(t, {U, D, U, U, U, D});
  EXPECT_EQ(s.back(), MonitorState::kUp);
}

TEST(Evaluator, ThreeOfThreeIsConsecutive) {
  auto s = Feed(T(3, 3, 2), {U, D, D, U, D, D, D});
  EXPECT_EQ(s[2], MonitorState::kUp);
  EXPECT_EQ(s[5], MonitorState::kUp);
  EXPECT_EQ(s[6], MonitorState::kDown);
}

TEST(Evaluator, UpAgainAfterKConsecutiveUps) {
  const auto t = T(2, 2, 3);
  auto s = Feed(t, {U, D, D, U, U, D, U, U, U});
  EXPECT_EQ(s[2], MonitorState::kDown);
  EXPECT_EQ(s[3], MonitorState::kDown);  // one up is a blip
  EXPECT_EQ(s[4], MonitorState::kDown);
  EXPECT_EQ(s[5], MonitorState::kDown);  // a failure restarts the count (and 1 of 2 is not down)
  EXPECT_EQ(s[6], MonitorState::kDown);
  EXPECT_EQ(s[7], MonitorState::kDown);
  EXPECT_EQ(s[8], MonitorState::kUp);  // three in a row
}

TEST(Evaluator, SlowIsDegradedNotDown) {
  const auto t = T(2, 3, 2);
  auto s = Feed(t, {U, S, S});
  EXPECT_EQ(s[2], MonitorState::kDegraded);
  // Slow and down together: degraded until N of them are down.
  s = Feed(t, {U, S, D});
  EXPECT_EQ(s[2], MonitorState::kDegraded);
  s = Feed(t, {U, S, D, D});
  EXPECT_EQ(s[3], MonitorState::kDown);
  // From down, fewer than N downs but N bad: degraded, not up.
  s = Feed(t, {U, D, D, S, S});
  EXPECT_EQ(s[3], MonitorState::kDown);  // still two downs among the last three
  EXPECT_EQ(s[4], MonitorState::kDegraded);
  // Degraded recovers after K ups.
  s = Feed(t, {U, S, S, U, U});
  EXPECT_EQ(s[3], MonitorState::kDegraded);
  EXPECT_EQ(s[4], MonitorState::kUp);
}

TEST(Evaluator, WindowKeepsGoingWhileConfirmedStateIsHeld) {
  // The engine could not write "down": confirmed stays up, the window still says down, and the
  // change is proposed again with the next result.
  const auto t = T(2, 2, 2);
  MonitorWindow w;
  w.Push(D, t);
  w.Push(D, t);
  EXPECT_EQ(w.Evaluate(MonitorState::kUp, t), MonitorState::kDown);
  w.Push(D, t);
  EXPECT_EQ(w.Evaluate(MonitorState::kUp, t), MonitorState::kDown);
}

TEST(Evaluator, ThresholdsAreSanitised) {
  model::Monitor m;
  m.failures_to_down = 9;
  m.failure_window = 3;
  m.successes_to_up = 0;
  auto t = Thresholds::Of(m);
  EXPECT_EQ(t.failures_to_down, 3);
  EXPECT_EQ(t.failure_window, 3);
  EXPECT_EQ(t.successes_to_up, 1);
}

TEST(Evaluator, ComponentStatusIsTheWorstOfItsMonitors) {
  model::Monitor a, b;
  a.down_status = ComponentStatus::kPartialOutage;
  b.slow_status = ComponentStatus::kDegradedPerformance;
  EXPECT_EQ(StatusFor(MonitorState::kDown, a), ComponentStatus::kPartialOutage);
  EXPECT_EQ(StatusFor(MonitorState::kDegraded, b), ComponentStatus::kDegradedPerformance);
  EXPECT_EQ(StatusFor(MonitorState::kUnknown, a), ComponentStatus::kOperational);
  EXPECT_EQ(Worst({}), ComponentStatus::kOperational);
  EXPECT_EQ(
      Worst({ComponentStatus::kDegradedPerformance, ComponentStatus::kMajorOutage, ComponentStatus::kPartialOutage}),
      ComponentStatus::kMajorOutage);
  EXPECT_EQ(ImpactForStatus(ComponentStatus::kMajorOutage), model::Impact::kMajor);
  EXPECT_EQ(ImpactForStatus(ComponentStatus::kDegradedPerformance), model::Impact::kMinor);
}

}  // namespace
}  // namespace herald::monitor
