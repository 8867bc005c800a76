// Statuspage's webhook bodies: what a webhook subscriber receives for a component's status change
// and for an incident or maintenance update, field for field as Statuspage sends them, so that
// receivers written for Statuspage work unchanged. Public audience only. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "model/model.h"

namespace herald::statuspage {

// {"page":{...},"component_update":{...},"component":{...}}. `component` as of the change, with
// its new status; `components` the page's (visible) components, for the page status and groups;
// `unresolved` the page's open incidents at the time.
std::string ComponentUpdateWebhookBody(const model::Page& page, const std::vector<model::Component>& components,
                                       const std::vector<model::Incident>& unresolved,
                                       const model::Component& component, const std::string& delivery_id,
                                       TimeMs created_at, const std::string& old_status);

// {"page":{...},"incident":{...}}. `incident` as of the update; `unresolved` the page's open
// incidents at the time, this one included while it is open.
std::string IncidentWebhookBody(const model::Page& page, const std::vector<model::Component>& components,
                                const std::vector<model::Incident>& unresolved, const model::Incident& incident,
                                const std::string& public_url);

}  // namespace herald::statuspage
