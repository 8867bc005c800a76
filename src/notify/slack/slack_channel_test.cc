#include "notify/slack/slack_channel.h"

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

constexpr std::string_view kUrl = "https://hooks.slack.com/services/T000/B000/XXXX";

// Every mrkdwn text object in the payload.
std::vector<std::string> MrkdwnTexts(const boost::json::object& payload) {
  std::vector<std::string> out;
  for (const auto& block : payload.at("blocks").as_array()) {
    const auto& b = block.as_object();
    auto collect = [&](const boost::json::value& v) {
      if (v.at("type").as_string() == "mrkdwn") out.emplace_back(v.at("text").as_string());
    };
    if (const auto* t = b.if_contains("text")) collect(*t);
    if (const auto* f = b.if_contains("fields"))
      for (const auto& v : f->as_array()) collect(v);
    if (const auto* e = b.if_contains("elements"))
      for (const auto& v : e->as_array())
        if (v.as_object().contains("text") && v.at("text").is_string()) collect(v);
  }
  return out;
}

class SlackChannelTest : public ::testing::Test {
 protected:
  SlackChannelTest() : channel_(http_, clock_, Options(false)) {}
  SlackOptions Options(bool any_host) {
    SlackOptions o;
    o.allow_any_host = any_host;
    o.check_url = check_.Fn();
    return o;
  }
  boost::json::object SendAndParse(const Message& m) {
    (void)testing::SendOnce(channel_, m, SubscriberAt(std::string(kUrl), model::ChannelKind::kSlack));
    return boost::json::parse(http_.requests.back().body).as_object();
  }

  FakeHttpClient http_;
  FakeClock clock_;
  RecordingUrlCheck check_;
  SlackChannel channel_;
};

TEST_F(SlackChannelTest, PostsBlockKitWithFallbackText) {
  const Message m = SampleMessage();
  const auto payload = SendAndParse(m);
  testing::ExpectNotificationRequest(http_.requests.at(0), std::string(kUrl));
  EXPECT_EQ(payload.at("text").as_string(), SlackEscape(m.subject));
  EXPECT_FALSE(payload.at("unfurl_links").as_bool());

  const auto& blocks = payload.at("blocks").as_array();
  ASSERT_EQ(blocks.size(), 5u);
  std::vector<std::string> types;
  for (const auto& b : blocks) types.emplace_back(b.at("type").as_string());
  EXPECT_EQ(types, (std::vector<std::string>{"header", "section", "section", "actions", "context"}));

  // Header: plain text (shown literally, so not escaped) with the impact's colour as an emoji.
  const auto& header = blocks[0].at("text").as_object();
  EXPECT_EQ(header.at("type").as_string(), "plain_text");
  EXPECT_EQ(header.at("text").as_string(), ":large_orange_circle: " + m.subject);

  EXPECT_EQ(blocks[1].at("text").at("type").as_string(), "mrkdwn");
  const auto& fields = blocks[2].at("fields").as_array();
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[0].at("text").as_string(), "*Affected*\nAPI, Dashboard");

  const auto& button = blocks[3].at("elements").as_array().at(0).as_object();
  EXPECT_EQ(button.at("type").as_string(), "button");
  EXPECT_EQ(button.at("url").as_string(), m.url);
  EXPECT_EQ(button.at("text").at("text").as_string(), "View details");

  const std::string context(blocks[4].at("elements").at(0).at("text").as_string());
  EXPECT_NE(context.find("<https://status.acme.test/|Acme &amp; Co &lt;Status&gt;>"), std::string::npos) << context;
  EXPECT_NE(context.find("Identified"), std::string::npos);
  EXPECT_NE(context.find("<" + m.manage_url + "|Manage subscription>"), std::string::npos) << context;
  EXPECT_NE(context.find("<" + m.unsubscribe_url + "|Unsubscribe>"), std::string::npos) << context;
}

TEST_F(SlackChannelTest, TextCannotPingOrLink) {
  const auto payload = SendAndParse(SampleMessage());
  const auto texts = MrkdwnTexts(payload);
  ASSERT_FALSE(texts.empty());
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::string& t = texts[i];
    EXPECT_EQ(t.find("<!"), std::string::npos) << t;
    EXPECT_EQ(t.find("<@"), std::string::npos) << t;
    EXPECT_EQ(t.find("<https://evil"), std::string::npos) << t;
  }
  // The only links are ours, in the context line.
  const std::string& section = texts[0];
  EXPECT_NE(section.find("&lt;!everyone&gt;"), std::string::npos) << section;
  EXPECT_NE(section.find("&lt;https://evil.test|Login&gt;"), std::string::npos) << section;
  EXPECT_FALSE(payload.contains("link_names"));
}

TEST_F(SlackChannelTest, KeepsBlockKitLimits) {
  Message m = SampleMessage();
  m.subject = std::string(400, 'S');
  m.text = std::string(5000, '&');  // escapes to five times as much
  m.facts.clear();
  for (int i = 0; i < 14; ++i) m.facts.emplace_back("Fact " + std::to_string(i), std::string(2500, '<'));
  m.impact = "critical";
  const auto payload = SendAndParse(m);
  const auto& blocks = payload.at("blocks").as_array();
  const std::string header(blocks[0].at("text").at("text").as_string());
  EXPECT_LE(ChatLength(header), 150u);
  EXPECT_EQ(header.rfind(":red_circle: ", 0), 0u);
  const std::string section(blocks[1].at("text").at("text").as_string());
  EXPECT_LE(ChatLength(section), 3000u);
  EXPECT_TRUE(section.ends_with("&amp;\xE2\x80\xA6")) << section.substr(section.size() - 20);
  const auto& fields = blocks[2].at("fields").as_array();
  EXPECT_EQ(fields.size(), 10u);
  for (const auto& f : fields) EXPECT_LE(ChatLength(f.at("text").as_string()), 2000u);
}

TEST_F(SlackChannelTest, OmitsEmptyBlocks) {
  Message m = SampleMessage();
  m.text.clear();
  m.facts.clear();
  m.url.clear();
  m.page_url.clear();
  const auto payload = SendAndParse(m);
  std::vector<std::string> types;
  for (const auto& b : payload.at("blocks").as_array()) types.emplace_back(b.at("type").as_string());
  EXPECT_EQ(types, (std::vector<std::string>{"header", "context"}));
}

TEST_F(SlackChannelTest, OneMessagePerSecondPerWebhook) {
  EXPECT_EQ(channel_.DestinationLimit().count, 1);
  EXPECT_EQ(channel_.DestinationLimit().window.count(), 1000);
}

TEST_F(SlackChannelTest, HttpOutcomes) {
  testing::ExpectHttpOutcomes(channel_, http_, SampleMessage(),
                              SubscriberAt(std::string(kUrl), model::ChannelKind::kSlack));
}

TEST_F(SlackChannelTest, RemovedWebhookIsGone) {
  const auto to = SubscriberAt(std::string(kUrl), model::ChannelKind::kSlack);
  for (const char* body : {"no_service", "invalid_token", "channel_not_found", "team_disabled"}) {
    http_.Answer(body == std::string("invalid_token") ? 403 : 404, {}, body);
    EXPECT_EQ(testing::SendOnce(channel_, SampleMessage(), to).kind, SendOutcome::Kind::kGone) << body;
  }
  http_.Answer(404, {}, "something else");
  EXPECT_EQ(testing::SendOnce(channel_, SampleMessage(), to).kind, SendOutcome::Kind::kPermanent);
}

TEST_F(SlackChannelTest, OnlySlackWebhookUrls) {
  EXPECT_TRUE(channel_.NormalizeAddress("https://hooks.slack.com/services/T0/B0/x", "url").ok());
  EXPECT_TRUE(channel_.NormalizeAddress("https://HOOKS.SLACK.COM/workflows/T0/A0/1/x", "url").ok());
  for (std::string_view bad :
       {"http://hooks.slack.com/services/T0/B0/x", "https://hooks.slack.com/api/chat.postMessage",
        "https://hooks.slack.com.evil.test/services/x", "https://evil.test/services/x",
        "https://hooks.slack.com:8443/services/x", "https://hooks.slack.com@evil.test/services/x",
        "https://evil.test/?https://hooks.slack.com/services/x"}) {
    auto r = channel_.NormalizeAddress(bad, "url");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().field, "url");
  }
  SlackChannel any(http_, clock_, Options(true));
  EXPECT_TRUE(any.NormalizeAddress("https://relay.internal.test/slack", "url").ok());
  EXPECT_FALSE(any.NormalizeAddress("http://relay.internal.test/slack", "url").ok());
  EXPECT_EQ(check_.seen.back(), "https://relay.internal.test/slack");  // still through the URL policy
}

}  // namespace
}  // namespace herald::notify
