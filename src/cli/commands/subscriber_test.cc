// `herald subscriber ...` through CLI11 with a real SQLite file: import reports bad lines and
// exits non-zero, export writes what was imported, add and list work.
#include "cli/commands/subscriber.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "service/services.h"

namespace herald::cli {
namespace {

namespace fs = std::filesystem;

class SubscriberCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("herald-subcli-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    db_ = "sqlite:" + (dir_ / "h.db").string();
    auto s = store::OpenStore(db_);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->Migrate().ok());
    service::PageInput p;
    p.name = "Acme";
    p.is_default = true;
    ASSERT_TRUE(service::PageService(service::Deps{**s, clock_}).Create(p).ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::optional<int> Run(const std::vector<std::string>& args) {
    CLI::App app{"test", "herald"};
    std::optional<int> code;
    AddSubscriberCommands(
        app,
        [this](const CommonOptions& options) -> Result<SubscriberCliEnv> {
          auto s = store::OpenStore(options.db);
          if (!s) return s.error();
          SubscriberCliEnv env;
          env.store = std::move(*s);
          env.public_url = "https://status.example.com";
          env.notify = notify_;
          return env;
        },
        clock_, code);
    std::vector<const char*> argv{"herald"};
    for (auto& a : args) argv.push_back(a.c_str());
    app.parse(static_cast<int>(argv.size()), const_cast<char**>(argv.data()));
    return code;
  }

  std::vector<model::Subscriber> Stored() {
    auto s = store::OpenStore(db_);
    EXPECT_TRUE(s.ok());
    auto pages = (*s)->ListPages();
    store::SubscriberFilter f;
    f.limit = 1000;
    return *(*s)->ListSubscribers(pages->front().id, f);
  }

  FakeClock clock_;
  config::NotifyConfig notify_;
  fs::path dir_;
  std::string db_;
};

TEST_F(SubscriberCliTest, ImportExportAddList) {
  const auto csv = dir_ / "in.csv";
  std::ofstream(csv) << "channel,address,component_ids,language,time_zone,detail,segment,priority\n"
                     << "email,a@example.com,,,,,enterprise,3\n"
                     << "email,broken,,,,,,\n"
                     << "sms,+14155552671,,,,,,\n";
  EXPECT_EQ(Run({"subscriber", "import", csv.string(), "--db", db_}), 2);  // one bad line
  EXPECT_EQ(Run({"subscriber", "add", "--address", "b@example.com", "--db", db_}), 0);
  EXPECT_EQ(Run({"subscriber", "add", "--address", "nope", "--db", db_}), 2);
  const auto out = dir_ / "out.csv";
  EXPECT_EQ(Run({"subscriber", "export", "--out", out.string(), "--db", db_}), 0);
  std::stringstream text;
  text << std::ifstream(out).rdbuf();
  EXPECT_NE(text.str().find("email,a@example.com,,en,,standard,enterprise,3\n"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("sms,'+14155552671,"), std::string::npos);  // neutralised for spreadsheets
  EXPECT_NE(text.str().find("b@example.com"), std::string::npos);
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(Run({"subscriber", "list", "--segment", "enterprise", "--db", db_}), 0);
  const std::string listed = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(listed.find("a@example.com"), std::string::npos);
  EXPECT_EQ(listed.find("b@example.com"), std::string::npos);
}

// Importing the same file again says what happened: nothing new, nothing changed (it used to say
// "imported 1 of 1 rows"); a changed row is "updated". Lists start with a header row.
TEST_F(SubscriberCliTest, ReimportSaysUnchangedOrUpdatedAndListHasAHeader) {
  const auto csv = dir_ / "in.csv";
  auto write = [&](const std::string& priority) {
    std::ofstream(csv) << "channel,address,priority\n"
                       << "email,a@example.com," << priority << "\n";
  };
  auto import = [&]() {
    ::testing::internal::CaptureStdout();
    EXPECT_EQ(Run({"subscriber", "import", csv.string(), "--db", db_}), 0);
    return ::testing::internal::GetCapturedStdout();
  };
  write("1");
  EXPECT_NE(import().find("1 added, 0 updated, 0 unchanged"), std::string::npos);
  EXPECT_NE(import().find("0 added, 0 updated, 1 unchanged"), std::string::npos);
  write("5");
  EXPECT_NE(import().find("0 added, 1 updated, 0 unchanged"), std::string::npos);
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(Run({"subscriber", "list", "--db", db_}), 0);
  const std::string listed = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(listed.rfind("ID\tCHANNEL\tSTATE\tADDRESS\tSEGMENT\tPRIORITY\n", 0), 0u) << listed;
  EXPECT_NE(listed.find("a@example.com\t-\t5\n"), std::string::npos) << listed;
}

// Regression (defects issue, item 12): import and add refused every webhook and chat subscriber
// with "the webhook channel is not available on this server".
TEST_F(SubscriberCliTest, ImportAndAddTakeWebhookAndChatSubscribersUnderTheServersUrlRules) {
  notify_.allow_private = {"127.0.0.0/8"};  // as an internal deployment's configuration says
  notify_.allow_http = true;
  const auto csv = dir_ / "hooks.csv";
  std::ofstream(csv) << "channel,address\n"
                     << "webhook,http://127.0.0.1:9/hook\n"
                     << "slack,http://127.0.0.1:9/slack\n"
                     << "teams,http://127.0.0.1:9/teams\n"
                     << "discord,http://127.0.0.1:9/discord\n"
                     << "mattermost,http://127.0.0.1:9/mattermost\n"
                     << "webhook,http://169.254.169.254/latest\n";  // still refused: not allow-listed
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(Run({"subscriber", "import", csv.string(), "--db", db_}), 2);
  const std::string out = ::testing::internal::GetCapturedStdout();
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(out.find("5 added, 0 updated, 0 unchanged, 1 with errors"), std::string::npos) << out;
  EXPECT_NE(err.find(":7: address:"), std::string::npos) << err;
  EXPECT_EQ(err.find("not available"), std::string::npos) << err;

  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(Run({"subscriber", "add", "--channel", "webhook", "--address", "http://127.0.0.1:9/added", "--db", db_}),
            0);
  EXPECT_EQ(Run({"subscriber", "add", "--channel", "slack", "--address", "http://127.0.0.1:9/s2", "--db", db_}), 0);
  ::testing::internal::GetCapturedStdout();
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("whsec_"), std::string::npos);  // the webhook's secret
  const auto all = Stored();
  ASSERT_EQ(all.size(), 7u);
  for (const auto& s : all) {
    EXPECT_EQ(s.state, model::SubscriberState::kActive) << s.address;
    if (s.channel == model::ChannelKind::kWebhook) {
      EXPECT_TRUE(s.secret.starts_with("whsec_")) << s.address;
    }
  }
}

// Regression (defects issue, item 12): with 15,000 bad rows the summary said "(1001 with errors)".
TEST_F(SubscriberCliTest, ImportSummaryCountsEveryRowWithAnError) {
  const auto csv = dir_ / "bad.csv";
  {
    std::ofstream f(csv);
    f << "channel,address\n";
    for (int i = 0; i < 15000; ++i) f << "email,broken-" << i << "\n";
    f << "email,good@example.com\n";
  }
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(Run({"subscriber", "import", csv.string(), "--db", db_}), 2);
  const std::string out = ::testing::internal::GetCapturedStdout();
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(out.find("read 15001 rows into acme: 1 added, 0 updated, 0 unchanged, 15000 with errors"),
            std::string::npos)
      << out;
  EXPECT_NE(err.find("14000 more rows had errors"), std::string::npos);
}

}  // namespace
}  // namespace herald::cli
