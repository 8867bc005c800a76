#include "monitor/engine_metrics.h"

#include <cmath>
#include <cstdio>

namespace herald::monitor {

void EngineStats::RecordLag(TimeMs lag_ms) {
  size_t bucket = 0;
  while (bucket < kLagBoundsMs.size() && lag_ms > kLagBoundsMs[bucket]) ++bucket;
  ++lag_buckets[bucket];
  if (lag_ms > lag_max_ms.load()) lag_max_ms = lag_ms;
}

TimeMs EngineStats::LagQuantileMs(double q) const {
  std::int64_t total = 0;
  for (const auto& b : lag_buckets) total += b.load();
  if (total == 0) return 0;
  const auto want = static_cast<std::int64_t>(std::llround(q * static_cast<double>(total)));
  std::int64_t seen = 0;
  for (size_t i = 0; i < lag_buckets.size(); ++i) {
    seen += lag_buckets[i].load();
    if (seen >= want) return i < kLagBoundsMs.size() ? kLagBoundsMs[i] : lag_max_ms.load();
  }
  return lag_max_ms.load();
}

std::string MetricsText(const EngineStats& st) {
  std::string out;
  auto metric = [&](const char* name, const char* type, const char* help, const std::string& value,
                    const char* labels = "") {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + labels + " " +
           value + "\n";
  };
  auto n = [](std::int64_t v) { return std::to_string(v); };
  auto seconds = [](TimeMs ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ms) / 1000.0);
    return std::string(buf);
  };
  metric("herald_monitor_checks_total", "counter", "Checks completed.", n(st.checks_completed));
  metric("herald_monitor_checks_started_total", "counter", "Checks started.", n(st.checks_started));
  metric("herald_monitor_checks_skipped_total", "counter", "Checks not started because the previous one still ran.",
         n(st.checks_skipped));
  metric("herald_monitor_in_flight", "gauge", "Checks running.", n(st.in_flight));
  metric("herald_monitor_monitors", "gauge", "Enabled monitors scheduled.", n(st.monitors));
  out +=
      "# HELP herald_monitor_schedule_lag_seconds Actual start minus due time (bucket estimate).\n"
      "# TYPE herald_monitor_schedule_lag_seconds summary\n";
  out += "herald_monitor_schedule_lag_seconds{quantile=\"0.5\"} " + seconds(st.LagQuantileMs(0.5)) + "\n";
  out += "herald_monitor_schedule_lag_seconds{quantile=\"0.99\"} " + seconds(st.LagQuantileMs(0.99)) + "\n";
  metric("herald_monitor_schedule_lag_max_seconds", "gauge", "Largest scheduling lag seen.", seconds(st.lag_max_ms));
  metric("herald_monitor_results_written_total", "counter", "Check results stored.", n(st.results_written));
  metric("herald_monitor_write_failures_total", "counter", "Failed results writes.", n(st.write_failures));
  metric("herald_monitor_results_dropped_total", "counter", "Results dropped from a full buffer.",
         n(st.results_dropped));
  metric("herald_monitor_buffered_results", "gauge", "Results waiting to be stored.", n(st.buffered));
  metric("herald_monitor_state_changes_total", "counter", "Confirmed monitor state changes.", n(st.state_changes));
  metric("herald_monitor_staff_alerts_total", "counter", "Staff alerts raised.", n(st.alerts_raised));
  metric("herald_monitor_storage_degraded", "gauge", "1 while results cannot be stored.",
         st.storage_degraded ? "1" : "0");
  return out;
}

}  // namespace herald::monitor
