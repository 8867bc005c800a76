// Every HTTP push channel against tests/fixtures/webhook_receiver.py, a real server on 127.0.0.1
// that records each POST and verifies Standard Webhooks signatures with its own (Python)
// implementation: proves that what the channels send crosses a real socket intact, that a
// receiver other than ours accepts our signatures, and that real failing answers (410, 500 then
// 200, 429 with Retry-After, 302) map to the right outcomes. The HttpClient here is a small
// blocking libcurl-easy client; production uses the multi-interface engine.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include "net/sync_http_client_testing.h"
#include "notify/discord/discord_channel.h"
#include "notify/mattermost/mattermost_channel.h"
#include "notify/slack/slack_channel.h"
#include "notify/teams/teams_channel.h"
#include "notify/webhook/push_test_util.h"
#include "notify/webhook/standard_webhooks.h"
#include "notify/webhook/webhook_channel.h"

extern char** environ;

namespace herald::notify {
namespace {

namespace fs = std::filesystem;
using Kind = SendOutcome::Kind;

// The source tree: $HERALD_SOURCE_DIR, or the first ancestor of the test binary that has the
// receiver (build directories live inside the checkout).
std::optional<fs::path> FindReceiver() {
  const fs::path rel = "tests/fixtures/webhook_receiver.py";
  if (const char* dir = std::getenv("HERALD_SOURCE_DIR"); dir && fs::exists(fs::path(dir) / rel))
    return fs::path(dir) / rel;
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  for (int i = 0; !ec && i < 8 && p.has_parent_path() && p != p.parent_path(); ++i) {
    p = p.parent_path();
    if (fs::exists(p / rel)) return p / rel;
  }
  return std::nullopt;
}

class PushReceiver : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    secret_ = NewWebhookSecret();
    auto script = FindReceiver();
    ASSERT_TRUE(script) << "tests/fixtures/webhook_receiver.py not found: set HERALD_SOURCE_DIR";
    char dir_template[] = "/tmp/herald-push-XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    log_ = dir_ / "posts.jsonl";
    int out[2];
    ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    const std::string script_s = script->string(), log_s = log_.string();
    // -S: the receiver needs only the standard library; skipping site-packages starts it faster.
    std::vector<std::string> args = {"python3", "-S", script_s, log_s, "--secret", secret_};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawnp(&pid_, "python3", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    ASSERT_EQ(rc, 0) << "cannot start python3";
    // The receiver prints its port once it listens; wait for that line, at most 20 s.
    std::string line;
    pollfd pfd{out[0], POLLIN, 0};
    while (line.find('\n') == std::string::npos && poll(&pfd, 1, 20000) > 0) {
      char buf[64];
      const ssize_t n = read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<size_t>(n));
    }
    close(out[0]);
    port_ = std::atoi(line.c_str());
    ASSERT_GT(port_, 0) << "the receiver did not report its port: '" << line << "'";
  }

  static void TearDownTestSuite() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
      pid_ = 0;
    }
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  static std::string Url(const std::string& path) { return "http://127.0.0.1:" + std::to_string(port_) + path; }

  // The receiver's records whose path is `path`, in order.
  static std::vector<boost::json::object> Records(const std::string& path) {
    std::vector<boost::json::object> out;
    std::ifstream in(log_);
    for (std::string line; std::getline(in, line);) {
      auto record = boost::json::parse(line).as_object();
      if (record.at("path").as_string() == path) out.push_back(std::move(record));
    }
    return out;
  }

  template <typename Options>
  Options Open() {
    Options o;
    o.allow_http = true;  // the receiver speaks plain http on loopback
    o.check_url = [](std::string_view url, const std::string&) -> Result<std::string> { return std::string(url); };
    return o;
  }

  WebhookChannel Webhook() { return WebhookChannel(http_, SystemClock::Instance(), Open<WebhookOptions>()); }

  model::Subscriber To(const std::string& path, model::ChannelKind kind, std::string secret = secret_) {
    auto s = testing::SubscriberAt(Url(path), kind);
    s.secret = std::move(secret);
    return s;
  }

  static inline pid_t pid_ = 0;
  static inline int port_ = 0;
  static inline fs::path dir_, log_;
  static inline std::string secret_;
  net::SyncHttpClient http_;
};

TEST_F(PushReceiver, AnIndependentVerifierAcceptsTheWebhookSignature) {
  WebhookChannel channel = Webhook();
  const Message m = testing::SampleMessage();
  EXPECT_EQ(testing::SendOnce(channel, m, To("/signed", model::ChannelKind::kWebhook)).kind, Kind::kDelivered);
  auto records = Records("/signed");
  ASSERT_EQ(records.size(), 1u);
  const auto& r = records[0];
  EXPECT_TRUE(r.at("sig_ok").as_bool()) << boost::json::serialize(r);
  EXPECT_EQ(r.at("headers").at("webhook-id").as_string(), m.id);
  EXPECT_EQ(r.at("headers").at("content-type").as_string(), "application/json");
  EXPECT_EQ(r.at("json").at("meta").at("unsubscribe").as_string(), m.unsubscribe_url);
  EXPECT_EQ(r.at("json").at("incident").at("id").as_string(), "abc123");

  // Signed with another subscriber's secret: the receiver must refuse it.
  EXPECT_EQ(testing::SendOnce(channel, m, To("/other", model::ChannelKind::kWebhook, NewWebhookSecret())).kind,
            Kind::kDelivered);
  records = Records("/other");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_FALSE(records[0].at("sig_ok").as_bool());
}

TEST_F(PushReceiver, ChatPayloadsArriveIntact) {
  const Message m = testing::SampleMessage();
  auto slack_options = Open<SlackOptions>();
  slack_options.allow_any_host = true;
  SlackChannel slack(http_, SystemClock::Instance(), slack_options);
  auto teams_options = Open<TeamsOptions>();
  teams_options.allow_any_host = true;
  TeamsChannel teams(http_, SystemClock::Instance(), teams_options);
  auto discord_options = Open<DiscordOptions>();
  discord_options.allow_any_host = true;
  DiscordChannel discord(http_, SystemClock::Instance(), discord_options);
  MattermostChannel mattermost(http_, SystemClock::Instance(), Open<MattermostOptions>());

  struct Case {
    Channel* channel;
    std::string path;
    std::string body;
  };
  std::vector<Case> cases = {{&slack, "/slack", BuildSlackPayload(m)},
                             {&teams, "/teams", BuildTeamsPayload(m)},
                             {&discord, "/discord", BuildDiscordPayload(m)},
                             {&mattermost, "/mattermost", BuildMattermostPayload(m)}};
  for (const auto& c : cases) {
    // The address goes through the channel's own check first, as at subscription time.
    auto address = c.channel->NormalizeAddress(Url(c.path), "url");
    ASSERT_TRUE(address.ok()) << c.path << ": " << address.error().message;
    auto to = testing::SubscriberAt(*address, c.channel->Kind());
    EXPECT_EQ(testing::SendOnce(*c.channel, m, to).kind, Kind::kDelivered) << c.path;
    auto records = Records(c.path);
    ASSERT_EQ(records.size(), 1u) << c.path;
    EXPECT_EQ(records[0].at("body").as_string(), c.body) << c.path;
    EXPECT_TRUE(records[0].at("json").is_object()) << c.path;
    EXPECT_EQ(records[0].at("headers").at("content-type").as_string(), "application/json");
  }
}

TEST_F(PushReceiver, RealFailuresMapToOutcomes) {
  WebhookChannel channel = Webhook();
  const Message m = testing::SampleMessage();
  EXPECT_EQ(testing::SendOnce(channel, m, To("/gone", model::ChannelKind::kWebhook)).kind, Kind::kGone);

  // /flaky answers 500 twice, then 200; every attempt carries the same webhook-id.
  EXPECT_EQ(testing::SendOnce(channel, m, To("/flaky", model::ChannelKind::kWebhook)).kind, Kind::kRetry);
  EXPECT_EQ(testing::SendOnce(channel, m, To("/flaky", model::ChannelKind::kWebhook)).kind, Kind::kRetry);
  EXPECT_EQ(testing::SendOnce(channel, m, To("/flaky", model::ChannelKind::kWebhook)).kind, Kind::kDelivered);
  const auto flaky = Records("/flaky");
  ASSERT_EQ(flaky.size(), 3u);
  for (const auto& r : flaky) {
    EXPECT_EQ(r.at("headers").at("webhook-id").as_string(), m.id);
    EXPECT_TRUE(r.at("sig_ok").as_bool());
  }

  const auto limited = testing::SendOnce(channel, m, To("/limited", model::ChannelKind::kWebhook));
  EXPECT_EQ(limited.kind, Kind::kRetry);
  ASSERT_TRUE(limited.retry_after.has_value());
  EXPECT_EQ(limited.retry_after->count(), 1000);

  const auto redirect = testing::SendOnce(channel, m, To("/redirect", model::ChannelKind::kWebhook));
  EXPECT_EQ(redirect.kind, Kind::kRetry);
  EXPECT_EQ(redirect.status, 302);
  EXPECT_EQ(Records("/redirect").size(), 1u);

  const auto error = testing::SendOnce(channel, m, To("/error", model::ChannelKind::kWebhook));
  EXPECT_EQ(error.kind, Kind::kRetry);
  EXPECT_EQ(error.status, 500);
}

}  // namespace
}  // namespace herald::notify
