#include "statuspage/public_api.h"

#include <algorithm>
#include <boost/json.hpp>

#include "statuspage/json.h"

namespace herald::statuspage {
namespace json = boost::json;

std::vector<std::pair<std::string, std::string>> RenderPublicApi(const PublicApiInput& in) {
  std::vector<model::Component> comps;
  for (const auto& c : in.components)
    if (!c.hidden) comps.push_back(c);
  const std::string& base_url = in.base_url;
  json::object page = PageJson(in.page, in.now);
  page["url"] = in.page.url.empty() ? base_url : in.page.url;
  OverallStatus overall = ComputeOverallStatus(comps, in.incidents);
  json::object status{{"indicator", overall.indicator}, {"description", overall.description}};

  json::array components;
  for (const auto& c : comps) components.push_back(ComponentJson(c, comps, Audience::kPublic));

  json::array incidents, unresolved, maintenances, upcoming, active;
  for (const auto& inc : in.incidents) {  // newest first
    // A large page has thousands of closed incidents that no document lists: skip them unbuilt.
    const bool listed = inc.is_maintenance()
                            ? maintenances.size() < 50 || inc.status == model::IncidentStatus::kScheduled ||
                                  inc.status == model::IncidentStatus::kInProgress ||
                                  inc.status == model::IncidentStatus::kVerifying
                            : incidents.size() < 50 || !model::IsClosed(inc.status);
    if (!listed) continue;
    json::object o = IncidentJson(inc, comps, base_url, Audience::kPublic);
    if (inc.is_maintenance()) {
      if (maintenances.size() < 50) maintenances.push_back(o);
      if (inc.status == model::IncidentStatus::kScheduled) upcoming.push_back(o);
      if (inc.status == model::IncidentStatus::kInProgress || inc.status == model::IncidentStatus::kVerifying)
        active.push_back(o);
    } else {
      if (!model::IsClosed(inc.status)) unresolved.push_back(o);
      if (incidents.size() < 50) incidents.push_back(std::move(o));
    }
  }
  // Upcoming maintenance reads best soonest first.
  std::reverse(upcoming.begin(), upcoming.end());
  json::array summary_maint = active;
  for (const auto& u : upcoming) summary_maint.push_back(u);

  auto doc = [&](std::initializer_list<std::pair<json::string_view, json::value>> extra) {
    json::object o{{"page", page}};
    for (const auto& [k, v] : extra) o[k] = v;
    return json::serialize(o);
  };
  return {
      {"api/v2/summary.json", doc({{"components", components},
                                   {"incidents", unresolved},
                                   {"scheduled_maintenances", summary_maint},
                                   {"status", status}})},
      {"api/v2/status.json", doc({{"status", status}})},
      {"api/v2/components.json", doc({{"components", components}})},
      {"api/v2/incidents.json", doc({{"incidents", incidents}})},
      {"api/v2/incidents/unresolved.json", doc({{"incidents", unresolved}})},
      {"api/v2/scheduled-maintenances.json", doc({{"scheduled_maintenances", maintenances}})},
      {"api/v2/scheduled-maintenances/upcoming.json", doc({{"scheduled_maintenances", upcoming}})},
      {"api/v2/scheduled-maintenances/active.json", doc({{"scheduled_maintenances", active}})},
  };
}

}  // namespace herald::statuspage
