// The monitoring management API through AdminApi (authentication, page lookup, routing) with a
// real SQLite store: JSON round trips, errors naming the field with nothing written, roles, 404s,
// results, drafts published into incidents; and the public heartbeat endpoint (hashed tokens,
// 404, per-IP rate limit).
#include "api/monitors_api.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/admin_api.h"
#include "api/heartbeat_api.h"
#include "api/routes.h"
#include "core/text.h"
#include "http/errors.h"
#include "service/subscriptions_testing.h"

namespace herald::api {
namespace {

namespace json = boost::json;
using model::Role;

class MonitorsApiTest : public service::testing::SubscriptionFixture {
 protected:
  void SetUp() override {
    SubscriptionFixture::SetUp();
    service::MonitorDeps deps{*store_, clock_};
    deps.reload = [this] { ++reloads_; };
    deps.channels = [this] { return &channels_; };
    monitors_ = std::make_unique<service::MonitorService>(deps);
    monitors_api_ =
        std::make_unique<MonitorsApi>(MonitorsApiDeps{*store_, clock_, *monitors_, "https://status.example.com"});
    AdminDeps admin{*store_, clock_, [] {}, "https://status.example.com"};
    admin.monitors_api = [this] { return monitors_api_.get(); };
    admin_ = std::make_unique<AdminApi>(admin);
    for (Role r : {Role::kViewer, Role::kResponder, Role::kAdmin}) {
      auto k = service::CreateApiKey(*store_, clock_, "k", r);
      ASSERT_TRUE(k.ok());
      keys_[r] = k->secret;
    }
  }

  http::Response Call(const std::string& method, const std::string& path, const std::string& body = "",
                      Role role = Role::kAdmin) {
    http::Request req;
    req.method = method;
    const auto q = path.find('?');
    req.path = path.substr(0, q);
    req.query = q == std::string::npos ? "" : path.substr(q + 1);
    req.body = body;
    req.headers.emplace_back("content-type", "application/json");
    req.headers.emplace_back("authorization", "Bearer " + keys_[role]);
    return admin_->Handle(req);
  }
  std::string Base() { return "/v1/pages/" + page_id_; }
  static json::value Body(const http::Response& r) { return json::parse(r.body); }
  static std::string ErrorField(const http::Response& r) {
    const json::value v = json::parse(r.body);
    const json::value& f = v.at("error").at("field");
    return f.is_string() ? std::string(f.as_string()) : std::string();
  }
  std::string CreateHttp() {
    auto r = Call("POST", Base() + "/monitors",
                  R"({"monitor":{"name":"API health","kind":"http","target":"https://api.example.com/health",)"
                  R"("component_id":")" +
                      api_ +
                      R"(","interval_seconds":30,"timeout_seconds":5,"failures_to_down":2,)"
                      R"("failure_window":3,"expected_status":["200-299",301],"keyword":"ok",)"
                      R"("headers":{"Authorization":"Bearer s3cret"},"show_chart":true}})");
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(Body(r).at("id").as_string());
  }

  std::unique_ptr<service::MonitorService> monitors_;
  std::unique_ptr<MonitorsApi> monitors_api_;
  std::unique_ptr<AdminApi> admin_;
  std::map<Role, std::string> keys_;
  int reloads_ = 0;
};

TEST_F(MonitorsApiTest, MonitorRoundTrip) {
  const std::string id = CreateHttp();
  auto got = Call("GET", Base() + "/monitors/" + id, "", Role::kAdmin);
  ASSERT_EQ(got.status, 200) << got.body;
  auto o = Body(got).as_object();
  EXPECT_EQ(o["kind"].as_string(), "http");
  EXPECT_EQ(o["component_id"].as_string(), api_);
  EXPECT_EQ(o["interval_seconds"].as_int64(), 30);
  EXPECT_EQ(o["timeout_seconds"].as_int64(), 5);
  EXPECT_EQ(o["failures_to_down"].as_int64(), 2);
  EXPECT_EQ(o["expected_status"].as_array().size(), 2u);
  EXPECT_EQ(o["expected_status"].as_array()[1].as_string(), "301");
  EXPECT_EQ(o["keyword"].as_string(), "ok");
  EXPECT_EQ(o["headers"].at("Authorization").as_string(), "Bearer s3cret");
  EXPECT_EQ(o["state"].as_string(), "unknown");
  EXPECT_EQ(o["show_chart"].as_bool(), true);
  EXPECT_FALSE(o.contains("record_type"));  // other kinds' fields stay out

  // Viewers read, but header values (often credentials) are masked for them.
  auto viewer = Call("GET", Base() + "/monitors/" + id + ".json", "", Role::kViewer);
  ASSERT_EQ(viewer.status, 200);
  EXPECT_EQ(viewer.body.find("s3cret"), std::string::npos);

  auto patch = Call("PATCH", Base() + "/monitors/" + id, R"({"monitor":{"interval_seconds":60,"enabled":false}})");
  ASSERT_EQ(patch.status, 200) << patch.body;
  EXPECT_EQ(Body(patch).at("interval_seconds").as_int64(), 60);
  EXPECT_EQ(Body(patch).at("enabled").as_bool(), false);
  EXPECT_EQ(Body(patch).at("timeout_seconds").as_int64(), 5);

  auto list = Call("GET", Base() + "/monitors", "", Role::kViewer);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(Body(list).as_array().size(), 1u);
  EXPECT_EQ(Body(list).as_array()[0].at("state").as_string(), "unknown");
  EXPECT_EQ(Body(Call("GET", Base() + "/monitors?page=2&per_page=1")).as_array().size(), 0u);
  EXPECT_EQ(Body(Call("GET", Base() + "/monitors?state=down")).as_array().size(), 0u);

  EXPECT_EQ(Call("DELETE", Base() + "/monitors/" + id).status, 204);
  EXPECT_EQ(Call("GET", Base() + "/monitors/" + id).status, 404);
  EXPECT_EQ(Call("DELETE", Base() + "/monitors/" + id).status, 404);
  EXPECT_EQ(Call("GET", "/v1/pages/nope/monitors").status, 404);
  EXPECT_GE(reloads_, 3);
}

TEST_F(MonitorsApiTest, BadInputNamesTheFieldAndWritesNothing) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"kind":"http","target":"https://x.example.com"})", "name"},
      {R"({"name":"x","kind":"http","target":"https://x.example.com","interval_seconds":2})", "interval_seconds"},
      {R"({"name":"x","kind":"http","target":"https://x.example.com","interval_seconds":"often"})", "interval_seconds"},
      {R"({"name":"x","kind":"http","target":"https://x.example.com","timeout_seconds":120})", "timeout_seconds"},
      {R"({"name":"x","kind":"http","target":"https://x.example.com","failures_to_down":5})", "failures_to_down"},
      {R"({"name":"x","kind":"http","target":"https://x.example.com","expected_status":[99]})", "expected_status"},
      {R"({"name":"x","kind":"http","target":"https://x.example.com","expected_status":[true]})", "expected_status"},
      {R"({"name":"x","kind":"http","target":"https://x.example.com","headers":"x"})", "headers"},
      {R"({"name":"x","kind":"http","target":"https://x.example.com","component_id":"nope"})", "component_id"},
      {R"({"name":"x","kind":"http","target":"https://x.example.com","enabled":"maybe"})", "enabled"},
      {R"({"name":"x","kind":"smoke","target":"x"})", "kind"},
      {R"({"name":"x","kind":"tcp","target":"no-port.example.com"})", "target"},
  };
  for (const auto& [body, field] : cases) {
    auto r = Call("POST", Base() + "/monitors", body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(ErrorField(r), field) << r.body;
  }
  EXPECT_EQ(Call("POST", Base() + "/monitors", "{not json").status, 400);
  EXPECT_TRUE(store_->ListMonitors(page_id_)->empty());
  EXPECT_EQ(reloads_, 0);
}

std::string AllowOf(const http::Response& r) {
  for (const auto& [name, value] : r.headers)
    if (name == "Allow") return value;
  return "";
}

// The handler's own refusal of a method (behind the route table, for a route the two disagree
// on) is 405 with Allow, as the table's is.
TEST_F(MonitorsApiTest, AMethodTheHandlerDoesNotServeIs405WithAllow) {
  auto page = store_->GetPage(page_id_);
  ASSERT_TRUE(page.ok());
  model::ApiKey key;
  key.role = Role::kAdmin;
  http::Request req;
  req.method = "POST";
  req.path = Base() + "/staff_alerts";
  auto r = monitors_api_->Route(req, key, *page, SplitApiPath(req.path));
  const http::Response resp = r ? std::move(*r) : http::ErrorResponse(r.error());
  EXPECT_EQ(resp.status, 405) << resp.body;
  EXPECT_EQ(AllowOf(resp), "GET, HEAD");
}

TEST_F(MonitorsApiTest, RolesAreEnforced) {
  const std::string id = CreateHttp();
  const std::string body = R"({"name":"y","kind":"tcp","target":"db.example.com:5432"})";
  EXPECT_EQ(Call("POST", Base() + "/monitors", body, Role::kViewer).status, 403);
  EXPECT_EQ(Call("POST", Base() + "/monitors", body, Role::kResponder).status, 403);
  EXPECT_EQ(Call("PATCH", Base() + "/monitors/" + id, R"({"enabled":false})", Role::kResponder).status, 403);
  EXPECT_EQ(Call("DELETE", Base() + "/monitors/" + id, "", Role::kResponder).status, 403);
  EXPECT_EQ(Call("PUT", Base() + "/automation_rules/" + api_, R"({"mode":"off"})", Role::kResponder).status, 403);
  EXPECT_EQ(
      Call("POST", Base() + "/alert_targets", R"({"channel":"email","address":"a@example.com"})", Role::kResponder)
          .status,
      403);
  EXPECT_EQ(Call("POST", Base() + "/incident_drafts/x/publish", "", Role::kViewer).status, 403);
  EXPECT_EQ(Call("GET", Base() + "/monitors/" + id + "/results", "", Role::kViewer).status, 200);
  EXPECT_EQ(Call("GET", Base() + "/staff_alerts", "", Role::kViewer).status, 200);
  http::Request anon;
  anon.method = "GET";
  anon.path = Base() + "/monitors";
  EXPECT_EQ(admin_->Handle(anon).status, 401);
  EXPECT_EQ(store_->ListMonitors(page_id_)->size(), 1u);
}

TEST_F(MonitorsApiTest, ResultsShowSamplesNewestFirstAndMinuteRollups) {
  const std::string id = CreateHttp();
  auto m = *store_->GetMonitor(page_id_, id);
  store::MonitorResultsWrite w;
  for (int i = 0; i < 3; ++i) {
    model::MonitorSample s;
    s.monitor_id = id;
    s.at = clock_.Now() + i * 30'000;
    s.verdict = i == 2 ? model::CheckVerdict::kDown : model::CheckVerdict::kUp;
    s.status_code = i == 2 ? 503 : 200;
    s.timings.total_ms = 100 + i;
    s.timings.dns_ms = 1;
    s.error = i == 2 ? "HTTP 503" : "";
    w.samples.push_back(s);
  }
  model::MonitorRollup r;
  r.monitor_id = id;
  r.bucket_start = clock_.Now();
  r.checks = 2, r.up = 2, r.answered = 2, r.latency_sum_ms = 201, r.latency_max_ms = 101;
  w.rollups.push_back(r);
  m.state = model::MonitorState::kDown;
  m.state_since = clock_.Now() + 60'000;
  m.last_check_at = clock_.Now() + 60'000;
  m.last_error = "HTTP 503";
  w.monitors.push_back(m);
  ASSERT_TRUE(store_->RecordMonitorResults(w).ok());
  clock_.Advance(90'000);

  auto res = Call("GET", Base() + "/monitors/" + id + "/results?limit=2", "", Role::kViewer);
  ASSERT_EQ(res.status, 200) << res.body;
  auto o = Body(res).as_object();
  EXPECT_EQ(o["state"].as_string(), "down");
  EXPECT_TRUE(o["state_since"].is_string());
  ASSERT_EQ(o["samples"].as_array().size(), 2u);
  EXPECT_EQ(o["samples"].as_array()[0].at("status_code").as_int64(), 503);
  EXPECT_EQ(o["samples"].as_array()[0].at("error").as_string(), "HTTP 503");
  EXPECT_DOUBLE_EQ(o["samples"].as_array()[0].at("timings").at("total_ms").as_double(), 102);
  ASSERT_EQ(o["minutes"].as_array().size(), 1u);
  EXPECT_DOUBLE_EQ(o["minutes"].as_array()[0].at("avg_latency_ms").as_double(), 100.5);
  EXPECT_EQ(Call("GET", Base() + "/monitors/" + id + "/results?limit=0").status, 400);
  EXPECT_EQ(Call("GET", Base() + "/monitors/nope/results").status, 404);
}

// Below admin, what often carries a credential is masked: the target URL's query values and
// user info, the request body, header values, alert target URLs (webhook, Slack: the path is the
// secret) and the target in staff alerts. Admins see everything. Regression: viewers saw them.
TEST_F(MonitorsApiTest, ViewersAndRespondersSeeNoSecrets) {
  auto r = Call("POST", Base() + "/monitors",
                R"({"name":"Billing","kind":"http","method":"POST",)"
                R"("target":"https://bob:pw0rd@billing.example.com/health?token=t0ps3cret&region=eu",)"
                R"("body":"{\"password\":\"b0dys3cret\"}","headers":{"X-Key":"h3aders3cret"}})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id(Body(r).at("id").as_string());
  auto t = Call("POST", Base() + "/alert_targets",
                R"({"name":"Ops","channel":"webhook","address":"https://hooks.example.com/T0/B0/h00ks3cret"})");
  ASSERT_EQ(t.status, 201) << t.body;
  model::StaffAlert a;
  a.id = "sa_1";
  a.page_id = page_id_;
  a.target_id = std::string(Body(t).at("id").as_string());
  a.monitor_id = id;
  a.kind = "monitor.down";
  a.subject = "Billing is down";
  a.text = "Billing is down.\nMonitor: Billing (http check of " + store_->GetMonitor(page_id_, id)->spec.target + ")";
  a.facts = {{"Monitor", "Billing"}, {"Target", store_->GetMonitor(page_id_, id)->spec.target}};
  a.created_at = a.updated_at = a.next_attempt_at = clock_.Now();
  ASSERT_TRUE(store_->AddStaffAlerts({a}).ok());
  for (Role role : {Role::kViewer, Role::kResponder}) {
    for (const std::string& path :
         std::vector<std::string>{"/monitors/" + id, "/monitors", "/alert_targets", "/staff_alerts"}) {
      auto got = Call("GET", Base() + path, "", role);
      ASSERT_EQ(got.status, 200) << got.body;
      for (const char* secret : {"t0ps3cret", "b0dys3cret", "h3aders3cret", "h00ks3cret", "pw0rd"})
        EXPECT_EQ(got.body.find(secret), std::string::npos) << path << " shows " << secret << ": " << got.body;
    }
  }
  auto viewer = Body(Call("GET", Base() + "/monitors/" + id, "", Role::kViewer));
  EXPECT_EQ(viewer.at("target").as_string(),
            "https://********@billing.example.com/health?token=********&region=********");
  EXPECT_EQ(viewer.at("body").as_string(), "********");
  EXPECT_EQ(Body(Call("GET", Base() + "/alert_targets", "", Role::kViewer)).as_array()[0].at("address").as_string(),
            "https://hooks.example.com/********");
  auto admin = Call("GET", Base() + "/monitors/" + id);
  EXPECT_NE(admin.body.find("t0ps3cret"), std::string::npos);
  EXPECT_NE(admin.body.find("b0dys3cret"), std::string::npos);
  EXPECT_NE(Call("GET", Base() + "/alert_targets").body.find("h00ks3cret"), std::string::npos);
  EXPECT_NE(Call("GET", Base() + "/staff_alerts").body.find("t0ps3cret"), std::string::npos);
}

// Timings are plain decimals: 0.033, not 3.3E-2.
TEST_F(MonitorsApiTest, ResultsWriteTimingsAsPlainDecimals) {
  const std::string id = CreateHttp();
  store::MonitorResultsWrite w;
  model::MonitorSample s;
  s.monitor_id = id;
  s.at = clock_.Now();
  s.timings.dns_ms = 0.033;
  s.timings.connect_ms = 1.5;
  s.timings.total_ms = 41;
  w.samples.push_back(s);
  ASSERT_TRUE(store_->RecordMonitorResults(w).ok());
  auto res = Call("GET", Base() + "/monitors/" + id + "/results", "", Role::kViewer);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.body.find("E-"), std::string::npos) << res.body;
  EXPECT_EQ(res.body.find("E1"), std::string::npos) << res.body;
  EXPECT_NE(res.body.find(R"("dns_ms":0.033)"), std::string::npos) << res.body;
  EXPECT_NE(res.body.find(R"("connect_ms":1.5)"), std::string::npos) << res.body;
  EXPECT_NE(res.body.find(R"("total_ms":41.0)"), std::string::npos) << res.body;
  EXPECT_DOUBLE_EQ(Body(res).at("samples").as_array()[0].at("timings").at("dns_ms").as_double(), 0.033);
}

TEST_F(MonitorsApiTest, HeartbeatTokenShownOnceAndRotated) {
  auto r = Call("POST", Base() + "/monitors",
                R"({"name":"Backup","kind":"heartbeat","interval_seconds":3600,)"
                R"("grace_seconds":600})");
  ASSERT_EQ(r.status, 201) << r.body;
  auto o = Body(r).as_object();
  const std::string token(o["heartbeat_token"].as_string());
  EXPECT_EQ(o["heartbeat_url"].as_string(), "https://status.example.com/heartbeat/" + token);
  EXPECT_EQ(o["grace_seconds"].as_int64(), 600);
  const std::string id(o["id"].as_string());
  auto got = Call("GET", Base() + "/monitors/" + id);
  EXPECT_EQ(got.body.find(token), std::string::npos);
  EXPECT_EQ(Call("GET", Base() + "/monitors").body.find(token), std::string::npos);
  auto rot = Call("POST", Base() + "/monitors/" + id + "/rotate_token");
  ASSERT_EQ(rot.status, 200) << rot.body;
  EXPECT_NE(Body(rot).at("heartbeat_token").as_string(), token);
  EXPECT_EQ(Call("POST", Base() + "/monitors/" + CreateHttp() + "/rotate_token").status, 400);
}

TEST_F(MonitorsApiTest, AutomationRulesAndAlertTargets) {
  EXPECT_EQ(Call("GET", Base() + "/automation_rules/" + api_).status, 404);
  auto put = Call("PUT", Base() + "/automation_rules/" + api_,
                  R"({"automation_rule":{"mode":"draft","draft_publish_after_seconds":300,"notify":false}})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(Body(put).at("mode").as_string(), "draft");
  EXPECT_EQ(Body(put).at("draft_publish_after_seconds").as_int64(), 300);
  auto put2 = Call("PUT", Base() + "/automation_rules/" + api_, R"({"resolve_after_seconds":60})");
  ASSERT_EQ(put2.status, 200);
  EXPECT_EQ(Body(put2).at("mode").as_string(), "draft");
  EXPECT_EQ(Body(put2).at("notify").as_bool(), false);
  EXPECT_EQ(ErrorField(Call("PUT", Base() + "/automation_rules/" + api_, R"({"mode":"yes"})")), "mode");
  EXPECT_EQ(Call("PUT", Base() + "/automation_rules/nope", R"({"mode":"off"})").status, 404);
  EXPECT_EQ(Body(Call("GET", Base() + "/automation_rules", "", Role::kViewer)).as_array().size(), 1u);
  EXPECT_EQ(Call("DELETE", Base() + "/automation_rules/" + api_).status, 204);
  EXPECT_EQ(Call("GET", Base() + "/automation_rules/" + api_).status, 404);

  auto t = Call("POST", Base() + "/alert_targets",
                R"({"alert_target":{"name":"Ops hook","channel":"webhook","address":"https://hooks.example.com/a"}})");
  ASSERT_EQ(t.status, 201) << t.body;
  const std::string secret(Body(t).at("secret").as_string());
  EXPECT_TRUE(secret.starts_with("whsec_"));
  const std::string tid(Body(t).at("id").as_string());
  auto list = Call("GET", Base() + "/alert_targets", "", Role::kViewer);
  ASSERT_EQ(Body(list).as_array().size(), 1u);
  EXPECT_EQ(list.body.find(secret), std::string::npos);
  EXPECT_EQ(ErrorField(Call("POST", Base() + "/alert_targets", R"({"channel":"teams","address":"ftp://x"})")),
            "address");
  EXPECT_EQ(ErrorField(Call("POST", Base() + "/alert_targets", R"({"channel":"sms","address":"+14155552671"})")),
            "channel");
  EXPECT_EQ(Call("DELETE", Base() + "/alert_targets/" + tid).status, 204);
  EXPECT_EQ(Call("DELETE", Base() + "/alert_targets/" + tid).status, 404);
}

TEST_F(MonitorsApiTest, DraftsArePublishedByResponders) {
  model::IncidentDraft d;
  d.id = NewId();
  d.page_id = page_id_;
  d.component_id = api_;
  d.name = "API is down";
  d.body = "Requests to the API fail.";
  d.impact = model::Impact::kCritical;
  d.component_status = model::ComponentStatus::kMajorOutage;
  d.publish_at = clock_.Now() + 600'000;
  d.created_at = d.updated_at = clock_.Now();
  ASSERT_TRUE(store_->SaveIncidentDraft(d).ok());

  auto list = Call("GET", Base() + "/incident_drafts?state=waiting", "", Role::kViewer);
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(Body(list).as_array().size(), 1u);
  EXPECT_EQ(Body(list).as_array()[0].at("state").as_string(), "waiting");
  auto edit = Call("PATCH", Base() + "/incident_drafts/" + d.id,
                   R"({"name":"API outage","publish_at":"2026-01-01T01:00:00Z"})", Role::kResponder);
  ASSERT_EQ(edit.status, 200) << edit.body;
  EXPECT_EQ(Body(edit).at("name").as_string(), "API outage");
  EXPECT_EQ(ErrorField(Call("PATCH", Base() + "/incident_drafts/" + d.id, R"({"publish_at":"soon"})")), "publish_at");

  const std::int64_t before = *store_->LastOutboxId();
  auto pub = Call("POST", Base() + "/incident_drafts/" + d.id + "/publish", "", Role::kResponder);
  ASSERT_EQ(pub.status, 201) << pub.body;
  EXPECT_EQ(Body(pub).at("name").as_string(), "API outage");
  EXPECT_EQ(Body(pub).at("status").as_string(), "investigating");
  EXPECT_EQ(Body(pub).at("impact").as_string(), "critical");
  auto events = *store_->ReadOutbox(before, 10);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().kind, "incident.created");
  auto got = Call("GET", Base() + "/incident_drafts/" + d.id, "", Role::kViewer);
  EXPECT_EQ(Body(got).at("state").as_string(), "published");
  EXPECT_EQ(Body(got).at("incident_id").as_string(), Body(pub).at("id").as_string());
  EXPECT_EQ(Call("POST", Base() + "/incident_drafts/" + d.id + "/publish", "", Role::kResponder).status, 409);
  EXPECT_EQ(Call("POST", Base() + "/incident_drafts/" + d.id + "/discard", "", Role::kResponder).status, 409);
  EXPECT_EQ(Call("POST", Base() + "/incident_drafts/nope/publish").status, 404);
}

class HeartbeatApiTest : public MonitorsApiTest {
 protected:
  http::Response Beat(const std::string& method, const std::string& token, const std::string& ip = "192.0.2.1") {
    http::Request req;
    req.method = method;
    req.path = "/heartbeat/" + token;
    req.remote_addr = ip;
    return heartbeat_->Handle(req);
  }
  void SetUp() override {
    MonitorsApiTest::SetUp();
    HeartbeatOptions o;
    o.ip_per_second = 1;
    o.ip_burst = 5;
    heartbeat_ = std::make_unique<HeartbeatApi>(HeartbeatDeps{*monitors_, clock_, o});
  }
  std::unique_ptr<HeartbeatApi> heartbeat_;
};

TEST_F(HeartbeatApiTest, RecordsKnownTokensAndRefusesOthers) {
  EXPECT_TRUE(HeartbeatApi::Owns("/heartbeat/abc"));
  EXPECT_FALSE(HeartbeatApi::Owns("/heartbeat/"));
  EXPECT_FALSE(HeartbeatApi::Owns("/heartbeat/a/b"));
  EXPECT_FALSE(HeartbeatApi::Owns("/heartbeats/abc"));
  service::MonitorInput in;
  in.name = "Cron";
  in.kind = "heartbeat";
  auto m = monitors_->Create(page_id_, in);
  ASSERT_TRUE(m.ok());
  const std::string token = m->heartbeat_token;
  clock_.Advance(1000);
  auto r = Beat("GET", token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "{\"ok\":true}");
  EXPECT_EQ(store_->GetMonitor(page_id_, m->monitor.id)->last_heartbeat_at, clock_.Now());
  clock_.Advance(1000);
  EXPECT_EQ(Beat("POST", token).status, 200);
  EXPECT_EQ(Beat("HEAD", token).status, 200);
  EXPECT_EQ(store_->GetMonitor(page_id_, m->monitor.id)->last_heartbeat_at, clock_.Now());
  EXPECT_EQ(Beat("DELETE", token).status, 405);
  // The stored hash is not a token.
  EXPECT_EQ(Beat("GET", Sha256Hex(token)).status, 404);
}

TEST_F(HeartbeatApiTest, RateLimitedPerIp) {
  int limited = 0;
  for (int i = 0; i < 10; ++i)
    if (Beat("GET", "unknown-token-guess-" + std::to_string(i)).status == 429) ++limited;
  EXPECT_EQ(limited, 5);  // the burst of 5 answered (404), the rest refused
  EXPECT_EQ(Beat("GET", "another-guess-0000000").status, 429);
  EXPECT_EQ(Beat("GET", "another-guess-0000000", "192.0.2.2").status, 404);  // other clients unaffected
  clock_.Advance(1000);
  EXPECT_EQ(Beat("GET", "another-guess-0000000").status, 404);  // refilled
}

}  // namespace
}  // namespace herald::api
