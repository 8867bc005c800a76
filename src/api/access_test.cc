// The management API's role checks go through model/permissions.h's table: a support key reads
// everything but publishes nothing, and the refusal names what is needed.
#include "api/access.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/admin_api.h"
#include "service/subscriptions_testing.h"

namespace herald::api {
namespace {

namespace json = boost::json;
using model::Role;

class AccessTest : public service::testing::SubscriptionFixture {
 protected:
  void SetUp() override {
    SubscriptionFixture::SetUp();
    admin_ = std::make_unique<AdminApi>(AdminDeps{*store_, clock_, [] {}, "https://status.example.com"});
    for (Role r : model::AllRoles()) {
      auto k = service::CreateApiKey(*store_, clock_, "k", r);
      ASSERT_TRUE(k.ok());
      keys_[r] = k->secret;
    }
  }
  http::Response Call(const std::string& method, const std::string& path, Role role, const std::string& body = "") {
    http::Request req;
    req.method = method;
    req.path = path;
    req.body = body;
    req.headers.emplace_back("content-type", "application/json");
    req.headers.emplace_back("authorization", "Bearer " + keys_[role]);
    return admin_->Handle(req);
  }
  std::string Base() { return "/v1/pages/" + page_id_; }
  std::unique_ptr<AdminApi> admin_;
  std::map<Role, std::string> keys_;
};

TEST_F(AccessTest, SupportKeyReadsButCannotPublish) {
  const std::string incident = R"({"incident":{"name":"API errors","status":"investigating","body":"Looking"}})";
  EXPECT_EQ(Call("GET", Base() + "/incidents", Role::kSupport).status, 200);
  EXPECT_EQ(Call("GET", Base() + "/components", Role::kSupport).status, 200);
  auto refused = Call("POST", Base() + "/incidents", Role::kSupport, incident);
  EXPECT_EQ(refused.status, 403);
  const std::string message(json::parse(refused.body).at("error").at("message").as_string());
  EXPECT_NE(message.find("publish_incident"), std::string::npos) << message;
  EXPECT_NE(message.find("responder or admin"), std::string::npos) << message;
  EXPECT_TRUE(store_->ListIncidents(page_id_, {})->empty()) << "a refused request changes nothing";
  EXPECT_EQ(Call("POST", Base() + "/incidents", Role::kViewer, incident).status, 403);
  EXPECT_EQ(Call("POST", Base() + "/incidents", Role::kResponder, incident).status, 201);
}

TEST_F(AccessTest, ExistingRolesKeepTheirRights) {
  const std::string component = R"({"component":{"name":"Search"}})";
  EXPECT_EQ(Call("POST", Base() + "/components", Role::kResponder, component).status, 403);
  EXPECT_EQ(Call("POST", Base() + "/components", Role::kSupport, component).status, 403);
  EXPECT_EQ(Call("POST", Base() + "/components", Role::kAdmin, component).status, 201);
  EXPECT_EQ(Call("PATCH", Base(), Role::kResponder, R"({"page":{"name":"X"}})").status, 403);
  EXPECT_EQ(Call("PATCH", Base(), Role::kAdmin, R"({"page":{"name":"X"}})").status, 200);
}

}  // namespace
}  // namespace herald::api
