#include "notify/sms/sms_channel.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>

#include "testing/fake_http_client.h"

namespace herald::notify {
namespace {

using Kind = SendOutcome::Kind;

constexpr char kSid[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kToken[] = "s3cr3t";

// Records every request; the test answers it.
using FakeHttp = herald::testing::FakeHttpClient;

SmsOptions TwilioOpts() {
  SmsOptions o;
  o.provider = "twilio";
  o.default_region = "US";
  o.twilio.account_sid = kSid;
  o.twilio.auth_token = kToken;
  o.twilio.from = "+15005550006";
  return o;
}

Message Msg(std::string short_text = "Deploy failed: \"API\" 50% down & slow") {
  Message m;
  m.id = "dlv_1";
  m.subject = "API errors";
  m.short_text = std::move(short_text);
  m.url = "https://status.example.com/incidents/abc123";
  return m;
}

model::Subscriber To(std::string address = "+14155552671") {
  model::Subscriber s;
  s.channel = model::ChannelKind::kSms;
  s.address = std::move(address);
  return s;
}

std::string HeaderOf(const net::HttpRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

// Sends one message and answers it; returns the outcome.
SendOutcome Roundtrip(SmsChannel& ch, FakeHttp& http, int status, std::string body, net::Headers headers = {}) {
  std::optional<SendOutcome> out;
  ch.Send(Msg(), To(), [&](SendOutcome o) { out = std::move(o); });
  http.Answer(status, std::move(headers), std::move(body));
  EXPECT_TRUE(out.has_value());
  return out.value_or(SendOutcome{});
}

std::string TwilioError(int code, int status, const std::string& message) {
  return R"({"code": )" + std::to_string(code) + R"(, "message": ")" + message +
         R"(", "more_info": "https://www.twilio.com/docs/errors/)" + std::to_string(code) + R"(", "status": )" +
         std::to_string(status) + "}";
}

TEST(SmsChannel, TwilioRequestIsExactlyAsDocumented) {
  FakeHttp http{FakeHttp::kHold};
  FakeClock clock;
  SmsChannel ch(http, clock, TwilioOpts());
  ch.Send(Msg(), To(), [](const SendOutcome&) {});
  ASSERT_EQ(http.requests.size(), 1u);
  const auto& r = http.requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json");
  // base64("AC0123456789abcdef0123456789abcdef:s3cr3t")
  EXPECT_EQ(HeaderOf(r, "Authorization"), "Basic QUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjpzM2NyM3Q=");
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(r.body,
            "To=%2B14155552671&From=%2B15005550006&Body=Deploy+failed%3A+%22API%22+50%25+down+%26+slow+"
            "https%3A%2F%2Fstatus.example.com%2Fincidents%2Fabc123");
  EXPECT_FALSE(r.guard_address);  // the operator configured this endpoint
  EXPECT_FALSE(r.follow_redirects);
  EXPECT_EQ(r.timeout, std::chrono::milliseconds(15000));
}

TEST(SmsChannel, TwilioMessagingServiceAndCompatibleBaseUrl) {
  FakeHttp http{FakeHttp::kHold};
  FakeClock clock;
  auto o = TwilioOpts();
  o.twilio.messaging_service_sid = "MG0123456789abcdef0123456789abcdef";
  // Twilio-compatible APIs live under a path (SignalWire: /api/laml).
  o.twilio.base_url = "http://127.0.0.1:8099/api/laml/";
  SmsChannel ch(http, clock, o);
  ch.Send(Msg("Resolved."), To("+442079460958"), [](const SendOutcome&) {});
  ASSERT_EQ(http.requests.size(), 1u);
  EXPECT_EQ(http.requests[0].url,
            "http://127.0.0.1:8099/api/laml/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json");
  EXPECT_EQ(http.requests[0].body,
            "To=%2B442079460958&MessagingServiceSid=MG0123456789abcdef0123456789abcdef&Body=Resolved.+"
            "https%3A%2F%2Fstatus.example.com%2Fincidents%2Fabc123");
}

TEST(SmsChannel, UnicodeBodyIsUtf8PercentEncoded) {
  FakeHttp http{FakeHttp::kHold};
  FakeClock clock;
  SmsChannel ch(http, clock, TwilioOpts());
  Message m = Msg("Störung");
  m.url.clear();
  ch.Send(m, To(), [](const SendOutcome&) {});
  EXPECT_TRUE(http.requests.at(0).body.ends_with("&Body=St%C3%B6rung"));
}

TEST(SmsChannel, TwilioAcceptedIsDelivered) {
  FakeHttp http{FakeHttp::kHold};
  FakeClock clock;
  SmsChannel ch(http, clock, TwilioOpts());
  auto out = Roundtrip(ch, http, 201,
                       R"({"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued", "to": "+14155552671"})");
  EXPECT_EQ(out.kind, Kind::kDelivered);
  EXPECT_EQ(out.status, 201);
  EXPECT_NE(out.detail.find("SM0123456789abcdef0123456789abcdef queued"), std::string::npos) << out.detail;
}

TEST(SmsChannel, TwilioBadRecipientIsGone) {
  FakeHttp http{FakeHttp::kHold};
  FakeClock clock;
  SmsChannel ch(http, clock, TwilioOpts());
  auto invalid =
      Roundtrip(ch, http, 400, TwilioError(21211, 400, "The 'To' number +14155552671 is not a valid phone number."));
  EXPECT_EQ(invalid.kind, Kind::kGone);
  EXPECT_NE(invalid.detail.find("Twilio 21211"), std::string::npos) << invalid.detail;
  EXPECT_NE(invalid.detail.find("not a valid phone number"), std::string::npos) << invalid.detail;
  EXPECT_EQ(Roundtrip(ch, http, 400, TwilioError(21614, 400, "'To' number is not a valid mobile number")).kind,
            Kind::kGone);
  EXPECT_EQ(Roundtrip(ch, http, 400, TwilioError(21610, 400, "Attempt to send to unsubscribed recipient")).kind,
            Kind::kGone);
}

TEST(SmsChannel, TwilioRateLimitRetriesAfterTheGivenDelay) {
  FakeHttp http{FakeHttp::kHold};
  FakeClock clock;
  SmsChannel ch(http, clock, TwilioOpts());
  auto out = Roundtrip(ch, http, 429, TwilioError(20429, 429, "Too Many Requests"), {{"retry-after", "30"}});
  EXPECT_EQ(out.kind, Kind::kRetry);
  EXPECT_EQ(out.retry_after, std::chrono::milliseconds(30000));
  auto dated = Roundtrip(ch, http, 429, TwilioError(20429, 429, "Too Many Requests"),
                         {{"retry-after", "Thu, 01 Jan 2026 00:01:00 GMT"}});  // FakeClock starts at 00:00:00
  EXPECT_EQ(dated.retry_after, std::chrono::milliseconds(60000));
  auto bare = Roundtrip(ch, http, 429, TwilioError(20429, 429, "Too Many Requests"));
  EXPECT_EQ(bare.kind, Kind::kRetry);
  EXPECT_FALSE(bare.retry_after.has_value());
}

TEST(SmsChannel, TwilioServerErrorsAndSettingsErrorsRetry) {
  FakeHttp http{FakeHttp::kHold};
  FakeClock clock;
  SmsChannel ch(http, clock, TwilioOpts());
  EXPECT_EQ(Roundtrip(ch, http, 503, "").kind, Kind::kRetry);
  EXPECT_EQ(Roundtrip(ch, http, 302, "").kind, Kind::kRetry);
  auto auth = Roundtrip(ch, http, 401, TwilioError(20003, 401, "Authenticate"));
  EXPECT_EQ(auth.kind, Kind::kRetry);
  EXPECT_NE(auth.detail.find("provider settings"), std::string::npos) << auth.detail;
  EXPECT_EQ(Roundtrip(ch, http, 404, TwilioError(20404, 404, "The requested resource was not found")).kind,
            Kind::kRetry);
  EXPECT_EQ(Roundtrip(ch, http, 400, TwilioError(21408, 400, "Permission to send an SMS has not been enabled")).kind,
            Kind::kRetry);
  std::optional<SendOutcome> out;
  ch.Send(Msg(), To(), [&](SendOutcome o) { out = std::move(o); });
  net::HttpResponse timeout;
  timeout.failure = net::FailureKind::kTimeout;
  timeout.error = "timeout after 15 s";
  http.Respond(timeout);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->kind, Kind::kRetry);
  EXPECT_EQ(out->detail, "timeout after 15 s");
}

TEST(SmsChannel, TwilioOtherClientErrorsArePermanent) {
  FakeHttp http{FakeHttp::kHold};
  FakeClock clock;
  SmsChannel ch(http, clock, TwilioOpts());
  auto out = Roundtrip(ch, http, 400,
                       TwilioError(21617, 400, "The concatenated message body exceeds the 1600 character limit"));
  EXPECT_EQ(out.kind, Kind::kPermanent);
  EXPECT_EQ(Roundtrip(ch, http, 400, "not json").kind, Kind::kPermanent);
}

SmsOptions HttpOpts() {
  SmsOptions o;
  o.provider = "http";
  o.http.url = "https://sms.example.net/v1/messages";
  o.http.headers = {{"X-API-Key", "k3y"}};
  o.http.from = "Herald";
  return o;
}

TEST(SmsChannel, GenericJsonProviderEscapesValues) {
  FakeHttp http{FakeHttp::kHold};
  FakeClock clock;
  SmsChannel ch(http, clock, HttpOpts());
  ch.Send(Msg("Say \"hi\" \\ to\nall"), To(), [](const SendOutcome&) {});
  const auto& r = http.requests.at(0);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://sms.example.net/v1/messages");
  EXPECT_EQ(HeaderOf(r, "X-API-Key"), "k3y");
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/json");
  EXPECT_EQ(r.body, R"({"to":"+14155552671","from":"Herald","text":"Say \"hi\" \\ to\nall )"
                    R"(https://status.example.com/incidents/abc123"})");
  EXPECT_FALSE(r.guard_address);
}

TEST(SmsChannel, GenericFormProviderAndGetWithQuery) {
  FakeHttp http{FakeHttp::kHold};
  FakeClock clock;
  auto o = HttpOpts();
  o.http.content_type = "application/x-www-form-urlencoded";
  o.http.headers = {{"content-type", "application/x-www-form-urlencoded; charset=utf-8"}};
  o.http.body_template = "dst={{to}}&src={{from}}&msg={{body}}";
  SmsChannel form(http, clock, o);
  form.Send(Msg("a&b=c {{to}}"), To(), [](const SendOutcome&) {});
  const auto& r = http.requests.at(0);
  EXPECT_EQ(r.body,
            "dst=%2B14155552671&src=Herald&msg=a%26b%3Dc+%7B%7Bto%7D%7D+https%3A%2F%2Fstatus.example.com%2Fincidents%2F"
            "abc123");
  EXPECT_EQ(r.headers.size(), 1u);  // the configured Content-Type is not doubled

  auto g = HttpOpts();
  g.http.method = "GET";
  g.http.url = "https://sms.example.net/send?to={{to}}&text={{body}}";
  SmsChannel get(http, clock, g);
  get.Send(Msg("Up again"), To(), [](const SendOutcome&) {});
  const auto& q = http.requests.at(1);
  EXPECT_EQ(q.method, "GET");
  EXPECT_EQ(q.url,
            "https://sms.example.net/send?to=%2B14155552671&text=Up%20again%20https%3A%2F%2Fstatus.example.com%2F"
            "incidents%2Fabc123");
  EXPECT_TRUE(q.body.empty());
}

TEST(SmsChannel, GenericProviderOutcomes) {
  FakeHttp http{FakeHttp::kHold};
  FakeClock clock;
  SmsChannel ch(http, clock, HttpOpts());
  EXPECT_EQ(Roundtrip(ch, http, 202, "{}").kind, Kind::kDelivered);
  EXPECT_EQ(Roundtrip(ch, http, 500, "oops").kind, Kind::kRetry);
  EXPECT_EQ(Roundtrip(ch, http, 403, "bad key").kind, Kind::kRetry);
  auto bad = Roundtrip(ch, http, 422, R"({"error":"invalid number"})");
  EXPECT_EQ(bad.kind, Kind::kPermanent);
  EXPECT_NE(bad.detail.find("invalid number"), std::string::npos);
}

TEST(SmsChannel, AddressesAreNormalisedWithTheDefaultRegion) {
  FakeHttp http{FakeHttp::kHold};
  FakeClock clock;
  SmsChannel us(http, clock, TwilioOpts());
  EXPECT_EQ(us.Kind(), model::ChannelKind::kSms);
  EXPECT_EQ(*us.NormalizeAddress("(415) 555-2671", "phone_number"), "+14155552671");
  auto o = TwilioOpts();
  o.default_region = "GB";
  SmsChannel gb(http, clock, o);
  EXPECT_EQ(*gb.NormalizeAddress("020 7946 0958", "phone_number"), "+442079460958");
  auto bad = gb.NormalizeAddress("call me", "phone_number");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "phone_number");
}

TEST(SmsChannel, RatesForTheDispatcher) {
  FakeHttp http{FakeHttp::kHold};
  FakeClock clock;
  auto o = TwilioOpts();
  o.messages_per_second = 10;
  SmsChannel ch(http, clock, o);
  EXPECT_EQ(ch.MessagesPerSecond(), 10);
  EXPECT_EQ(ch.DestinationLimit().count, 1);
  EXPECT_EQ(ch.DestinationLimit().window, std::chrono::milliseconds(1000));
}

TEST(SmsChannel, TextIsCutToTheConfiguredSegments) {
  FakeHttp http{FakeHttp::kHold};
  FakeClock clock;
  auto o = TwilioOpts();
  o.max_segments = 1;
  SmsChannel ch(http, clock, o);
  const std::string text = ch.ComposeText(Msg(std::string(300, 'x')));
  EXPECT_EQ(text.size(), 160u);
  EXPECT_TRUE(text.ends_with("... https://status.example.com/incidents/abc123"));
  Message no_short = Msg("");
  EXPECT_EQ(ch.ComposeText(no_short), "API errors https://status.example.com/incidents/abc123");
}

TEST(ValidateSmsOptions, NamesTheWrongSetting) {
  auto field = [](const SmsOptions& o) {
    auto s = ValidateSmsOptions(o);
    return s.ok() ? std::string("ok") : s.error().field;
  };
  EXPECT_EQ(field(TwilioOpts()), "ok");
  EXPECT_EQ(field(HttpOpts()), "ok");
  auto o = TwilioOpts();
  o.provider = "nexmo";
  EXPECT_EQ(field(o), "sms.provider");
  o = TwilioOpts();
  o.default_region = "Mars";
  EXPECT_EQ(field(o), "sms.default_region");
  o = TwilioOpts();
  o.twilio.account_sid = "AC1/../../x";
  EXPECT_EQ(field(o), "sms.twilio.account_sid");
  o = TwilioOpts();
  o.twilio.auth_token.clear();
  EXPECT_EQ(field(o), "sms.twilio.auth_token");
  o = TwilioOpts();
  o.twilio.from.clear();
  EXPECT_EQ(field(o), "sms.twilio.from");
  o = TwilioOpts();
  o.twilio.base_url = "ftp://x";
  EXPECT_EQ(field(o), "sms.twilio.base_url");
  o = TwilioOpts();
  o.max_segments = 0;
  EXPECT_EQ(field(o), "sms.max_segments");
  o = TwilioOpts();
  o.messages_per_second = 0;
  EXPECT_EQ(field(o), "sms.messages_per_second");
  auto h = HttpOpts();
  h.http.body_template = R"({"to":"{{to}}","text":"{{message}}"})";
  EXPECT_EQ(field(h), "sms.http.body_template");
  h = HttpOpts();
  h.http.body_template = R"({"text":"{{body}}"})";
  EXPECT_EQ(field(h), "sms.http.body_template");  // no {{to}}
  h = HttpOpts();
  h.http.method = "GET";  // the body template is not sent with GET
  EXPECT_EQ(field(h), "sms.http.url");
  h = HttpOpts();
  h.http.content_type = "text/plain";
  EXPECT_EQ(field(h), "sms.http.content_type");
}

TEST(SmsChannel, MisconfiguredChannelFailsWithoutSending) {
  FakeHttp http{FakeHttp::kHold};
  FakeClock clock;
  auto o = TwilioOpts();
  o.twilio.auth_token.clear();
  SmsChannel ch(http, clock, o);
  std::optional<SendOutcome> out;
  ch.Send(Msg(), To(), [&](SendOutcome r) { out = std::move(r); });
  EXPECT_TRUE(http.requests.empty());
  ASSERT_TRUE(out);
  EXPECT_EQ(out->kind, Kind::kPermanent);
  EXPECT_NE(out->detail.find("sms.twilio.auth_token"), std::string::npos);
}

TEST(NewConfirmationCode, SixUniformDigits) {
  std::set<std::string> seen;
  std::map<char, int> counts[6];
  constexpr int kDraws = 10000;
  for (int i = 0; i < kDraws; ++i) {
    const std::string code = NewConfirmationCode();
    ASSERT_EQ(code.size(), 6u);
    for (int p = 0; p < 6; ++p) {
      ASSERT_TRUE(code[p] >= '0' && code[p] <= '9') << code;
      ++counts[p][code[p]];
    }
    seen.insert(code);
  }
  EXPECT_GT(seen.size(), 9900u);  // ~50 collisions expected among 10^6 codes
  // Each digit at each position: expected 1000, standard deviation 30; 800..1200 is over six
  // deviations away, so this fails only for a broken generator.
  for (int p = 0; p < 6; ++p) {
    for (char d = '0'; d <= '9'; ++d) {
      EXPECT_GT(counts[p][d], 800) << "position " << p << " digit " << d;
      EXPECT_LT(counts[p][d], 1200) << "position " << p << " digit " << d;
    }
  }
}

}  // namespace
}  // namespace herald::notify
