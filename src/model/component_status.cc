#include "model/component_status.h"

namespace herald::model {

ComponentStatus ComponentStatusFrom(const ComponentCauses& causes) {
  ComponentStatus worst = causes.manual;
  auto take = [&](ComponentStatus s) {
    if (Severity(s) > Severity(worst)) worst = s;
  };
  for (auto s : causes.incidents) take(s);
  if (causes.maintenance) take(ComponentStatus::kUnderMaintenance);
  const bool maintenance = causes.maintenance || causes.manual == ComponentStatus::kUnderMaintenance;
  if (!maintenance)
    for (auto s : causes.monitors) take(s);
  return worst;
}

std::optional<ComponentStatus> IncidentEffect(const Incident& incident, const std::string& component_id) {
  if (IsClosed(incident.status) || incident.backfilled) return std::nullopt;
  if (incident.is_maintenance() && incident.status == IncidentStatus::kScheduled) return std::nullopt;
  for (const auto& ac : incident.components)
    if (ac.component_id == component_id) return ac.new_status;
  return std::nullopt;
}

ComponentStatus MonitorEffect(const Monitor& monitor) {
  switch (monitor.state) {
    case MonitorState::kDown: return monitor.down_status;
    case MonitorState::kDegraded: return monitor.slow_status;
    default: return ComponentStatus::kOperational;
  }
}

}  // namespace herald::model
