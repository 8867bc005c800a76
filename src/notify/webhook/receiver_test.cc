// Every HTTP push channel against tests/fixtures/webhook_receiver.py, a real server on 127.0.0.1
// that records each POST and verifies Standard Webhooks signatures with its own (Python)
// implementation: proves that what the channels send crosses a real socket intact, that a
// receiver other than ours accepts our signatures, and that real failing answers (410, 500 then
// 200, 429 with Retry-After, 302) map to the right outcomes. The HttpClient is the production
// CurlEngine behind SyncHttpClient.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include "net/sync_http_client_testing.h"
#include "notify/discord/discord_channel.h"
#include "notify/mattermost/mattermost_channel.h"
#include "notify/slack/slack_channel.h"
#include "notify/teams/teams_channel.h"
#include "notify/webhook/push_test_util.h"
#include "notify/webhook/standard_webhooks.h"
#include "notify/webhook/webhook_channel.h"
#include "testing/fixture_process.h"

namespace herald::notify {
namespace {

namespace fs = std::filesystem;
using Kind = SendOutcome::Kind;

class PushReceiver : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    secret_ = NewWebhookSecret();
    auto script = herald::testing::FindFixture("webhook_receiver.py");
    ASSERT_TRUE(script) << "tests/fixtures/webhook_receiver.py not found: set HERALD_SOURCE_DIR";
    char dir_template[] = "/tmp/herald-push-XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    log_ = dir_ / "posts.jsonl";
    std::string error;
    ASSERT_TRUE(server_.Start({"python3", "-S", script->string(), log_.string(), "--secret", secret_}, &error))
        << error;
    port_ = server_.port();
  }

  static void TearDownTestSuite() {
    server_.Stop();
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  static std::string Url(const std::string& path) { return "http://127.0.0.1:" + std::to_string(port_) + path; }

  // The receiver's records whose path is `path`, in order.
  static std::vector<boost::json::object> Records(const std::string& path) {
    std::vector<boost::json::object> out;
    std::ifstream in(log_);
    for (std::string line; std::getline(in, line);) {
      auto record = boost::json::parse(line).as_object();
      if (record.at("path").as_string() == path) out.push_back(std::move(record));
    }
    return out;
  }

  template <typename Options>
  Options Open() {
    Options o;
    o.allow_http = true;  // the receiver speaks plain http on loopback
    o.check_url = [](std::string_view url, const std::string&) -> Result<std::string> { return std::string(url); };
    return o;
  }

  WebhookChannel Webhook() { return WebhookChannel(http_, SystemClock::Instance(), Open<WebhookOptions>()); }

  model::Subscriber To(const std::string& path, model::ChannelKind kind, std::string secret = secret_) {
    auto s = testing::SubscriberAt(Url(path), kind);
    s.secret = std::move(secret);
    return s;
  }

  static inline herald::testing::FixtureProcess server_;
  static inline int port_ = 0;
  static inline fs::path dir_, log_;
  static inline std::string secret_;
  net::SyncHttpClient http_;
};

TEST_F(PushReceiver, AnIndependentVerifierAcceptsTheWebhookSignature) {
  WebhookChannel channel = Webhook();
  const Message m = testing::SampleMessage();
  EXPECT_EQ(testing::SendOnce(channel, m, To("/signed", model::ChannelKind::kWebhook)).kind, Kind::kDelivered);
  auto records = Records("/signed");
  ASSERT_EQ(records.size(), 1u);
  const auto& r = records[0];
  EXPECT_TRUE(r.at("sig_ok").as_bool()) << boost::json::serialize(r);
  EXPECT_EQ(r.at("headers").at("webhook-id").as_string(), m.id);
  EXPECT_EQ(r.at("headers").at("content-type").as_string(), "application/json");
  EXPECT_EQ(r.at("json").at("meta").at("unsubscribe").as_string(), m.unsubscribe_url);
  EXPECT_EQ(r.at("json").at("incident").at("id").as_string(), "abc123");

  // Signed with another subscriber's secret: the receiver must refuse it.
  EXPECT_EQ(testing::SendOnce(channel, m, To("/other", model::ChannelKind::kWebhook, NewWebhookSecret())).kind,
            Kind::kDelivered);
  records = Records("/other");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_FALSE(records[0].at("sig_ok").as_bool());
}

TEST_F(PushReceiver, ChatPayloadsArriveIntact) {
  const Message m = testing::SampleMessage();
  auto slack_options = Open<SlackOptions>();
  slack_options.allow_any_host = true;
  SlackChannel slack(http_, SystemClock::Instance(), slack_options);
  auto teams_options = Open<TeamsOptions>();
  teams_options.allow_any_host = true;
  TeamsChannel teams(http_, SystemClock::Instance(), teams_options);
  auto discord_options = Open<DiscordOptions>();
  discord_options.allow_any_host = true;
  DiscordChannel discord(http_, SystemClock::Instance(), discord_options);
  MattermostChannel mattermost(http_, SystemClock::Instance(), Open<MattermostOptions>());

  struct Case {
    Channel* channel;
    std::string path;
    std::string body;
  };
  std::vector<Case> cases = {{&slack, "/slack", BuildSlackPayload(m)},
                             {&teams, "/teams", BuildTeamsPayload(m)},
                             {&discord, "/discord", BuildDiscordPayload(m)},
                             {&mattermost, "/mattermost", BuildMattermostPayload(m)}};
  for (const auto& c : cases) {
    // The address goes through the channel's own check first, as at subscription time.
    auto address = c.channel->NormalizeAddress(Url(c.path), "url");
    ASSERT_TRUE(address.ok()) << c.path << ": " << address.error().message;
    auto to = testing::SubscriberAt(*address, c.channel->Kind());
    EXPECT_EQ(testing::SendOnce(*c.channel, m, to).kind, Kind::kDelivered) << c.path;
    auto records = Records(c.path);
    ASSERT_EQ(records.size(), 1u) << c.path;
    EXPECT_EQ(records[0].at("body").as_string(), c.body) << c.path;
    EXPECT_TRUE(records[0].at("json").is_object()) << c.path;
    EXPECT_EQ(records[0].at("headers").at("content-type").as_string(), "application/json");
  }
}

TEST_F(PushReceiver, RealFailuresMapToOutcomes) {
  WebhookChannel channel = Webhook();
  const Message m = testing::SampleMessage();
  EXPECT_EQ(testing::SendOnce(channel, m, To("/gone", model::ChannelKind::kWebhook)).kind, Kind::kGone);

  // /flaky answers 500 twice, then 200; every attempt carries the same webhook-id.
  EXPECT_EQ(testing::SendOnce(channel, m, To("/flaky", model::ChannelKind::kWebhook)).kind, Kind::kRetry);
  EXPECT_EQ(testing::SendOnce(channel, m, To("/flaky", model::ChannelKind::kWebhook)).kind, Kind::kRetry);
  EXPECT_EQ(testing::SendOnce(channel, m, To("/flaky", model::ChannelKind::kWebhook)).kind, Kind::kDelivered);
  const auto flaky = Records("/flaky");
  ASSERT_EQ(flaky.size(), 3u);
  for (const auto& r : flaky) {
    EXPECT_EQ(r.at("headers").at("webhook-id").as_string(), m.id);
    EXPECT_TRUE(r.at("sig_ok").as_bool());
  }

  const auto limited = testing::SendOnce(channel, m, To("/limited", model::ChannelKind::kWebhook));
  EXPECT_EQ(limited.kind, Kind::kRetry);
  ASSERT_TRUE(limited.retry_after.has_value());
  EXPECT_EQ(limited.retry_after->count(), 1000);

  const auto redirect = testing::SendOnce(channel, m, To("/redirect", model::ChannelKind::kWebhook));
  EXPECT_EQ(redirect.kind, Kind::kRetry);
  EXPECT_EQ(redirect.status, 302);
  EXPECT_EQ(Records("/redirect").size(), 1u);

  const auto error = testing::SendOnce(channel, m, To("/error", model::ChannelKind::kWebhook));
  EXPECT_EQ(error.kind, Kind::kRetry);
  EXPECT_EQ(error.status, 500);
}

}  // namespace
}  // namespace herald::notify
