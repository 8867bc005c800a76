#include "page/charts.h"

#include <gtest/gtest.h>

#include <regex>

#include "core/time.h"

namespace herald::page {
namespace {

constexpr TimeMs kMin = 60 * 1000;
constexpr TimeMs kHour = 60 * kMin;
const TimeMs kNow = *ParseIso8601("2026-01-15T13:37:00Z");

bool Contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

model::MonitorRollup Minute(TimeMs at, std::int64_t answered, double avg, double max, const char* monitor = "m1") {
  model::MonitorRollup r;
  r.monitor_id = monitor;
  r.granularity = 'm';
  r.bucket_start = at / kMin * kMin;
  r.checks = r.up = r.answered = answered;
  r.latency_sum_ms = avg * static_cast<double>(answered);
  r.latency_max_ms = max;
  return r;
}

// Every minute of [from, to) with the same latency.
void Fill(std::vector<model::MonitorRollup>& out, TimeMs from, TimeMs to, double ms) {
  for (TimeMs t = from; t < to; t += kMin) out.push_back(Minute(t, 1, ms, ms));
}

// The `d` attribute of the element with `cls`.
std::string PathOf(const std::string& html, const std::string& cls) {
  std::smatch m;
  std::regex re("class=\"" + cls + "\" d=\"([^\"]*)\"");
  return std::regex_search(html, m, re) ? m[1].str() : "";
}

int Count(const std::string& s, char c) { return static_cast<int>(std::count(s.begin(), s.end(), c)); }

ChartInput Input(std::vector<model::MonitorRollup> rollups, std::string zone = "UTC") {
  ChartInput in;
  in.id = "m1";
  in.name = "API health";
  in.component = "API";
  in.time_zone = std::move(zone);
  in.now = kNow;
  in.rollups = std::move(rollups);
  return in;
}

TEST(ChartsTest, AggregatesMinutesIntoWeightedQuarterHours) {
  // The window ends with the quarter hour containing now (13:30-13:45) and spans 24 hours.
  EXPECT_EQ(ChartWindowStart(kNow), *ParseIso8601("2026-01-14T13:45:00Z"));
  std::vector<model::MonitorRollup> r;
  r.push_back(Minute(*ParseIso8601("2026-01-15T12:00:00Z"), 3, 100, 150));
  r.push_back(Minute(*ParseIso8601("2026-01-15T12:14:00Z"), 1, 300, 300));  // same bucket: weighted
  r.push_back(Minute(*ParseIso8601("2026-01-15T13:36:00Z"), 2, 50, 80));    // the last, partial bucket
  r.push_back(Minute(*ParseIso8601("2026-01-14T12:00:00Z"), 5, 999, 999));  // before the window
  model::MonitorRollup day = Minute(*ParseIso8601("2026-01-15T00:00:00Z"), 9, 999, 999);
  day.granularity = 'd';  // not a minute rollup
  r.push_back(day);

  LatencySeries s = AggregateLatency(r, kNow);
  ASSERT_EQ(s.points.size(), 96u);
  EXPECT_EQ(s.points.back().start, *ParseIso8601("2026-01-15T13:30:00Z"));
  EXPECT_EQ(s.points.back().answered, 2);
  EXPECT_DOUBLE_EQ(s.points.back().avg_ms, 50);
  const LatencyPoint& noon =
      s.points[static_cast<size_t>((*ParseIso8601("2026-01-15T12:00:00Z") - s.points[0].start) / kChartBucketMs)];
  EXPECT_EQ(noon.answered, 4);
  EXPECT_DOUBLE_EQ(noon.avg_ms, 150);  // (3*100 + 300) / 4
  EXPECT_DOUBLE_EQ(noon.max_ms, 300);
  EXPECT_EQ(s.answered, 6);
  EXPECT_DOUBLE_EQ(s.avg_ms, (300.0 + 300 + 100) / 6);
  EXPECT_DOUBLE_EQ(s.max_ms, 300);
  int empty = 0;
  for (const auto& p : s.points) empty += p.answered == 0;
  EXPECT_EQ(empty, 94);  // no data stays no data, not zero milliseconds
}

TEST(ChartsTest, BucketGrowsWithTheInterval) {
  EXPECT_EQ(ChartBucketFor(5000), 15 * kMin);
  EXPECT_EQ(ChartBucketFor(5 * kMin), 15 * kMin);
  EXPECT_EQ(ChartBucketFor(10 * kMin), 30 * kMin);
  EXPECT_EQ(ChartBucketFor(30 * kMin), kHour);
  EXPECT_EQ(ChartBucketFor(kHour), 2 * kHour);
  EXPECT_EQ(AggregateLatency({}, kNow, kHour).points.size(), 24u);
}

TEST(ChartsTest, DrawsOneLinePerRunOfDataAndGapsAsGaps) {
  std::vector<model::MonitorRollup> r;
  const TimeMs start = ChartWindowStart(kNow);
  Fill(r, start, start + 6 * kHour, 120);                // run 1
  Fill(r, start + 8 * kHour, start + 20 * kHour, 240);   // run 2 after a 2-hour gap
  r.push_back(Minute(start + 22 * kHour, 1, 180, 180));  // a lone point
  std::string html = RenderResponseTimeChart(Input(r));

  std::string line = PathOf(html, "chart-line");
  ASSERT_FALSE(line.empty()) << html;
  EXPECT_EQ(Count(line, 'M'), 3) << line;  // three separate pieces, nothing drawn across the gaps
  EXPECT_EQ(Count(line, 'H'), 1) << line;  // the lone point is a short dash
  // The y axis tops out at a round number above the highest average (240 ms -> 500 ms), and no
  // point sits on the baseline (y 100), which is where a gap drawn as zero would be.
  EXPECT_TRUE(Contains(html, ">500 ms</text>")) << html;
  EXPECT_TRUE(Contains(html, ">250 ms</text>"));
  EXPECT_FALSE(std::regex_search(line, std::regex(" 100(L|M|H|$)"))) << line;
  std::string area = PathOf(html, "chart-area");
  EXPECT_EQ(Count(area, 'Z'), 2);  // areas under the two runs, none under the lone point

  // Average and maximum beside the chart, and in its description with the gap in words.
  EXPECT_TRUE(Contains(html, "avg <strong>"));
  EXPECT_TRUE(Contains(html, "max <strong>240 ms</strong>"));
  EXPECT_TRUE(Contains(html,
                       "No data 19:45\xe2\x80\x93"
                       "21:45"));  // start 13:45 + 6 h .. + 8 h
}

TEST(ChartsTest, IsAnAccessibleResponsiveImage) {
  std::vector<model::MonitorRollup> r;
  Fill(r, kNow - 3 * kHour, kNow, 87);
  std::string html = RenderResponseTimeChart(Input(r));
  EXPECT_TRUE(Contains(html, "role=\"img\""));
  EXPECT_TRUE(Contains(html, "aria-labelledby=\"chart-m1-t chart-m1-d\""));
  EXPECT_TRUE(Contains(html, "<title id=\"chart-m1-t\">API health response time (API), last 24 hours</title>"));
  EXPECT_TRUE(Contains(html, "<desc id=\"chart-m1-d\">Average 87 ms, maximum 87 ms."));
  EXPECT_TRUE(Contains(html, "viewBox=\"0 0 960 100\""));
  EXPECT_TRUE(Contains(html, "width=\"100%\""));
  EXPECT_FALSE(Contains(html, "style=")) << "inline styles break the page's CSP";
  // The hidden table has one row per hour, with "No data" where nothing was measured.
  EXPECT_TRUE(Contains(html, "<div class=\"vh\"><table>"));
  size_t rows = 0;
  for (size_t p = 0; (p = html.find("<tr><td>", p)) != std::string::npos; ++p) ++rows;
  EXPECT_EQ(rows, 24u);
  EXPECT_TRUE(Contains(html, "<td colspan=\"2\">No data</td>"));
  EXPECT_TRUE(Contains(html, "<td>87 ms</td><td>87 ms</td>"));
}

TEST(ChartsTest, EscapesNames) {
  std::vector<model::MonitorRollup> r;
  Fill(r, kNow - kHour, kNow, 10);
  ChartInput in = Input(r);
  in.name = "<script>alert(1)</script> & \"Co\"";
  in.component = "<img src=x onerror=alert(2)>";
  in.id = "x\"><script>";
  std::string html = RenderResponseTimeChart(in);
  EXPECT_FALSE(Contains(html, "<script>"));
  EXPECT_FALSE(Contains(html, "<img"));
  EXPECT_TRUE(Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;"));
  EXPECT_TRUE(std::regex_search(html, std::regex("id=\"chart-[0-9a-f]{12}\"")));

  in.rollups.clear();  // the empty state names the monitor too
  html = RenderResponseTimeChart(in);
  EXPECT_FALSE(Contains(html, "<script>"));
}

TEST(ChartsTest, WithoutDataSaysSoInsteadOfDrawing) {
  std::vector<model::MonitorRollup> r;
  model::MonitorRollup timeouts = Minute(kNow - kHour, 0, 0, 0);
  timeouts.checks = timeouts.down = 5;  // checks that never got an answer have no latency
  r.push_back(timeouts);
  std::string html = RenderResponseTimeChart(Input(r));
  EXPECT_TRUE(Contains(html, "No response times measured in the last 24 hours."));
  EXPECT_FALSE(Contains(html, "<svg"));
  EXPECT_TRUE(Contains(html, "API health"));
}

TEST(ChartsTest, AxisLabelsFollowThePageZone) {
  std::vector<model::MonitorRollup> r;
  Fill(r, kNow - 24 * kHour, kNow, 50);
  // The window runs 2026-01-14 13:45 to 2026-01-15 13:45 UTC. In Berlin (UTC+1) local midnight
  // is 23:00 UTC, 38.5% along; in UTC it is 00:00, 42.7% along; in New York (UTC-5) 05:00 UTC.
  std::string berlin = RenderResponseTimeChart(Input(r, "Europe/Berlin"));
  EXPECT_TRUE(Contains(berlin, "x=\"38.5%\" y=\"140\" text-anchor=\"middle\">Jan 15</text>")) << berlin;
  EXPECT_TRUE(Contains(berlin, ">18:00</text>"));
  EXPECT_TRUE(Contains(berlin, ">06:00</text>"));
  EXPECT_TRUE(Contains(berlin, ">12:00</text>"));
  EXPECT_TRUE(Contains(berlin, "last 24 hours (CET)"));
  EXPECT_TRUE(Contains(berlin,
                       "<td>14:00\xe2\x80\x93"
                       "15:00</td>"));  // hourly rows in local time

  std::string utc = RenderResponseTimeChart(Input(r, "UTC"));
  EXPECT_TRUE(Contains(utc, "x=\"42.7%\" y=\"140\" text-anchor=\"middle\">Jan 15</text>")) << utc;
  EXPECT_TRUE(Contains(utc, "(UTC)"));

  std::string ny = RenderResponseTimeChart(Input(r, "America/New_York"));
  EXPECT_TRUE(Contains(ny, "x=\"63.5%\" y=\"140\" text-anchor=\"middle\">Jan 15</text>")) << ny;
  EXPECT_TRUE(Contains(ny, "(EST)"));

  std::string unknown = RenderResponseTimeChart(Input(r, "Not/AZone"));
  EXPECT_TRUE(Contains(unknown, "(UTC)"));
}

TEST(ChartsTest, FormatsLatency) {
  EXPECT_EQ(FormatLatency(0.42), "0.4 ms");
  EXPECT_EQ(FormatLatency(87.4), "87 ms");
  EXPECT_EQ(FormatLatency(1250), "1.25 s");
  EXPECT_EQ(FormatLatency(12'345), "12.3 s");
}

}  // namespace
}  // namespace herald::page
