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

}  // namespace
}  // namespace herald::api
