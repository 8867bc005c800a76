// Texts of automatic incidents. Regression (first-hour issue 11): "since 14:37 UTC" appeared in an
// incident on a Europe/Berlin page whose every other time is in Berlin time.
#include "monitor/automation.h"

#include <gtest/gtest.h>

#include "core/time.h"

namespace herald::monitor {
namespace {

TEST(ClockTimeIn, UsesThePagesZoneAndFallsBackToUtc) {
  const TimeMs t = *ParseIso8601("2026-12-01T14:02:30Z");
  EXPECT_EQ(ClockTimeIn(t, "Europe/Berlin"), "15:02 CET");
  EXPECT_EQ(ClockTimeIn(*ParseIso8601("2026-07-01T14:02:30Z"), "Europe/Berlin"), "16:02 CEST");
  EXPECT_EQ(ClockTimeIn(t, ""), "14:02 UTC");
  EXPECT_EQ(ClockTimeIn(t, "Not/AZone"), "14:02 UTC");
}

}  // namespace
}  // namespace herald::monitor
