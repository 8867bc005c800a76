// A component's status as the worst of its causes (model/component_status.h), read from the
// store: the status staff set by hand, open incidents and maintenance in progress, enabled
// monitors' confirmed states. Services call these whenever a cause changes.
//
// The status set by hand is kept in the settings table under "component.manual_status:<id>"
// (absent: operational), apart from the status the component shows, so that an incident or a
// maintenance ending returns the component to it.
//
// Thread safety: as the services; they block on the store.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/model.h"
#include "service/services.h"
#include "store/store.h"

namespace herald::service {

// The status staff last set by hand on the component (operational when never).
Result<model::ComponentStatus> ManualStatus(store::SettingStore& store, const std::string& component_id);
Status SetManualStatus(store::SettingStore& store, const std::string& component_id, model::ComponentStatus status,
                       TimeMs now);

// The status each of `ids` (components of `components`, the page's list; groups are skipped)
// should show now. `incident`, when given, stands in for its stored version: a write about to be
// committed. `manual` overrides the stored manual status of its components.
Result<std::map<std::string, model::ComponentStatus>> ComputeComponentStatuses(
    store::Store& store, const std::string& page_id, const std::vector<model::Component>& components,
    const std::set<std::string>& ids, const model::Incident* incident = nullptr,
    const std::map<std::string, model::ComponentStatus>& manual = {});

// Recomputes one component's status and, when it changed, records it (history and a
// "component.updated" outbox event with old_status, so subscribers hear of it) and calls
// deps.on_change. For a cause outside incidents: a monitor's state, a monitor added, removed,
// disabled or moved, an incident deleted. Returns the component as it is now.
Result<model::Component> RefreshComponentStatus(const Deps& deps, const std::string& page_id,
                                                const std::string& component_id);

}  // namespace herald::service
