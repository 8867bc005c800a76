// End to end: WebPushChannel sends real HTTP requests to tests/fixtures/push_receiver.py, a push
// service on 127.0.0.1 that verifies the VAPID token and decrypts the message with its own
// (Python `cryptography`) implementation of RFC 8291, independent of ours.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <optional>

#include "core/text.h"
#include "net/sync_http_client_testing.h"
#include "notify/webpush/webpush_channel.h"
#include "testing/fixture_process.h"

namespace herald::notify {
namespace {

namespace fs = std::filesystem;
using Kind = SendOutcome::Kind;

// Runs push_receiver.py and reads the line it prints once it listens; kills it (by pid) when done.
class PushReceiver {
 public:
  PushReceiver() {
    auto script = herald::testing::FindFixture("push_receiver.py");
    if (!script) {
      error_ = "tests/fixtures/push_receiver.py not found";
      return;
    }
    record_path_ = fs::temp_directory_path() / ("herald_push_" + RandomHex(8) + ".jsonl");
    // Its first line is a JSON object: port, origin and the subscription's keys.
    if (!server_.Start({"python3", script->string(), record_path_.string()}, &error_, false)) return;
    const std::string& line = server_.first_line();
    boost::system::error_code ec;
    auto doc = boost::json::parse(line, ec);
    if (ec || !doc.is_object()) {
      error_ = "receiver did not start: '" + line + "'";
      return;
    }
    const auto& o = doc.as_object();
    port = static_cast<int>(o.at("port").to_number<int64_t>());
    origin = std::string(o.at("origin").as_string());
    p256dh = std::string(o.at("p256dh").as_string());
    auth = std::string(o.at("auth").as_string());
  }
  ~PushReceiver() {
    server_.Stop();
    std::error_code ec;
    fs::remove(record_path_, ec);
  }
  const std::string& error() const { return error_; }

  // Every record so far, in order.
  std::vector<boost::json::object> Records() const {
    std::vector<boost::json::object> records;
    std::ifstream in(record_path_);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) records.push_back(boost::json::parse(line).as_object());
    return records;
  }

  int port = 0;
  std::string origin, p256dh, auth;

 private:
  herald::testing::FixtureProcess server_;
  fs::path record_path_;
  std::string error_;
};

std::string Str(const boost::json::value& v) { return std::string(v.as_string()); }

TEST(WebPushReceiver, RealPushServiceVerifiesVapidAndDecryptsThePayload) {
  PushReceiver receiver;
  ASSERT_TRUE(receiver.error().empty()) << receiver.error();

  auto vapid = webpush::GenerateVapidKeys();
  ASSERT_TRUE(vapid.ok());
  WebPushOptions options;
  options.vapid_private_key = vapid->private_key;
  options.vapid_public_key = vapid->public_key;
  options.subject = "mailto:ops@status.acme.test";
  options.ttl_seconds = 600;
  options.allow_http = true;
  int checks = 0;
  options.check_url = [&](std::string_view url, const std::string& field) -> Result<std::string> {
    ++checks;
    if (!url.starts_with("http://127.0.0.1:")) return Error::Invalid(field, field + " is not allowed");
    return std::string(url);
  };
  net::SyncHttpClient http;
  WebPushChannel channel(http, SystemClock::Instance(), options);  // the receiver checks exp in real time
  ASSERT_TRUE(channel.status().ok()) << channel.status().error().message;

  // Subscribe as the API would: normalise the endpoint, validate the keys.
  auto endpoint = channel.NormalizeAddress(receiver.origin + "/push/sub-1", "endpoint");
  ASSERT_TRUE(endpoint.ok()) << endpoint.error().message;
  EXPECT_EQ(checks, 1);
  auto keys = ValidatePushKeys(receiver.p256dh, receiver.auth);
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  model::Subscriber subscriber;
  subscriber.id = "sub-1";
  subscriber.channel = model::ChannelKind::kWebPush;
  subscriber.address = *endpoint;
  subscriber.push_p256dh = keys->p256dh;
  subscriber.push_auth = keys->auth;

  Message message;
  message.id = "dlv-42";
  message.kind = "incident.created";
  message.page_name = "Acme";
  message.subject = "Checkout is down — we are on it";
  message.short_text = "Payments fail for all customers since 14:02 CET. Next update 14:30.";
  message.url = "https://status.acme.test/incidents/inc-7";
  message.impact = "critical";

  std::optional<SendOutcome> outcome;
  channel.Send(message, subscriber, [&](SendOutcome o) { outcome = std::move(o); });
  ASSERT_TRUE(outcome.has_value());
  ASSERT_EQ(outcome->kind, Kind::kDelivered) << outcome->detail;
  EXPECT_EQ(outcome->status, 201);

  auto records = receiver.Records();
  ASSERT_EQ(records.size(), 1u);
  const auto& got = records[0];
  ASSERT_EQ(got.at("status").to_number<int64_t>(), 201) << boost::json::serialize(got);
  EXPECT_EQ(Str(got.at("path")), "/push/sub-1");
  const auto& payload = got.at("payload").as_object();
  EXPECT_EQ(Str(payload.at("title")), message.subject);
  EXPECT_EQ(Str(payload.at("body")), message.short_text);
  EXPECT_EQ(Str(payload.at("url")), message.url);
  EXPECT_EQ(Str(payload.at("tag")), message.url);
  const auto& headers = got.at("headers").as_object();
  EXPECT_EQ(Str(headers.at("content-encoding")), "aes128gcm");
  EXPECT_EQ(Str(headers.at("ttl")), "600");
  EXPECT_EQ(Str(headers.at("urgency")), "high");
  EXPECT_EQ(Str(headers.at("topic")).size(), 32u);
  const auto& claims = got.at("claims").as_object();
  EXPECT_EQ(Str(claims.at("aud")), receiver.origin);
  EXPECT_EQ(Str(claims.at("sub")), "mailto:ops@status.acme.test");

  // An expired subscription: the push service answers 410 and the subscriber is gone.
  model::Subscriber expired = subscriber;
  expired.address = receiver.origin + "/gone/sub-2";
  outcome.reset();
  channel.Send(message, expired, [&](SendOutcome o) { outcome = std::move(o); });
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->kind, Kind::kGone) << outcome->detail;
  EXPECT_EQ(outcome->status, 410);

  // The receiver really decrypts: a message for another auth secret is refused, never recorded as
  // delivered.
  model::Subscriber wrong = subscriber;
  wrong.push_auth = "AAAAAAAAAAAAAAAAAAAAAA";
  outcome.reset();
  channel.Send(message, wrong, [&](SendOutcome o) { outcome = std::move(o); });
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->kind, Kind::kPermanent) << outcome->detail;
  EXPECT_EQ(outcome->status, 400);
  records = receiver.Records();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_NE(Str(records[2].at("error")).find("decrypt"), std::string::npos);
}

}  // namespace
}  // namespace herald::notify
