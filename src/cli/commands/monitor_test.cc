// `herald monitor add|list|remove` through CLI11, and monitors in `herald apply` and `herald
// draft` through the whole command line (cli::Run), with a real SQLite file: bad input exits
// non-zero with nothing changed, and applying the same file twice changes nothing.
#include "cli/commands/monitor.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cli/cli.h"
#include "core/text.h"
#include "service/services.h"

namespace herald::cli {
namespace {

namespace fs = std::filesystem;

class MonitorCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("herald-moncli-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    db_ = "sqlite:" + (dir_ / "h.db").string();
    auto s = store::OpenStore(db_);
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Migrate().ok());
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  void MakePage() {
    service::PageInput p;
    p.name = "Acme";
    p.is_default = true;
    auto page = service::PageService(service::Deps{*store_, clock_}).Create(p);
    ASSERT_TRUE(page.ok());
    page_id_ = page->id;
    service::ComponentInput c;
    c.name = "API";
    ASSERT_TRUE(service::ComponentService(service::Deps{*store_, clock_}).Create(page_id_, c, false).ok());
  }

  std::optional<int> Monitor(const std::vector<std::string>& args) {
    CLI::App app{"test", "herald"};
    std::optional<int> code;
    AddMonitorCommands(
        app,
        [](const CommonOptions& options) -> Result<MonitorCliEnv> {
          auto s = store::OpenStore(options.db);
          if (!s) return s.error();
          MonitorCliEnv env;
          env.store = std::move(*s);
          return env;
        },
        clock_, code);
    std::vector<const char*> argv{"herald"};
    for (auto& a : args) argv.push_back(a.c_str());
    app.parse(static_cast<int>(argv.size()), const_cast<char**>(argv.data()));
    return code;
  }
  // The whole command line, stdout captured.
  int Herald(std::vector<std::string> args, std::string* out = nullptr) {
    std::vector<std::string> all{"herald"};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    ::testing::internal::CaptureStdout();
    const int rc = cli::Run(static_cast<int>(argv.size()), argv.data());
    const std::string text = ::testing::internal::GetCapturedStdout();
    if (out) *out = text;
    return rc;
  }
  std::vector<model::Monitor> Monitors() { return *store_->ListMonitors(""); }

  FakeClock clock_;
  fs::path dir_;
  std::string db_, page_id_;
  std::unique_ptr<store::Store> store_;
};

// `herald draft list|publish|discard`: drafts that automation prepared, reachable without the API.
TEST_F(MonitorCliTest, DraftsAreListedPublishedAndDiscarded) {
  MakePage();
  const std::string api_id = store_->ListComponents(page_id_)->front().id;
  auto add_draft = [&](const std::string& name) {
    model::IncidentDraft d;
    d.id = NewId();
    d.page_id = page_id_;
    d.component_id = api_id;
    d.name = name;
    d.body = "Our checks show that API is not responding since 14:02 UTC.";
    d.publish_at = SystemClock::Instance().Now() + 3'600'000;
    d.created_at = d.updated_at = d.publish_at - 3'600'000;
    EXPECT_TRUE(store_->SaveIncidentDraft(d).ok());
    return d.id;
  };
  const auto keep = add_draft("API is down");
  const auto drop = add_draft("API is slow");
  std::string out;
  ASSERT_EQ(Herald({"draft", "list", "--db", db_}, &out), 0);
  EXPECT_EQ(out.rfind("ID\tSTATE\tPUBLISHES AT / INCIDENT\tCOMPONENT\tNAME\n", 0), 0u) << out;
  EXPECT_NE(out.find(keep + "\twaiting\t"), std::string::npos) << out;
  EXPECT_NE(out.find("\tAPI\tAPI is slow\n"), std::string::npos) << out;

  ASSERT_EQ(Herald({"draft", "publish", keep, "--db", db_}, &out), 0);
  const std::string incident_id = out.substr(0, out.find('\t'));
  auto inc = store_->GetIncident(page_id_, incident_id);
  ASSERT_TRUE(inc.ok()) << out;
  EXPECT_EQ(inc->name, "API is down");
  EXPECT_NE(out.find("/incidents/" + incident_id), std::string::npos) << out;

  ASSERT_EQ(Herald({"draft", "discard", drop, "--db", db_}, &out), 0);
  EXPECT_EQ(store_->GetIncidentDraft(page_id_, drop)->state, model::DraftState::kDiscarded);
  Herald({"draft", "list", "--db", db_}, &out);
  EXPECT_EQ(out.find(drop), std::string::npos);
  Herald({"draft", "list", "--all", "--db", db_}, &out);
  EXPECT_NE(out.find(drop + "\tdiscarded"), std::string::npos) << out;
  EXPECT_NE(Herald({"draft", "publish", drop, "--db", db_}), 0);  // discarded: nothing is published
  EXPECT_EQ(store_->ListIncidents(page_id_, {})->size(), 1u);
}

TEST_F(MonitorCliTest, AddListRemove) {
  MakePage();
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(Monitor({"monitor",
                     "add",
                     "--db",
                     db_,
                     "--name",
                     "API health",
                     "--kind",
                     "http",
                     "--target",
                     "https://api.example.com/health",
                     "--component",
                     "API",
                     "--interval",
                     "30s",
                     "--timeout",
                     "5s",
                     "--expect-status",
                     "200-299",
                     "--header",
                     "X-Probe: herald",
                     "--slow",
                     "2s"}),
            0);
  const std::string added = ::testing::internal::GetCapturedStdout();
  ASSERT_EQ(Monitors().size(), 1u);
  const model::Monitor m = Monitors()[0];
  EXPECT_NE(added.find(m.id), std::string::npos);
  EXPECT_EQ(m.interval_ms, 30'000);
  EXPECT_EQ(m.timeout_ms, 5'000);
  EXPECT_EQ(m.spec.slow_ms, 2'000);
  ASSERT_EQ(m.spec.headers.size(), 1u);
  EXPECT_EQ(m.spec.headers[0].second, "herald");
  EXPECT_FALSE(m.component_id.empty());

  ::testing::internal::CaptureStdout();
  EXPECT_EQ(Monitor({"monitor", "add", "--db", db_, "--name", "Backup", "--kind", "heartbeat", "--interval", "1d",
                     "--timeout", "10s", "--grace", "1h"}),
            0);
  const std::string hb = ::testing::internal::GetCapturedStdout();
  ASSERT_EQ(Monitors().size(), 2u);
  // The token is alone on the last line, and only its hash is stored.
  const std::string token = hb.substr(hb.rfind('\n', hb.size() - 2) + 1, 43);
  const auto all = Monitors();
  auto backup = std::find_if(all.begin(), all.end(), [](auto& x) { return x.name == "Backup"; });
  ASSERT_NE(backup, all.end());
  EXPECT_EQ(Sha256Hex(token), backup->heartbeat_token_hash) << hb;

  // Bad input: a message naming the problem, exit 2, nothing written.
  for (std::vector<std::string> bad :
       {std::vector<std::string>{"--name", "x", "--target", "ftp://x"},
        std::vector<std::string>{"--name", "x", "--target", "https://x.example.com", "--interval", "often"},
        std::vector<std::string>{"--name", "x", "--target", "https://x.example.com", "--interval", "1s"},
        std::vector<std::string>{"--name", "x", "--target", "https://x.example.com", "--component", "Nope"},
        std::vector<std::string>{"--name", "x", "--kind", "ping", "--target", "x"}}) {
    std::vector<std::string> args{"monitor", "add", "--db", db_};
    args.insert(args.end(), bad.begin(), bad.end());
    ::testing::internal::CaptureStderr();
    EXPECT_EQ(Monitor(args), 2) << bad[1];
    EXPECT_TRUE(::testing::internal::GetCapturedStderr().starts_with("herald: "));
  }
  EXPECT_EQ(Monitors().size(), 2u);

  ::testing::internal::CaptureStdout();
  EXPECT_EQ(Monitor({"monitor", "list", "--db", db_}), 0);
  const std::string listed = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(listed.find("STATE"), std::string::npos);
  EXPECT_NE(listed.find("LAST CHECK"), std::string::npos);
  EXPECT_NE(listed.find("API health"), std::string::npos);
  EXPECT_NE(listed.find("unknown"), std::string::npos);
  EXPECT_NE(listed.find("never"), std::string::npos);

  ::testing::internal::CaptureStdout();
  EXPECT_EQ(Monitor({"monitor", "remove", m.id, "--db", db_}), 0);
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(Monitors().size(), 1u);
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(Monitor({"monitor", "remove", m.id, "--db", db_}), 1);
  ::testing::internal::GetCapturedStderr();
}

// `monitor list` shows when each monitor was last checked under LAST CHECK, also for a heartbeat
// monitor, whose job's last call has its own column; a heartbeat added with a short interval
// and no timeout is accepted (the default timeout fits the interval). Regression: LAST CHECK
// showed the last heartbeat, and a 5 s heartbeat was refused for a timeout nobody set.
TEST_F(MonitorCliTest, ListShowsLastCheckAndLastHeartbeatApart) {
  MakePage();
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(Monitor({"monitor", "add", "--db", db_, "--name", "Backup", "--kind", "heartbeat", "--interval", "5s"}), 0);
  ::testing::internal::GetCapturedStdout();
  ASSERT_EQ(Monitors().size(), 1u);
  model::Monitor m = Monitors()[0];
  EXPECT_LE(m.timeout_ms, 5'000);
  store::MonitorResultsWrite w;
  m.last_check_at = clock_.Now() - 10 * 60'000;
  m.last_heartbeat_at = clock_.Now() - 3 * 3'600'000;
  w.monitors.push_back(m);
  ASSERT_TRUE(store_->RecordMonitorResults(w).ok());
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(Monitor({"monitor", "list", "--db", db_}), 0);
  const std::string listed = ::testing::internal::GetCapturedStdout();
  const size_t header = listed.find("LAST CHECK");
  const size_t hb_header = listed.find("LAST HEARTBEAT");
  ASSERT_NE(header, std::string::npos) << listed;
  ASSERT_NE(hb_header, std::string::npos) << listed;
  const size_t row = listed.find("Backup");
  ASSERT_NE(row, std::string::npos);
  const size_t line_start = listed.rfind('\n', row) + 1;
  // Columns are aligned: each value starts where its header does.
  EXPECT_EQ(listed.substr(line_start + header, 6), "10m ag") << listed;
  EXPECT_EQ(listed.substr(line_start + hb_header, 6), "3h ago") << listed;
}

TEST_F(MonitorCliTest, ApplyIsIdempotent) {
  const auto file = (dir_ / "herald.toml").string();
  auto write = [&](const std::string& interval, const std::string& extra = "") {
    std::ofstream(file) << R"([[page]]
slug = "acme"
name = "Acme"
default = true
  [[page.component]]
  name = "API"
  [[page.component]]
  name = "Website"
  [[page.monitor]]
  name = "API health"
  component = "API"
  kind = "http"
  target = "https://api.example.com/health"
  interval = ")" + interval + R"("
  timeout = "10s"
  failures_to_down = 2
  failure_window = 3
  expected_status = ["200-299", 301]
  headers = { "X-Probe" = "herald" }
  [[page.monitor]]
  name = "Nightly backup"
  kind = "heartbeat"
  interval = "1d"
  grace = "1h"
  [[page.automation_rule]]
  component = "API"
  mode = "draft"
  draft_publish_after = "10m"
  [[page.alert_target]]
  name = "On-call"
  channel = "email"
  address = "oncall@example.com"
)" + extra;
  };
  write("30s");
  std::string out;
  ASSERT_EQ(Herald({"apply", file, "--db", db_}, &out), 0) << out;
  EXPECT_NE(out.find("applied"), std::string::npos);
  EXPECT_NE(out.find("heartbeat token for monitor \"Nightly backup\""), std::string::npos);
  auto page = store_->GetPage("acme");
  ASSERT_TRUE(page.ok());
  auto monitors = *store_->ListMonitors(page->id);
  ASSERT_EQ(monitors.size(), 2u);
  auto api = std::find_if(monitors.begin(), monitors.end(), [](auto& m) { return m.name == "API health"; });
  ASSERT_NE(api, monitors.end());
  EXPECT_EQ(api->interval_ms, 30'000);
  EXPECT_EQ(api->failures_to_down, 2);
  EXPECT_FALSE(api->component_id.empty());
  EXPECT_EQ(store_->ListAutomationRules(page->id)->size(), 1u);
  EXPECT_EQ(store_->ListAlertTargets(page->id)->size(), 1u);

  ASSERT_EQ(Herald({"apply", file, "--db", db_}, &out), 0);
  EXPECT_NE(out.find("no changes"), std::string::npos) << out;
  EXPECT_EQ(store_->ListMonitors(page->id)->size(), 2u);
  const std::string hash = std::find_if(monitors.begin(), monitors.end(), [](auto& m) {
                             return m.kind == model::MonitorKind::kHeartbeat;
                           })->heartbeat_token_hash;
  const auto after = *store_->ListMonitors(page->id);
  for (const auto& m : after) {
    if (m.kind == model::MonitorKind::kHeartbeat) {
      EXPECT_EQ(m.heartbeat_token_hash, hash);  // the token is kept
    }
  }

  write("45s");
  ASSERT_EQ(Herald({"apply", file, "--db", db_}, &out), 0);
  EXPECT_NE(out.find("applied"), std::string::npos);
  EXPECT_EQ(store_->GetMonitor(page->id, api->id)->interval_ms, 45'000);  // updated in place

  // A bad monitor anywhere in the file: non-zero, the error names it, no monitor changes.
  write("60s", "  [[page.monitor]]\n  name = \"Broken\"\n  kind = \"tcp\"\n  target = \"no-port\"\n");
  ::testing::internal::CaptureStderr();
  EXPECT_NE(Herald({"apply", file, "--db", db_}, &out), 0);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("page[0].monitor[2].target"), std::string::npos) << err;
  EXPECT_EQ(store_->GetMonitor(page->id, api->id)->interval_ms, 45'000);
  EXPECT_EQ(store_->ListMonitors(page->id)->size(), 2u);

  write("45s", "  [[page.monitor]]\n  name = \"Typo\"\n  kind = \"http\"\n  targte = \"https://x.example.com\"\n");
  ::testing::internal::CaptureStderr();
  EXPECT_NE(Herald({"apply", file, "--db", db_}, &out), 0);
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("targte"), std::string::npos);
}

TEST_F(MonitorCliTest, ApplyYamlMonitors) {
  const auto file = (dir_ / "herald.yaml").string();
  std::ofstream(file) << R"(page:
  - slug: acme
    name: Acme
    component:
      - name: Database
    monitor:
      - name: Postgres
        component: Database
        kind: tcp
        target: "db.internal:5432"
        interval: 15s
        timeout: 5
)";
  std::string out;
  ASSERT_EQ(Herald({"apply", file, "--db", db_}, &out), 0) << out;
  auto page = store_->GetPage("acme");
  ASSERT_TRUE(page.ok());
  auto monitors = *store_->ListMonitors(page->id);
  ASSERT_EQ(monitors.size(), 1u);
  EXPECT_EQ(monitors[0].timeout_ms, 5'000);
  EXPECT_EQ(monitors[0].interval_ms, 15'000);
  ASSERT_EQ(Herald({"apply", file, "--db", db_}, &out), 0);
  EXPECT_NE(out.find("no changes"), std::string::npos);
}

}  // namespace
}  // namespace herald::cli
