// Evaluator: the pure rules that turn single check verdicts into a monitor's confirmed state and
// monitors' states into a component's status. No I/O, no clock.
//
// A monitor's window holds its last M verdicts (M = failure_window). Given the confirmed state:
//   - down      when >= N of the last M verdicts are down (N = failures_to_down);
//   - degraded  when >= N of the last M are slow or down, but fewer than N are down;
//   - up        after K consecutive up verdicts (K = successes_to_up) from down or degraded, or
//               at the first up verdict from unknown (nothing to confirm against);
//   - otherwise the confirmed state stays (a single blip neither alerts nor recovers).
// The window and the confirmed state are kept apart on purpose: the engine only confirms a state
// after it has been written, so a storage failure leaves the last written state in force while
// the window keeps moving.
//
// Thread safety: MonitorWindow is a plain value, not synchronised; the functions are pure.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "model/model.h"
#include "model/monitor.h"

namespace herald::monitor {

struct Thresholds {
  int failures_to_down = 3;  // N
  int failure_window = 3;    // M
  int successes_to_up = 2;   // K
  // Sanitised copy of a monitor's thresholds (M >= 1, 1 <= N <= M, K >= 1).
  static Thresholds Of(const model::Monitor& m);
};

class MonitorWindow {
 public:
  // Records one verdict (oldest beyond M are forgotten).
  void Push(model::CheckVerdict verdict, const Thresholds& t);
  // The state the window implies, starting from the confirmed state `confirmed`.
  model::MonitorState Evaluate(model::MonitorState confirmed, const Thresholds& t) const;
  void Clear();

  int size() const { return static_cast<int>(verdicts_.size()); }
  int consecutive_up() const { return consecutive_up_; }

 private:
  std::deque<model::CheckVerdict> verdicts_;
  int consecutive_up_ = 0;
};

// What one monitor's state means for its component: down -> monitor.down_status, degraded ->
// monitor.slow_status, up and unknown -> operational.
model::ComponentStatus StatusFor(model::MonitorState state, const model::Monitor& monitor);

// The worst (by model::Severity) of the statuses; operational for none.
model::ComponentStatus Worst(const std::vector<model::ComponentStatus>& statuses);

// The incident impact automation gives a component status: major_outage -> major,
// partial_outage and degraded_performance -> minor, anything else none.
model::Impact ImpactForStatus(model::ComponentStatus status);

}  // namespace herald::monitor
