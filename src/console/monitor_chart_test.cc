// The monitors screen's chart: its scale (zero at the bottom, the top value near the top, values
// above the top clamped), its text alternative (lowest, median, highest of the 15-minute
// averages), gaps for buckets without data, and no drawing at all without data.
#include "console/monitor_chart.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace herald::console {
namespace {

page::LatencySeries Series(std::vector<double> avgs) {  // < 0: no data in that bucket
  page::LatencySeries s;
  for (double v : avgs) {
    page::LatencyPoint p;
    if (v >= 0) {
      p.answered = 1;
      p.avg_ms = v;
    }
    s.points.push_back(p);
  }
  return s;
}

TEST(MonitorChart, ScaleKeepsTheLineInsideTheFrame) {
  EXPECT_DOUBLE_EQ(SparkY(0, 100), kSparkHeight - 2);
  EXPECT_DOUBLE_EQ(SparkY(100, 100), 2);
  EXPECT_DOUBLE_EQ(SparkY(50, 100), kSparkHeight / 2.0);
  EXPECT_DOUBLE_EQ(SparkY(500, 100), 2) << "above the top: at the top";
  EXPECT_DOUBLE_EQ(SparkY(-5, 100), kSparkHeight - 2);
  EXPECT_DOUBLE_EQ(SparkY(5, 0), kSparkHeight - 2) << "no scale: at the bottom, not NaN";
}

TEST(MonitorChart, SummaryGivesLowestMedianAndHighest) {
  const LatencyStats st = SummarizeLatency(Series({40, -1, 10, 200, 30}));
  ASSERT_TRUE(st.any);
  EXPECT_DOUBLE_EQ(st.min_ms, 10);
  EXPECT_DOUBLE_EQ(st.median_ms, 35);  // of 10, 30, 40, 200
  EXPECT_DOUBLE_EQ(st.max_ms, 200);
  EXPECT_EQ(LatencySummary(st),
            "Response time, last 24 hours (15-minute averages): lowest 10 ms, median 35 ms, highest 200 ms");
  EXPECT_DOUBLE_EQ(SummarizeLatency(Series({5, 7, 6})).median_ms, 6);
}

TEST(MonitorChart, GapsBreakTheLineAndTheChartHasATextAlternative) {
  const std::string svg = RenderSparkline(Series({10, 20, -1, 30, -1, -1}), "API <prod>");
  EXPECT_NE(svg.find("viewBox=\"0 0 6 30\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("role=\"img\""), std::string::npos);
  EXPECT_NE(svg.find("aria-label=\"API &lt;prod&gt;: Response time"), std::string::npos) << "escaped: " << svg;
  EXPECT_NE(svg.find("<title>API &lt;prod&gt;: Response time"), std::string::npos);
  EXPECT_EQ(svg.find("style="), std::string::npos) << "the CSP forbids style attributes";
  // Two runs: buckets 0-1 as a line, bucket 3 alone as a short dash.
  const size_t d = svg.find(" d=\"");
  ASSERT_NE(d, std::string::npos);
  const std::string path = svg.substr(d + 4, svg.find('"', d + 4) - d - 4);
  EXPECT_EQ(std::count(path.begin(), path.end(), 'M'), 2) << path;
  EXPECT_NE(path.find("M3.1 "), std::string::npos) << path;
  EXPECT_NE(path.find("H3.9"), std::string::npos) << path;
}

TEST(MonitorChart, NoDataIsSaidInWords) {
  const std::string html = RenderSparkline(Series({-1, -1}), "API");
  EXPECT_EQ(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("No response times measured in the last 24 hours"), std::string::npos);
}

}  // namespace
}  // namespace herald::console
