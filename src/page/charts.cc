#include "page/charts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/text.h"
#include "core/time.h"

namespace herald::page {
namespace {

constexpr TimeMs kMinute = 60LL * 1000;
constexpr TimeMs kHour = 60 * kMinute;
// Plot geometry. The outer SVG is kHeight CSS pixels tall and as wide as its box; the plot is a
// nested SVG kPlotHeight pixels tall whose viewBox is kPlotWidth units wide, stretched.
constexpr int kHeight = 146;
constexpr int kPlotTop = 22;
constexpr int kPlotHeight = 100;
constexpr double kPlotWidth = 960;
constexpr int kLabelY = kPlotTop + kPlotHeight + 18;

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string s = buf;
  if (s.size() > 2 && s.ends_with(".0")) s.resize(s.size() - 2);
  return s;
}

std::string SafeElementId(const std::string& id) {
  std::string out;
  for (char c : id)
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_') out += c;
  // A dropped character could make two ids equal: fall back to a hash then.
  if (out.size() != id.size() || out.empty()) out = Sha256Hex(id).substr(0, 12);
  return "chart-" + out;
}

// The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `v`, so the axis labels
// are round numbers.
double NiceCeil(double v) {
  if (!(v > 1.0)) return 1.0;
  double p = std::pow(10.0, std::floor(std::log10(v)));
  for (double f : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (f * p >= v - 1e-9) return f * p;
  return 10 * p;
}

std::string ZoneOf(const std::string& zone) { return IsValidTimeZone(zone) ? zone : "UTC"; }

// "14:00-14:15" in the page zone.
std::string Range(TimeMs from, TimeMs to, const std::string& zone) {
  return FormatInZone(from, zone, "%H:%M") + "\xe2\x80\x93" + FormatInZone(to, zone, "%H:%M");
}

// Sentence about the stretches without data, for the description ("No data 03:00-05:00.").
std::string GapsText(const LatencySeries& s, const std::string& zone) {
  std::vector<std::pair<TimeMs, TimeMs>> gaps;
  for (const auto& p : s.points) {
    if (p.answered > 0) continue;
    if (!gaps.empty() && gaps.back().second == p.start) {
      gaps.back().second = p.end;
    } else {
      gaps.emplace_back(p.start, p.end);
    }
  }
  if (gaps.empty()) return "";
  std::string text = "No data ";
  const size_t shown = std::min<size_t>(gaps.size(), 3);
  for (size_t i = 0; i < shown; ++i) {
    if (i > 0) text += i + 1 == shown && gaps.size() == shown ? " and " : ", ";
    text += Range(gaps[i].first, gaps[i].second, zone);
  }
  if (gaps.size() > shown) text += " and " + std::to_string(gaps.size() - shown) + " shorter or later stretches";
  return text + ".";
}

// The line (and the area under it) through the bucket centres; a bucket without data ends the
// current run, so a gap is drawn as a gap. A run of one point is drawn as a short dash.
void PlotPaths(const LatencySeries& s, double y_max, std::string& line, std::string& area) {
  const size_t n = s.points.size();
  const double w = kPlotWidth / static_cast<double>(n);
  auto y_of = [&](double v) { return kPlotHeight - std::min(v, y_max) / y_max * kPlotHeight; };
  for (const auto& [i, j] : DataRuns(s)) {
    if (j - i == 1) {
      double x = (static_cast<double>(i) + 0.5) * w, y = y_of(s.points[i].avg_ms);
      line += "M" + Num(x - w * 0.3) + " " + Num(y) + "H" + Num(x + w * 0.3);
    } else {
      std::string pts;
      for (size_t k = i; k < j; ++k)
        pts += (k == i ? "" : "L") + Num((static_cast<double>(k) + 0.5) * w) + " " + Num(y_of(s.points[k].avg_ms));
      line += "M" + pts;
      area += "M" + Num((static_cast<double>(i) + 0.5) * w) + " " + std::to_string(kPlotHeight) + "L" + pts + "L" +
              Num((static_cast<double>(j) - 0.5) * w) + " " + std::to_string(kPlotHeight) + "Z";
    }
  }
}

// Axis labels are round numbers: "500 ms", "1 s", "2.5 s".
std::string AxisLabel(double ms) {
  char buf[32];
  if (ms < 1000) {
    std::snprintf(buf, sizeof buf, "%g ms", ms);
  } else {
    std::snprintf(buf, sizeof buf, "%g s", ms / 1000);
  }
  return buf;
}

}  // namespace

std::string FormatLatency(double ms) {
  char buf[32];
  if (ms < 10) {
    std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  } else if (ms < 1000) {
    std::snprintf(buf, sizeof buf, "%.0f ms", ms);
  } else if (ms < 10'000) {
    std::snprintf(buf, sizeof buf, "%.2f s", ms / 1000);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f s", ms / 1000);
  }
  return buf;
}

std::vector<std::pair<size_t, size_t>> DataRuns(const LatencySeries& s) {
  std::vector<std::pair<size_t, size_t>> runs;
  const size_t n = s.points.size();
  for (size_t i = 0; i < n;) {
    if (s.points[i].answered == 0) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < n && s.points[j].answered > 0) ++j;
    runs.emplace_back(i, j);
    i = j;
  }
  return runs;
}

TimeMs ChartWindowStart(TimeMs now, TimeMs bucket_ms) {
  if (bucket_ms <= 0) bucket_ms = kChartBucketMs;
  return (now / bucket_ms + 1) * bucket_ms - kChartWindowMs;
}

TimeMs ChartBucketFor(std::int64_t interval_ms) {
  if (interval_ms <= 5 * kMinute) return kChartBucketMs;
  if (interval_ms <= 10 * kMinute) return 30 * kMinute;
  if (interval_ms <= 30 * kMinute) return kHour;
  if (interval_ms <= kHour) return 2 * kHour;
  return 4 * kHour;
}

LatencySeries AggregateLatency(std::span<const model::MonitorRollup> rollups, TimeMs now, TimeMs bucket_ms) {
  LatencySeries s;
  if (bucket_ms <= 0) bucket_ms = kChartBucketMs;
  const TimeMs start = ChartWindowStart(now, bucket_ms);
  const size_t n = static_cast<size_t>((kChartWindowMs + bucket_ms - 1) / bucket_ms);
  s.points.resize(n);
  std::vector<double> sums(n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    s.points[i].start = start + static_cast<TimeMs>(i) * bucket_ms;
    s.points[i].end = s.points[i].start + bucket_ms;
  }
  double total = 0;
  for (const auto& r : rollups) {
    if (r.granularity != 'm' || r.answered <= 0 || r.bucket_start < start) continue;
    const size_t i = static_cast<size_t>((r.bucket_start - start) / bucket_ms);
    if (i >= n) continue;
    LatencyPoint& p = s.points[i];
    p.answered += r.answered;
    sums[i] += r.latency_sum_ms;
    p.max_ms = std::max(p.max_ms, r.latency_max_ms);
    s.answered += r.answered;
    total += r.latency_sum_ms;
    s.max_ms = std::max(s.max_ms, r.latency_max_ms);
  }
  for (size_t i = 0; i < n; ++i)
    if (s.points[i].answered > 0) s.points[i].avg_ms = sums[i] / static_cast<double>(s.points[i].answered);
  if (s.answered > 0) s.avg_ms = total / static_cast<double>(s.answered);
  return s;
}

std::string RenderResponseTimeChart(const ChartInput& in) {
  const std::string zone = ZoneOf(in.time_zone);
  const std::string id = SafeElementId(in.id);
  const std::string name = HtmlEscape(in.name);
  const std::string zone_abbr = HtmlEscape(FormatInZone(in.now, zone, "%Z"));
  const LatencySeries s = AggregateLatency(in.rollups, in.now, ChartBucketFor(in.interval_ms));

  std::string out = "<figure class=\"chart\" id=\"" + id + "\">\n<figcaption class=\"chart-head\">";
  out += "<span class=\"chart-name\">" + name + "</span>";
  if (s.answered == 0) {
    out += "<span class=\"chart-sub\">response time</span></figcaption>\n";
    out += "<p class=\"chart-empty\">No response times measured in the last 24 hours.</p>\n</figure>\n";
    return out;
  }
  out += "<span class=\"chart-sub\">response time, last 24 hours (" + zone_abbr + ")</span>";
  out += "<span class=\"chart-stats\">avg <strong>" + FormatLatency(s.avg_ms) +
         "</strong> <span aria-hidden=\"true\">"
         "\xc2\xb7</span> max <strong>" +
         FormatLatency(s.max_ms) + "</strong></span></figcaption>\n";

  // Accessible name and description.
  std::string title =
      in.name + " response time" + (in.component.empty() ? "" : " (" + in.component + ")") + ", last 24 hours";
  const LatencyPoint* slowest = nullptr;
  for (const auto& p : s.points)
    if (p.answered > 0 && (!slowest || p.avg_ms > slowest->avg_ms)) slowest = &p;
  std::string desc = "Average " + FormatLatency(s.avg_ms) + ", maximum " + FormatLatency(s.max_ms) + ".";
  if (slowest)
    desc += " Slowest: " + Range(slowest->start, slowest->end, zone) + " " + FormatInZone(in.now, zone, "%Z") + " at " +
            FormatLatency(slowest->avg_ms) + " on average.";
  if (std::string gaps = GapsText(s, zone); !gaps.empty()) desc += " " + gaps;

  double peak = 0;
  for (const auto& p : s.points) peak = std::max(peak, p.avg_ms);
  const double y_max = NiceCeil(peak * 1.08);
  std::string line, area;
  PlotPaths(s, y_max, line, area);

  out += "<svg class=\"chart-svg\" role=\"img\" aria-labelledby=\"" + id + "-t " + id +
         "-d\" width=\"100%\" height=\"" + std::to_string(kHeight) + "\" xmlns=\"http://www.w3.org/2000/svg\">\n";
  out += "<title id=\"" + id + "-t\">" + HtmlEscape(title) + "</title>\n";
  out += "<desc id=\"" + id + "-d\">" + HtmlEscape(desc) + "</desc>\n";
  // Y labels sit just above their grid lines at the left edge.
  out += "<text class=\"chart-label\" x=\"0\" y=\"" + std::to_string(kPlotTop - 6) + "\">" + AxisLabel(y_max) +
         "</text>\n";
  out += "<text class=\"chart-label\" x=\"0\" y=\"" + std::to_string(kPlotTop + kPlotHeight / 2 - 6) + "\">" +
         AxisLabel(y_max / 2) + "</text>\n";
  // X labels every 6 hours of the page zone (midnight shows the date).
  const TimeMs start = s.points.front().start, end = s.points.back().end;
  std::string grid = "M0 0H" + Num(kPlotWidth) + "M0 " + std::to_string(kPlotHeight / 2) + "H" + Num(kPlotWidth);
  std::string labels;
  for (TimeMs t = start; t <= end; t += kChartBucketMs) {
    if (FormatInZone(t, zone, "%M") != "00") continue;
    int hour = std::stoi(FormatInZone(t, zone, "%H"));
    if (hour % 6 != 0) continue;
    double frac = static_cast<double>(t - start) / static_cast<double>(end - start);
    if (frac < 0.02 || frac > 0.98) continue;
    const char* anchor = frac < 0.05 ? "start" : frac > 0.95 ? "end" : "middle";
    grid += "M" + Num(frac * kPlotWidth) + " 0V" + std::to_string(kPlotHeight);
    labels += "<text class=\"chart-label\" x=\"" + Num(frac * 100) + "%\" y=\"" + std::to_string(kLabelY) +
              "\" text-anchor=\"" + anchor + "\">" + HtmlEscape(FormatInZone(t, zone, hour == 0 ? "%b %d" : "%H:%M")) +
              "</text>\n";
  }
  out += "<svg x=\"0\" y=\"" + std::to_string(kPlotTop) + "\" width=\"100%\" height=\"" + std::to_string(kPlotHeight) +
         "\" viewBox=\"0 0 " + Num(kPlotWidth) + " " + std::to_string(kPlotHeight) +
         "\" preserveAspectRatio=\"none\" overflow=\"visible\">\n";
  out += "<path class=\"chart-grid\" d=\"" + grid +
         "\" fill=\"none\" stroke=\"currentColor\" stroke-opacity=\".15\" vector-effect=\"non-scaling-stroke\"/>\n";
  out += "<path class=\"chart-axis\" d=\"M0 " + std::to_string(kPlotHeight) + "H" + Num(kPlotWidth) +
         "\" fill=\"none\" stroke=\"currentColor\" stroke-opacity=\".4\" vector-effect=\"non-scaling-stroke\"/>\n";
  if (!area.empty())
    out += "<path class=\"chart-area\" d=\"" + area + "\" fill=\"currentColor\" fill-opacity=\".12\"/>\n";
  out += "<path class=\"chart-line\" d=\"" + line +
         "\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\" stroke-linejoin=\"round\" "
         "stroke-linecap=\"round\" vector-effect=\"non-scaling-stroke\"/>\n</svg>\n";
  out += labels + "</svg>\n";

  // The figures behind the line, hour by hour, for screen readers and text browsers.
  const TimeMs table_bucket = std::max(kHour, ChartBucketFor(in.interval_ms));
  const LatencySeries hourly = AggregateLatency(in.rollups, in.now, table_bucket);
  // In a hidden box: a table itself ignores the 1px width that hides it, and would widen the page.
  out +=
      "<div class=\"vh\"><table><caption>" + name + " response time by hour (" + zone_abbr +
      ")</caption>\n<tr><th scope=\"col\">Time</th><th scope=\"col\">Average</th><th scope=\"col\">Maximum</th></tr>\n";
  for (const auto& p : hourly.points) {
    out += "<tr><td>" + Range(p.start, p.end, zone) + "</td>";
    if (p.answered > 0) {
      out += "<td>" + FormatLatency(p.avg_ms) + "</td><td>" + FormatLatency(p.max_ms) + "</td></tr>\n";
    } else {
      out += "<td colspan=\"2\">No data</td></tr>\n";
    }
  }
  out += "</table></div>\n</figure>\n";
  return out;
}

}  // namespace herald::page
