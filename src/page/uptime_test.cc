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

model::MonitorRollup DayRollup(const char* monitor, const char* utc_day, std::int64_t up, std::int64_t slow,
                               std::int64_t down) {
  model::MonitorRollup r;
  r.monitor_id = monitor;
  r.granularity = 'd';
  r.bucket_start = At(utc_day);
  r.up = up;
  r.slow = slow;
  r.down = down;
  r.checks = up + slow + down;
  return r;
}

TEST(MeasuredUptimeTest, UpAndSlowCountAsUpDownDoesNot) {
  std::vector<model::StatusChange> h = {{"api", ComponentStatus::kMajorOutage, At("2025-01-01T00:00:00Z")}};
  const TimeMs now = At("2026-01-10T12:00:00Z");
  ComponentUptime history = ComputeUptime(Api(), h, now, "UTC", 5);  // all down by the status history
  std::vector<model::MonitorRollup> r = {
      DayRollup("m1", "2026-01-06T00:00:00Z", 1440, 0, 0),    // all good
      DayRollup("m1", "2026-01-07T00:00:00Z", 1000, 440, 0),  // slow counts as up, flagged degraded
      DayRollup("m1", "2026-01-08T00:00:00Z", 1420, 0, 20),   // 1.4% failed
      DayRollup("m1", "2026-01-09T00:00:00Z", 720, 0, 720),   // half failed
      DayRollup("m1", "2026-01-10T00:00:00Z", 720, 0, 0),
      DayRollup("m1", "2025-12-01T00:00:00Z", 5, 0, 5),  // outside the window: ignored
  };
  ComponentUptime u = ComputeMeasuredUptime(history, r, 1, now);
  ASSERT_EQ(u.days.size(), 5u);
  EXPECT_EQ(u.monitors, 1);
  for (const auto& d : u.days) {
    EXPECT_EQ(d.source, UptimeSource::kChecks) << d.date;
    EXPECT_TRUE(d.has_data) << d.date;
  }
  EXPECT_DOUBLE_EQ(u.days[0].uptime, 1.0);
  EXPECT_EQ(u.days[0].worst, ComponentStatus::kOperational);
  EXPECT_DOUBLE_EQ(u.days[1].uptime, 1.0);
  EXPECT_EQ(u.days[1].worst, ComponentStatus::kDegradedPerformance);
  EXPECT_EQ(u.days[1].slow, 440);
  EXPECT_DOUBLE_EQ(u.days[2].uptime, 1420.0 / 1440);
  EXPECT_EQ(u.days[2].worst, ComponentStatus::kPartialOutage);
  EXPECT_EQ(u.days[2].failed, 20);
  EXPECT_EQ(u.days[2].checks, 1440);
  EXPECT_DOUBLE_EQ(u.days[3].uptime, 0.5);
  EXPECT_EQ(u.days[3].worst, ComponentStatus::kMajorOutage);
  EXPECT_EQ(u.days[4].covered_ms, 12 * kHour);  // today up to now
  // The window weighs each day by its length: four full days and half of today.
  ASSERT_TRUE(u.uptime);
  EXPECT_NEAR(*u.uptime, 1.0 - (20.0 / 1440 * 24 + 0.5 * 24) / (4 * 24 + 12), 1e-12);
}

TEST(MeasuredUptimeTest, ADayWithoutChecksHasNoDataAndEarlierDaysKeepTheHistory) {
  std::vector<model::StatusChange> h = {{"api", ComponentStatus::kOperational, At("2025-01-01T00:00:00Z")},
                                        {"api", ComponentStatus::kPartialOutage, At("2026-01-06T00:00:00Z")},
                                        {"api", ComponentStatus::kOperational, At("2026-01-06T12:00:00Z")}};
  const TimeMs now = At("2026-01-10T12:00:00Z");
  ComponentUptime history = ComputeUptime(Api(), h, now, "UTC", 5);
  std::vector<model::MonitorRollup> r = {
      DayRollup("m1", "2026-01-07T00:00:00Z", 100, 0, 0),
      // 01-08: monitoring was down, no checks at all
      DayRollup("m1", "2026-01-09T00:00:00Z", 199, 0, 1),
      DayRollup("m1", "2026-01-10T00:00:00Z", 0, 0, 0),  // an empty bucket is no data too
  };
  ComponentUptime u = ComputeMeasuredUptime(history, r, 1, now);
  EXPECT_EQ(u.days[0].source, UptimeSource::kStatusHistory);  // 01-06, before the first check
  EXPECT_NEAR(u.days[0].uptime, 1.0 - 0.3 * 0.5, 1e-12);
  EXPECT_EQ(u.days[0].worst, ComponentStatus::kPartialOutage);
  EXPECT_EQ(u.days[1].source, UptimeSource::kChecks);
  EXPECT_FALSE(u.days[2].has_data);  // 01-08
  EXPECT_EQ(u.days[2].source, UptimeSource::kChecks);
  EXPECT_EQ(u.days[3].worst, ComponentStatus::kDegradedPerformance);  // 0.5% failed: single failures
  EXPECT_FALSE(u.days[4].has_data);
  ASSERT_TRUE(u.uptime);
  EXPECT_NEAR(*u.uptime, 1.0 - (0.15 * 24 + 0.005 * 24) / (3 * 24), 1e-12);
}

TEST(MeasuredUptimeTest, CombinesEveryMonitorOfTheComponent) {
  const TimeMs now = At("2026-01-10T12:00:00Z");
  ComponentUptime history = ComputeUptime(Api(), {}, now, "UTC", 2);
  std::vector<model::MonitorRollup> r = {
      DayRollup("m1", "2026-01-09T00:00:00Z", 1440, 0, 0),
      DayRollup("m2", "2026-01-09T00:00:00Z", 2000, 0, 880),  // checks more often
      DayRollup("m2", "2026-01-10T00:00:00Z", 100, 0, 0),
  };
  ComponentUptime u = ComputeMeasuredUptime(history, r, 2, now);
  EXPECT_EQ(u.monitors, 2);
  EXPECT_EQ(u.days[0].checks, 1440 + 2880);
  EXPECT_EQ(u.days[0].failed, 880);
  EXPECT_DOUBLE_EQ(u.days[0].uptime, 1.0 - 880.0 / 4320);
  EXPECT_EQ(u.days[0].worst, ComponentStatus::kMajorOutage);
  EXPECT_DOUBLE_EQ(u.days[1].uptime, 1.0);
}

TEST(MeasuredUptimeTest, UtcDayRollupsLandOnThePageZoneDayOfTheirMidday) {
  const TimeMs now = At("2026-01-10T12:00:00Z");
  for (const char* zone : {"Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata"}) {
    ComponentUptime history = ComputeUptime(Api(), {}, now, zone, 3);
    std::vector<model::MonitorRollup> r = {DayRollup("m1", "2026-01-09T00:00:00Z", 10, 0, 0)};
    ComponentUptime u = ComputeMeasuredUptime(history, r, 1, now);
    EXPECT_EQ(u.days[1].date, "2026-01-09") << zone;
    EXPECT_EQ(u.days[1].checks, 10) << zone;
  }
  // Far east of UTC the UTC day is mostly the next local day.
  ComponentUptime history = ComputeUptime(Api(), {}, now, "Pacific/Kiritimati", 3);  // UTC+14
  std::vector<model::MonitorRollup> r = {DayRollup("m1", "2026-01-09T00:00:00Z", 10, 0, 0)};
  ComponentUptime u = ComputeMeasuredUptime(history, r, 1, now);
  EXPECT_EQ(u.days[1].date, "2026-01-10");
  EXPECT_EQ(u.days[1].checks, 10);
}

TEST(MeasuredUptimeTest, NoChecksLeavesTheStatusHistory) {
  std::vector<model::StatusChange> h = {{"api", ComponentStatus::kOperational, At("2025-01-01T00:00:00Z")}};
  const TimeMs now = At("2026-01-10T12:00:00Z");
  ComponentUptime history = ComputeUptime(Api(), h, now, "UTC", 3);
  std::vector<model::MonitorRollup> r = {DayRollup("m1", "2026-01-09T00:00:00Z", 0, 0, 0)};
  ComponentUptime u = ComputeMeasuredUptime(history, r, 1, now);
  EXPECT_EQ(u.monitors, 0);
  for (const auto& d : u.days) EXPECT_EQ(d.source, UptimeSource::kStatusHistory);
  EXPECT_DOUBLE_EQ(*u.uptime, 1.0);
}

TEST(UptimeTest, FormatsPercentTruncated) {
  EXPECT_EQ(FormatUptimePercent(1.0), "100.00%");
  EXPECT_EQ(FormatUptimePercent(0.99999), "99.99%");
  EXPECT_EQ(FormatUptimePercent(0.5), "50.00%");
  EXPECT_EQ(FormatUptimePercent(0.0), "0.00%");
}

}  // namespace
}  // namespace herald::page
