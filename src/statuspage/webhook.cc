#include "statuspage/webhook.h"

#include <boost/json.hpp>

#include "core/time.h"
#include "statuspage/json.h"

namespace herald::statuspage {
namespace {

boost::json::object PageStatusJson(const model::Page& page, const OverallStatus& overall) {
  return {{"id", page.id}, {"status_indicator", overall.indicator}, {"status_description", overall.description}};
}

}  // namespace

std::string ComponentUpdateWebhookBody(const model::Page& page, const std::vector<model::Component>& components,
                                       const std::vector<model::Incident>& unresolved,
                                       const model::Component& component, const std::string& delivery_id,
                                       TimeMs created_at, const std::string& old_status) {
  const auto overall = ComputeOverallStatus(components, unresolved);
  boost::json::object doc{{"page", PageStatusJson(page, overall)},
                          {"component_update",
                           {{"id", delivery_id},
                            {"component_id", component.id},
                            {"created_at", FormatIso8601(created_at)},
                            {"old_status", old_status},
                            {"new_status", std::string(model::ToString(component.status))}}},
                          {"component", ComponentJson(component, components, Audience::kPublic)}};
  return boost::json::serialize(doc);
}

std::string IncidentWebhookBody(const model::Page& page, const std::vector<model::Component>& components,
                                const std::vector<model::Incident>& unresolved, const model::Incident& incident,
                                const std::string& public_url) {
  const auto overall = ComputeOverallStatus(components, unresolved);
  boost::json::object doc{{"page", PageStatusJson(page, overall)},
                          {"incident", IncidentJson(incident, components, public_url, Audience::kPublic)}};
  return boost::json::serialize(doc);
}

}  // namespace herald::statuspage
