// SmsChannel against tests/fixtures/twilio_standin.py, a local server that checks requests the
// way Twilio documents them: proves that what the channel sends is what Twilio accepts (encoding,
// auth, paths) and that Twilio's answers map to the right outcomes. The HttpClient is the
// production CurlEngine behind SyncHttpClient.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include "net/sync_http_client_testing.h"
#include "notify/sms/sms_channel.h"
#include "notify/sms/sms_text.h"
#include "testing/fixture_process.h"

namespace herald::notify {
namespace {

namespace fs = std::filesystem;
using Kind = SendOutcome::Kind;

constexpr char kSid[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kToken[] = "standin-token";

class TwilioStandin : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto script = herald::testing::FindFixture("twilio_standin.py");
    ASSERT_TRUE(script) << "tests/fixtures/twilio_standin.py not found: set HERALD_SOURCE_DIR";
    char dir_template[] = "/tmp/herald-sms-XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    log_ = dir_ / "messages.jsonl";
    std::string error;
    ASSERT_TRUE(server_.Start(
        {"python3", "-S", script->string(), log_.string(), "--account-sid", kSid, "--auth-token", kToken}, &error))
        << error;
    port_ = server_.port();
  }

  static void TearDownTestSuite() {
    server_.Stop();
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  SmsOptions Options() const {
    SmsOptions o;
    o.provider = "twilio";
    o.default_region = "US";
    o.timeout = std::chrono::milliseconds(10000);
    o.twilio.base_url = "http://127.0.0.1:" + std::to_string(port_);
    o.twilio.account_sid = kSid;
    o.twilio.auth_token = kToken;
    o.twilio.from = "+15005550006";
    return o;
  }

  SendOutcome SendOne(const SmsOptions& options, const Message& m, const std::string& to) {
    SmsChannel channel(http_, clock_, options);
    model::Subscriber s;
    s.channel = model::ChannelKind::kSms;
    s.address = to;
    std::optional<SendOutcome> out;
    channel.Send(m, s, [&](SendOutcome o) { out = std::move(o); });
    EXPECT_TRUE(out.has_value());
    return out.value_or(SendOutcome{});
  }

  // The messages the stand-in accepted, in order.
  static std::vector<boost::json::object> Accepted() {
    std::vector<boost::json::object> out;
    std::ifstream in(log_);
    for (std::string line; std::getline(in, line);) out.push_back(boost::json::parse(line).as_object());
    return out;
  }

  static Message Msg(std::string short_text) {
    Message m;
    m.id = "dlv_1";
    m.subject = "API errors";
    m.short_text = std::move(short_text);
    m.url = "https://status.example.com/incidents/abc123";
    return m;
  }

  static inline herald::testing::FixtureProcess server_;
  static inline int port_ = 0;
  static inline fs::path dir_, log_;
  net::SyncHttpClient http_;
  FakeClock clock_;
};

TEST_F(TwilioStandin, AcceptsWhatTheChannelSends) {
  const size_t before = Accepted().size();
  const Message m = Msg("Deploy failed: \"API\" 50% down & slow; we're on it + rolling back.");
  auto out = SendOne(Options(), m, "+14155552671");
  EXPECT_EQ(out.kind, Kind::kDelivered) << out.detail;
  EXPECT_EQ(out.status, 201);
  EXPECT_NE(out.detail.find("SM"), std::string::npos) << out.detail;
  auto accepted = Accepted();
  ASSERT_EQ(accepted.size(), before + 1);
  const auto& rec = accepted.back();
  EXPECT_EQ(rec.at("to").as_string(), "+14155552671");
  EXPECT_EQ(rec.at("from").as_string(), "+15005550006");
  SmsChannel channel(http_, clock_, Options());
  EXPECT_EQ(rec.at("body").as_string(), channel.ComposeText(m));
  EXPECT_EQ(rec.at("num_segments").as_int64(), 1);
}

TEST_F(TwilioStandin, LongUnicodeTextArrivesIntactAndSegmentCountsAgree) {
  const size_t before = Accepted().size();
  std::string text;
  for (int i = 0; i < 30; ++i) text += "Störung der API 😀 — ";
  const Message m = Msg(text);
  auto options = Options();
  options.twilio.from.clear();
  options.twilio.messaging_service_sid = "MG0123456789abcdef0123456789abcdef";
  auto out = SendOne(options, m, "+4915123456789");
  EXPECT_EQ(out.kind, Kind::kDelivered) << out.detail;
  auto accepted = Accepted();
  ASSERT_EQ(accepted.size(), before + 1);
  const auto& rec = accepted.back();
  SmsChannel channel(http_, clock_, options);
  const std::string sent = channel.ComposeText(m);
  EXPECT_EQ(rec.at("body").as_string(), sent);
  EXPECT_EQ(rec.at("messaging_service_sid").as_string(), "MG0123456789abcdef0123456789abcdef");
  // An independent GSM-7/UCS-2 count (the stand-in's, in Python) agrees with ours.
  EXPECT_EQ(rec.at("num_segments").as_int64(), MeasureSms(sent).segments);
  EXPECT_EQ(MeasureSms(sent).segments, 3);
  EXPECT_TRUE(sent.ends_with(" https://status.example.com/incidents/abc123"));
}

TEST_F(TwilioStandin, WrongTokenIsRefusedAndRetried) {
  auto options = Options();
  options.twilio.auth_token = "wrong";
  auto out = SendOne(options, Msg("Hello"), "+14155552671");
  EXPECT_EQ(out.kind, Kind::kRetry);
  EXPECT_EQ(out.status, 401);
  EXPECT_NE(out.detail.find("Twilio 20003"), std::string::npos) << out.detail;
}

TEST_F(TwilioStandin, UnreachableRecipientsAreGone) {
  // Twilio's magic numbers: invalid (21211), replied STOP (21610), not SMS-capable (21614).
  for (const char* to : {"+15005550001", "+15005550004", "+15005550009"}) {
    auto out = SendOne(Options(), Msg("Hello"), to);
    EXPECT_EQ(out.kind, Kind::kGone) << to << ": " << out.detail;
    EXPECT_EQ(out.status, 400);
  }
  // A number the provider cannot route to at the moment is not the subscriber's fault forever.
  EXPECT_EQ(SendOne(Options(), Msg("Hello"), "+15005550002").kind, Kind::kPermanent);
}

TEST_F(TwilioStandin, AnAddressThatIsNotE164IsGone) {
  // Never stored by Herald (NormalizeAddress refuses it), but if one slipped through, Twilio's
  // answer quarantines it rather than retrying for days.
  auto out = SendOne(Options(), Msg("Hello"), "415 555 2671");
  EXPECT_EQ(out.kind, Kind::kGone) << out.detail;
  EXPECT_NE(out.detail.find("21211"), std::string::npos) << out.detail;
}

}  // namespace
}  // namespace herald::notify
