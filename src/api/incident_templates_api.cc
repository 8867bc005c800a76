#include "api/incident_templates_api.h"

#include <boost/json.hpp>

#include "api/access.h"
#include "api/request_body.h"
#include "api/routes.h"
#include "core/time.h"
#include "http/errors.h"
#include "service/incident_templates.h"

namespace herald::api {
namespace json = boost::json;

namespace {

http::Response Json(int status, const json::value& v) { return http::JsonResponse(status, json::serialize(v)); }

Result<service::IncidentTemplateInput> ParseTemplateInput(const json::object& body) {
  const json::object o =
      body.contains("incident_template") ? Unwrap(body, "incident_template") : Unwrap(body, "template");
  service::IncidentTemplateInput in;
  HERALD_TRY_ASSIGN(in.name, GetString(o, "name"));
  HERALD_TRY_ASSIGN(in.title, GetString(o, "title"));
  HERALD_TRY_ASSIGN(in.body, GetString(o, "body"));
  HERALD_TRY_ASSIGN(in.group, GetString(o, "group"));
  if (!in.group) HERALD_TRY_ASSIGN(in.group, GetString(o, "group_id"));
  std::optional<std::string> s;
  HERALD_TRY_ASSIGN(s, GetString(o, "update_status"));
  if (s) {
    in.update_status = model::ParseIncidentStatus(*s);
    if (!in.update_status)
      return Error::Invalid("update_status", "update_status must be investigating, identified, monitoring or resolved");
  }
  HERALD_TRY_ASSIGN(s, GetString(o, "type"));
  if (s) {
    in.type = model::ParseNoticeType(*s);
    if (!in.type) return Error::Invalid("type", "type must be outage, maintenance, security, policy or product_update");
  }
  HERALD_TRY_ASSIGN(in.deliver_notifications, GetBool(o, "should_send_notifications"));
  std::map<std::string, model::ComponentStatus> components;
  HERALD_TRY_ASSIGN(components, GetComponentMap(o));
  std::optional<std::vector<std::string>> ids;
  HERALD_TRY_ASSIGN(ids, GetStringList(o, "component_ids"));
  // component_ids (Statuspage's) put a component in major_outage unless `components` says more.
  if (ids)
    for (const auto& id : *ids) components.emplace(id, model::ComponentStatus::kMajorOutage);
  if (o.contains("components") || ids) in.components = std::move(components);
  return in;
}

}  // namespace

json::object IncidentTemplateJson(const model::IncidentTemplate& t, const std::vector<model::Component>& all) {
  json::array ids, comps;
  for (const auto& [id, status] : t.components) {
    std::string name;
    for (const auto& c : all)
      if (c.id == id) name = c.name;
    ids.push_back(json::value(id));
    comps.push_back(json::object{{"id", id}, {"name", name}, {"status", model::ToString(status)}});
  }
  return {{"id", t.id},
          {"page_id", t.page_id},
          {"name", t.name},
          {"title", t.title},
          {"body", t.body},
          {"group", t.group_name},
          {"update_status", model::ToString(t.update_status)},
          {"type", model::ToString(t.type)},
          {"should_send_notifications", t.deliver_notifications},
          {"should_tweet", false},
          {"component_ids", ids},
          {"components", comps},
          {"created_at", FormatIso8601(t.created_at)},
          {"updated_at", FormatIso8601(t.updated_at)}};
}

bool IsIncidentTemplatesPath(const std::vector<std::string>& seg) {
  return seg.size() >= 4 && seg.size() <= 5 && seg[0] == "v1" && seg[1] == "pages" && seg[3] == "incident_templates";
}

Result<http::Response> RouteIncidentTemplates(store::Store& store, const Clock& clock, const model::ApiKey& key,
                                              const std::string& page_id, const http::Request& req,
                                              const std::vector<std::string>& seg) {
  const std::string& m = req.method;
  const bool read = m == "GET" || m == "HEAD";
  if (!read)
    if (auto st = Require(key, model::Permission::kPublishIncident); !st) return st.error();
  service::IncidentTemplateService templates(service::Deps{store, clock});
  auto components = store.ListComponents(page_id);
  if (!components) return components.error();
  auto body = [&]() -> Result<service::IncidentTemplateInput> {
    auto b = ParseBody(req.Header("content-type"), req.body);
    if (!b) return b.error();
    return ParseTemplateInput(*b);
  };
  if (seg.size() == 4) {
    if (read) {
      auto list = store.ListIncidentTemplates(page_id);
      if (!list) return list.error();
      json::array arr;
      for (const auto& t : *list) arr.push_back(IncidentTemplateJson(t, *components));
      return Json(200, arr);
    }
    if (m != "POST") return MethodNotAllowed(seg);
    auto in = body();
    if (!in) return in.error();
    auto t = templates.Create(page_id, *in);
    if (!t) return t.error();
    return Json(201, IncidentTemplateJson(*t, *components));
  }
  const std::string& id = seg[4];
  if (read) {
    auto t = store.GetIncidentTemplate(page_id, id);
    if (!t) return t.error();
    return Json(200, IncidentTemplateJson(*t, *components));
  }
  if (m == "PATCH" || m == "PUT") {
    auto in = body();
    if (!in) return in.error();
    auto t = templates.Update(page_id, id, *in);
    if (!t) return t.error();
    return Json(200, IncidentTemplateJson(*t, *components));
  }
  if (m == "DELETE") {
    if (auto st = templates.Delete(page_id, id); !st) return st.error();
    http::Response r;
    r.status = 204;
    return r;
  }
  return MethodNotAllowed(seg);
}

}  // namespace herald::api
