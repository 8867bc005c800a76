#include "notify/mattermost/mattermost_channel.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "notify/webhook/push_test_util.h"

namespace herald::notify {
namespace {

using testing::FakeHttpClient;
using testing::RecordingUrlCheck;
using testing::SampleMessage;
using testing::SubscriberAt;

constexpr std::string_view kUrl = "https://chat.customer.test/hooks/xyz123";

class MattermostChannelTest : public ::testing::Test {
 protected:
  MattermostChannelTest() : channel_(http_, clock_, Options()) {}
  MattermostOptions Options() {
    MattermostOptions o;
    o.check_url = check_.Fn();
    return o;
  }
  model::Subscriber To() { return SubscriberAt(std::string(kUrl), model::ChannelKind::kMattermost); }
  boost::json::object SendAndParse(MattermostChannel& channel, const Message& m) {
    (void)testing::SendOnce(channel, m, To());
    return boost::json::parse(http_.requests.back().body).as_object();
  }

  FakeHttpClient http_;
  FakeClock clock_;
  RecordingUrlCheck check_;
  MattermostChannel channel_;
};

TEST_F(MattermostChannelTest, PostsTextAndAnAttachment) {
  const Message m = SampleMessage();
  const auto payload = SendAndParse(channel_, m);
  testing::ExpectNotificationRequest(http_.requests.at(0), std::string(kUrl));
  const std::string text(payload.at("text").as_string());
  EXPECT_EQ(text.rfind("**Acme & Co \\<Status\\>** \xC2\xB7 API errors", 0), 0u) << text;
  EXPECT_FALSE(payload.contains("username"));
  const auto& a = payload.at("attachments").at(0).as_object();
  EXPECT_EQ(a.at("color").as_string(), "#E67E22");
  EXPECT_EQ(a.at("title_link").as_string(), m.url);
  EXPECT_EQ(a.at("fallback").as_string(), BreakMentions(m.subject));  // plain text
  EXPECT_FALSE(a.at("title").as_string().empty());
  const auto& fields = a.at("fields").as_array();
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[0].at("title").as_string(), "Affected");
  EXPECT_EQ(fields[0].at("value").as_string(), "API, Dashboard");
  EXPECT_TRUE(fields[0].at("short").as_bool());
  const std::string body(a.at("text").as_string());
  EXPECT_TRUE(
      body.ends_with("[Manage subscription](" + m.manage_url + ") \xC2\xB7 [Unsubscribe](" + m.unsubscribe_url + ")"))
      << body;
  EXPECT_EQ(a.at("footer").as_string(), "Acme & Co \\<Status\\> \xC2\xB7 Identified");
}

TEST_F(MattermostChannelTest, TextCannotMentionOrLink) {
  const auto payload = SendAndParse(channel_, SampleMessage());
  const std::string json = boost::json::serialize(payload);
  for (std::string_view mention : {"@everyone", "@here", "@channel"}) {
    EXPECT_EQ(json.find(mention), std::string::npos) << mention;
  }
  const std::string body(payload.at("attachments").at(0).at("text").as_string());
  EXPECT_NE(body.find("\\[Free money\\](https://evil.test)"), std::string::npos) << body;
  EXPECT_EQ(body.find("~town-square"), std::string::npos) << body;
}

TEST_F(MattermostChannelTest, OptionalUsernameAndIcon) {
  MattermostOptions o = Options();
  o.username = "Acme Status";
  o.icon_url = "https://status.acme.test/icon.png";
  MattermostChannel named(http_, clock_, o);
  const auto payload = SendAndParse(named, SampleMessage());
  EXPECT_EQ(payload.at("username").as_string(), "Acme Status");
  EXPECT_EQ(payload.at("icon_url").as_string(), "https://status.acme.test/icon.png");
}

TEST_F(MattermostChannelTest, NoPlatformLimit) { EXPECT_EQ(channel_.DestinationLimit().count, 0); }

TEST_F(MattermostChannelTest, HttpOutcomes) { testing::ExpectHttpOutcomes(channel_, http_, SampleMessage(), To()); }

TEST_F(MattermostChannelTest, AnyHttpsHost) {
  EXPECT_TRUE(channel_.NormalizeAddress("https://mattermost.example.test/hooks/abc", "url").ok());
  EXPECT_TRUE(channel_.NormalizeAddress("https://chat.example.test:8065/hooks/abc", "url").ok());
  EXPECT_FALSE(channel_.NormalizeAddress("http://chat.example.test/hooks/abc", "url").ok());
  MattermostOptions o = Options();
  o.allow_http = true;
  MattermostChannel internal(http_, clock_, o);
  EXPECT_TRUE(internal.NormalizeAddress("http://chat.example.test/hooks/abc", "url").ok());
}

}  // namespace
}  // namespace herald::notify
