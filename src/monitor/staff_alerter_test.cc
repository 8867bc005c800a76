// StaffAlerter against a real SQLite store and tests/fixtures/webhook_receiver.py through the
// real WebhookChannel and CurlEngine: delivery, backoff on failure, giving up after three days,
// and the message a staff channel gets.
#include "monitor/staff_alerter.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "core/text.h"
#include "core/time.h"
#include "net/sync_http_client_testing.h"
#include "notify/webhook/standard_webhooks.h"
#include "notify/webhook/webhook_channel.h"
#include "service/services.h"
#include "testing/fixture_process.h"

namespace herald::monitor {
namespace {

namespace fs = std::filesystem;

class StaffAlerterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto script = herald::testing::FindFixture("webhook_receiver.py");
    ASSERT_TRUE(script) << "tests/fixtures/webhook_receiver.py not found: set HERALD_SOURCE_DIR";
    char dir_template[] = "/tmp/herald-alert-XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    receiver_dir_ = dir_template;
    log_ = receiver_dir_ / "posts.jsonl";
    std::string error;
    ASSERT_TRUE(receiver_.Start({"python3", "-S", script->string(), log_.string()}, &error)) << error;
  }
  static void TearDownTestSuite() {
    receiver_.Stop();
    std::error_code ec;
    fs::remove_all(receiver_dir_, ec);
  }

  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("herald_alert_" + RandomHex(6));
    fs::create_directories(dir_);
    auto s = store::OpenStore("sqlite:" + (dir_ / "h.db").string());
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Migrate().ok());
    service::PageService pages({*store_, clock_});
    service::PageInput pin;
    pin.name = "Acme";
    pin.slug = "acme";
    page_id_ = pages.Create(pin)->id;
    notify::WebhookOptions wo;
    wo.allow_http = true;
    wo.check_url = [](std::string_view url, const std::string&) -> Result<std::string> { return std::string(url); };
    channels_.Add(std::make_unique<notify::WebhookChannel>(http_, clock_, wo));
    alerter_ = std::make_unique<StaffAlerter>(*store_, clock_, channels_);
  }
  void TearDown() override {
    alerter_.reset();
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string Target(const std::string& path) {
    model::AlertTarget t;
    t.id = NewId();
    t.page_id = page_id_;
    t.name = "hook";
    t.channel = model::ChannelKind::kWebhook;
    t.address = "http://127.0.0.1:" + std::to_string(receiver_.port()) + path;
    t.secret = notify::NewWebhookSecret();
    EXPECT_TRUE(store_->SaveAlertTarget(t).ok());
    return t.id;
  }
  model::StaffAlert Alert(const std::string& target_id) {
    model::StaffAlert a;
    a.id = "sa_" + RandomHex(8);
    a.page_id = page_id_;
    a.target_id = target_id;
    a.kind = "monitor.down";
    a.subject = "API health is down";
    a.text = "API health is down since 14:02:05 UTC.\nError: HTTP 503";
    a.facts = {{"Status code", "503"}};
    a.next_attempt_at = clock_.Now();
    a.created_at = clock_.Now();
    a.updated_at = clock_.Now();
    EXPECT_TRUE(store_->AddStaffAlerts({a}).ok());
    return a;
  }
  model::StaffAlert Stored(const std::string& id) {
    auto list = store_->ListStaffAlerts(page_id_, 100);
    EXPECT_TRUE(list.ok());
    for (const auto& a : *list)
      if (a.id == id) return a;
    ADD_FAILURE() << "alert not stored";
    return {};
  }
  int PostsTo(const std::string& path) {
    int n = 0;
    std::ifstream in(log_);
    for (std::string line; std::getline(in, line);)
      if (boost::json::parse(line).at("path").as_string() == path) ++n;
    return n;
  }

  static inline herald::testing::FixtureProcess receiver_;
  static inline fs::path receiver_dir_, log_;
  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  FakeClock clock_;
  net::SyncHttpClient http_;
  notify::Channels channels_;
  std::unique_ptr<StaffAlerter> alerter_;
  std::string page_id_;
};

TEST_F(StaffAlerterTest, DeliversOnceAndRecordsIt) {
  const std::string path = "/ok-" + RandomHex(4);
  auto a = Alert(Target(path));
  EXPECT_TRUE(alerter_->Step());
  EXPECT_FALSE(alerter_->Step());  // nothing left
  EXPECT_EQ(PostsTo(path), 1);
  auto s = Stored(a.id);
  EXPECT_EQ(s.state, model::DeliveryState::kDelivered);
  EXPECT_EQ(s.attempts, 1);
  EXPECT_EQ(alerter_->stats().delivered.load(), 1);
}

// Monitoring runs before (or without) the notification runtime: an alerter without channels
// leaves due alerts pending in the store, and sends them once it is given channels.
TEST_F(StaffAlerterTest, WithoutChannelsAlertsWaitInTheStoreUntilChannelsArrive) {
  const std::string path = "/later-" + RandomHex(4);
  auto a = Alert(Target(path));
  StaffAlerter waiting(*store_, clock_);
  EXPECT_FALSE(waiting.Step());
  EXPECT_EQ(PostsTo(path), 0);
  auto s = Stored(a.id);
  EXPECT_EQ(s.state, model::DeliveryState::kPending);
  EXPECT_EQ(s.attempts, 0);
  EXPECT_LE(s.next_attempt_at, clock_.Now()) << "not leased: still due";

  waiting.SetChannels(&channels_);
  EXPECT_TRUE(waiting.Step());
  EXPECT_EQ(PostsTo(path), 1);
  EXPECT_EQ(Stored(a.id).state, model::DeliveryState::kDelivered);
}

TEST_F(StaffAlerterTest, RetriesWithBackoffThenGivesUpAfterThreeDays) {
  auto a = Alert(Target("/error"));  // the receiver answers 500
  alerter_->Step();
  auto s = Stored(a.id);
  EXPECT_EQ(s.state, model::DeliveryState::kRetrying);
  EXPECT_EQ(s.attempts, 1);
  EXPECT_EQ(s.last_status, 500);
  EXPECT_GE(s.next_attempt_at, clock_.Now() + 4'500);  // 5 s +-10%
  EXPECT_LE(s.next_attempt_at, clock_.Now() + 5'500);
  EXPECT_FALSE(alerter_->Step());  // not due yet
  clock_.Advance(6'000);
  alerter_->Step();
  s = Stored(a.id);
  EXPECT_EQ(s.attempts, 2);
  EXPECT_GE(s.next_attempt_at, clock_.Now() + 270'000);  // then 5 min
  clock_.Advance(3LL * 24 * 3600 * 1000);
  alerter_->Step();
  s = Stored(a.id);
  EXPECT_EQ(s.state, model::DeliveryState::kFailed);
  EXPECT_EQ(s.attempts, 3);
}

TEST_F(StaffAlerterTest, GoneAndUnknownTargetsFail) {
  auto gone = Alert(Target("/gone"));
  auto orphan = Alert("no-such-target");
  alerter_->Step();
  EXPECT_EQ(Stored(gone.id).state, model::DeliveryState::kFailed);
  EXPECT_EQ(Stored(orphan.id).state, model::DeliveryState::kFailed);
  EXPECT_NE(Stored(orphan.id).last_error.find("target"), std::string::npos);
}

TEST_F(StaffAlerterTest, SendDirectNeedsNoStoredAlert) {
  const std::string path = "/direct-" + RandomHex(4);
  const auto target_id = Target(path);
  alerter_->SetTargets(page_id_, *store_->ListAlertTargets(page_id_));
  model::StaffAlert a;
  a.id = "sa_direct";
  a.page_id = page_id_;
  a.target_id = target_id;
  a.kind = "monitoring.degraded";
  a.subject = "Monitoring is degraded: results cannot be stored";
  a.text = "...";
  a.created_at = clock_.Now();
  alerter_->SendDirect(a);
  EXPECT_EQ(PostsTo(path), 1);
  alerter_->FlushOutcomes();  // the history is written afterwards, when the store takes it
  EXPECT_EQ(Stored("sa_direct").state, model::DeliveryState::kDelivered);
  EXPECT_FALSE(alerter_->Step());  // and it is not sent a second time
  EXPECT_EQ(PostsTo(path), 1);
}

TEST(StaffAlertMessage, CarriesTheEvidenceEscapedForHtml) {
  model::StaffAlert a;
  a.id = "sa_1";
  a.kind = "monitor.down";
  a.subject = "API <prod> is down";
  a.text = "Error: <html> & body\nTimings: total 41 ms";
  a.facts = {{"Status code", "503"}, {"Error", "<html>"}};
  auto m = StaffAlertMessage(a, "https://status.acme.test/");
  EXPECT_EQ(m.id, "sa_1");
  EXPECT_EQ(m.kind, "monitor.down");
  EXPECT_EQ(m.subject, a.subject);
  EXPECT_EQ(m.text, a.text);
  EXPECT_EQ(m.impact, "major");
  EXPECT_EQ(m.html.find("<html>"), std::string::npos) << m.html;
  EXPECT_NE(m.html.find("&lt;html&gt; &amp; body<br>"), std::string::npos) << m.html;
  EXPECT_LE(m.short_text.size(), 140u);
  EXPECT_EQ(m.facts, a.facts);
  auto doc = boost::json::parse(m.webhook_json);
  EXPECT_EQ(doc.at("staff_alert").at("facts").at("Status code").as_string(), "503");
  EXPECT_EQ(doc.at("staff_alert").at("id").as_string(), "sa_1");
}

}  // namespace
}  // namespace herald::monitor
