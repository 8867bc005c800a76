#include "console/monitor_chart.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "core/text.h"

namespace herald::console {
namespace {

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string s = buf;
  if (s.ends_with(".0")) s.resize(s.size() - 2);
  return s;
}

}  // namespace

LatencyStats SummarizeLatency(const page::LatencySeries& series) {
  std::vector<double> avgs;
  for (const auto& p : series.points)
    if (p.answered > 0) avgs.push_back(p.avg_ms);
  LatencyStats st;
  if (avgs.empty()) return st;
  std::sort(avgs.begin(), avgs.end());
  st.any = true;
  st.min_ms = avgs.front();
  st.max_ms = avgs.back();
  const size_t mid = avgs.size() / 2;
  st.median_ms = avgs.size() % 2 ? avgs[mid] : (avgs[mid - 1] + avgs[mid]) / 2;
  return st;
}

double SparkY(double ms, double top_ms) {
  constexpr double kPad = 2;
  const double span = kSparkHeight - 2 * kPad;
  if (!(top_ms > 0)) return kSparkHeight - kPad;
  const double clamped = std::clamp(ms, 0.0, top_ms);
  return kPad + span - clamped / top_ms * span;
}

std::string LatencySummary(const LatencyStats& st) {
  if (!st.any) return "No response times measured in the last 24 hours";
  return "Response time, last 24 hours (15-minute averages): lowest " + page::FormatLatency(st.min_ms) + ", median " +
         page::FormatLatency(st.median_ms) + ", highest " + page::FormatLatency(st.max_ms);
}

std::string RenderSparkline(const page::LatencySeries& series, const std::string& label) {
  const LatencyStats st = SummarizeLatency(series);
  const std::string summary = LatencySummary(st);
  if (!st.any) return "<span class=\"spark-empty muted\">" + HtmlEscape(summary) + "</span>";
  const double top = st.max_ms * 1.1;
  // One run of consecutive buckets with data is one subpath; a bucket without data is a gap; a
  // run of one bucket is a short dash so that it shows.
  std::string d;
  const size_t n = series.points.size();
  for (const auto& [i, j] : page::DataRuns(series)) {
    if (j - i == 1) {
      const double y = SparkY(series.points[i].avg_ms, top);
      d += "M" + Num(static_cast<double>(i) + 0.1) + " " + Num(y) + "H" + Num(static_cast<double>(i) + 0.9);
      continue;
    }
    for (size_t k = i; k < j; ++k)
      d += (k == i ? "M" : "L") + Num(static_cast<double>(k) + 0.5) + " " + Num(SparkY(series.points[k].avg_ms, top));
  }
  const std::string name = HtmlEscape(label + ": " + summary);
  return "<svg class=\"spark\" viewBox=\"0 0 " + std::to_string(n) + " " + std::to_string(kSparkHeight) +
         "\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"" + name + "\" focusable=\"false\"><title>" + name +
         "</title><path class=\"spark-line\" d=\"" + d + "\"/></svg>";
}

}  // namespace herald::console
