#include "notify/webhook/webhook_channel.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "notify/webhook/push_test_util.h"
#include "notify/webhook/standard_webhooks.h"

namespace herald::notify {
namespace {

using testing::FakeHttpClient;
using testing::RecordingUrlCheck;
using testing::SampleMessage;
using testing::SubscriberAt;

constexpr std::string_view kUrl = "https://hooks.customer.test/statuspage";

class WebhookChannelTest : public ::testing::Test {
 protected:
  WebhookChannelTest() : channel_(http_, clock_, Options()) {
    subscriber_ = SubscriberAt(std::string(kUrl), model::ChannelKind::kWebhook);
    subscriber_.secret = NewWebhookSecret();
  }
  WebhookOptions Options() {
    WebhookOptions o;
    o.check_url = check_.Fn();
    return o;
  }

  FakeHttpClient http_;
  FakeClock clock_;
  RecordingUrlCheck check_;
  WebhookChannel channel_;
  model::Subscriber subscriber_;
};

TEST_F(WebhookChannelTest, SendsTheStatuspageDocumentWithMetaFirst) {
  const Message m = SampleMessage();
  EXPECT_EQ(testing::SendOnce(channel_, m, subscriber_).kind, SendOutcome::Kind::kDelivered);
  ASSERT_EQ(http_.requests.size(), 1u);
  const auto& r = http_.requests[0];
  testing::ExpectNotificationRequest(r, std::string(kUrl));

  // Statuspage puts meta first; receivers that stream the body see it before the payload.
  EXPECT_EQ(r.body.rfind(R"({"meta":{"unsubscribe":)", 0), 0u) << r.body;
  const auto doc = boost::json::parse(r.body).as_object();
  const auto& meta = doc.at("meta").as_object();
  EXPECT_EQ(meta.at("unsubscribe").as_string(), m.unsubscribe_url);
  // First-hour issue 13: the manage link sits next to the unsubscribe link.
  EXPECT_EQ(meta.at("manage").as_string(), m.manage_url);
  EXPECT_FALSE(m.manage_url.empty());
  EXPECT_TRUE(channel_.ShowsManageLink());  // the dispatcher signs it for webhooks too
  EXPECT_EQ(meta.at("documentation").as_string(),
            "https://support.atlassian.com/statuspage/docs/enable-webhook-notifications/");
  EXPECT_EQ(meta.at("generated_at").as_string(), "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(doc.at("page").at("status_indicator").as_string(), "major");
  EXPECT_EQ(doc.at("incident").at("id").as_string(), "abc123");
  EXPECT_EQ(doc.at("incident").at("shortlink").as_string(), "https://status.acme.test/incidents/abc123");
  // The document's own order follows meta.
  auto it = doc.begin();
  EXPECT_EQ((it++)->key(), "meta");
  EXPECT_EQ((it++)->key(), "page");
  EXPECT_EQ((it++)->key(), "incident");
}

TEST(BuildWebhookBody, SplicingMetaIntoTheComposersDocumentGivesTheSameBytesAsParsingIt) {
  // The composer's documents take a splicing fast path; anything else is parsed and re-serialised.
  // Both must send the same bytes, escaping included.
  Message m = SampleMessage();
  for (const std::string& unsubscribe :
       {std::string("https://status.acme.test/subscriptions/unsubscribe?token=a.b"),
        std::string("https://x.test/u?q=\"quoted\"&b=\\&c=\n\x01\x7f\xc3\xa9"), std::string()}) {
    for (const std::string& doc :
         {m.webhook_json, std::string(R"({"page":{"id":"p","n":[1,2]}})"), std::string("{}")}) {
      m.unsubscribe_url = unsubscribe;
      m.manage_url = unsubscribe.empty() ? std::string() : unsubscribe + "&manage";
      m.webhook_json = doc;
      m.webhook_json_without_meta = false;
      auto parsed = BuildWebhookBody(m, 1767225600123);
      m.webhook_json_without_meta = true;
      auto spliced = BuildWebhookBody(m, 1767225600123);
      ASSERT_TRUE(parsed.ok() && spliced.ok());
      EXPECT_EQ(*spliced, *parsed) << doc;
    }
  }
}

TEST_F(WebhookChannelTest, SignsPerStandardWebhooks) {
  const Message m = SampleMessage();
  (void)testing::SendOnce(channel_, m, subscriber_);
  const auto& r = http_.requests.at(0);
  EXPECT_EQ(FakeHttpClient::HeaderOf(r, "webhook-id"), m.id);
  EXPECT_EQ(FakeHttpClient::HeaderOf(r, "webhook-timestamp"), std::to_string(clock_.Now() / 1000));
  const std::string signature = FakeHttpClient::HeaderOf(r, "webhook-signature");
  EXPECT_EQ(signature.substr(0, 3), "v1,");
  EXPECT_TRUE(VerifyStandardWebhook(subscriber_.secret, m.id, FakeHttpClient::HeaderOf(r, "webhook-timestamp"), r.body,
                                    signature, clock_.Now() / 1000));
  EXPECT_FALSE(VerifyStandardWebhook(NewWebhookSecret(), m.id, FakeHttpClient::HeaderOf(r, "webhook-timestamp"), r.body,
                                     signature, clock_.Now() / 1000));
}

TEST_F(WebhookChannelTest, RetryKeepsTheIdempotencyKeyAndSignsAgain) {
  const Message m = SampleMessage();
  http_.Answer(503);
  EXPECT_EQ(testing::SendOnce(channel_, m, subscriber_).kind, SendOutcome::Kind::kRetry);
  clock_.Advance(90'000);
  EXPECT_EQ(testing::SendOnce(channel_, m, subscriber_).kind, SendOutcome::Kind::kDelivered);
  ASSERT_EQ(http_.requests.size(), 2u);
  const auto& first = http_.requests[0];
  const auto& second = http_.requests[1];
  EXPECT_EQ(FakeHttpClient::HeaderOf(first, "webhook-id"), FakeHttpClient::HeaderOf(second, "webhook-id"));
  EXPECT_EQ(std::stoll(FakeHttpClient::HeaderOf(second, "webhook-timestamp")) -
                std::stoll(FakeHttpClient::HeaderOf(first, "webhook-timestamp")),
            90);
  EXPECT_NE(FakeHttpClient::HeaderOf(first, "webhook-signature"),
            FakeHttpClient::HeaderOf(second, "webhook-signature"));
  EXPECT_TRUE(VerifyStandardWebhook(subscriber_.secret, m.id, FakeHttpClient::HeaderOf(second, "webhook-timestamp"),
                                    second.body, FakeHttpClient::HeaderOf(second, "webhook-signature"),
                                    clock_.Now() / 1000));
}

TEST_F(WebhookChannelTest, ComponentUpdateDocumentPassesThroughAndMetaIsOurs) {
  Message m = SampleMessage();
  m.webhook_json = R"({"meta":{"unsubscribe":"https://attacker.test"},"page":{"id":"p1"},)"
                   R"("component_update":{"old_status":"operational","new_status":"major_outage","component_id":"c1"},)"
                   R"("component":{"id":"c1","name":"API","status":"major_outage"}})";
  (void)testing::SendOnce(channel_, m, subscriber_);
  const auto doc = boost::json::parse(http_.requests.at(0).body).as_object();
  EXPECT_EQ(doc.at("meta").at("unsubscribe").as_string(), m.unsubscribe_url);
  EXPECT_EQ(doc.at("component_update").at("new_status").as_string(), "major_outage");
  EXPECT_EQ(doc.at("component").at("name").as_string(), "API");
  EXPECT_EQ(doc.size(), 4u);
}

TEST_F(WebhookChannelTest, BrokenDocumentOrSecretIsPermanentAndSendsNothing) {
  Message m = SampleMessage();
  m.webhook_json = "[1,2]";
  EXPECT_EQ(testing::SendOnce(channel_, m, subscriber_).kind, SendOutcome::Kind::kPermanent);
  m.webhook_json = "{not json";
  EXPECT_EQ(testing::SendOnce(channel_, m, subscriber_).kind, SendOutcome::Kind::kPermanent);
  m = SampleMessage();
  subscriber_.secret = "whsec_!!!";
  EXPECT_EQ(testing::SendOnce(channel_, m, subscriber_).kind, SendOutcome::Kind::kPermanent);
  EXPECT_TRUE(http_.requests.empty());
}

TEST_F(WebhookChannelTest, SubscriberWithoutSecretGetsUnsignedDelivery) {
  subscriber_.secret.clear();
  (void)testing::SendOnce(channel_, SampleMessage(), subscriber_);
  const auto& r = http_.requests.at(0);
  EXPECT_FALSE(FakeHttpClient::HeaderOf(r, "webhook-id").empty());
  EXPECT_TRUE(FakeHttpClient::HeaderOf(r, "webhook-signature").empty());
}

TEST_F(WebhookChannelTest, HttpOutcomes) { testing::ExpectHttpOutcomes(channel_, http_, SampleMessage(), subscriber_); }

TEST_F(WebhookChannelTest, NormalizeAddressWantsHttpsAndTheUrlPolicy) {
  auto ok = channel_.NormalizeAddress("  https://hooks.customer.test/x?y=1  ", "endpoint");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(*ok, "https://hooks.customer.test/x?y=1");
  EXPECT_EQ(check_.seen.back(), "https://hooks.customer.test/x?y=1");

  for (std::string_view bad : {"http://hooks.customer.test/x", "ftp://hooks.customer.test/", "hooks.customer.test/x",
                               "https://user:pw@hooks.customer.test/", "https://hooks.customer.test/#frag", "",
                               "https:///nohost", "javascript:alert(1)", "https://exa mple.test/"}) {
    auto r = channel_.NormalizeAddress(bad, "endpoint");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalid) << bad;
    EXPECT_EQ(r.error().field, "endpoint") << bad;
  }
  EXPECT_FALSE(channel_.NormalizeAddress("https://x.test/" + std::string(3000, 'a'), "endpoint").ok());

  // The SSRF policy has the last word.
  check_.refuse = "https://internal.test/";
  auto refused = channel_.NormalizeAddress("https://internal.test/", "endpoint");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "endpoint");

  // http only when the deployment allows it.
  WebhookOptions o;
  o.allow_http = true;
  o.check_url = check_.Fn();
  WebhookChannel internal(http_, clock_, o);
  EXPECT_TRUE(internal.NormalizeAddress("http://127.0.0.1:8081/hook", "endpoint").ok());

  // Without a URL policy nothing is accepted: the SSRF guard cannot be skipped by accident.
  WebhookChannel unguarded(http_, clock_, WebhookOptions{});
  auto r = unguarded.NormalizeAddress("https://hooks.customer.test/", "endpoint");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
}

}  // namespace
}  // namespace herald::notify
