#include "monitor/probes/heartbeat/heartbeat_probe.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "monitor/probes/monitor_target_testing.h"

namespace herald::monitor {
namespace {

using model::CheckVerdict;
using ::testing::HasSubstr;

class HeartbeatProbeTest : public ::testing::Test {
 protected:
  model::Monitor Monitor() {
    model::Monitor m;
    m.kind = model::MonitorKind::kHeartbeat;
    m.interval_ms = 60'000;
    m.spec.grace_ms = 30'000;
    m.created_at = clock_.Now();
    return m;
  }
  ProbeResult Check(const model::Monitor& m) { return testing::RunCheck(probe_, m).value(); }

  FakeClock clock_;  // 2026-01-01T00:00:00Z
  HeartbeatProbe probe_{clock_};
};

TEST_F(HeartbeatProbeTest, NewMonitorGetsIntervalPlusGraceForItsFirstCall) {
  auto m = Monitor();
  clock_.Advance(90'000);
  EXPECT_EQ(Check(m).sample.verdict, CheckVerdict::kUp);
  clock_.Advance(1);
  const auto r = Check(m);
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kDown);
  EXPECT_EQ(r.sample.error,
            "no heartbeat since the monitor was created at 2026-01-01T00:00:00Z (expected every 60 s with 30 s "
            "grace)");
}

TEST_F(HeartbeatProbeTest, EachCallRestartsTheDeadline) {
  auto m = Monitor();
  clock_.Advance(50'000);
  m.last_heartbeat_at = clock_.Now();  // 00:00:50
  clock_.Advance(90'000);
  auto r = Check(m);
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kUp);
  EXPECT_THAT(r.sample.evidence, HasSubstr("last heartbeat at 2026-01-01T00:00:50"));
  clock_.Advance(1);
  r = Check(m);
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kDown);
  EXPECT_THAT(r.sample.error, ::testing::StartsWith("no heartbeat since 2026-01-01T00:00:50"));
}

TEST_F(HeartbeatProbeTest, ValidateGrace) {
  model::ProbeSpec spec;
  EXPECT_TRUE(probe_.Validate(spec, "spec").ok());
  spec.grace_ms = -1;
  EXPECT_EQ(probe_.Validate(spec, "spec").error().field, "spec.grace_ms");
}

}  // namespace
}  // namespace herald::monitor
