// JSON shapes of Herald's domain objects, following Atlassian Statuspage's public (v2) and
// management (v1) APIs field for field, so that existing widgets, aggregators and scripts work
// unchanged. `Audience::kStaff` adds Herald's extensions (internal notes, hidden components,
// notice type, promised next update); `kPublic` never contains anything internal.
// Pure functions; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "model/model.h"

namespace herald::api {

enum class Audience { kPublic, kStaff };

struct OverallStatus {
  std::string indicator;    // none, minor, major, critical, maintenance
  std::string description;  // "All Systems Operational", ...
};

// Statuspage's page status: the worst of unresolved incidents' impact and of component
// statuses; "maintenance" when only maintenance is in progress.
OverallStatus ComputeOverallStatus(const std::vector<model::Component>& components,
                                   const std::vector<model::Incident>& incidents, TimeMs now);

boost::json::object PageJson(const model::Page& page, TimeMs updated_at);
boost::json::object ComponentJson(const model::Component& c, const std::vector<model::Component>& all,
                                  Audience audience);
boost::json::object IncidentJson(const model::Incident& inc, const std::vector<model::Component>& all,
                                 const std::string& public_url, Audience audience);
boost::json::object ApiKeyJson(const model::ApiKey& key);

// {"error":{"code":...,"message":...,"field":...}}
std::string ErrorBody(const std::string& code, const std::string& message, const std::string& field);

}  // namespace herald::api
