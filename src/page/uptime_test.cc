#include "page/uptime.h"

#include <gtest/gtest.h>

#include "core/time.h"

namespace herald::page {
namespace {

using model::ComponentStatus;
constexpr TimeMs kHour = 3600 * 1000;
constexpr TimeMs kDay = 24 * kHour;

TimeMs At(const char* iso) { return *ParseIso8601(iso); }

model::Component Api() {
  model::Component c;
  c.id = "api";
  c.name = "API";
  c.created_at = At("2025-01-01T00:00:00Z");
  return c;
}

TEST(UptimeTest, AllOperationalIsHundredPercent) {
  std::vector<model::StatusChange> h = {{"api", ComponentStatus::kOperational, At("2025-01-01T00:00:00Z")}};
  auto u = ComputeUptime(Api(), h, At("2026-01-10T12:00:00Z"), "UTC");
  ASSERT_EQ(u.days.size(), 90u);
  EXPECT_EQ(u.days.back().date, "2026-01-10");
  EXPECT_EQ(u.days.front().date, "2025-10-13");
  for (const auto& d : u.days) {
    EXPECT_TRUE(d.has_data);
    EXPECT_DOUBLE_EQ(d.uptime, 1.0);
    EXPECT_EQ(d.worst, ComponentStatus::kOperational);
  }
  ASSERT_TRUE(u.uptime);
  EXPECT_DOUBLE_EQ(*u.uptime, 1.0);
  // Today counts only up to now.
  EXPECT_EQ(u.days.back().covered_ms, 12 * kHour);
}

TEST(UptimeTest, MajorOutageCountsFullyPartialAtThirtyPercent) {
  std::vector<model::StatusChange> h = {
      {"api", ComponentStatus::kOperational, At("2025-01-01T00:00:00Z")},
      {"api", ComponentStatus::kMajorOutage, At("2026-01-05T06:00:00Z")},
      {"api", ComponentStatus::kOperational, At("2026-01-05T12:00:00Z")},  // 6 h major
      {"api", ComponentStatus::kPartialOutage, At("2026-01-06T00:00:00Z")},
      {"api", ComponentStatus::kOperational, At("2026-01-06T10:00:00Z")},  // 10 h partial
      {"api", ComponentStatus::kDegradedPerformance, At("2026-01-07T01:00:00Z")},
      {"api", ComponentStatus::kOperational, At("2026-01-07T02:00:00Z")},
  };
  auto u = ComputeUptime(Api(), h, At("2026-01-10T00:00:00Z"), "UTC", 10);
  ASSERT_EQ(u.days.size(), 10u);
  auto day = [&](const char* date) {
    for (const auto& d : u.days)
      if (d.date == date) return d;
    ADD_FAILURE() << "no day " << date;
    return UptimeDay{};
  };
  EXPECT_DOUBLE_EQ(day("2026-01-05").uptime, 0.75);
  EXPECT_EQ(day("2026-01-05").worst, ComponentStatus::kMajorOutage);
  EXPECT_EQ(day("2026-01-05").major_outage_ms, 6 * kHour);
  EXPECT_NEAR(day("2026-01-06").uptime, 1.0 - 0.3 * 10.0 / 24.0, 1e-12);
  EXPECT_EQ(day("2026-01-06").worst, ComponentStatus::kPartialOutage);
  EXPECT_DOUBLE_EQ(day("2026-01-07").uptime, 1.0);                            // degraded counts as up...
  EXPECT_EQ(day("2026-01-07").worst, ComponentStatus::kDegradedPerformance);  // ...but is flagged
  EXPECT_EQ(day("2026-01-07").degraded_ms, kHour);
  // The last day (2026-01-10) has no time yet: no data.
  EXPECT_FALSE(u.days.back().has_data);
  ASSERT_TRUE(u.uptime);
  EXPECT_NEAR(*u.uptime, 1.0 - (6.0 + 3.0) / (9 * 24.0), 1e-12);
}

TEST(UptimeTest, MaintenanceCountsAsUp) {
  std::vector<model::StatusChange> h = {
      {"api", ComponentStatus::kUnderMaintenance, At("2026-01-01T00:00:00Z")},
  };
  auto u = ComputeUptime(Api(), h, At("2026-01-02T00:00:00Z"), "UTC", 2);
  EXPECT_DOUBLE_EQ(u.days[0].uptime, 1.0);
  EXPECT_EQ(u.days[0].worst, ComponentStatus::kUnderMaintenance);
  EXPECT_EQ(u.days[0].maintenance_ms, kDay);
}

TEST(UptimeTest, NoDataBeforeFirstRecord) {
  std::vector<model::StatusChange> h = {{"api", ComponentStatus::kOperational, At("2026-01-08T12:00:00Z")}};
  auto u = ComputeUptime(Api(), h, At("2026-01-10T12:00:00Z"), "UTC", 5);
  ASSERT_EQ(u.days.size(), 5u);
  EXPECT_FALSE(u.days[0].has_data);  // 01-06
  EXPECT_FALSE(u.days[1].has_data);  // 01-07
  EXPECT_TRUE(u.days[2].has_data);   // 01-08 from noon
  EXPECT_EQ(u.days[2].covered_ms, 12 * kHour);
  EXPECT_DOUBLE_EQ(*u.uptime, 1.0);
}

TEST(UptimeTest, NoHistoryAtAllMeansNoData) {
  model::Component c = Api();
  c.created_at = 0;
  auto u = ComputeUptime(c, {}, At("2026-01-10T12:00:00Z"), "UTC", 3);
  ASSERT_EQ(u.days.size(), 3u);
  for (const auto& d : u.days) EXPECT_FALSE(d.has_data);
  EXPECT_FALSE(u.uptime);
}

TEST(UptimeTest, NoHistoryUsesCurrentStatusSinceCreation) {
  model::Component c = Api();
  c.created_at = At("2026-01-09T00:00:00Z");
  c.status = ComponentStatus::kMajorOutage;
  auto u = ComputeUptime(c, {}, At("2026-01-10T12:00:00Z"), "UTC", 3);
  EXPECT_FALSE(u.days[0].has_data);
  EXPECT_DOUBLE_EQ(u.days[1].uptime, 0.0);
  EXPECT_DOUBLE_EQ(*u.uptime, 0.0);
}

TEST(UptimeTest, StartDateLimitsTheCountedWindow) {
  model::Component c = Api();
  c.start_date = "2026-01-09";
  std::vector<model::StatusChange> h = {
      {"api", ComponentStatus::kMajorOutage, At("2025-06-01T00:00:00Z")},  // before start_date: ignored
      {"api", ComponentStatus::kOperational, At("2026-01-08T00:00:00Z")},
  };
  auto u = ComputeUptime(c, h, At("2026-01-10T12:00:00Z"), "UTC", 4);
  EXPECT_FALSE(u.days[0].has_data);  // 01-07
  EXPECT_FALSE(u.days[1].has_data);  // 01-08: before start_date
  EXPECT_TRUE(u.days[2].has_data);
  EXPECT_DOUBLE_EQ(*u.uptime, 1.0);
}

TEST(UptimeTest, IgnoresOtherComponentsAndUnsortedInput) {
  std::vector<model::StatusChange> h = {
      {"api", ComponentStatus::kOperational, At("2026-01-09T12:00:00Z")},
      {"web", ComponentStatus::kMajorOutage, At("2026-01-01T00:00:00Z")},
      {"api", ComponentStatus::kMajorOutage, At("2026-01-09T00:00:00Z")},
  };
  auto u = ComputeUptime(Api(), h, At("2026-01-10T00:00:00Z"), "UTC", 1 + 1);
  EXPECT_DOUBLE_EQ(u.days[0].uptime, 0.5);
}

TEST(UptimeTest, DaysFollowThePageZoneAcrossDst) {
  // Europe/Berlin switches to summer time on 2026-03-29: that day has 23 hours.
  std::vector<model::StatusChange> h = {{"api", ComponentStatus::kOperational, At("2026-01-01T00:00:00Z")}};
  auto u = ComputeUptime(Api(), h, At("2026-03-30T12:00:00Z"), "Europe/Berlin", 3);
  ASSERT_EQ(u.days.size(), 3u);
  EXPECT_EQ(u.days[0].date, "2026-03-28");
  EXPECT_EQ(u.days[1].date, "2026-03-29");
  EXPECT_EQ(u.days[1].end - u.days[1].start, 23 * kHour);
  EXPECT_EQ(u.days[0].start, At("2026-03-27T23:00:00Z"));  // midnight CET
  EXPECT_EQ(u.days[1].covered_ms, 23 * kHour);
}

TEST(UptimeTest, UnknownZoneFallsBackToUtc) {
  std::vector<model::StatusChange> h = {{"api", ComponentStatus::kOperational, At("2026-01-01T00:00:00Z")}};
  auto u = ComputeUptime(Api(), h, At("2026-01-10T12:00:00Z"), "Not/AZone", 1);
  EXPECT_EQ(u.days[0].start, At("2026-01-10T00:00:00Z"));
}

TEST(UptimeTest, FormatsPercentTruncated) {
  EXPECT_EQ(FormatUptimePercent(1.0), "100.00%");
  EXPECT_EQ(FormatUptimePercent(0.99999), "99.99%");
  EXPECT_EQ(FormatUptimePercent(0.5), "50.00%");
  EXPECT_EQ(FormatUptimePercent(0.0), "0.00%");
}

}  // namespace
}  // namespace herald::page
