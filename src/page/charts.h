// Response-time charts for the public status page: the last 24 hours of one monitor's minute
// rollups, averaged into a few dozen points and drawn as an inline SVG that the server renders
// once per snapshot. It needs no JavaScript: the SVG has role="img" with a <title> and a <desc>
// summing it up, and a visually hidden table carries the hourly figures for screen readers.
//
// Layout: the SVG has no fixed aspect ratio. Its labels are positioned in percent of its width and
// sized in CSS pixels, so they stay legible on a phone; the plot itself is a nested SVG with a
// viewBox stretched to the width (strokes do not scale). Colours come from page.css classes that
// use the page's accent (--accent, lightened in dark mode by theme.css); no inline style, so the
// page's Content-Security-Policy (style-src 'self') holds.
//
// Pure functions of their input: no I/O, no clock, no globals. Thread-safe. Every text (monitor
// and component names) is escaped here.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "model/monitor.h"

namespace herald::page {

inline constexpr TimeMs kChartWindowMs = 24LL * 3600 * 1000;
inline constexpr TimeMs kChartBucketMs = 15LL * 60 * 1000;

// One point of the chart: the checks that got an answer in [start, end).
struct LatencyPoint {
  TimeMs start = 0;
  TimeMs end = 0;
  std::int64_t answered = 0;  // 0: no data (drawn as a gap)
  double avg_ms = 0;
  double max_ms = 0;
};

struct LatencySeries {
  std::vector<LatencyPoint> points;  // oldest first, contiguous, the last one contains `now`
  std::int64_t answered = 0;         // over the whole window
  double avg_ms = 0;
  double max_ms = 0;
};

// The first instant a chart at `now` shows (its first bucket's start): load minute rollups from here.
TimeMs ChartWindowStart(TimeMs now, TimeMs bucket_ms = kChartBucketMs);

// Bucket size for a monitor checked every `interval_ms`: 15 minutes, or longer when checks are
// so far apart that most 15-minute buckets would be empty and the line all gaps.
TimeMs ChartBucketFor(std::int64_t interval_ms);

// Averages minute rollups ('m'; others ignored; any number of monitors) into buckets of
// `bucket_ms` aligned to multiples of it since the epoch, covering the 24 hours up to `now`.
LatencySeries AggregateLatency(std::span<const model::MonitorRollup> rollups, TimeMs now,
                               TimeMs bucket_ms = kChartBucketMs);

// The runs of consecutive points with data, as [begin, end) indexes, in order: a chart draws each
// as one line and leaves a gap between them (also the console's monitor charts).
std::vector<std::pair<size_t, size_t>> DataRuns(const LatencySeries& series);

struct ChartInput {
  std::string id;         // unique in the page, used for element ids (unsafe characters are dropped)
  std::string name;       // the monitor's name, shown as the chart's label
  std::string component;  // the component's name, for the accessible title
  std::int64_t interval_ms = 60'000;
  std::string time_zone;  // the page's; UTC when unknown
  TimeMs now = 0;
  std::vector<model::MonitorRollup> rollups;  // the monitor's minute rollups
};

// A <figure class="chart"> HTML fragment: label, average and maximum, the SVG and the hidden
// table. With no answered check in the window the figure says so instead of drawing an empty
// chart.
std::string RenderResponseTimeChart(const ChartInput& in);

// "87 ms", "1.25 s", "12.3 s".
std::string FormatLatency(double ms);

}  // namespace herald::page
