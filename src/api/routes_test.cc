// The route table against web/openapi.json (as embedded in the binary) and the matcher's rules:
// literal segments beat parameters, HEAD follows GET, ".json" and component_groups aliases.
#include "api/routes.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "assets/web_assets.h"

namespace herald::api {
namespace {

namespace json = boost::json;

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Every route the router answers is described, and every /v1 operation the description names
// is a route: an undescribed route, or a described one the server refuses, fails here by name.
TEST(ManagementRoutes, MatchTheOpenApiDescriptionBothWays) {
  const json::value doc = json::parse(assets::FindWebAsset("openapi.json"));
  static const std::set<std::string> kMethods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};
  std::set<std::string> described;
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    if (!path.starts_with("/v1/")) continue;
    for (const auto& [method, op] : item.as_object())
      if (kMethods.count(std::string(method))) described.insert(Upper(method) + " " + std::string(path));
  }
  std::set<std::string> routed;
  for (const auto& r : ManagementRoutes()) routed.insert(std::string(r.method) + " " + std::string(r.path));
  ASSERT_GT(routed.size(), 60u);
  for (const auto& r : routed) EXPECT_TRUE(described.count(r)) << r << " is routed but not in web/openapi.json";
  for (const auto& d : described) EXPECT_TRUE(routed.count(d)) << d << " is described but not routed";
}

TEST(ManagementRoutes, EveryRouteMatchesItsOwnPath) {
  for (const auto& r : ManagementRoutes()) {
    EXPECT_EQ(MatchRoute(r.method, SplitApiPath(r.path)), RouteMatch::kFound) << r.method << " " << r.path;
  }
}

TEST(ManagementRoutes, LiteralSegmentsBeatParameters) {
  std::string allow;
  EXPECT_EQ(MatchRoute("GET", SplitApiPath("/v1/pages/p/subscribers/import"), &allow), RouteMatch::kNoMethod);
  EXPECT_EQ(allow, "POST");
  EXPECT_EQ(MatchRoute("DELETE", SplitApiPath("/v1/pages/p/incidents/unresolved"), &allow), RouteMatch::kNoMethod);
  EXPECT_EQ(allow, "GET, HEAD");
  EXPECT_EQ(MatchRoute("DELETE", SplitApiPath("/v1/pages/p/incidents/inc1"), &allow), RouteMatch::kFound);
}

TEST(ManagementRoutes, HeadFollowsGetAndAliasesMatch) {
  EXPECT_EQ(MatchRoute("HEAD", SplitApiPath("/v1/pages/p/components")), RouteMatch::kFound);
  EXPECT_EQ(MatchRoute("GET", SplitApiPath("/v1/pages/p/component_groups/g")), RouteMatch::kFound);
  EXPECT_EQ(MatchRoute("GET", SplitApiPath("/v1/pages/p/incidents.json")), RouteMatch::kFound);
  EXPECT_EQ(MatchRoute("GET", SplitApiPath("/v1/openapi.json")), RouteMatch::kFound);
}

TEST(ManagementRoutes, UnknownPathsAndMethodsAreRefused) {
  std::string allow;
  EXPECT_EQ(MatchRoute("GET", SplitApiPath("/v1/pages/p/nothing")), RouteMatch::kNoPath);
  EXPECT_EQ(MatchRoute("GET", SplitApiPath("/v1/pages/p/components/c/extra")), RouteMatch::kNoPath);
  EXPECT_EQ(MatchRoute("GET", SplitApiPath("/v1/pages/p/templates/en")), RouteMatch::kNoPath);
  EXPECT_EQ(MatchRoute("POST", SplitApiPath("/v1/pages/p/components/c"), &allow), RouteMatch::kNoMethod);
  EXPECT_EQ(allow, "GET, HEAD, PATCH, PUT, DELETE");
}

// --- the audit log's names for writes ---

RouteAction ActionFor(std::string_view method, std::string_view path) {
  const auto seg = SplitApiPath(path);
  const ApiRoute* route = FindRoute(method, seg);
  EXPECT_NE(route, nullptr) << method << " " << path;
  return route ? ActionOf(*route, seg) : RouteAction{};
}

TEST(RouteActions, EveryWriteRouteHasAnActionAndNoReadHasOne) {
  for (const auto& r : ManagementRoutes()) {
    // Every path parameter gets a value of its own, so the table's patterns stand for a request.
    const RouteAction a = ActionOf(r, SplitApiPath(r.path));
    if (r.method == "GET" || r.path.ends_with("/preview")) {
      EXPECT_EQ(a.action, "") << r.method << " " << r.path;
      continue;
    }
    const auto dot = a.action.find('.');
    EXPECT_NE(dot, std::string::npos) << r.method << " " << r.path << " is named \"" << a.action << "\"";
    EXPECT_EQ(a.action.find_first_not_of("abcdefghijklmnopqrstuvwxyz_."), std::string::npos) << a.action;
    // The target is what the action names, but for a nested create: the object it is added to.
    if (!a.action.ends_with(".create")) {
      EXPECT_EQ(a.action.substr(0, dot), a.target_type) << r.method << " " << r.path;
    }
  }
}

TEST(RouteActions, NameTheVerbTheTargetAndThePage) {
  auto a = ActionFor("POST", "/v1/pages/p1/incidents");
  EXPECT_EQ(a.action, "incident.create");
  EXPECT_EQ(a.target_type, "incident");
  EXPECT_EQ(a.target_id, "");
  EXPECT_TRUE(a.create);
  EXPECT_EQ(a.page_id, "p1");
  a = ActionFor("PATCH", "/v1/pages/p1/incidents/i1.json");
  EXPECT_EQ(a.action, "incident.update");
  EXPECT_EQ(a.target_id, "i1");
  EXPECT_FALSE(a.create);
  a = ActionFor("PUT", "/v1/pages/p1/incidents/i1/incident_updates/u1");
  EXPECT_EQ(a.action, "incident_update.edit");
  EXPECT_EQ(a.target_type, "incident_update");
  EXPECT_EQ(a.target_id, "u1");
  // A new update belongs to its incident: that is the target.
  a = ActionFor("POST", "/v1/pages/p1/incidents/i1/incident_updates");
  EXPECT_EQ(a.action, "incident_update.create");
  EXPECT_EQ(a.target_type, "incident");
  EXPECT_EQ(a.target_id, "i1");
  EXPECT_FALSE(a.create);
  a = ActionFor("DELETE", "/v1/pages/p1/component_groups/g1");
  EXPECT_EQ(a.action, "component_group.delete");
  EXPECT_EQ(a.target_id, "g1");
  a = ActionFor("POST", "/v1/pages/p1/monitors/m1/rotate_token");
  EXPECT_EQ(a.action, "monitor.rotate_token");
  EXPECT_EQ(a.target_id, "m1");
  a = ActionFor("POST", "/v1/pages/p1/incident_drafts/d1/publish");
  EXPECT_EQ(a.action, "incident_draft.publish");
  a = ActionFor("POST", "/v1/pages/p1/subscribers/import");
  EXPECT_EQ(a.action, "subscriber.import");
  EXPECT_EQ(a.target_type, "subscriber");
  a = ActionFor("PUT", "/v1/pages/p1/templates/en/incident.email.subject");
  EXPECT_EQ(a.action, "template.update");
  EXPECT_EQ(a.target_id, "en/incident.email.subject");
  a = ActionFor("POST", "/v1/pages");
  EXPECT_EQ(a.action, "page.create");
  EXPECT_EQ(a.page_id, "");
  EXPECT_EQ(ActionFor("GET", "/v1/pages/p1/incidents").action, "");
  EXPECT_EQ(ActionFor("POST", "/v1/pages/p1/templates/preview").action, "");
}

}  // namespace
}  // namespace herald::api
