// The monitors screen's 24-hour response-time chart: a small inline SVG line per monitor, drawn by
// the server (no script, no style attribute: the CSP forbids them; its look is console.css's), over
// the same 15-minute averages of minute rollups as the public page's chart (page::AggregateLatency).
// Its text alternative (role="img", aria-label and <title>) gives the lowest, median and highest
// average, so the chart says the same to someone who cannot see it.
//
// Pure functions; thread-safe.
#pragma once

#include <string>

#include "page/charts.h"

namespace herald::console {

inline constexpr int kSparkHeight = 30;  // viewBox units; the width is one unit per bucket

struct LatencyStats {
  bool any = false;                              // some bucket had an answered check
  double min_ms = 0, median_ms = 0, max_ms = 0;  // over the buckets' averages
};
LatencyStats SummarizeLatency(const page::LatencySeries& series);

// The y of `ms` in a chart whose top is `top_ms` (values above are drawn at the top), with 2
// units of room above and below the line so a flat line is not cut in half by the frame.
double SparkY(double ms, double top_ms);

// "Response time, last 24 hours (15-minute averages): lowest 12 ms, median 40 ms, highest 210 ms"
// or "No response times measured in the last 24 hours".
std::string LatencySummary(const LatencyStats& stats);

// The chart (<svg class="spark" role="img" ...>), or a short text when there is no data.
// `label` names the monitor in the accessible name.
std::string RenderSparkline(const page::LatencySeries& series, const std::string& label);

}  // namespace herald::console
