// EngineStats: the monitor engine's counters and its scheduling-lag histogram, and their text in
// the Prometheus format for /metrics. The engine writes them; the metrics endpoint reads them.
//
// Thread safety: every field is atomic; MetricsText and LagQuantileMs may run on any thread
// while the engine counts (they read each counter once, not a consistent snapshot of all).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "core/clock.h"

namespace herald::monitor {

struct EngineStats {
  std::atomic<std::int64_t> checks_started{0}, checks_completed{0}, checks_skipped{0};  // skipped: still running
  std::atomic<std::int64_t> results_written{0}, write_failures{0}, results_dropped{0};
  std::atomic<std::int64_t> state_changes{0}, alerts_raised{0}, component_updates{0};
  std::atomic<std::int64_t> in_flight{0}, monitors{0}, buffered{0};
  std::atomic<bool> storage_degraded{false};
  // Scheduling lag (actual start - due time) histogram; bucket upper bounds in ms.
  static constexpr std::array<TimeMs, 10> kLagBoundsMs = {1, 5, 10, 50, 100, 250, 500, 1000, 2000, 5000};
  std::array<std::atomic<std::int64_t>, 11> lag_buckets{};  // last: above 5 s
  std::atomic<TimeMs> lag_max_ms{0};

  // Counts one check that started `lag_ms` after it was due.
  void RecordLag(TimeMs lag_ms);
  // The upper bound of the bucket holding quantile q (0..1) of the lags: an estimate of the
  // p99 when q = 0.99. 0 when nothing ran.
  TimeMs LagQuantileMs(double q) const;
};

// The stats in the Prometheus text format, for /metrics: herald_monitor_checks_total (completed),
// herald_monitor_checks_started_total, herald_monitor_checks_skipped_total,
// herald_monitor_in_flight, herald_monitor_monitors, herald_monitor_schedule_lag_seconds
// {quantile="0.5"|"0.99"} (bucket estimates), herald_monitor_schedule_lag_max_seconds,
// herald_monitor_results_written_total, herald_monitor_write_failures_total,
// herald_monitor_results_dropped_total, herald_monitor_buffered_results,
// herald_monitor_state_changes_total, herald_monitor_staff_alerts_total,
// herald_monitor_storage_degraded (0/1).
std::string MetricsText(const EngineStats& stats);

}  // namespace herald::monitor
