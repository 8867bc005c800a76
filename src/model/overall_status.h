// A page's overall status: which indicator a set of components and incidents gives. One rule for
// the page banner, the badge, the /api/v2 documents and the webhook bodies; each of them words it
// in its own way. Plain functions over the model, no I/O.
#pragma once

#include <vector>

#include "model/model.h"

namespace herald::model {

// The worst of the visible components' statuses (major outage -> critical, partial -> major,
// degraded -> minor) and the impact of open incidents; kMaintenance when nothing is wrong but a
// maintenance is in progress (or a component is under maintenance); kNone otherwise. Hidden
// components and groups do not count (a group shows its worst member, which counts already).
Impact OverallIndicator(const std::vector<Component>& components, const std::vector<Incident>& incidents);

// A maintenance in progress (in_progress or verifying).
bool MaintenanceInProgress(const Incident& incident);
// An incident (not a maintenance) that is not resolved yet.
bool IncidentOpen(const Incident& incident);

}  // namespace herald::model
