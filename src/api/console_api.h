// The management API endpoints the operator console's screens stand on (docs/console.md), under
// /v1/pages/{page_id}/:
//
//   GET  dashboard             the dashboard's data (service/dashboard.h)            viewer
//   POST incidents/preview     what publishing a draft would show and send, in every
//                              language in use (service/preview.h); writes nothing   responder
//
// AdminApi authenticates, resolves the page and checks the role, then calls these to build the
// answer. The paged lists the console shows are the existing list endpoints with cursor
// parameters (api/paging.h).
//
// Thread safety: pure functions over their arguments (the store calls block: worker threads).
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "service/dashboard.h"
#include "service/preview.h"

namespace herald::api {

boost::json::object DashboardJson(const service::Dashboard& d);
boost::json::object PreviewJson(const service::IncidentPreview& p, const std::vector<model::Component>& components,
                                const std::string& public_url);

}  // namespace herald::api
