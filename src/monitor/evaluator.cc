#include "monitor/evaluator.h"

#include <algorithm>

#include "model/component_status.h"

namespace herald::monitor {

using model::CheckVerdict;
using model::ComponentStatus;
using model::MonitorState;

Thresholds Thresholds::Of(const model::Monitor& m) {
  Thresholds t;
  t.failure_window = std::clamp(m.failure_window, 1, 100);
  t.failures_to_down = std::clamp(m.failures_to_down, 1, t.failure_window);
  t.successes_to_up = std::clamp(m.successes_to_up, 1, 100);
  return t;
}

void MonitorWindow::Push(CheckVerdict verdict, const Thresholds& t) {
  verdicts_.push_back(verdict);
  while (static_cast<int>(verdicts_.size()) > t.failure_window) verdicts_.pop_front();
  consecutive_up_ = verdict == CheckVerdict::kUp ? consecutive_up_ + 1 : 0;
}

MonitorState MonitorWindow::Evaluate(MonitorState confirmed, const Thresholds& t) const {
  int down = 0, bad = 0, counted = 0;
  // Only the newest M count, even if the thresholds shrank since the verdicts were pushed.
  for (auto it = verdicts_.rbegin(); it != verdicts_.rend() && counted < t.failure_window; ++it, ++counted) {
    if (*it == CheckVerdict::kDown) ++down;
    if (*it != CheckVerdict::kUp) ++bad;
  }
  if (down >= t.failures_to_down) return MonitorState::kDown;
  if (bad >= t.failures_to_down) return MonitorState::kDegraded;
  switch (confirmed) {
    case MonitorState::kUnknown: return consecutive_up_ >= 1 ? MonitorState::kUp : MonitorState::kUnknown;
    case MonitorState::kUp: return MonitorState::kUp;
    case MonitorState::kDown:
    case MonitorState::kDegraded: return consecutive_up_ >= t.successes_to_up ? MonitorState::kUp : confirmed;
  }
  return confirmed;
}

void MonitorWindow::Clear() {
  verdicts_.clear();
  consecutive_up_ = 0;
}

ComponentStatus StatusFor(MonitorState state, const model::Monitor& monitor) {
  model::Monitor in_state = monitor;
  in_state.state = state;
  return model::MonitorEffect(in_state);
}

ComponentStatus Worst(const std::vector<ComponentStatus>& statuses) {
  ComponentStatus worst = ComponentStatus::kOperational;
  for (auto s : statuses)
    if (model::Severity(s) > model::Severity(worst)) worst = s;
  return worst;
}

model::Impact ImpactForStatus(ComponentStatus status) {
  switch (status) {
    case ComponentStatus::kMajorOutage: return model::Impact::kMajor;
    case ComponentStatus::kPartialOutage:
    case ComponentStatus::kDegradedPerformance: return model::Impact::kMinor;
    default: return model::Impact::kNone;
  }
}

}  // namespace herald::monitor
