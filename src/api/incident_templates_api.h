// The management API for incident templates (model/incident_template.h), under
// /v1/pages/{page_id}/incident_templates. Statuspage has incident templates with the fields
// name, title, body, group_id, update_status, should_send_notifications and component_ids; Herald
// keeps those names (`group` is a plain label where Statuspage's group_id names a template group
// object) and adds `components` (component id -> the status to put it in, as an incident's) and
// `type` (the notice type). Endpoints (roles: anyone reads; responders and admins write, as they
// publish incidents from them: publish_incident):
//
//   GET    incident_templates          by group, then name
//   POST   incident_templates          -> 201; needs name and title
//   GET    incident_templates/{id}
//   PATCH  incident_templates/{id}     unset fields unchanged (PUT the same)
//   DELETE incident_templates/{id}     -> 204
//
// Bodies are JSON or form, optionally wrapped ({"template": {...}}, as Statuspage's).
//
// Thread safety: Route blocks on the store: worker threads only.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "http/message.h"
#include "model/incident_template.h"
#include "store/store.h"

namespace herald::api {

// Whether `seg` (SplitApiPath) is an incident template route.
bool IsIncidentTemplatesPath(const std::vector<std::string>& seg);
// Answers one of those routes for `page_id` (already resolved) with the key's role checked.
Result<http::Response> RouteIncidentTemplates(store::Store& store, const Clock& clock, const model::ApiKey& key,
                                              const std::string& page_id, const http::Request& req,
                                              const std::vector<std::string>& seg);
// A template as the API shows it; `components` resolves names.
boost::json::object IncidentTemplateJson(const model::IncidentTemplate& t,
                                         const std::vector<model::Component>& components);

}  // namespace herald::api
