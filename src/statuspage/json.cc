#include "statuspage/json.h"

#include <boost/json.hpp>

#include "core/time.h"
#include "model/overall_status.h"

namespace herald::statuspage {
namespace json = boost::json;
namespace {

json::value OptTime(const std::optional<TimeMs>& t) {
  if (!t) return nullptr;
  return json::value(FormatIso8601(*t));
}

const model::Component* Find(const std::vector<model::Component>& all, const std::string& id) {
  for (const auto& c : all)
    if (c.id == id) return &c;
  return nullptr;
}

}  // namespace

OverallStatus ComputeOverallStatus(const std::vector<model::Component>& components,
                                   const std::vector<model::Incident>& incidents) {
  // One rule for the page banner and the API (the model's); the API keeps Statuspage's wording.
  switch (model::OverallIndicator(components, incidents)) {
    case model::Impact::kMinor: return {"minor", "Minor Service Outage"};
    case model::Impact::kMajor: return {"major", "Partial System Outage"};
    case model::Impact::kCritical: return {"critical", "Major Service Outage"};
    case model::Impact::kMaintenance: return {"maintenance", "Service Under Maintenance"};
    default: return {"none", "All Systems Operational"};
  }
}

json::object PageJson(const model::Page& page, TimeMs updated_at) {
  return {{"id", page.id},
          {"name", page.name},
          {"url", page.url},
          {"time_zone", page.time_zone},
          {"updated_at", FormatIso8601(updated_at)}};
}

json::object ComponentJson(const model::Component& c, const std::vector<model::Component>& all, Audience audience) {
  json::object o{{"id", c.id},
                 {"name", c.name},
                 {"status", std::string(model::ToString(c.status))},
                 {"created_at", FormatIso8601(c.created_at)},
                 {"updated_at", FormatIso8601(c.updated_at)},
                 {"position", c.position},
                 {"description", c.description.empty() ? json::value(nullptr) : json::value(c.description)},
                 {"showcase", c.showcase},
                 {"start_date", c.start_date ? json::value(*c.start_date) : json::value(nullptr)},
                 {"group_id", c.group_id.empty() ? json::value(nullptr) : json::value(c.group_id)},
                 {"page_id", c.page_id},
                 {"group", c.is_group},
                 {"only_show_if_degraded", c.only_show_if_degraded}};
  if (c.is_group) {
    json::array members;
    int worst = -1;
    model::ComponentStatus worst_status = model::ComponentStatus::kOperational;
    for (const auto& m : all) {
      if (m.group_id != c.id || (audience == Audience::kPublic && m.hidden)) continue;
      members.emplace_back(m.id);
      if (model::Severity(m.status) > worst) worst = model::Severity(m.status), worst_status = m.status;
    }
    o["components"] = std::move(members);
    o["status"] = std::string(model::ToString(worst_status));  // a group shows its worst member
  }
  if (audience == Audience::kStaff) {
    o["hidden"] = c.hidden;
    o["automation_email"] = "";
  }
  return o;
}

json::object IncidentJson(const model::Incident& inc, const std::vector<model::Component>& all,
                          const std::string& public_url, Audience audience) {
  json::array updates;
  for (const auto& u : inc.updates) {
    if (u.internal && audience == Audience::kPublic) continue;
    json::array affected;
    for (const auto& a : u.affected_components) {
      const auto* c = Find(all, a.component_id);
      if (!c || (c->hidden && audience == Audience::kPublic)) continue;
      affected.push_back(json::object{{"code", a.component_id},
                                      {"name", c->name},
                                      {"old_status", std::string(model::ToString(a.old_status))},
                                      {"new_status", std::string(model::ToString(a.new_status))}});
    }
    json::object uo{{"id", u.id},
                    {"status", std::string(model::ToString(u.status))},
                    {"body", u.body},
                    {"incident_id", inc.id},
                    {"created_at", FormatIso8601(u.created_at)},
                    {"updated_at", FormatIso8601(u.updated_at)},
                    {"display_at", FormatIso8601(u.display_at)},
                    {"affected_components", affected.empty() ? json::value(nullptr) : json::value(affected)},
                    {"deliver_notifications", u.deliver_notifications},
                    {"custom_tweet", nullptr},
                    {"tweet_id", nullptr}};
    uo["next_update_at"] = OptTime(u.next_update_at);
    if (audience == Audience::kStaff) {
      uo["internal"] = u.internal;
      json::object variants;
      for (const auto& [k, v] : u.variants) variants[k] = v;
      uo["variants"] = std::move(variants);
    }
    updates.push_back(std::move(uo));
  }
  json::array comps;
  for (const auto& a : inc.components) {
    const auto* c = Find(all, a.component_id);
    if (!c || (c->hidden && audience == Audience::kPublic)) continue;
    comps.push_back(ComponentJson(*c, all, audience));
  }
  std::string shortlink = public_url + "/incidents/" + inc.id;
  json::object o{{"id", inc.id},
                 {"name", inc.name},
                 {"status", std::string(model::ToString(inc.status))},
                 {"created_at", FormatIso8601(inc.created_at)},
                 {"updated_at", FormatIso8601(inc.updated_at)},
                 {"monitoring_at", OptTime(inc.monitoring_at)},
                 {"resolved_at", OptTime(inc.resolved_at)},
                 {"impact", std::string(model::ToString(inc.impact))},
                 {"shortlink", shortlink},
                 {"started_at", FormatIso8601(inc.started_at)},
                 {"page_id", inc.page_id},
                 {"incident_updates", std::move(updates)},
                 {"components", std::move(comps)},
                 {"scheduled_for", OptTime(inc.scheduled_for)},
                 {"scheduled_until", OptTime(inc.scheduled_until)}};
  o["type"] = std::string(model::ToString(inc.type));
  if (audience == Audience::kStaff) {
    o["backfilled"] = inc.backfilled;
    o["postmortem_body"] = inc.postmortem_body.empty() ? json::value(nullptr) : json::value(inc.postmortem_body);
    o["scheduled_auto_in_progress"] = inc.is_maintenance() && inc.scheduled_auto_transition;
    o["scheduled_auto_completed"] = inc.is_maintenance() && inc.scheduled_auto_transition;
    o["impact_override"] = nullptr;
  }
  return o;
}

}  // namespace herald::statuspage
