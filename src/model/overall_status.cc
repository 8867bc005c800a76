#include "model/overall_status.h"

#include <algorithm>

namespace herald::model {

bool MaintenanceInProgress(const Incident& i) {
  return i.is_maintenance() && (i.status == IncidentStatus::kInProgress || i.status == IncidentStatus::kVerifying);
}

bool IncidentOpen(const Incident& i) { return !i.is_maintenance() && !IsClosed(i.status); }

Impact OverallIndicator(const std::vector<Component>& components, const std::vector<Incident>& incidents) {
  int level = 0;  // 0 none, 1 minor, 2 major, 3 critical
  bool maintenance = false;
  for (const auto& c : components) {
    if (c.hidden || c.is_group) continue;
    switch (c.status) {
      case ComponentStatus::kMajorOutage: level = std::max(level, 3); break;
      case ComponentStatus::kPartialOutage: level = std::max(level, 2); break;
      case ComponentStatus::kDegradedPerformance: level = std::max(level, 1); break;
      case ComponentStatus::kUnderMaintenance: maintenance = true; break;
      case ComponentStatus::kOperational: break;
    }
  }
  for (const auto& i : incidents) {
    if (MaintenanceInProgress(i)) maintenance = true;
    if (!IncidentOpen(i)) continue;
    switch (i.impact) {
      case Impact::kCritical: level = std::max(level, 3); break;
      case Impact::kMajor: level = std::max(level, 2); break;
      case Impact::kMinor: level = std::max(level, 1); break;
      default: break;
    }
  }
  switch (level) {
    case 3: return Impact::kCritical;
    case 2: return Impact::kMajor;
    case 1: return Impact::kMinor;
    default: break;
  }
  return maintenance ? Impact::kMaintenance : Impact::kNone;
}

}  // namespace herald::model
