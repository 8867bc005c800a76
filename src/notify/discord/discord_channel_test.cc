#include "notify/discord/discord_channel.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/text.h"
#include "notify/webhook/push_test_util.h"

namespace herald::notify {
namespace {

using testing::FakeHttpClient;
using testing::RecordingUrlCheck;
using testing::SampleMessage;
using testing::SubscriberAt;

constexpr std::string_view kUrl = "https://discord.com/api/webhooks/123456789/token-abc";

size_t EmbedTotal(const boost::json::object& e) {
  size_t n = 0;
  if (const auto* t = e.if_contains("title")) n += ChatLength(t->as_string());
  if (const auto* d = e.if_contains("description")) n += ChatLength(d->as_string());
  if (const auto* f = e.if_contains("footer")) n += ChatLength(f->at("text").as_string());
  if (const auto* fs = e.if_contains("fields"))
    for (const auto& f : fs->as_array())
      n += ChatLength(f.at("name").as_string()) + ChatLength(f.at("value").as_string());
  return n;
}

class DiscordChannelTest : public ::testing::Test {
 protected:
  DiscordChannelTest() : channel_(http_, clock_, Options(false)) {}
  DiscordOptions Options(bool any_host) {
    DiscordOptions o;
    o.allow_any_host = any_host;
    o.check_url = check_.Fn();
    return o;
  }
  model::Subscriber To() { return SubscriberAt(std::string(kUrl), model::ChannelKind::kDiscord); }
  boost::json::object SendAndParse(const Message& m) {
    http_.Answer(204);
    EXPECT_EQ(testing::SendOnce(channel_, m, To()).kind, SendOutcome::Kind::kDelivered);
    return boost::json::parse(http_.requests.back().body).as_object();
  }

  FakeHttpClient http_;
  FakeClock clock_;
  RecordingUrlCheck check_;
  DiscordChannel channel_;
};

TEST_F(DiscordChannelTest, PostsContentAndOneEmbed) {
  const Message m = SampleMessage();
  const auto payload = SendAndParse(m);
  testing::ExpectNotificationRequest(http_.requests.at(0), std::string(kUrl));
  EXPECT_EQ(payload.at("content").as_string(), DiscordEscape(m.subject));
  EXPECT_TRUE(payload.at("allowed_mentions").at("parse").as_array().empty());
  const auto& embeds = payload.at("embeds").as_array();
  ASSERT_EQ(embeds.size(), 1u);
  const auto& e = embeds[0].as_object();
  EXPECT_EQ(e.at("title").as_string(), DiscordEscape(m.subject));
  EXPECT_EQ(e.at("url").as_string(), m.url);
  EXPECT_EQ(e.at("color").to_number<std::int64_t>(), 0xE67E22);  // major: orange
  EXPECT_EQ(e.at("timestamp").as_string(), "2026-01-01T12:00:00.000Z");
  EXPECT_EQ(e.at("footer").at("text").as_string(), "Acme & Co <Status> \xC2\xB7 Identified");
  const auto& fields = e.at("fields").as_array();
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[1].at("name").as_string(), "Next update");
  EXPECT_EQ(fields[1].at("value").as_string(), "14:30 CET");
  EXPECT_TRUE(fields[1].at("inline").as_bool());
  const std::string description(e.at("description").as_string());
  EXPECT_TRUE(description.ends_with("[Manage subscription](" + m.manage_url + ") \xC2\xB7 [Unsubscribe](" +
                                    m.unsubscribe_url + ")"))
      << description;
}

TEST_F(DiscordChannelTest, TextCannotPingOrLink) {
  const auto payload = SendAndParse(SampleMessage());
  const auto& e = payload.at("embeds").at(0).as_object();
  const std::string description(e.at("description").as_string());
  EXPECT_NE(description.find("\\[Free money\\](https://evil.test)"), std::string::npos) << description;
  EXPECT_NE(description.find("\\<@123456\\>"), std::string::npos) << description;
  EXPECT_NE(description.find("\n\\# Not a header"), std::string::npos) << description;
  EXPECT_EQ(description.find("[Free money]("), std::string::npos);
  const std::string content(payload.at("content").as_string());
  EXPECT_EQ(content.find("[click]("), std::string::npos) << content;
  EXPECT_NE(content.find("\\<!channel\\>"), std::string::npos) << content;
}

TEST_F(DiscordChannelTest, KeepsDiscordLimitsOnCodePointBoundaries) {
  Message m = SampleMessage();
  std::string euros;
  for (int i = 0; i < 3000; ++i) euros += "\xE2\x82\xAC";
  m.subject = euros;
  m.text = euros + euros;  // 6000 characters
  m.facts.clear();
  for (int i = 0; i < 30; ++i) m.facts.emplace_back("Fact " + std::to_string(i), i == 0 ? euros : "short");
  m.impact = "critical";
  const auto payload = SendAndParse(m);
  const std::string content(payload.at("content").as_string());
  EXPECT_LE(ChatLength(content), 2000u);
  EXPECT_TRUE(IsValidUtf8(content));
  const auto& e = payload.at("embeds").at(0).as_object();
  EXPECT_EQ(e.at("color").to_number<std::int64_t>(), 0xE74C3C);
  EXPECT_LE(ChatLength(e.at("title").as_string()), 256u);
  EXPECT_TRUE(IsValidUtf8(e.at("title").as_string()));
  EXPECT_LE(ChatLength(e.at("description").as_string()), 4096u);
  EXPECT_TRUE(IsValidUtf8(e.at("description").as_string()));
  const auto& fields = e.at("fields").as_array();
  EXPECT_EQ(fields.size(), 25u);
  EXPECT_LE(ChatLength(fields[0].at("value").as_string()), 1024u);
  EXPECT_TRUE(IsValidUtf8(fields[0].at("value").as_string()));
  EXPECT_FALSE(fields[0].at("inline").as_bool());
  EXPECT_LE(EmbedTotal(e), 6000u);
}

TEST_F(DiscordChannelTest, EmptyFactPartsAreFilled) {
  Message m = SampleMessage();
  m.facts = {{"", "value"}, {"name", ""}};
  const auto payload = SendAndParse(m);
  for (const auto& f : payload.at("embeds").at(0).at("fields").as_array()) {
    EXPECT_FALSE(f.at("name").as_string().empty());
    EXPECT_FALSE(f.at("value").as_string().empty());
  }
}

TEST_F(DiscordChannelTest, FiveMessagesPerTwoSeconds) {
  EXPECT_EQ(channel_.DestinationLimit().count, 5);
  EXPECT_EQ(channel_.DestinationLimit().window.count(), 2000);
}

TEST_F(DiscordChannelTest, HttpOutcomes) { testing::ExpectHttpOutcomes(channel_, http_, SampleMessage(), To()); }

TEST_F(DiscordChannelTest, DeletedWebhookIsGoneAndRateLimitBodyIsHonoured) {
  http_.Answer(404, {}, R"({"message": "Unknown Webhook", "code": 10015})");
  EXPECT_EQ(testing::SendOnce(channel_, SampleMessage(), To()).kind, SendOutcome::Kind::kGone);
  http_.Answer(401, {}, R"({"message": "Invalid Webhook Token", "code": 50027})");
  EXPECT_EQ(testing::SendOnce(channel_, SampleMessage(), To()).kind, SendOutcome::Kind::kGone);
  http_.Answer(429, {}, R"({"message": "You are being rate limited.", "retry_after": 1.25, "global": false})");
  auto limited = testing::SendOnce(channel_, SampleMessage(), To());
  EXPECT_EQ(limited.kind, SendOutcome::Kind::kRetry);
  ASSERT_TRUE(limited.retry_after.has_value());
  EXPECT_EQ(limited.retry_after->count(), 1250);
  http_.Answer(400, {}, R"({"message": "Invalid Form Body", "code": 50035})");
  EXPECT_EQ(testing::SendOnce(channel_, SampleMessage(), To()).kind, SendOutcome::Kind::kPermanent);
}

TEST_F(DiscordChannelTest, OnlyDiscordWebhookUrls) {
  for (std::string_view good : {"https://discord.com/api/webhooks/1/t", "https://discordapp.com/api/webhooks/1/t",
                                "https://discord.com/api/v10/webhooks/1/t?thread_id=5"}) {
    EXPECT_TRUE(channel_.NormalizeAddress(good, "url").ok()) << good;
  }
  for (std::string_view bad : {"https://discord.com/api/users/@me", "https://discord.com.evil.test/api/webhooks/1/t",
                               "https://evil.test/api/webhooks/1/t", "http://discord.com/api/webhooks/1/t",
                               "https://discord.com/api/vx/webhooks/1"}) {
    EXPECT_FALSE(channel_.NormalizeAddress(bad, "url").ok()) << bad;
  }
  DiscordChannel any(http_, clock_, Options(true));
  EXPECT_TRUE(any.NormalizeAddress("https://relay.internal.test/discord", "url").ok());
}

}  // namespace
}  // namespace herald::notify
