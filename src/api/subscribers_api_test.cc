// The subscribers management API through its Route function, with a real SQLite store and fake
// channels: Statuspage's shapes, roles, every bad-input class answered 4xx naming the field with
// nothing written, CSV import/export, delivery counts and templates.
#include "api/subscribers_api.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>

#include "api/request_body.h"
#include "http/errors.h"
#include "service/subscriptions_testing.h"

namespace herald::api {
namespace {

namespace json = boost::json;
using model::Role;

class SubscribersApiTest : public service::testing::SubscriptionFixture {
 protected:
  void SetUp() override {
    SubscriptionFixture::SetUp();
    api_handler_ = std::make_unique<SubscribersApi>(SubscribersApiDeps{*store_, clock_, *service_, links_});
  }
  http::Response Call(const std::string& method, const std::string& path, const std::string& body = "",
                      Role role = Role::kAdmin, const std::string& content_type = "application/json") {
    http::Request req;
    req.method = method;
    const auto q = path.find('?');
    req.path = path.substr(0, q);
    req.query = q == std::string::npos ? "" : path.substr(q + 1);
    req.body = body;
    req.headers.emplace_back("content-type", content_type);
    std::vector<std::string> seg;
    size_t pos = 1;
    while (pos <= req.path.size()) {
      size_t next = req.path.find('/', pos);
      if (next == std::string::npos) next = req.path.size();
      if (next > pos) seg.push_back(req.path.substr(pos, next - pos));
      pos = next + 1;
    }
    if (!seg.empty() && seg.back().size() > 5 && seg.back().ends_with(".json"))
      seg.back().resize(seg.back().size() - 5);
    model::ApiKey key;
    key.id = "k1";
    key.role = role;
    auto page = store_->GetPage(page_id_);
    EXPECT_TRUE(SubscribersApi::Owns(seg)) << path;
    auto r = api_handler_->Route(req, key, *page, seg);
    return r ? std::move(*r) : http::ErrorResponse(r.error());
  }
  std::string Base() { return "/v1/pages/" + page_id_; }
  static json::value Body(const http::Response& r) { return json::parse(r.body); }
  static std::string ErrorField(const http::Response& r) {
    const json::value v = json::parse(r.body);
    const json::value& f = v.at("error").at("field");
    return f.is_string() ? std::string(f.as_string()) : std::string();
  }

  std::unique_ptr<SubscribersApi> api_handler_;
};

TEST_F(SubscribersApiTest, CreateInStatuspageShapeAndReadBack) {
  auto r = Call("POST", Base() + "/subscribers",
                R"({"subscriber":{"email":"Ada@Example.com","component_ids":[")" + api_ +
                    R"("],"skip_confirmation_notification":true,"segment":"enterprise","priority":5,)"
                    R"("detail":"technical","event_types":["incidents","maintenance"],)"
                    R"("quiet_hours":{"start":"22:00","end":"07:00"},"time_zone":"Europe/Berlin"}})");
  ASSERT_EQ(r.status, 201) << r.body;
  auto o = Body(r).as_object();
  EXPECT_EQ(o["email"].as_string(), "ada@example.com");
  EXPECT_EQ(o["mode"].as_string(), "email");
  EXPECT_EQ(o["state"].as_string(), "active");
  EXPECT_EQ(o["skip_confirmation_notification"].as_bool(), true);
  EXPECT_EQ(o["components"].as_array().size(), 1u);
  EXPECT_EQ(o["quiet_hours"].at("start").as_string(), "22:00");
  EXPECT_EQ(o["event_types"].as_array().size(), 2u);
  EXPECT_TRUE(o["phone_number"].is_null());
  const std::string id(o["id"].as_string());

  auto got = Call("GET", Base() + "/subscribers/" + id + ".json", "", Role::kViewer);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(Body(got).at("segment").as_string(), "enterprise");
  auto list = Call("GET", Base() + "/subscribers?state=active&segment=enterprise&limit=10", "", Role::kViewer);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(Body(list).as_array().size(), 1u);

  auto patch = Call("PATCH", Base() + "/subscribers/" + id, R"({"subscriber":{"detail":"brief","quiet_hours":null}})");
  ASSERT_EQ(patch.status, 200) << patch.body;
  EXPECT_EQ(Body(patch).at("detail").as_string(), "brief");
  EXPECT_TRUE(Body(patch).at("quiet_hours").is_null());

  auto del = Call("DELETE", Base() + "/subscribers/" + id);
  ASSERT_EQ(del.status, 200);
  EXPECT_EQ(Body(del).at("state").as_string(), "unsubscribed");
  EXPECT_EQ(SubscriberCount(), 1);
  EXPECT_EQ(Call("DELETE", Base() + "/subscribers/" + id + "?purge=true").status, 204);
  EXPECT_EQ(SubscriberCount(), 0);
}

TEST_F(SubscribersApiTest, FormBodyWorksLikeStatuspage) {
  auto r = Call("POST", Base() + "/subscribers",
                "subscriber%5Bemail%5D=form%40example.com&subscriber%5Bcomponent_ids%5D%5B%5D=" + api_,
                Role::kResponder, "application/x-www-form-urlencoded");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r).at("state").as_string(), "pending");
  EXPECT_EQ(email().count(), 1u);  // staff without skip_confirmation: the confirmation goes out
}

TEST_F(SubscribersApiTest, WebhookSecretIsReturnedOnceAndNeverListed) {
  auto r = Call("POST", Base() + "/subscribers", R"({"endpoint":"https://hooks.example.com/x"})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string secret(Body(r).at("secret").as_string());
  EXPECT_TRUE(secret.starts_with("whsec_"));
  auto list = Call("GET", Base() + "/subscribers");
  EXPECT_EQ(list.body.find(secret), std::string::npos);
  auto csv = Call("GET", Base() + "/subscribers/export.csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.find("whsec_"), std::string::npos);
}

TEST_F(SubscribersApiTest, RolesAreChecked) {
  EXPECT_EQ(Call("POST", Base() + "/subscribers", R"({"email":"a@example.com"})", Role::kViewer).status, 403);
  EXPECT_EQ(Call("GET", Base() + "/subscribers/export.csv", "", Role::kViewer).status, 403);
  EXPECT_EQ(Call("PUT", Base() + "/templates/en/incident.subject", R"({"body":"x"})", Role::kResponder).status, 403);
  EXPECT_EQ(SubscriberCount(), 0);
}

TEST_F(SubscribersApiTest, BadInputIsAnswered4xxNamingTheFieldWithNothingWritten) {
  struct Case {
    std::string body;
    std::string field;
  };
  const std::vector<Case> cases = {
      {R"({"email": )", ""},  // malformed JSON
      {R"({"subscriber":{}})", "email"},
      {R"({"email": 42})", "email"},
      {R"({"email":"a@example.com","component_ids":"x"})", "component_ids"},
      {R"({"email":"a@example.com","channel":"fax"})", "channel"},
      {R"({"email":"a@example.com","detail":"loud"})", "detail"},
      {R"({"email":"no-at-sign"})", "email"},
      {R"({"email":"<script>alert(1)</script>@example.com"})", "email"},
      {R"({"phone_number":"+1 555 CALL NOW"})", "phone_number"},
      {R"({"endpoint":"https://169.254.169.254/latest/meta-data"})", "endpoint"},
      {R"x({"endpoint":"javascript:alert(1)"})x", "endpoint"},
      {R"({"email":"a@example.com","quiet_hours":"night"})", "quiet_hours"},
      {R"({"email":"a@example.com","priority":"high"})", "priority"},
      {R"({"email":"a@example.com","segment":"<b>vip</b>"})", "segment"},
      {R"({"email":"a@example.com","skip_confirmation_notification":"maybe"})", "skip_confirmation_notification"},
      {R"({"email":"a@example.com","component_ids":["nope"]})", "component_ids"},
  };
  for (const auto& c : cases) {
    auto r = Call("POST", Base() + "/subscribers", c.body);
    EXPECT_GE(r.status, 400) << c.body;
    EXPECT_LT(r.status, 500) << c.body;
    EXPECT_EQ(ErrorField(r), c.field) << c.body << " -> " << r.body;
  }
  EXPECT_EQ(Call("GET", Base() + "/subscribers?state=gone").status, 400);
  EXPECT_EQ(Call("GET", Base() + "/subscribers?limit=0").status, 400);
  EXPECT_EQ(SubscriberCount(), 0);
  EXPECT_EQ(email().count(), 0u);
}

std::string AllowOf(const http::Response& r) {
  for (const auto& [name, value] : r.headers)
    if (name == "Allow") return value;
  return "";
}

// Behind AdminApi the route table refuses a method before the handler sees it; the handler's
// own refusal (for a route the table and handler disagree on) is the same 405 with Allow, never
// a 400 that would read as bad input.
TEST_F(SubscribersApiTest, AMethodTheHandlerDoesNotServeIs405WithAllow) {
  struct Case {
    std::string method, path, allow;
  };
  for (const auto& c : std::vector<Case>{{"GET", "/subscribers/import", "POST"},
                                         {"POST", "/subscribers/s1", "GET, HEAD, PATCH, PUT, DELETE"},
                                         {"DELETE", "/templates", "GET, HEAD"},
                                         {"GET", "/templates/preview", "POST"}}) {
    auto r = Call(c.method, Base() + c.path);
    EXPECT_EQ(r.status, 405) << c.method << " " << c.path << " " << r.body;
    EXPECT_EQ(AllowOf(r), c.allow) << c.method << " " << c.path;
    EXPECT_EQ(r.body, http::ErrorBody("invalid", "method not allowed on this endpoint; it answers " + c.allow, ""));
  }
}

TEST_F(SubscribersApiTest, ImportReportsLinesAndRefusesOversizedCsv) {
  const std::string csv =
      "channel,address,component_ids,language,time_zone,detail,segment,priority\n"
      "email,a@example.com,,,,,,\n"
      "email,bad,,,,,,\n"
      "sms,+442079460958,,,,,free,\n";
  auto r = Call("POST", Base() + "/subscribers/import", csv, Role::kResponder, "text/csv");
  ASSERT_EQ(r.status, 200) << r.body;
  auto o = Body(r).as_object();
  EXPECT_EQ(o["imported"].as_int64(), 2);
  ASSERT_EQ(o["errors"].as_array().size(), 1u);
  EXPECT_EQ(o["errors"].as_array()[0].at("line").as_int64(), 3);
  EXPECT_EQ(o["errors"].as_array()[0].at("field").as_string(), "address");

  SubscribersApi small(SubscribersApiDeps{*store_, clock_, *service_, links_, 64});
  http::Request req;
  req.method = "POST";
  req.path = Base() + "/subscribers/import";
  req.body = csv + "email,c@example.com,,,,,,\n";
  model::ApiKey key;
  key.role = Role::kAdmin;
  auto big = small.Route(req, key, *store_->GetPage(page_id_), {"v1", "pages", page_id_, "subscribers", "import"});
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(http::HttpStatusFor(big.error().code), 413);
  EXPECT_EQ(big.error().field, "body");
  EXPECT_EQ(SubscriberCount(), 2);
}

TEST_F(SubscribersApiTest, DeliveriesPerSubscriberAndPerIncident) {
  auto r = Call("POST", Base() + "/subscribers", R"({"email":"a@example.com","skip_confirmation_notification":true})");
  const std::string id(Body(r).at("id").as_string());
  auto d = Call("GET", Base() + "/subscribers/" + id + "/deliveries", "", Role::kViewer);
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_TRUE(Body(d).as_array().empty());
  service::IncidentInput in;
  in.name = "API down";
  in.body = "Investigating.";
  auto inc = service::IncidentService(service::Deps{*store_, clock_}).Create(page_id_, in);
  ASSERT_TRUE(inc.ok());
  auto counts = Call("GET", Base() + "/incidents/" + inc->id + "/deliveries", "", Role::kViewer);
  ASSERT_EQ(counts.status, 200) << counts.body;
  auto o = Body(counts).as_object();
  EXPECT_EQ(o["total"].as_int64(), 0);
  EXPECT_EQ(o["delivered"].as_int64(), 0);
  EXPECT_TRUE(o["by_channel"].is_object());
  EXPECT_EQ(Call("GET", Base() + "/incidents/nope/deliveries").status, 404);
}

TEST_F(SubscribersApiTest, TemplatesOverridePreviewAndReset) {
  auto list = Call("GET", Base() + "/templates", "", Role::kViewer);
  ASSERT_EQ(list.status, 200);
  bool found = false;
  const json::value templates = Body(list);
  for (const auto& t : templates.at("templates").as_array())
    found |= t.at("key").as_string() == "en/confirm.subject" && t.at("override").is_null();
  EXPECT_TRUE(found);

  EXPECT_EQ(ErrorField(Call("PUT", Base() + "/templates/en/nonsense.part", R"({"body":"x"})")), "key");
  EXPECT_EQ(ErrorField(Call("PUT", Base() + "/templates/en/confirm.subject", R"({"body":"{{#open"})")), "body");
  EXPECT_EQ(ErrorField(Call("PUT", Base() + "/templates/en/confirm.subject", R"({})")), "body");
  auto put = Call("PUT", Base() + "/templates/en/confirm.subject", R"({"body":"Please confirm: {{page_name}}"})");
  ASSERT_EQ(put.status, 200) << put.body;

  auto prev =
      Call("POST", Base() + "/templates/preview", R"({"event_family":"confirm","channel":"email"})", Role::kViewer);
  ASSERT_EQ(prev.status, 200) << prev.body;
  EXPECT_EQ(Body(prev).at("subject").as_string(), "Please confirm: Example");
  // A draft is previewed without saving it.
  auto draft =
      Call("POST", Base() + "/templates/preview", R"({"key":"en/confirm.subject","body":"Draft {{page_name}}"})");
  EXPECT_EQ(Body(draft).at("subject").as_string(), "Draft Example");

  service::IncidentInput in;
  in.name = "API down";
  in.body = "We are looking into it.";
  auto inc = service::IncidentService(service::Deps{*store_, clock_}).Create(page_id_, in);
  ASSERT_TRUE(inc.ok());
  auto ip = Call("POST", Base() + "/templates/preview",
                 R"({"event_family":"incident","incident_id":")" + inc->id + R"(","detail":"technical"})");
  ASSERT_EQ(ip.status, 200) << ip.body;
  EXPECT_NE(std::string(Body(ip).at("text").as_string()).find("We are looking into it."), std::string::npos);
  EXPECT_EQ(ErrorField(Call("POST", Base() + "/templates/preview", R"({"event_family":"incident"})")), "incident_id");
  EXPECT_EQ(email().count(), 0u);  // previews send nothing

  EXPECT_EQ(Call("DELETE", Base() + "/templates/en/confirm.subject").status, 204);
  auto after = Call("POST", Base() + "/templates/preview", R"({"event_family":"confirm"})");
  EXPECT_NE(Body(after).at("subject").as_string(), "Please confirm: Example");
}

// Regression (defects issue, item 1): previews are open to viewers and may name a stored
// subscriber; the links they show must not confirm, manage or unsubscribe anyone.
TEST_F(SubscribersApiTest, PreviewLinksAreInertEvenForAStoredSubscriber) {
  auto created =
      Call("POST", Base() + "/subscribers", R"({"subscriber":{"email":"pending@example.com"}})", Role::kResponder);
  ASSERT_EQ(created.status, 201) << created.body;
  ASSERT_EQ(Body(created).at("state").as_string(), "pending");
  const std::string id(Body(created).at("id").as_string());
  service::IncidentInput in;
  in.name = "API down";
  in.body = "Investigating.";
  auto inc = service::IncidentService(service::Deps{*store_, clock_}).Create(page_id_, in);
  ASSERT_TRUE(inc.ok());

  // Every token a response carries, and whether any of them opens anything.
  auto working_links = [&](const std::string& body) {
    static const std::regex kToken(R"(token=([A-Za-z0-9_.\-]+))");
    int tokens = 0, working = 0;
    for (auto it = std::sregex_iterator(body.begin(), body.end(), kToken); it != std::sregex_iterator(); ++it) {
      ++tokens;
      for (auto purpose :
           {notify::LinkPurpose::kConfirm, notify::LinkPurpose::kManage, notify::LinkPurpose::kUnsubscribe})
        working += links_.Verify(purpose, (*it)[1].str(), clock_.Now()).ok() ? 1 : 0;
    }
    EXPECT_GT(tokens, 0) << "the preview shows where the links go: " << body;
    return working;
  };
  auto confirm = Call("POST", Base() + "/templates/preview",
                      R"({"key":"en/confirm.email.text","subscriber_id":")" + id + R"("})", Role::kViewer);
  ASSERT_EQ(confirm.status, 200) << confirm.body;
  EXPECT_EQ(working_links(confirm.body), 0) << confirm.body;
  auto draft = Call("POST", Base() + "/templates/preview",
                    R"({"key":"en/incident.text","body":"{{unsubscribe_url}} {{manage_url}}","subscriber_id":")" + id +
                        R"(","incident_id":")" + inc->id + R"("})",
                    Role::kViewer);
  ASSERT_EQ(draft.status, 200) << draft.body;
  EXPECT_NE(draft.body.find("/subscriptions/unsubscribe?token="), std::string::npos) << draft.body;
  EXPECT_EQ(working_links(draft.body), 0) << draft.body;
  for (const char* family : {"test", "disabled"}) {
    auto r = Call("POST", Base() + "/templates/preview",
                  std::string(R"({"event_family":")") + family + R"(","body":"{{unsubscribe_url}}","key":"en/)" +
                      family + R"(.text","subscriber_id":")" + id + R"("})",
                  Role::kViewer);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(working_links(r.body), 0) << r.body;
  }
  EXPECT_EQ(Body(Call("GET", Base() + "/subscribers/" + id, "", Role::kViewer)).at("state").as_string(), "pending");

  // Writing templates stays with admins.
  for (Role role : {Role::kViewer, Role::kResponder}) {
    EXPECT_EQ(Call("PUT", Base() + "/templates/en/confirm.subject", R"({"body":"x"})", role).status, 403);
    EXPECT_EQ(Call("DELETE", Base() + "/templates/en/confirm.subject", "", role).status, 403);
  }
  EXPECT_TRUE(store_->ListTemplates(page_id_)->empty());
}

}  // namespace
}  // namespace herald::api
