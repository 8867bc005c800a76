// End to end: WebPushChannel sends real HTTP requests to tests/fixtures/push_receiver.py, a push
// service on 127.0.0.1 that verifies the VAPID token and decrypts the message with its own
// (Python `cryptography`) implementation of RFC 8291, independent of ours.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <optional>

#include "core/text.h"
#include "net/sync_http_client_testing.h"
#include "notify/webpush/webpush_channel.h"

extern char** environ;

namespace herald::notify {
namespace {

namespace fs = std::filesystem;
using Kind = SendOutcome::Kind;

// The fixture script, found from the working directory (ctest runs in the build directory) or
// from the test binary's location, whichever lies inside the source tree.
std::optional<fs::path> FindFixture(const fs::path& relative) {
  std::vector<fs::path> starts{fs::current_path()};
  std::error_code ec;
  if (auto exe = fs::read_symlink("/proc/self/exe", ec); !ec) {
    starts.push_back(exe.parent_path());
    // An out-of-tree build directory names its source tree in CMakeCache.txt.
    std::ifstream cache(exe.parent_path() / "CMakeCache.txt");
    for (std::string line; std::getline(cache, line);)
      if (line.starts_with("CMAKE_HOME_DIRECTORY:INTERNAL=")) starts.emplace_back(line.substr(line.find('=') + 1));
  }
  for (fs::path dir : starts) {
    for (int depth = 0; depth < 8 && !dir.empty(); ++depth, dir = dir.parent_path()) {
      if (fs::exists(dir / relative, ec)) return dir / relative;
      if (dir == dir.parent_path()) break;
    }
  }
  return std::nullopt;
}

// Runs push_receiver.py and reads the line it prints once it listens; kills it (by pid) when done.
class PushReceiver {
 public:
  PushReceiver() {
    auto script = FindFixture("tests/fixtures/push_receiver.py");
    if (!script) {
      error_ = "tests/fixtures/push_receiver.py not found";
      return;
    }
    record_path_ = fs::temp_directory_path() / ("herald_push_" + RandomHex(8) + ".jsonl");
    int out[2];
    if (pipe(out) != 0) {
      error_ = "pipe failed";
      return;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addclose(&actions, out[1]);
    std::string python = "python3", path = script->string(), record = record_path_.string();
    char* argv[] = {python.data(), path.data(), record.data(), nullptr};
    const int rc = posix_spawnp(&pid_, "python3", &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (rc != 0) {
      pid_ = -1;
      close(out[0]);
      error_ = "cannot start python3";
      return;
    }
    // The first line arrives once the socket listens; bounded wait in case the script fails.
    std::string line;
    char c;
    pollfd pfd{out[0], POLLIN, 0};
    while (line.size() < 4096 && poll(&pfd, 1, 20000) > 0 && read(out[0], &c, 1) == 1 && c != '\n') line += c;
    close(out[0]);
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
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
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
  pid_t pid_ = -1;
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
