// The Statuspage wire format: JSON shapes of Herald's domain objects, following Atlassian
// Statuspage's public (v2) and management (v1) APIs and its webhook bodies field for field, so
// that existing widgets, aggregators, scripts and webhook receivers work unchanged. Used by the
// public API documents (public_api.h), the webhook bodies (webhook.h) and the management API.
// `Audience::kStaff` adds Herald's extensions (internal notes, hidden components, notice type,
// promised next update); `kPublic` never contains anything internal.
// Pure functions; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "model/model.h"

namespace herald::statuspage {

enum class Audience { kPublic, kStaff };

// Statuspage's page status words for model::OverallIndicator.
struct OverallStatus {
  std::string indicator;    // none, minor, major, critical, maintenance
  std::string description;  // "All Systems Operational", ...
};
OverallStatus ComputeOverallStatus(const std::vector<model::Component>& components,
                                   const std::vector<model::Incident>& incidents);

boost::json::object PageJson(const model::Page& page, TimeMs updated_at);
boost::json::object ComponentJson(const model::Component& c, const std::vector<model::Component>& all,
                                  Audience audience);
boost::json::object IncidentJson(const model::Incident& inc, const std::vector<model::Component>& all,
                                 const std::string& public_url, Audience audience);

}  // namespace herald::statuspage
