#include "core/time.h"

#include <date/date.h>
#include <gtest/gtest.h>

#include <chrono>

namespace herald {
namespace {

TEST(Time, Iso8601RoundTrip) {
  auto t = ParseIso8601("2026-03-04T05:06:07.089Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatIso8601(*t), "2026-03-04T05:06:07.089Z");
}

TEST(Time, Iso8601FormatsEveryDayAndEdgeLikeDateLibrary) {
  // FormatIso8601 formats years 1970-9999 by hand; it must spell them exactly as date::format.
  auto reference = [](TimeMs t) {
    return date::format("%FT%TZ", std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(t)));
  };
  constexpr TimeMs kDay = 86400000;
  for (TimeMs t = 0; t < 253402300800000; t += 37 * kDay + 3723456) ASSERT_EQ(FormatIso8601(t), reference(t)) << t;
  for (TimeMs t : {TimeMs{0}, TimeMs{-1}, TimeMs{-86400001}, TimeMs{951782400000}, TimeMs{4107542399999},
                   TimeMs{253402300799999}, TimeMs{253402300800000}, TimeMs{1796205738822}})
    EXPECT_EQ(FormatIso8601(t), reference(t)) << t;
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601(253402300799999), "9999-12-31T23:59:59.999Z");
}

TEST(Time, Iso8601Offset) {
  EXPECT_EQ(ParseIso8601("2026-03-04T07:06:07+02:00"), ParseIso8601("2026-03-04T05:06:07Z"));
  EXPECT_EQ(ParseIso8601("2026-03-04"), ParseIso8601("2026-03-04T00:00:00Z"));
}

TEST(Time, Iso8601RejectsNonsense) {
  EXPECT_FALSE(ParseIso8601("2026-02-30T00:00:00Z"));
  EXPECT_FALSE(ParseIso8601("2026-01-01T25:00:00Z"));
  EXPECT_FALSE(ParseIso8601("2026-01-01T10:00:00"));
  EXPECT_FALSE(ParseIso8601("yesterday"));
  EXPECT_FALSE(ParseIso8601("2026-01-01T10:00:00Zjunk"));
}

TEST(Time, ZonesAndHttpDates) {
  auto t = *ParseIso8601("2026-01-01T23:30:00Z");
  EXPECT_EQ(FormatHttpDate(t), "Thu, 01 Jan 2026 23:30:00 GMT");
  EXPECT_EQ(FormatInZone(t, "Europe/Berlin", "%Y-%m-%d %H:%M %Z"), "2026-01-02 00:30 CET");
  EXPECT_EQ(StartOfDayInZone(t, "Europe/Berlin"), *ParseIso8601("2026-01-01T23:00:00Z"));
  EXPECT_TRUE(IsValidTimeZone("America/New_York"));
  EXPECT_FALSE(IsValidTimeZone("Mars/Olympus"));
}

}  // namespace
}  // namespace herald
