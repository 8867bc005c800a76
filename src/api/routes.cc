#include "api/routes.h"

#include <algorithm>
#include <array>

#include "http/errors.h"

namespace herald::api {
namespace {

// Keep in step with the handlers (admin_api.cc, subscribers_api.cc, monitors_api.cc) and with
// web/openapi.json: a route missing here is refused before it reaches its handler, and
// routes_test.cc fails while the description and this table differ.
constexpr std::array kRoutes = {
    // admin_api.cc (the description itself is served without a key)
    ApiRoute{"GET", "/v1/openapi.json"},
    ApiRoute{"GET", "/v1/pages"},
    ApiRoute{"POST", "/v1/pages"},
    ApiRoute{"GET", "/v1/pages/{page_id}"},
    ApiRoute{"PATCH", "/v1/pages/{page_id}"},
    ApiRoute{"PUT", "/v1/pages/{page_id}"},
    ApiRoute{"GET", "/v1/pages/{page_id}/components"},
    ApiRoute{"POST", "/v1/pages/{page_id}/components"},
    ApiRoute{"GET", "/v1/pages/{page_id}/components/{component_id}"},
    ApiRoute{"PATCH", "/v1/pages/{page_id}/components/{component_id}"},
    ApiRoute{"PUT", "/v1/pages/{page_id}/components/{component_id}"},
    ApiRoute{"DELETE", "/v1/pages/{page_id}/components/{component_id}"},
    ApiRoute{"GET", "/v1/pages/{page_id}/component-groups"},
    ApiRoute{"POST", "/v1/pages/{page_id}/component-groups"},
    ApiRoute{"GET", "/v1/pages/{page_id}/component-groups/{group_id}"},
    ApiRoute{"PATCH", "/v1/pages/{page_id}/component-groups/{group_id}"},
    ApiRoute{"PUT", "/v1/pages/{page_id}/component-groups/{group_id}"},
    ApiRoute{"DELETE", "/v1/pages/{page_id}/component-groups/{group_id}"},
    ApiRoute{"GET", "/v1/pages/{page_id}/incidents"},
    ApiRoute{"POST", "/v1/pages/{page_id}/incidents"},
    ApiRoute{"GET", "/v1/pages/{page_id}/incidents/unresolved"},
    ApiRoute{"GET", "/v1/pages/{page_id}/incidents/scheduled"},
    ApiRoute{"GET", "/v1/pages/{page_id}/incidents/upcoming"},
    ApiRoute{"GET", "/v1/pages/{page_id}/incidents/active_maintenance"},
    ApiRoute{"GET", "/v1/pages/{page_id}/incidents/{incident_id}"},
    ApiRoute{"PATCH", "/v1/pages/{page_id}/incidents/{incident_id}"},
    ApiRoute{"PUT", "/v1/pages/{page_id}/incidents/{incident_id}"},
    ApiRoute{"DELETE", "/v1/pages/{page_id}/incidents/{incident_id}"},
    ApiRoute{"GET", "/v1/pages/{page_id}/incidents/{incident_id}/incident_updates"},
    ApiRoute{"POST", "/v1/pages/{page_id}/incidents/{incident_id}/incident_updates"},
    ApiRoute{"PATCH", "/v1/pages/{page_id}/incidents/{incident_id}/incident_updates/{incident_update_id}"},
    ApiRoute{"PUT", "/v1/pages/{page_id}/incidents/{incident_id}/incident_updates/{incident_update_id}"},
    // subscribers_api.cc
    ApiRoute{"GET", "/v1/pages/{page_id}/subscribers"},
    ApiRoute{"POST", "/v1/pages/{page_id}/subscribers"},
    ApiRoute{"GET", "/v1/pages/{page_id}/subscribers/{subscriber_id}"},
    ApiRoute{"PATCH", "/v1/pages/{page_id}/subscribers/{subscriber_id}"},
    ApiRoute{"PUT", "/v1/pages/{page_id}/subscribers/{subscriber_id}"},
    ApiRoute{"DELETE", "/v1/pages/{page_id}/subscribers/{subscriber_id}"},
    ApiRoute{"GET", "/v1/pages/{page_id}/subscribers/{subscriber_id}/deliveries"},
    ApiRoute{"POST", "/v1/pages/{page_id}/subscribers/import"},
    ApiRoute{"GET", "/v1/pages/{page_id}/subscribers/export.csv"},
    ApiRoute{"GET", "/v1/pages/{page_id}/incidents/{incident_id}/deliveries"},
    ApiRoute{"GET", "/v1/pages/{page_id}/templates"},
    ApiRoute{"PUT", "/v1/pages/{page_id}/templates/{language}/{key}"},
    ApiRoute{"PATCH", "/v1/pages/{page_id}/templates/{language}/{key}"},
    ApiRoute{"DELETE", "/v1/pages/{page_id}/templates/{language}/{key}"},
    ApiRoute{"POST", "/v1/pages/{page_id}/templates/preview"},
    // monitors_api.cc
    ApiRoute{"GET", "/v1/pages/{page_id}/monitors"},
    ApiRoute{"POST", "/v1/pages/{page_id}/monitors"},
    ApiRoute{"GET", "/v1/pages/{page_id}/monitors/{monitor_id}"},
    ApiRoute{"PATCH", "/v1/pages/{page_id}/monitors/{monitor_id}"},
    ApiRoute{"PUT", "/v1/pages/{page_id}/monitors/{monitor_id}"},
    ApiRoute{"DELETE", "/v1/pages/{page_id}/monitors/{monitor_id}"},
    ApiRoute{"GET", "/v1/pages/{page_id}/monitors/{monitor_id}/results"},
    ApiRoute{"POST", "/v1/pages/{page_id}/monitors/{monitor_id}/rotate_token"},
    ApiRoute{"GET", "/v1/pages/{page_id}/automation_rules"},
    ApiRoute{"GET", "/v1/pages/{page_id}/automation_rules/{component_id}"},
    ApiRoute{"PUT", "/v1/pages/{page_id}/automation_rules/{component_id}"},
    ApiRoute{"PATCH", "/v1/pages/{page_id}/automation_rules/{component_id}"},
    ApiRoute{"DELETE", "/v1/pages/{page_id}/automation_rules/{component_id}"},
    ApiRoute{"GET", "/v1/pages/{page_id}/alert_targets"},
    ApiRoute{"POST", "/v1/pages/{page_id}/alert_targets"},
    ApiRoute{"GET", "/v1/pages/{page_id}/alert_targets/{alert_target_id}"},
    ApiRoute{"DELETE", "/v1/pages/{page_id}/alert_targets/{alert_target_id}"},
    ApiRoute{"GET", "/v1/pages/{page_id}/incident_drafts"},
    ApiRoute{"GET", "/v1/pages/{page_id}/incident_drafts/{draft_id}"},
    ApiRoute{"PATCH", "/v1/pages/{page_id}/incident_drafts/{draft_id}"},
    ApiRoute{"PUT", "/v1/pages/{page_id}/incident_drafts/{draft_id}"},
    ApiRoute{"POST", "/v1/pages/{page_id}/incident_drafts/{draft_id}/publish"},
    ApiRoute{"POST", "/v1/pages/{page_id}/incident_drafts/{draft_id}/discard"},
    ApiRoute{"GET", "/v1/pages/{page_id}/staff_alerts"},
    // console views (admin_api.cc, console_api.h): the dashboard and the composer's preview
    ApiRoute{"GET", "/v1/pages/{page_id}/dashboard"},
    ApiRoute{"POST", "/v1/pages/{page_id}/incidents/preview"},
    // incident_templates_api.cc: templates for common situations (the composer starts from one)
    ApiRoute{"GET", "/v1/pages/{page_id}/incident_templates"},
    ApiRoute{"POST", "/v1/pages/{page_id}/incident_templates"},
    ApiRoute{"GET", "/v1/pages/{page_id}/incident_templates/{template_id}"},
    ApiRoute{"PATCH", "/v1/pages/{page_id}/incident_templates/{template_id}"},
    ApiRoute{"PUT", "/v1/pages/{page_id}/incident_templates/{template_id}"},
    ApiRoute{"DELETE", "/v1/pages/{page_id}/incident_templates/{template_id}"},
    // audit_api.cc: the audit log (admin keys)
    ApiRoute{"GET", "/v1/audit_log"},
    ApiRoute{"GET", "/v1/audit_log/export.csv"},
};

}  // namespace

std::span<const ApiRoute> ManagementRoutes() { return kRoutes; }

std::vector<std::string> SplitApiPath(std::string_view path) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < path.size()) {
    size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    if (next > pos) out.emplace_back(path.substr(pos, next - pos));
    pos = next + 1;
  }
  if (!out.empty() && out.back().size() > 5 && out.back().ends_with(".json")) out.back().resize(out.back().size() - 5);
  return out;
}

bool PathMatches(std::string_view pattern, const std::vector<std::string>& seg) {
  size_t i = 0;
  size_t pos = 1;  // past the leading '/'
  while (pos <= pattern.size()) {
    size_t end = pattern.find('/', pos);
    if (end == std::string_view::npos) end = pattern.size();
    const std::string_view part = pattern.substr(pos, end - pos);
    if (i == seg.size()) return false;
    const std::string_view got = seg[i];
    const bool param = part.size() > 2 && part.front() == '{' && part.back() == '}';
    // Requests arrive with ".json" removed from the last segment; Statuspage's clients use both
    // spellings of component groups.
    const bool same = got == part ||
                      (end == pattern.size() && part.ends_with(".json") && got == part.substr(0, part.size() - 5)) ||
                      (part == "component-groups" && got == "component_groups");
    if (!param && !same) return false;
    if (got.empty()) return false;
    ++i;
    pos = end + 1;
  }
  return i == seg.size();
}

namespace {

int LiteralSegments(std::string_view pattern) {
  int n = 0;
  for (size_t pos = 1; pos <= pattern.size();) {
    size_t end = pattern.find('/', pos);
    if (end == std::string_view::npos) end = pattern.size();
    if (pattern[pos] != '{') ++n;
    pos = end + 1;
  }
  return n;
}

}  // namespace

RouteMatch MatchRoute(std::string_view method, const std::vector<std::string>& seg, std::string* allow) {
  if (method == "HEAD") method = "GET";
  // A literal segment wins over a parameter ("subscribers/import" is not a subscriber id), so
  // only the paths with the most literal segments count.
  int best = -1;
  for (const auto& r : kRoutes)
    if (PathMatches(r.path, seg)) best = std::max(best, LiteralSegments(r.path));
  if (best < 0) return RouteMatch::kNoPath;
  std::string methods;
  for (const auto& r : kRoutes) {
    if (LiteralSegments(r.path) != best || !PathMatches(r.path, seg)) continue;
    if (r.method == method) return RouteMatch::kFound;
    if (!methods.empty()) methods += ", ";
    methods += r.method;
    if (r.method == "GET") methods += ", HEAD";
  }
  if (allow) *allow = std::move(methods);
  return RouteMatch::kNoMethod;
}

std::string AllowedMethods(const std::vector<std::string>& seg) {
  std::string allow;
  MatchRoute("", seg, &allow);  // no route has the empty method
  return allow;
}

http::Response MethodNotAllowed(const std::vector<std::string>& seg) {
  const std::string allow = AllowedMethods(seg);
  return http::MethodNotAllowed(allow, "method not allowed on this endpoint; it answers " + allow);
}

// --- the audit log's names for writes --------------------------------------------------------

namespace {

// "incident_updates" -> "incident_update", "component-groups" -> "component_group".
std::string Singular(std::string_view collection) {
  std::string out(collection);
  std::replace(out.begin(), out.end(), '-', '_');
  if (out.ends_with("s")) out.pop_back();
  return out;
}

// Whether `literal` names a collection of objects (some route has an id after it), as opposed to
// a verb such as "publish" or "import".
bool IsCollection(std::string_view literal) {
  for (const auto& r : kRoutes) {
    const std::string_view p = r.path;
    const size_t at = p.find("/" + std::string(literal) + "/{");
    if (at != std::string_view::npos) return true;
  }
  return false;
}

// A literal segment of a route and the values of the parameters that follow it.
struct PathGroup {
  std::string_view literal;
  std::vector<std::string> ids;
};

}  // namespace

const ApiRoute* FindRoute(std::string_view method, const std::vector<std::string>& seg) {
  if (method == "HEAD") method = "GET";
  const ApiRoute* found = nullptr;
  int best = -1;
  for (const auto& r : kRoutes) {
    if (r.method != method || !PathMatches(r.path, seg)) continue;
    if (const int n = LiteralSegments(r.path); n > best) best = n, found = &r;
  }
  return found;
}

RouteAction ActionOf(const ApiRoute& route, const std::vector<std::string>& seg) {
  RouteAction out;
  if (route.method == "GET") return out;
  // A POST that only computes (a template's or an incident's preview): nothing to record.
  if (route.path.ends_with("/preview")) return out;
  std::vector<PathGroup> groups;
  size_t i = 0;
  for (size_t pos = 1; pos <= route.path.size() && i < seg.size(); ++i) {
    size_t end = route.path.find('/', pos);
    if (end == std::string_view::npos) end = route.path.size();
    const std::string_view part = route.path.substr(pos, end - pos);
    if (part.front() == '{') {
      if (part == "{page_id}") out.page_id = seg[i];
      if (!groups.empty()) groups.back().ids.push_back(seg[i]);
    } else if (part != "v1") {
      groups.push_back({part, {}});
    }
    pos = end + 1;
  }
  if (groups.empty()) return out;
  auto join = [](const std::vector<std::string>& ids) {
    std::string s;
    for (const auto& id : ids) s += (s.empty() ? "" : "/") + id;
    return s;
  };
  const PathGroup& last = groups.back();
  const PathGroup* parent = groups.size() > 1 ? &groups[groups.size() - 2] : nullptr;
  if (!last.ids.empty()) {  // an object: change or delete it
    out.target_type = Singular(last.literal);
    out.target_id = join(last.ids);
    // Changing a published update's text is an edit of history: named as such.
    const bool edit = out.target_type == "incident_update";
    out.action = out.target_type + "." + (route.method == "DELETE" ? "delete" : edit ? "edit" : "update");
    return out;
  }
  if (IsCollection(last.literal)) {  // a create
    out.action = Singular(last.literal) + ".create";
    if (parent && !parent->ids.empty() && parent->literal != "pages") {
      // Nested (an incident's updates): the object it belongs to is the target.
      out.target_type = Singular(parent->literal);
      out.target_id = join(parent->ids);
    } else {
      out.target_type = Singular(last.literal);
      out.create = true;
    }
    return out;
  }
  // A verb on an object or a collection: "monitor.rotate_token", "subscriber.import".
  const std::string owner = parent ? Singular(parent->literal) : std::string("api");
  out.action = owner + "." + std::string(last.literal);
  out.target_type = owner;
  if (parent) out.target_id = join(parent->ids);
  return out;
}

}  // namespace herald::api
