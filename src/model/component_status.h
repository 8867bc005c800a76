// What a component's status is made of. Plain functions over the model, no I/O.
//
// A component shows the worst (model::Severity) of everything active on it: the status staff set
// by hand, the status each open incident puts it in, under_maintenance while a maintenance window
// is in progress, and its monitors' verdicts. The monitors are left out while a maintenance covers
// the component (in progress, or under_maintenance set by hand): failing checks are what a
// maintenance is expected to cause. When one cause ends the component returns to the worst of
// the rest, never simply to operational.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/model.h"
#include "model/monitor.h"

namespace herald::model {

struct ComponentCauses {
  ComponentStatus manual = ComponentStatus::kOperational;
  std::vector<ComponentStatus> incidents;  // open incidents and maintenance in progress
  bool maintenance = false;                // a maintenance window is in progress on it
  std::vector<ComponentStatus> monitors;   // each enabled monitor's status (operational when up)
};

ComponentStatus ComponentStatusFrom(const ComponentCauses& causes);

// The status `incident` puts `component_id` in while it is active; nullopt when it does not
// (closed, a maintenance not yet in progress, a backfilled record, or not affecting it).
std::optional<ComponentStatus> IncidentEffect(const Incident& incident, const std::string& component_id);

// What a monitor in its confirmed state says about its component: down_status when down,
// slow_status when degraded, operational otherwise (up, or not enough results yet).
ComponentStatus MonitorEffect(const Monitor& monitor);

}  // namespace herald::model
