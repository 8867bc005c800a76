// `herald subscriber ...` through CLI11 with a real SQLite file: import reports bad lines and
// exits non-zero, export writes what was imported, add and list work.
#include "cli/subscribers_cli.h"

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

  std::optional<int> Run(std::vector<std::string> args) {
    CLI::App app{"test", "herald"};
    std::optional<int> code;
    AddSubscriberCommands(
        app,
        [](const std::string& db, const std::string&) -> Result<SubscriberCliEnv> {
          auto s = store::OpenStore(db);
          if (!s) return s.error();
          SubscriberCliEnv env;
          env.store = std::move(*s);
          env.public_url = "https://status.example.com";
          return env;
        },
        clock_, code);
    std::vector<const char*> argv{"herald"};
    for (auto& a : args) argv.push_back(a.c_str());
    app.parse(static_cast<int>(argv.size()), const_cast<char**>(argv.data()));
    return code;
  }

  FakeClock clock_;
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
  EXPECT_NE(text.str().find("sms,+14155552671,"), std::string::npos);
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

}  // namespace
}  // namespace herald::cli
