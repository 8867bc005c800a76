// The maintenance screens' local times and month grid, in a zone with daylight saving time.
#include "console/calendar.h"

#include <gtest/gtest.h>

#include "core/time.h"

namespace herald::console {
namespace {

TEST(ConsoleCalendar, LocalTimesReadAndWrittenInThePagesZone) {
  // Berlin is UTC+1 in winter, UTC+2 in summer.
  EXPECT_EQ(ParseLocalDateTime("2026-12-10T22:00", "Europe/Berlin"), ParseIso8601("2026-12-10T21:00:00Z"));
  EXPECT_EQ(ParseLocalDateTime("2026-07-01 08:30", "Europe/Berlin"), ParseIso8601("2026-07-01T06:30:00Z"));
  EXPECT_EQ(ParseLocalDateTime("2026-07-01T08:30:15", "UTC"), ParseIso8601("2026-07-01T08:30:15Z"));
  EXPECT_EQ(FormatLocalDateTime(*ParseIso8601("2026-12-10T21:00:00Z"), "Europe/Berlin"), "2026-12-10T22:00");
  EXPECT_EQ(FormatLocalDateTime(*ParseIso8601("2026-07-01T06:30:59Z"), "Europe/Berlin"), "2026-07-01T08:30");
  // 2026-03-29 02:30 does not exist in Berlin (02:00 -> 03:00): the moment the clocks jump.
  EXPECT_EQ(ParseLocalDateTime("2026-03-29T02:30", "Europe/Berlin"), ParseIso8601("2026-03-29T01:00:00Z"));
  // 2026-10-25 02:30 happens twice: the first (still summer time).
  EXPECT_EQ(ParseLocalDateTime("2026-10-25T02:30", "Europe/Berlin"), ParseIso8601("2026-10-25T00:30:00Z"));
  for (const char* bad : {"", "2026-12-10", "2026-02-30T10:00", "2026-12-10T24:00", "2026-12-10T10:60",
                          "2026-12-10X10:00", "2026-1-10T10:00", "tomorrow 10:00", "2026-12-10T10:00Z"})
    EXPECT_FALSE(ParseLocalDateTime(bad, "Europe/Berlin")) << bad;
  EXPECT_FALSE(ParseLocalDateTime("2026-12-10T10:00", "Mars/Olympus"));
}

TEST(ConsoleCalendar, MonthGridIsWholeWeeksMondayFirstWithLocalDays) {
  auto m = MonthGrid("2026-12", "Europe/Berlin");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->key, "2026-12");
  EXPECT_EQ(m->prev, "2026-11");
  EXPECT_EQ(m->next, "2027-01");
  EXPECT_EQ(m->start, *ParseIso8601("2026-11-30T23:00:00Z"));
  EXPECT_EQ(m->end, *ParseIso8601("2026-12-31T23:00:00Z"));
  // 1 December 2026 is a Tuesday: the grid starts on Monday 30 November.
  ASSERT_EQ(m->weeks.size(), 5u);
  EXPECT_FALSE(m->weeks[0][0].in_month);
  EXPECT_EQ(m->weeks[0][0].day, 30u);
  EXPECT_TRUE(m->weeks[0][1].in_month);
  EXPECT_EQ(m->weeks[0][1].day, 1u);
  EXPECT_EQ(m->weeks[0][1].weekday, 1u);
  EXPECT_EQ(m->weeks[4][3].day, 31u);  // Thursday 31 December
  EXPECT_FALSE(m->weeks[4][4].in_month);
  EXPECT_EQ(m->weeks[4][6].day, 3u);
  EXPECT_EQ(m->weeks[1][3].start, *ParseIso8601("2026-12-09T23:00:00Z"));  // 10 December

  // March 2026 in Berlin: the 29th is 23 hours long.
  auto march = MonthGrid("2026-03", "Europe/Berlin");
  ASSERT_TRUE(march);
  const CalendarDay& d29 = march->weeks[4][6];
  EXPECT_EQ(d29.day, 29u);
  EXPECT_EQ(d29.end - d29.start, 23 * 3600 * 1000);
  EXPECT_EQ(MonthGrid("2027-01", "UTC")->prev, "2026-12");
  for (const char* bad : {"2026-13", "2026-00", "2026-1", "202612", "", "x026-12"})
    EXPECT_FALSE(MonthGrid(bad, "UTC")) << bad;
  EXPECT_FALSE(MonthGrid("2026-12", "Nowhere/Nothing"));
  EXPECT_EQ(MonthKey(*ParseIso8601("2026-11-30T23:30:00Z"), "Europe/Berlin"), "2026-12");
  EXPECT_EQ(MonthKey(*ParseIso8601("2026-11-30T23:30:00Z"), "UTC"), "2026-11");
}

}  // namespace
}  // namespace herald::console
