#include "notify/teams/teams_channel.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "notify/webhook/push_test_util.h"

namespace herald::notify {
namespace {

using testing::FakeHttpClient;
using testing::RecordingUrlCheck;
using testing::SampleMessage;
using testing::SubscriberAt;

constexpr std::string_view kUrl = "https://contoso.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456";

class TeamsChannelTest : public ::testing::Test {
 protected:
  TeamsChannelTest() : channel_(http_, clock_, Options(false)) {}
  TeamsOptions Options(bool any_host) {
    TeamsOptions o;
    o.allow_any_host = any_host;
    o.check_url = check_.Fn();
    return o;
  }
  boost::json::object SendAndParse(const Message& m) {
    (void)testing::SendOnce(channel_, m, SubscriberAt(std::string(kUrl), model::ChannelKind::kTeams));
    return boost::json::parse(http_.requests.back().body).as_object();
  }

  FakeHttpClient http_;
  FakeClock clock_;
  RecordingUrlCheck check_;
  TeamsChannel channel_;
};

TEST_F(TeamsChannelTest, PostsOneAdaptiveCardAttachment) {
  const Message m = SampleMessage();
  const auto payload = SendAndParse(m);
  testing::ExpectNotificationRequest(http_.requests.at(0), std::string(kUrl));
  EXPECT_EQ(payload.at("type").as_string(), "message");
  const auto& attachments = payload.at("attachments").as_array();
  ASSERT_EQ(attachments.size(), 1u);
  EXPECT_EQ(attachments[0].at("contentType").as_string(), "application/vnd.microsoft.card.adaptive");
  EXPECT_TRUE(attachments[0].at("contentUrl").is_null());
  const auto& card = attachments[0].at("content").as_object();
  EXPECT_EQ(card.at("type").as_string(), "AdaptiveCard");
  EXPECT_EQ(card.at("version").as_string(), "1.4");
  EXPECT_EQ(card.at("$schema").as_string(), "http://adaptivecards.io/schemas/adaptive-card.json");

  const auto& body = card.at("body").as_array();
  ASSERT_EQ(body.size(), 4u);
  const auto& header = body[0].as_object();
  EXPECT_EQ(header.at("type").as_string(), "Container");
  EXPECT_EQ(header.at("style").as_string(), "attention");  // major
  const auto& title = header.at("items").at(0).as_object();
  EXPECT_EQ(title.at("type").as_string(), "TextBlock");
  EXPECT_EQ(title.at("weight").as_string(), "Bolder");
  EXPECT_TRUE(title.at("wrap").as_bool());
  EXPECT_NE(std::string(header.at("items").at(1).at("text").as_string()).find("Identified"), std::string::npos);

  EXPECT_EQ(body[1].at("type").as_string(), "TextBlock");
  const auto& facts = body[2].as_object();
  EXPECT_EQ(facts.at("type").as_string(), "FactSet");
  ASSERT_EQ(facts.at("facts").as_array().size(), 3u);
  EXPECT_EQ(facts.at("facts").at(0).at("title").as_string(), "Affected");
  EXPECT_EQ(facts.at("facts").at(0).at("value").as_string(), "API, Dashboard");
  const std::string links(body[3].at("text").as_string());
  EXPECT_EQ(links, "[Manage subscription](" + m.manage_url + ") \xC2\xB7 [Unsubscribe](" + m.unsubscribe_url + ")");

  const auto& action = card.at("actions").at(0).as_object();
  EXPECT_EQ(action.at("type").as_string(), "Action.OpenUrl");
  EXPECT_EQ(action.at("url").as_string(), m.url);
  EXPECT_EQ(action.at("title").as_string(), "View details");
}

TEST_F(TeamsChannelTest, TextCannotFormLinks) {
  const auto payload = SendAndParse(SampleMessage());
  const auto& body = payload.at("attachments").at(0).at("content").at("body").as_array();
  const std::string text(body[1].at("text").as_string());
  EXPECT_EQ(text.find("](https://evil"), std::string::npos) << text;
  EXPECT_NE(text.find("[Free money]\xE2\x80\x8B(https://evil.test)"), std::string::npos) << text;
  EXPECT_NE(text.find("Dashboard.\n\nPing"), std::string::npos) << "single newlines become paragraphs";
  const std::string title(body[0].at("items").at(0).at("text").as_string());
  EXPECT_EQ(title.find("](https://evil"), std::string::npos) << title;
}

TEST_F(TeamsChannelTest, StaysUnderTheMessageSizeLimit) {
  Message m = SampleMessage();
  std::string cjk;
  for (int i = 0; i < 20000; ++i) cjk += "\xE6\xBC\xA2";  // 漢: three bytes each
  m.subject = m.text = cjk;
  m.facts.clear();
  for (int i = 0; i < 40; ++i) m.facts.emplace_back(cjk, std::string(5000, ']'));
  (void)SendAndParse(m);
  EXPECT_LT(http_.requests.back().body.size(), 28u * 1024);
}

TEST_F(TeamsChannelTest, ImpactStyles) {
  Message m = SampleMessage();
  for (auto [impact, style] : std::vector<std::pair<std::string, std::string>>{
           {"none", "accent"}, {"maintenance", "accent"}, {"minor", "warning"}, {"critical", "attention"}}) {
    m.impact = impact;
    const auto payload = SendAndParse(m);
    EXPECT_EQ(payload.at("attachments").at(0).at("content").at("body").at(0).at("style").as_string(), style);
  }
}

TEST_F(TeamsChannelTest, FourMessagesPerSecond) {
  EXPECT_EQ(channel_.DestinationLimit().count, 4);
  EXPECT_EQ(channel_.DestinationLimit().window.count(), 1000);
}

TEST_F(TeamsChannelTest, HttpOutcomes) {
  testing::ExpectHttpOutcomes(channel_, http_, SampleMessage(),
                              SubscriberAt(std::string(kUrl), model::ChannelKind::kTeams));
}

TEST_F(TeamsChannelTest, ThrottledConnectorAnswering200IsARetry) {
  http_.Answer(200, {},
               "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with "
               "ContextId tcid=0,server=msgapi-production");
  auto out = testing::SendOnce(channel_, SampleMessage(), SubscriberAt(std::string(kUrl), model::ChannelKind::kTeams));
  EXPECT_EQ(out.kind, SendOutcome::Kind::kRetry);
  EXPECT_NE(out.detail.find("429"), std::string::npos);
  http_.Answer(202);  // Workflows accept with 202
  EXPECT_EQ(
      testing::SendOnce(channel_, SampleMessage(), SubscriberAt(std::string(kUrl), model::ChannelKind::kTeams)).kind,
      SendOutcome::Kind::kDelivered);
}

TEST_F(TeamsChannelTest, OnlyTeamsAndWorkflowsUrls) {
  for (std::string_view good :
       {"https://contoso.webhook.office.com/webhookb2/x", "https://prod-12.westus.logic.azure.com:443/workflows/abc/x",
        "https://default1234.ab.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/x"}) {
    auto r = channel_.NormalizeAddress(good, "url");
    EXPECT_TRUE(r.ok()) << good << ": " << (r.ok() ? "" : r.error().message);
  }
  for (std::string_view bad :
       {"https://webhook.office.com.evil.test/x", "https://evilwebhook.office.com/x",
        "http://contoso.webhook.office.com/x", "https://contoso.webhook.office.com:8443/x", "https://evil.test/x"}) {
    EXPECT_FALSE(channel_.NormalizeAddress(bad, "url").ok()) << bad;
  }
  TeamsChannel any(http_, clock_, Options(true));
  EXPECT_TRUE(any.NormalizeAddress("https://relay.internal.test/teams", "url").ok());
}

}  // namespace
}  // namespace herald::notify
