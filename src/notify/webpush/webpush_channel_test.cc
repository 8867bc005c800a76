#include "notify/webpush/webpush_channel.h"

#include <gtest/gtest.h>
#include <openssl/err.h>

#include <boost/json.hpp>
#include <optional>

#include "core/encoding.h"
#include "core/text.h"
#include "notify/webpush/ece.h"
#include "notify/webpush/p256.h"
#include "testing/fake_http_client.h"

namespace herald::notify {
namespace {

using Kind = SendOutcome::Kind;

// RFC 8291 Appendix A user agent: a subscription whose private key the test knows.
constexpr char kUaPrivate[] = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
constexpr char kUaPublic[] = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
constexpr char kAuth[] = "BTBZMqHH6r4Tts7J_aSIgg";
constexpr char kEndpoint[] = "https://push.example.net/wpush/v2/gAAAAABsubscription";

// Records the request and lets the test answer it.
using FakeHttp = herald::testing::FakeHttpClient;

WebPushOptions Options() {
  static const webpush::VapidKeys keys = *webpush::GenerateVapidKeys();
  WebPushOptions o;
  o.vapid_private_key = keys.private_key;
  o.vapid_public_key = keys.public_key;
  o.subject = "mailto:ops@example.com";
  o.ttl_seconds = 3600;
  return o;
}

model::Subscriber PushSubscriber() {
  model::Subscriber s;
  s.id = "sub1";
  s.channel = model::ChannelKind::kWebPush;
  s.address = kEndpoint;
  s.push_p256dh = kUaPublic;
  s.push_auth = kAuth;
  return s;
}

Message IncidentMessage() {
  Message m;
  m.id = "dlv-1";
  m.kind = "incident.updated";
  m.page_name = "Acme";
  m.subject = "API errors: identified";
  m.short_text = "A bad deploy; rolling back.";
  m.url = "https://status.acme.test/incidents/abc123";
  m.impact = "major";
  return m;
}

class WebPushChannelTest : public ::testing::Test {
 protected:
  // Sends and returns the outcome after the fake answers with `status`.
  SendOutcome SendAndAnswer(int status, net::Headers headers = {}, std::string body = {}) {
    std::optional<SendOutcome> out;
    channel.Send(IncidentMessage(), PushSubscriber(), [&](SendOutcome o) { out = std::move(o); });
    EXPECT_EQ(http.held(), 1u);
    if (http.held() > 0) http.Answer(status, std::move(headers), std::move(body));
    EXPECT_TRUE(out.has_value());
    return out.value_or(SendOutcome{});
  }

  FakeHttp http{FakeHttp::kHold};
  FakeClock clock;
  WebPushChannel channel{http, clock, Options()};
};

TEST_F(WebPushChannelTest, PostsAnEncryptedSignedMessageTheSubscriberCanRead) {
  ASSERT_TRUE(channel.status().ok());
  EXPECT_EQ(channel.Kind(), model::ChannelKind::kWebPush);
  EXPECT_EQ(SendAndAnswer(201).kind, Kind::kDelivered);

  const auto& req = http.requests.back();
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, kEndpoint);
  EXPECT_TRUE(req.guard_address);
  EXPECT_FALSE(req.follow_redirects);
  EXPECT_EQ(http.Header("Content-Encoding"), "aes128gcm");
  EXPECT_EQ(http.Header("Content-Type"), "application/octet-stream");
  EXPECT_EQ(http.Header("TTL"), "3600");
  EXPECT_EQ(http.Header("Urgency"), "high");
  EXPECT_EQ(http.Header("Topic"), Sha256Hex(IncidentMessage().url).substr(0, 32));
  EXPECT_EQ(http.Header("Authorization").rfind("vapid t=", 0), 0u);
  EXPECT_TRUE(http.Header("Authorization").ends_with(", k=" + Options().vapid_public_key));

  auto plain = webpush::Decrypt(req.body, *Base64UrlDecode(kUaPrivate), *Base64UrlDecode(kAuth));
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  auto payload = boost::json::parse(*plain).as_object();
  EXPECT_EQ(payload.at("title").as_string(), "API errors: identified");
  EXPECT_EQ(payload.at("body").as_string(), "A bad deploy; rolling back.");
  EXPECT_EQ(payload.at("url").as_string(), "https://status.acme.test/incidents/abc123");
  EXPECT_EQ(payload.at("tag").as_string(), "https://status.acme.test/incidents/abc123");
}

TEST_F(WebPushChannelTest, UrgencyFollowsImpact) {
  for (auto [impact, urgency] : std::vector<std::pair<std::string, std::string>>{{"critical", "high"},
                                                                                 {"major", "high"},
                                                                                 {"minor", "normal"},
                                                                                 {"none", "normal"},
                                                                                 {"maintenance", "normal"}}) {
    Message m = IncidentMessage();
    m.impact = impact;
    channel.Send(m, PushSubscriber(), [](const SendOutcome&) {});
    EXPECT_EQ(http.Header("Urgency"), urgency) << impact;
    http.Answer(201);
  }
}

TEST_F(WebPushChannelTest, ClassifiesPushServiceAnswers) {
  EXPECT_EQ(SendAndAnswer(200).kind, Kind::kDelivered);
  auto gone = SendAndAnswer(410);
  EXPECT_EQ(gone.kind, Kind::kGone);
  EXPECT_EQ(gone.status, 410);
  EXPECT_EQ(SendAndAnswer(404).kind, Kind::kGone);
  auto busy = SendAndAnswer(429, {{"retry-after", "30"}});
  EXPECT_EQ(busy.kind, Kind::kRetry);
  ASSERT_TRUE(busy.retry_after.has_value());
  EXPECT_EQ(busy.retry_after->count(), 30000);
  auto big = SendAndAnswer(413, {}, R"({"reason":"PayloadTooLarge"})");
  EXPECT_EQ(big.kind, Kind::kPermanent);
  EXPECT_NE(big.detail.find("PayloadTooLarge"), std::string::npos) << big.detail;
  EXPECT_EQ(SendAndAnswer(503).kind, Kind::kRetry);
  EXPECT_EQ(SendAndAnswer(301).kind, Kind::kRetry);

  std::optional<SendOutcome> out;
  channel.Send(IncidentMessage(), PushSubscriber(), [&](const SendOutcome& o) { out = o; });
  http.Fail(net::FailureKind::kTimeout, "timeout after 15 s");
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->kind, Kind::kRetry);
  EXPECT_EQ(out->detail, "timeout after 15 s");
}

TEST_F(WebPushChannelTest, UnusableSubscriptionIsGoneWithoutARequest) {
  model::Subscriber s = PushSubscriber();
  s.push_auth = "short";
  std::optional<SendOutcome> out;
  channel.Send(IncidentMessage(), s, [&](const SendOutcome& o) { out = o; });
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->kind, Kind::kGone);
  EXPECT_EQ(http.held(), 0u);
}

TEST(WebPushChannel, MisconfiguredChannelRetriesAndSaysWhy) {
  FakeHttp http{FakeHttp::kHold};
  FakeClock clock;
  WebPushOptions o = Options();
  o.subject = "ops@example.com";
  WebPushChannel channel(http, clock, o);
  ASSERT_FALSE(channel.status().ok());
  EXPECT_EQ(channel.status().error().field, "vapid_subject");
  EXPECT_FALSE(WebPushChannel::Validate(o).ok());
  std::optional<SendOutcome> out;
  channel.Send(IncidentMessage(), PushSubscriber(), [&](const SendOutcome& r) { out = r; });
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->kind, Kind::kRetry);
  EXPECT_NE(out->detail.find("not configured"), std::string::npos);
  EXPECT_EQ(http.held(), 0u);

  o = Options();
  o.ttl_seconds = -1;
  EXPECT_EQ(WebPushChannel::Validate(o).error().field, "ttl_seconds");
  EXPECT_TRUE(WebPushChannel::Validate(Options()).ok());
}

TEST(WebPushChannel, NormalizeAddressWantsHttpsAndAppliesTheUrlCheck) {
  FakeHttp http{FakeHttp::kHold};
  FakeClock clock;
  WebPushOptions o = Options();
  std::vector<std::string> checked;
  o.check_url = [&](std::string_view url, const std::string& field) -> Result<std::string> {
    checked.emplace_back(url);
    if (url.find("10.0.0.1") != std::string_view::npos) return Error::Invalid(field, field + " is a private address");
    return std::string(url);
  };
  WebPushChannel channel(http, clock, o);
  auto ok = channel.NormalizeAddress("  HTTPS://FCM.GoogleAPIs.com/fcm/send/dQw4:APA91b  ", "endpoint");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(*ok, "https://fcm.googleapis.com/fcm/send/dQw4:APA91b");
  EXPECT_EQ(checked, std::vector<std::string>{"https://fcm.googleapis.com/fcm/send/dQw4:APA91b"});

  auto refused = channel.NormalizeAddress("https://10.0.0.1/push", "endpoint");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "endpoint");

  for (const char* bad :
       {"", "http://push.example.net/x", "ftp://push.example.net/x", "https://user:pw@push.example.net/x",
        "https:///nohost", "push.example.net/x", "https://push.example.net/x#frag", "javascript:alert(1)"}) {
    auto r = channel.NormalizeAddress(bad, "endpoint");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
    EXPECT_EQ(r.error().field, "endpoint");
  }
  EXPECT_FALSE(channel.NormalizeAddress("https://push.example.net/" + std::string(3000, 'a'), "endpoint").ok());

  o.allow_http = true;
  o.check_url = nullptr;
  WebPushChannel local(http, clock, o);
  EXPECT_EQ(*local.NormalizeAddress("http://127.0.0.1:8080/push/1", "endpoint"), "http://127.0.0.1:8080/push/1");
}

TEST(WebPushChannel, ValidatesSubscriptionKeysNamingTheField) {
  auto keys = ValidatePushKeys(kUaPublic, kAuth);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->p256dh, kUaPublic);
  EXPECT_EQ(keys->auth, kAuth);
  // Padded standard base64 comes back canonical.
  auto padded = ValidatePushKeys(std::string(kUaPublic) + "=", "BTBZMqHH6r4Tts7J/aSIgg==");
  ASSERT_TRUE(padded.ok());
  EXPECT_EQ(padded->p256dh, kUaPublic);
  EXPECT_EQ(padded->auth, kAuth);

  std::string off_curve = *Base64UrlDecode(kUaPublic);
  off_curve[64] ^= 0x01;
  auto bad_point = ValidatePushKeys(Base64UrlEncode(off_curve), kAuth);
  ASSERT_FALSE(bad_point.ok());
  EXPECT_EQ(bad_point.error().field, "keys[p256dh]");
  EXPECT_EQ(ERR_peek_error(), 0u) << "a refused key leaves OpenSSL's error queue clean";
  std::string compressed = *Base64UrlDecode(kUaPublic);
  compressed = std::string(1, '\x02') + compressed.substr(1, 32);
  EXPECT_EQ(ValidatePushKeys(Base64UrlEncode(compressed), kAuth).error().field, "keys[p256dh]");
  EXPECT_EQ(ValidatePushKeys("", kAuth).error().field, "keys[p256dh]");
  EXPECT_EQ(ValidatePushKeys("not*base64", kAuth).error().field, "keys[p256dh]");
  auto bad_auth = ValidatePushKeys(kUaPublic, "BTBZMqHH6r4Tts7J_aSI", "p256dh", "auth");
  ASSERT_FALSE(bad_auth.ok());
  EXPECT_EQ(bad_auth.error().field, "auth");
  EXPECT_EQ(bad_auth.error().code, ErrorCode::kInvalid);
}

TEST(WebPushChannel, PayloadFitsOnePushMessageWhateverTheText) {
  Message m = IncidentMessage();
  m.subject = std::string(1000, 'S');
  m.short_text.clear();
  for (int i = 0; i < 3000; ++i) m.short_text += "\xC3\xA9\x01";  // é and a control character (escaped as \u0001)
  const std::string payload = WebPushChannel::Payload(m);
  EXPECT_LE(payload.size(), webpush::kMaxPlaintextSize);
  EXPECT_TRUE(IsValidUtf8(payload));
  auto doc = boost::json::parse(payload).as_object();
  EXPECT_EQ(doc.at("url").as_string(), m.url);
  EXPECT_LT(doc.at("title").as_string().size(), 1000u);
  EXPECT_FALSE(doc.at("body").as_string().empty());

  Message page = IncidentMessage();
  page.url.clear();
  EXPECT_EQ(WebPushChannel::Tag(page), "dlv-1");
}

}  // namespace
}  // namespace herald::notify
