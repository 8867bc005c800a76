// The monitoring part of the Store contract, run against every backend like
// store_contract_test.cc: SQLite (a temporary file) and PostgreSQL (a fresh schema per test in the
// server named by HERALD_TEST_PG_URL; see contract_backends_testing.h for when it runs).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <thread>

#include "core/text.h"
#include "store/contract_backends_testing.h"
#include "store/postgres/pg_database.h"
#include "store/store.h"

namespace herald::store {
namespace {

using model::CheckVerdict;
using model::ComponentStatus;
using model::DeliveryState;
using model::MonitorState;

model::OutboxEvent Event(std::string kind, std::string subject, std::string page) {
  return {0, std::move(page), std::move(kind), std::move(subject), "{}", 1000};
}

model::Page MakePage(std::string id, std::string slug) {
  model::Page p;
  p.id = std::move(id);
  p.slug = std::move(slug);
  p.name = "Acme Status";
  p.created_at = 100;
  p.updated_at = 100;
  return p;
}

model::Component MakeComponent(std::string id, std::string page_id = "p1") {
  model::Component c;
  c.id = std::move(id);
  c.page_id = std::move(page_id);
  c.name = "Component " + c.id;
  c.created_at = 200;
  c.updated_at = 200;
  return c;
}

model::Monitor MakeMonitor(std::string id, std::string name, std::string page_id = "p1") {
  model::Monitor m;
  m.id = std::move(id);
  m.page_id = std::move(page_id);
  m.name = std::move(name);
  m.spec.target = "https://example.com/health";
  m.created_at = 300;
  m.updated_at = 300;
  return m;
}

model::MonitorSample MakeSample(std::string monitor_id, TimeMs at, CheckVerdict verdict = CheckVerdict::kUp) {
  model::MonitorSample s;
  s.monitor_id = std::move(monitor_id);
  s.at = at;
  s.verdict = verdict;
  s.status_code = 200;
  s.timings.total_ms = 42.5;
  return s;
}

model::MonitorRollup MakeRollup(std::string monitor_id, char granularity, TimeMs bucket, std::int64_t checks,
                                double sum, double max) {
  model::MonitorRollup r;
  r.monitor_id = std::move(monitor_id);
  r.granularity = granularity;
  r.bucket_start = bucket;
  r.checks = checks;
  r.up = checks;
  r.answered = checks;
  r.latency_sum_ms = sum;
  r.latency_max_ms = max;
  return r;
}

model::StaffAlert MakeAlert(std::string id, TimeMs created_at, TimeMs next_attempt_at, std::string page_id = "p1") {
  model::StaffAlert a;
  a.id = std::move(id);
  a.page_id = std::move(page_id);
  a.target_id = "t1";
  a.monitor_id = "m1";
  a.kind = "monitor.down";
  a.subject = "API is down";
  a.text = "HTTP 503";
  a.created_at = created_at;
  a.updated_at = created_at;
  a.next_attempt_at = next_attempt_at;
  return a;
}

// The error code of a failed write; nullopt when it succeeded.
std::optional<ErrorCode> Code(const Status& st) {
  if (st.ok()) return std::nullopt;
  return st.error().code;
}

std::vector<std::string> Ids(const auto& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(i.id);
  return out;
}

class StoreMonitorContract : public testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgres) {
      pg_base_ = PgTestUrl();
      ASSERT_FALSE(pg_base_.empty()) << "HERALD_TEST_PG_URL is not set: in CI the PostgreSQL contract tests must run "
                                        "(scripts/test.sh starts a server and sets it)";
    }
    url_ = FreshUrl();
    ASSERT_FALSE(url_.empty());
    store_ = Open();
    ASSERT_TRUE(store_);
    ASSERT_TRUE(store_->Migrate().ok());
    ASSERT_TRUE(store_->SavePage(MakePage("p1", "acme"), Event("page.created", "p1", "p1")).ok());
    ASSERT_TRUE(store_->SavePage(MakePage("p2", "other"), Event("page.created", "p2", "p2")).ok());
    ASSERT_TRUE(store_->SaveComponent(MakeComponent("c1"), std::nullopt, Event("component.created", "c1", "p1")).ok());
    ASSERT_TRUE(
        store_->SaveComponent(MakeComponent("c2", "p2"), std::nullopt, Event("component.created", "c2", "p2")).ok());
  }

  std::string FreshUrl() {
    const std::string name = "herald_test_" + RandomHex(8);
    if (GetParam() == Backend::kSqlite) {
      dir_ = std::filesystem::temp_directory_path() / name;
      return "sqlite:" + (dir_ / "herald.db").string();
    }
    auto admin = postgres::Connect(pg_base_);
    EXPECT_TRUE(admin.ok()) << admin.error().message;
    if (!admin.ok() || !(*admin)->ExecScript("CREATE SCHEMA " + name).ok()) return "";
    schema_ = name;
    return pg_base_ + (pg_base_.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + name;
  }

  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    if (!schema_.empty()) {
      if (auto admin = postgres::Connect(pg_base_); admin.ok()) {
        (void)(*admin)->ExecScript("DROP SCHEMA " + schema_ + " CASCADE");
      }
    }
  }

  std::unique_ptr<Store> Open() {
    auto s = OpenStore(url_);
    EXPECT_TRUE(s.ok()) << s.error().message;
    return s.ok() ? std::move(*s) : nullptr;
  }

  void Record(const MonitorResultsWrite& w) {
    auto st = store_->RecordMonitorResults(w);
    ASSERT_TRUE(st.ok()) << st.error().message;
  }

  std::filesystem::path dir_;
  std::string pg_base_, url_, schema_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreMonitorContract, MonitorRoundTripsEveryField) {
  model::Monitor m = MakeMonitor("m1", "API — 状態 \"quoted\" 'single'");
  m.component_id = "c1";
  m.kind = model::MonitorKind::kDns;
  m.spec.target = "example.com";
  m.spec.method = "POST";
  m.spec.headers = {{"X-A", "1"}, {"Authorization", "Bearer x"}};
  m.spec.body = "{\"ping\":true}";
  m.spec.expected_status = {{200, 204}, {301, 302}};
  m.spec.keyword = "ok";
  m.spec.keyword_absent = true;
  m.spec.json_path = "$.status";
  m.spec.json_expected = "green";
  m.spec.follow_redirects = false;
  m.spec.verify_tls = false;
  m.spec.slow_ms = 1500;
  m.spec.record_type = "MX";
  m.spec.expected_answer = "mx.example.com";
  m.spec.dns_server = "127.0.0.1:5353";
  m.spec.expiry_warn_days = 7;
  m.spec.grace_ms = 90'000;
  m.interval_ms = 30'000;
  m.timeout_ms = 5'000;
  m.failures_to_down = 2;
  m.failure_window = 5;
  m.successes_to_up = 4;
  m.down_status = ComponentStatus::kPartialOutage;
  m.slow_status = ComponentStatus::kUnderMaintenance;
  m.enabled = false;
  m.show_chart = true;
  m.heartbeat_token_hash = "abc123";
  m.state = MonitorState::kDegraded;
  m.state_since = 1767225600001;
  m.last_check_at = 1767225600002;
  m.last_heartbeat_at = 1767225600003;
  m.last_error = "HTTP 503";
  m.created_at = 1767225600004;
  m.updated_at = 1767225600005;
  ASSERT_TRUE(store_->SaveMonitor(m).ok());

  auto got = store_->GetMonitor("p1", "m1");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got->id, m.id);
  EXPECT_EQ(got->page_id, m.page_id);
  EXPECT_EQ(got->component_id, "c1");
  EXPECT_EQ(got->name, m.name);
  EXPECT_EQ(got->kind, m.kind);
  EXPECT_EQ(model::ProbeSpecToJson(got->spec), model::ProbeSpecToJson(m.spec));
  EXPECT_EQ(got->spec.headers, m.spec.headers);
  EXPECT_EQ(got->spec.expected_status, m.spec.expected_status);
  EXPECT_EQ(got->spec.grace_ms, 90'000);
  EXPECT_EQ(got->interval_ms, m.interval_ms);
  EXPECT_EQ(got->timeout_ms, m.timeout_ms);
  EXPECT_EQ(got->failures_to_down, 2);
  EXPECT_EQ(got->failure_window, 5);
  EXPECT_EQ(got->successes_to_up, 4);
  EXPECT_EQ(got->down_status, m.down_status);
  EXPECT_EQ(got->slow_status, m.slow_status);
  EXPECT_FALSE(got->enabled);
  EXPECT_TRUE(got->show_chart);
  EXPECT_EQ(got->heartbeat_token_hash, "abc123");
  EXPECT_EQ(got->state, MonitorState::kDegraded);
  EXPECT_EQ(got->state_since, m.state_since);
  EXPECT_EQ(got->last_check_at, m.last_check_at);
  EXPECT_EQ(got->last_heartbeat_at, m.last_heartbeat_at);
  EXPECT_EQ(got->last_error, m.last_error);
  EXPECT_EQ(got->created_at, m.created_at);
  EXPECT_EQ(got->updated_at, m.updated_at);

  // Missing ones.
  EXPECT_EQ(store_->GetMonitor("p1", "nope").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetMonitor("p2", "m1").error().code, ErrorCode::kNotFound);
}

TEST_P(StoreMonitorContract, SaveMonitorUpsertsTheDefinitionOnly) {
  model::Monitor m = MakeMonitor("m1", "API");
  ASSERT_TRUE(store_->SaveMonitor(m).ok());
  MonitorResultsWrite w;
  model::Monitor state = m;
  state.state = MonitorState::kDown;
  state.state_since = 5000;
  state.last_check_at = 5000;
  state.last_error = "timeout";
  w.monitors.push_back(state);
  Record(w);

  // A staff edit based on a stale read changes the definition and keeps the engine's state.
  m.name = "API v2";
  m.component_id = "c1";
  m.interval_ms = 120'000;
  m.updated_at = 6000;
  ASSERT_TRUE(store_->SaveMonitor(m).ok());
  auto got = store_->GetMonitor("p1", "m1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "API v2");
  EXPECT_EQ(got->component_id, "c1");
  EXPECT_EQ(got->interval_ms, 120'000);
  EXPECT_EQ(got->updated_at, 6000);
  EXPECT_EQ(got->created_at, 300);
  EXPECT_EQ(got->state, MonitorState::kDown);
  EXPECT_EQ(got->state_since, 5000);
  EXPECT_EQ(got->last_error, "timeout");

  // Clearing the component.
  m.component_id.clear();
  ASSERT_TRUE(store_->SaveMonitor(m).ok());
  EXPECT_EQ(store_->GetMonitor("p1", "m1")->component_id, "");
}

TEST_P(StoreMonitorContract, SaveMonitorChecksPageComponentAndOwnership) {
  EXPECT_EQ(store_->SaveMonitor(MakeMonitor("m1", "x", "nopage")).error().code, ErrorCode::kNotFound);
  model::Monitor m = MakeMonitor("m1", "x");
  m.component_id = "missing";
  EXPECT_EQ(store_->SaveMonitor(m).error().code, ErrorCode::kNotFound);
  m.component_id = "c2";  // exists, but on another page
  EXPECT_EQ(store_->SaveMonitor(m).error().code, ErrorCode::kNotFound);
  m.component_id = "c1";
  ASSERT_TRUE(store_->SaveMonitor(m).ok());
  // The same id on another page is a conflict, not a silent move.
  EXPECT_EQ(store_->SaveMonitor(MakeMonitor("m1", "x", "p2")).error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->GetMonitor("p1", "m1")->page_id, "p1");
  // Two heartbeat monitors cannot share a token; many monitors share the empty one.
  model::Monitor h1 = MakeMonitor("h1", "job 1");
  h1.kind = model::MonitorKind::kHeartbeat;
  h1.heartbeat_token_hash = "same";
  ASSERT_TRUE(store_->SaveMonitor(h1).ok());
  model::Monitor h2 = h1;
  h2.id = "h2";
  EXPECT_EQ(store_->SaveMonitor(h2).error().code, ErrorCode::kConflict);
  ASSERT_TRUE(store_->SaveMonitor(MakeMonitor("m2", "y")).ok());
}

TEST_P(StoreMonitorContract, DeletingAComponentKeepsItsMonitor) {
  model::Monitor m = MakeMonitor("m1", "API");
  m.component_id = "c1";
  ASSERT_TRUE(store_->SaveMonitor(m).ok());
  ASSERT_TRUE(store_->DeleteComponent("p1", "c1", Event("component.deleted", "c1", "p1")).ok());
  auto got = store_->GetMonitor("p1", "m1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->component_id, "");
}

TEST_P(StoreMonitorContract, ListMonitorsByPageAndAll) {
  ASSERT_TRUE(store_->SaveMonitor(MakeMonitor("m3", "b")).ok());
  ASSERT_TRUE(store_->SaveMonitor(MakeMonitor("m1", "c")).ok());
  ASSERT_TRUE(store_->SaveMonitor(MakeMonitor("m2", "a")).ok());
  ASSERT_TRUE(store_->SaveMonitor(MakeMonitor("m5", "B")).ok());  // bytewise: "B" < "a"
  ASSERT_TRUE(store_->SaveMonitor(MakeMonitor("m4", "a", "p2")).ok());
  auto p1 = store_->ListMonitors("p1");
  ASSERT_TRUE(p1.ok());
  EXPECT_EQ(Ids(*p1), (std::vector<std::string>{"m5", "m2", "m3", "m1"}));
  auto all = store_->ListMonitors("");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(Ids(*all), (std::vector<std::string>{"m5", "m2", "m3", "m1", "m4"}));
  EXPECT_TRUE(store_->ListMonitors("nopage")->empty());
}

TEST_P(StoreMonitorContract, DeleteMonitorRemovesSamplesAndRollups) {
  ASSERT_TRUE(store_->SaveMonitor(MakeMonitor("m1", "a")).ok());
  ASSERT_TRUE(store_->SaveMonitor(MakeMonitor("m2", "b")).ok());
  MonitorResultsWrite w;
  w.samples = {MakeSample("m1", 1000), MakeSample("m2", 1000)};
  w.rollups = {MakeRollup("m1", 'm', 0, 1, 42.5, 42.5), MakeRollup("m2", 'm', 0, 1, 10, 10),
               MakeRollup("m1", 'd', 0, 1, 42.5, 42.5)};
  Record(w);
  EXPECT_EQ(Code(store_->DeleteMonitor("p2", "m1")), ErrorCode::kNotFound);  // wrong page
  ASSERT_TRUE(store_->DeleteMonitor("p1", "m1").ok());
  EXPECT_EQ(Code(store_->DeleteMonitor("p1", "m1")), ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetMonitor("p1", "m1").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store_->ListMonitorSamples("m1", 0, 10)->empty());
  EXPECT_TRUE(store_->ListMonitorRollups("", "m1", 'm', 0)->empty());
  EXPECT_TRUE(store_->ListMonitorRollups("", "m1", 'd', 0)->empty());
  EXPECT_EQ(store_->ListMonitorSamples("m2", 0, 10)->size(), 1u);
  EXPECT_EQ(store_->ListMonitorRollups("p1", "", 'm', 0)->size(), 1u);
  // A re-created monitor with the same id starts empty (nothing lingered).
  ASSERT_TRUE(store_->SaveMonitor(MakeMonitor("m1", "a")).ok());
  EXPECT_TRUE(store_->ListMonitorSamples("m1", 0, 10)->empty());
  EXPECT_TRUE(store_->ListMonitorRollups("p1", "m1", 'm', 0)->empty());
}

TEST_P(StoreMonitorContract, SamplesRoundTripNewestFirst) {
  ASSERT_TRUE(store_->SaveMonitor(MakeMonitor("m1", "a")).ok());
  model::MonitorSample s = MakeSample("m1", 2000, CheckVerdict::kSlow);
  s.status_code = 503;
  s.timings = {1.25, 2.5, 3.75, 100.125, 1234.5};
  s.error = "HTTP 503 — \"bad\"";
  s.evidence = "remote 127.0.0.1:80";
  MonitorResultsWrite w;
  w.samples = {MakeSample("m1", 1000), s, MakeSample("m1", 3000, CheckVerdict::kDown)};
  Record(w);
  auto all = store_->ListMonitorSamples("m1", 0, 10);
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ(all->at(0).at, 3000);
  EXPECT_EQ(all->at(0).verdict, CheckVerdict::kDown);
  const auto& got = all->at(1);
  EXPECT_EQ(got.monitor_id, "m1");
  EXPECT_EQ(got.at, 2000);
  EXPECT_EQ(got.verdict, CheckVerdict::kSlow);
  EXPECT_EQ(got.status_code, 503);
  EXPECT_EQ(got.timings.dns_ms, 1.25);
  EXPECT_EQ(got.timings.connect_ms, 2.5);
  EXPECT_EQ(got.timings.tls_ms, 3.75);
  EXPECT_EQ(got.timings.first_byte_ms, 100.125);
  EXPECT_EQ(got.timings.total_ms, 1234.5);
  EXPECT_EQ(got.error, s.error);
  EXPECT_EQ(got.evidence, s.evidence);
  EXPECT_EQ(all->at(2).at, 1000);

  auto limited = store_->ListMonitorSamples("m1", 0, 2);
  ASSERT_TRUE(limited.ok());
  ASSERT_EQ(limited->size(), 2u);
  EXPECT_EQ(limited->at(1).at, 2000);
  auto since = store_->ListMonitorSamples("m1", 2000, 10);  // at or after
  ASSERT_TRUE(since.ok());
  EXPECT_EQ(since->size(), 2u);
}

TEST_P(StoreMonitorContract, RollupsMergeIntoBuckets) {
  ASSERT_TRUE(store_->SaveMonitor(MakeMonitor("m1", "a")).ok());
  ASSERT_TRUE(store_->SaveMonitor(MakeMonitor("m2", "b")).ok());
  ASSERT_TRUE(store_->SaveMonitor(MakeMonitor("m3", "c", "p2")).ok());
  {
    MonitorResultsWrite w;
    model::MonitorRollup r = MakeRollup("m1", 'm', 60'000, 2, 100.5, 80.25);
    r.up = 1;
    r.down = 1;
    r.answered = 1;
    w.rollups = {r, MakeRollup("m1", 'm', 120'000, 1, 10, 10), MakeRollup("m2", 'm', 60'000, 1, 5, 5),
                 MakeRollup("m3", 'm', 60'000, 1, 5, 5)};
    Record(w);
  }
  {
    // The same bucket again (twice within one write, too): counts add up, max keeps the larger.
    MonitorResultsWrite w;
    model::MonitorRollup r = MakeRollup("m1", 'm', 60'000, 1, 20, 300.5);
    r.slow = 1;
    r.up = 0;
    w.rollups = {r, MakeRollup("m1", 'm', 60'000, 1, 1, 1), MakeRollup("m2", 'm', 60'000, 1, 1, 1)};
    Record(w);
  }
  auto one = store_->ListMonitorRollups("p1", "m1", 'm', 0);
  ASSERT_TRUE(one.ok()) << one.error().message;
  ASSERT_EQ(one->size(), 2u);
  const auto& b = one->at(0);
  EXPECT_EQ(b.monitor_id, "m1");
  EXPECT_EQ(b.granularity, 'm');
  EXPECT_EQ(b.bucket_start, 60'000);
  EXPECT_EQ(b.checks, 4);
  EXPECT_EQ(b.up, 2);
  EXPECT_EQ(b.slow, 1);
  EXPECT_EQ(b.down, 1);
  EXPECT_EQ(b.answered, 3);
  EXPECT_DOUBLE_EQ(b.latency_sum_ms, 121.5);
  EXPECT_DOUBLE_EQ(b.latency_max_ms, 300.5);
  EXPECT_EQ(one->at(1).bucket_start, 120'000);

  // A smaller max does not lower the stored one.
  {
    MonitorResultsWrite w;
    w.rollups = {MakeRollup("m2", 'm', 60'000, 1, 2, 2)};
    Record(w);
  }
  auto page = store_->ListMonitorRollups("p1", "", 'm', 0);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 3u);
  EXPECT_EQ(page->at(0).monitor_id, "m1");
  EXPECT_EQ(page->at(1).monitor_id, "m1");
  EXPECT_EQ(page->at(2).monitor_id, "m2");
  EXPECT_EQ(page->at(2).checks, 3);
  EXPECT_DOUBLE_EQ(page->at(2).latency_max_ms, 5);
  EXPECT_DOUBLE_EQ(page->at(2).latency_sum_ms, 8);

  auto since = store_->ListMonitorRollups("p1", "", 'm', 120'000);  // bucket_start >= since
  ASSERT_TRUE(since.ok());
  ASSERT_EQ(since->size(), 1u);
  EXPECT_EQ(since->front().bucket_start, 120'000);
  EXPECT_TRUE(store_->ListMonitorRollups("p1", "", 'd', 0)->empty());
  EXPECT_EQ(store_->ListMonitorRollups("p2", "", 'm', 0)->size(), 1u);
  EXPECT_TRUE(store_->ListMonitorRollups("p2", "m1", 'm', 0)->empty());
}

TEST_P(StoreMonitorContract, PruneDeletesOnlyOlderRows) {
  ASSERT_TRUE(store_->SaveMonitor(MakeMonitor("m1", "a")).ok());
  MonitorResultsWrite w;
  w.samples = {MakeSample("m1", 999), MakeSample("m1", 1000), MakeSample("m1", 1001)};
  w.rollups = {MakeRollup("m1", 'm', 59'999, 1, 1, 1), MakeRollup("m1", 'm', 60'000, 1, 1, 1),
               MakeRollup("m1", 'd', 0, 1, 1, 1), MakeRollup("m1", 'd', 86'400'000, 1, 1, 1)};
  Record(w);
  auto n = store_->PruneMonitorData(1000, 60'000, 86'400'000);
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 3);
  auto samples = store_->ListMonitorSamples("m1", 0, 10);
  ASSERT_EQ(samples->size(), 2u);
  EXPECT_EQ(samples->back().at, 1000);
  auto minutes = store_->ListMonitorRollups("p1", "m1", 'm', 0);
  ASSERT_EQ(minutes->size(), 1u);
  EXPECT_EQ(minutes->front().bucket_start, 60'000);
  auto days = store_->ListMonitorRollups("p1", "m1", 'd', 0);
  ASSERT_EQ(days->size(), 1u);
  EXPECT_EQ(days->front().bucket_start, 86'400'000);
  EXPECT_EQ(*store_->PruneMonitorData(1000, 60'000, 86'400'000), 0);
}

TEST_P(StoreMonitorContract, HeartbeatLookupAndRecording) {
  model::Monitor h = MakeMonitor("h1", "nightly backup");
  h.kind = model::MonitorKind::kHeartbeat;
  h.heartbeat_token_hash = "e3b0c442";
  ASSERT_TRUE(store_->SaveMonitor(h).ok());
  ASSERT_TRUE(store_->SaveMonitor(MakeMonitor("m1", "no token")).ok());
  auto found = store_->FindMonitorByHeartbeat("e3b0c442");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, "h1");
  EXPECT_FALSE(store_->FindMonitorByHeartbeat("other")->has_value());
  EXPECT_FALSE(store_->FindMonitorByHeartbeat("")->has_value());

  ASSERT_TRUE(store_->RecordHeartbeat("h1", 5000).ok());
  EXPECT_EQ(store_->GetMonitor("p1", "h1")->last_heartbeat_at, 5000);
  ASSERT_TRUE(store_->RecordHeartbeat("h1", 4000).ok());  // late and out of order: never backwards
  EXPECT_EQ(store_->GetMonitor("p1", "h1")->last_heartbeat_at, 5000);
  EXPECT_EQ(Code(store_->RecordHeartbeat("nope", 5000)), ErrorCode::kNotFound);

  // A results write carrying an older heartbeat time does not undo a newer call.
  MonitorResultsWrite w;
  model::Monitor stale = h;
  stale.state = MonitorState::kUp;
  stale.last_check_at = 6000;
  stale.last_heartbeat_at = 3000;
  w.monitors.push_back(stale);
  Record(w);
  auto got = store_->GetMonitor("p1", "h1");
  EXPECT_EQ(got->state, MonitorState::kUp);
  EXPECT_EQ(got->last_check_at, 6000);
  EXPECT_EQ(got->last_heartbeat_at, 5000);
}

TEST_P(StoreMonitorContract, ResultsWriteStateColumnsOnlyAndSkipDeletedMonitors) {
  ASSERT_TRUE(store_->SaveMonitor(MakeMonitor("m1", "a")).ok());
  ASSERT_TRUE(store_->SaveMonitor(MakeMonitor("m2", "b")).ok());
  MonitorResultsWrite w;
  model::Monitor m1 = MakeMonitor("m1", "stale name");  // the engine's copy of the definition
  m1.interval_ms = 5'000;
  m1.state = MonitorState::kDown;
  m1.state_since = 7000;
  m1.last_check_at = 7100;
  m1.last_heartbeat_at = 7200;
  m1.last_error = "connection refused";
  w.monitors.push_back(m1);
  model::Monitor gone = MakeMonitor("gone", "deleted meanwhile");
  gone.state = MonitorState::kUp;
  w.monitors.push_back(gone);
  w.samples = {MakeSample("m1", 7000), MakeSample("gone", 7000), MakeSample("m2", 7000)};
  w.rollups = {MakeRollup("gone", 'm', 0, 1, 1, 1), MakeRollup("m2", 'm', 0, 1, 1, 1)};
  w.alerts = {MakeAlert("a1", 7000, 7000)};
  Record(w);

  auto got = store_->GetMonitor("p1", "m1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "a");
  EXPECT_EQ(got->interval_ms, 60'000);
  EXPECT_EQ(got->state, MonitorState::kDown);
  EXPECT_EQ(got->state_since, 7000);
  EXPECT_EQ(got->last_check_at, 7100);
  EXPECT_EQ(got->last_heartbeat_at, 7200);
  EXPECT_EQ(got->last_error, "connection refused");
  EXPECT_EQ(got->updated_at, 300);
  EXPECT_EQ(store_->GetMonitor("p1", "gone").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->ListMonitorSamples("m1", 0, 10)->size(), 1u);
  EXPECT_EQ(store_->ListMonitorSamples("m2", 0, 10)->size(), 1u);
  EXPECT_TRUE(store_->ListMonitorSamples("gone", 0, 10)->empty());
  EXPECT_EQ(store_->ListMonitorRollups("", "m2", 'm', 0)->size(), 1u);
  EXPECT_EQ(store_->ListStaffAlerts("p1", 10)->size(), 1u);
}

TEST_P(StoreMonitorContract, ResultsWriteIsAtomic) {
  ASSERT_TRUE(store_->SaveMonitor(MakeMonitor("m1", "a")).ok());
  MonitorResultsWrite w;
  model::Monitor m1 = MakeMonitor("m1", "a");
  m1.state = MonitorState::kDown;
  m1.state_since = 7000;
  w.monitors.push_back(m1);
  w.samples = {MakeSample("m1", 7000)};
  w.rollups = {MakeRollup("m1", 'm', 0, 1, 1, 1)};
  w.alerts = {MakeAlert("a1", 7000, 7000), MakeAlert("", 7000, 7000)};  // the second is invalid
  auto st = store_->RecordMonitorResults(w);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(Code(st), ErrorCode::kInvalid);
  EXPECT_EQ(store_->GetMonitor("p1", "m1")->state, MonitorState::kUnknown);
  EXPECT_TRUE(store_->ListMonitorSamples("m1", 0, 10)->empty());
  EXPECT_TRUE(store_->ListMonitorRollups("p1", "m1", 'm', 0)->empty());
  EXPECT_TRUE(store_->ListStaffAlerts("p1", 10)->empty());

  w.alerts[1].id = "a2";
  w.alerts[1].kind = "";
  EXPECT_EQ(Code(store_->RecordMonitorResults(w)), ErrorCode::kInvalid);
  EXPECT_TRUE(store_->ListMonitorSamples("m1", 0, 10)->empty());

  w.alerts[1].kind = "monitor.up";
  Record(w);
  EXPECT_EQ(store_->GetMonitor("p1", "m1")->state, MonitorState::kDown);
  EXPECT_EQ(store_->ListStaffAlerts("p1", 10)->size(), 2u);
}

TEST_P(StoreMonitorContract, LargeBatchInOneWrite) {
  // One round of a busy instance: hundreds of monitors' samples, rollups and states.
  constexpr int kMonitors = 300;
  MonitorResultsWrite w;
  for (int i = 0; i < kMonitors; ++i) {
    model::Monitor m = MakeMonitor("m" + std::to_string(i), "monitor " + std::to_string(i));
    ASSERT_TRUE(store_->SaveMonitor(m).ok());
    m.state = MonitorState::kUp;
    m.last_check_at = 30'000;
    w.monitors.push_back(m);
    w.samples.push_back(MakeSample(m.id, 30'000));
    w.samples.push_back(MakeSample(m.id, 30'500));
    w.rollups.push_back(MakeRollup(m.id, 'm', 0, 2, 85, 42.5));
    w.rollups.push_back(MakeRollup(m.id, 'd', 0, 2, 85, 42.5));
  }
  Record(w);
  Record(w);
  auto rollups = store_->ListMonitorRollups("p1", "", 'd', 0);
  ASSERT_TRUE(rollups.ok());
  ASSERT_EQ(rollups->size(), static_cast<size_t>(kMonitors));
  for (const auto& r : *rollups) {
    EXPECT_EQ(r.checks, 4);
    EXPECT_DOUBLE_EQ(r.latency_sum_ms, 170);
  }
  EXPECT_EQ(store_->ListMonitorSamples("m299", 0, 10)->size(), 4u);
  auto all = store_->ListMonitors("p1");
  ASSERT_TRUE(all.ok());
  for (const auto& m : *all) EXPECT_EQ(m.state, MonitorState::kUp) << m.id;
}

TEST_P(StoreMonitorContract, ResultsSurviveConcurrentDeletes) {
  // Another instance (or staff) deletes monitors while results for them are being written: no
  // batch may fail because of it (no foreign-key error, no deadlock).
  constexpr int kMonitors = 40;
  for (int i = 0; i < kMonitors; ++i) ASSERT_TRUE(store_->SaveMonitor(MakeMonitor("m" + std::to_string(i), "x")).ok());
  auto other = Open();
  ASSERT_TRUE(other);
  std::thread deleter([&] {
    for (int i = kMonitors - 1; i >= 0; --i) {
      auto st = other->DeleteMonitor("p1", "m" + std::to_string(i));
      EXPECT_TRUE(st.ok()) << st.error().message;
    }
  });
  for (int round = 0; round < 20; ++round) {
    MonitorResultsWrite w;
    for (int i = 0; i < kMonitors; ++i) {
      model::Monitor m = MakeMonitor("m" + std::to_string(i), "x");
      m.state = MonitorState::kUp;
      m.last_check_at = round;
      w.monitors.push_back(m);
      w.samples.push_back(MakeSample(m.id, round));
      w.rollups.push_back(MakeRollup(m.id, 'm', 0, 1, 1, 1));
    }
    auto st = store_->RecordMonitorResults(w);
    EXPECT_TRUE(st.ok()) << st.error().message;
  }
  deleter.join();
  EXPECT_TRUE(store_->ListMonitors("p1")->empty());
  EXPECT_TRUE(store_->ListMonitorRollups("p1", "", 'm', 0)->empty());
  EXPECT_TRUE(store_->ListMonitorSamples("m0", 0, 0)->empty());
}

TEST_P(StoreMonitorContract, AutomationRules) {
  ASSERT_TRUE(store_->SaveComponent(MakeComponent("c0"), std::nullopt, Event("component.created", "c0", "p1")).ok());
  model::AutomationRule r;
  r.page_id = "p1";
  r.component_id = "c1";
  r.mode = model::AutomationMode::kDraft;
  r.draft_publish_after_ms = 123'000;
  r.incident_name = "{{component}} is down";
  r.incident_body = "We are looking into {{error}}.";
  r.notify = false;
  r.resolve_after_ms = 456'000;
  r.flap_window_ms = 789'000;
  r.open_incident_id = "i1";
  r.open_draft_id = "d1";
  r.recovered_at = 5000;
  r.updated_at = 6000;
  ASSERT_TRUE(store_->SaveAutomationRule(r).ok());
  model::AutomationRule r0;
  r0.page_id = "p1";
  r0.component_id = "c0";
  ASSERT_TRUE(store_->SaveAutomationRule(r0).ok());
  auto rules = store_->ListAutomationRules("p1");
  ASSERT_TRUE(rules.ok()) << rules.error().message;
  ASSERT_EQ(rules->size(), 2u);
  EXPECT_EQ(rules->at(0).component_id, "c0");
  EXPECT_EQ(rules->at(0).mode, model::AutomationMode::kPublish);
  const auto& got = rules->at(1);
  EXPECT_EQ(got.page_id, "p1");
  EXPECT_EQ(got.component_id, "c1");
  EXPECT_EQ(got.mode, model::AutomationMode::kDraft);
  EXPECT_EQ(got.draft_publish_after_ms, 123'000);
  EXPECT_EQ(got.incident_name, r.incident_name);
  EXPECT_EQ(got.incident_body, r.incident_body);
  EXPECT_FALSE(got.notify);
  EXPECT_EQ(got.resolve_after_ms, 456'000);
  EXPECT_EQ(got.flap_window_ms, 789'000);
  EXPECT_EQ(got.open_incident_id, "i1");
  EXPECT_EQ(got.open_draft_id, "d1");
  EXPECT_EQ(got.recovered_at, 5000);
  EXPECT_EQ(got.updated_at, 6000);

  // Upsert by (page, component).
  r.mode = model::AutomationMode::kOff;
  r.open_incident_id.clear();
  ASSERT_TRUE(store_->SaveAutomationRule(r).ok());
  rules = store_->ListAutomationRules("p1");
  ASSERT_EQ(rules->size(), 2u);
  EXPECT_EQ(rules->at(1).mode, model::AutomationMode::kOff);
  EXPECT_EQ(rules->at(1).open_incident_id, "");

  // Missing or foreign component.
  r.component_id = "missing";
  EXPECT_EQ(Code(store_->SaveAutomationRule(r)), ErrorCode::kNotFound);
  r.component_id = "c2";
  EXPECT_EQ(Code(store_->SaveAutomationRule(r)), ErrorCode::kNotFound);

  ASSERT_TRUE(store_->DeleteAutomationRule("p1", "c1").ok());
  EXPECT_EQ(Code(store_->DeleteAutomationRule("p1", "c1")), ErrorCode::kNotFound);
  EXPECT_EQ(store_->ListAutomationRules("p1")->size(), 1u);
  // A deleted component takes its rule along.
  ASSERT_TRUE(store_->DeleteComponent("p1", "c0", Event("component.deleted", "c0", "p1")).ok());
  EXPECT_TRUE(store_->ListAutomationRules("p1")->empty());
}

TEST_P(StoreMonitorContract, IncidentDrafts) {
  model::IncidentDraft d;
  d.id = "d1";
  d.page_id = "p1";
  d.component_id = "c1";
  d.monitor_id = "m1";
  d.name = "API is down";
  d.body = "We are investigating.";
  d.impact = model::Impact::kCritical;
  d.component_status = ComponentStatus::kPartialOutage;
  d.publish_at = 9000;
  d.created_at = 1000;
  d.updated_at = 1000;
  ASSERT_TRUE(store_->SaveIncidentDraft(d).ok());
  auto got = store_->GetIncidentDraft("p1", "d1");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got->id, "d1");
  EXPECT_EQ(got->page_id, "p1");
  EXPECT_EQ(got->component_id, "c1");
  EXPECT_EQ(got->monitor_id, "m1");
  EXPECT_EQ(got->name, d.name);
  EXPECT_EQ(got->body, d.body);
  EXPECT_EQ(got->impact, model::Impact::kCritical);
  EXPECT_EQ(got->component_status, ComponentStatus::kPartialOutage);
  EXPECT_EQ(got->state, model::DraftState::kWaiting);
  EXPECT_EQ(got->publish_at, 9000);
  EXPECT_EQ(got->incident_id, "");
  EXPECT_EQ(got->created_at, 1000);
  EXPECT_EQ(got->updated_at, 1000);
  EXPECT_EQ(store_->GetIncidentDraft("p2", "d1").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetIncidentDraft("p1", "nope").error().code, ErrorCode::kNotFound);

  model::IncidentDraft d2 = d;
  d2.id = "d2";
  d2.created_at = 2000;
  ASSERT_TRUE(store_->SaveIncidentDraft(d2).ok());
  model::IncidentDraft d3 = d;
  d3.id = "d3";
  d3.page_id = "p2";
  d3.created_at = 3000;
  ASSERT_TRUE(store_->SaveIncidentDraft(d3).ok());

  // Publishing d1 (upsert by id).
  d.state = model::DraftState::kPublished;
  d.incident_id = "i1";
  d.updated_at = 4000;
  ASSERT_TRUE(store_->SaveIncidentDraft(d).ok());
  EXPECT_EQ(store_->GetIncidentDraft("p1", "d1")->incident_id, "i1");
  EXPECT_EQ(store_->GetIncidentDraft("p1", "d1")->state, model::DraftState::kPublished);

  EXPECT_EQ(Ids(*store_->ListIncidentDrafts("p1", false)), (std::vector<std::string>{"d2", "d1"}));
  EXPECT_EQ(Ids(*store_->ListIncidentDrafts("p1", true)), (std::vector<std::string>{"d2"}));
  EXPECT_EQ(Ids(*store_->ListIncidentDrafts("", true)), (std::vector<std::string>{"d3", "d2"}));
  EXPECT_EQ(Ids(*store_->ListIncidentDrafts("", false)), (std::vector<std::string>{"d3", "d2", "d1"}));
  model::IncidentDraft moved = d3;  // d3's id, claimed by another page
  moved.page_id = "p1";
  EXPECT_EQ(Code(store_->SaveIncidentDraft(moved)), ErrorCode::kConflict);
}

TEST_P(StoreMonitorContract, AlertTargets) {
  model::AlertTarget t;
  t.id = "t1";
  t.page_id = "p1";
  t.name = "On-call";
  t.channel = model::ChannelKind::kWebhook;
  t.address = "https://hooks.example.com/x";
  t.secret = "whsec_abc";
  t.created_at = 1000;
  ASSERT_TRUE(store_->SaveAlertTarget(t).ok());
  model::AlertTarget t2 = t;
  t2.id = "t2";
  t2.channel = model::ChannelKind::kEmail;
  t2.address = "ops@example.com";
  t2.secret = "";
  t2.created_at = 2000;
  ASSERT_TRUE(store_->SaveAlertTarget(t2).ok());
  t.name = "Pager";
  ASSERT_TRUE(store_->SaveAlertTarget(t).ok());
  auto all = store_->ListAlertTargets("p1");
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(Ids(*all), (std::vector<std::string>{"t1", "t2"}));
  EXPECT_EQ(all->at(0).name, "Pager");
  EXPECT_EQ(all->at(0).page_id, "p1");
  EXPECT_EQ(all->at(0).channel, model::ChannelKind::kWebhook);
  EXPECT_EQ(all->at(0).address, t.address);
  EXPECT_EQ(all->at(0).secret, "whsec_abc");
  EXPECT_EQ(all->at(0).created_at, 1000);
  EXPECT_EQ(all->at(1).channel, model::ChannelKind::kEmail);
  EXPECT_TRUE(store_->ListAlertTargets("p2")->empty());
  model::AlertTarget missing_page = t;
  missing_page.id = "t3";
  missing_page.page_id = "nopage";
  EXPECT_EQ(Code(store_->SaveAlertTarget(missing_page)), ErrorCode::kNotFound);
  EXPECT_EQ(Code(store_->DeleteAlertTarget("p2", "t1")), ErrorCode::kNotFound);
  ASSERT_TRUE(store_->DeleteAlertTarget("p1", "t1").ok());
  EXPECT_EQ(Code(store_->DeleteAlertTarget("p1", "t1")), ErrorCode::kNotFound);
  EXPECT_EQ(Ids(*store_->ListAlertTargets("p1")), (std::vector<std::string>{"t2"}));
}

TEST_P(StoreMonitorContract, StaffAlertsRoundTripAndFinish) {
  model::StaffAlert a = MakeAlert("a1", 1000, 1000);
  a.facts = {{"Status", "503"}, {"Error", "HTTP 503 — \"bad\""}, {"Address", "127.0.0.1"}};
  ASSERT_TRUE(store_->AddStaffAlerts({a, MakeAlert("a2", 2000, 2000), MakeAlert("b1", 1500, 1500, "p2")}).ok());
  // An existing id is left alone.
  model::StaffAlert dup = a;
  dup.subject = "changed";
  ASSERT_TRUE(store_->AddStaffAlerts({dup}).ok());
  ASSERT_TRUE(store_->AddStaffAlerts({}).ok());

  auto list = store_->ListStaffAlerts("p1", 10);
  ASSERT_TRUE(list.ok()) << list.error().message;
  ASSERT_EQ(Ids(*list), (std::vector<std::string>{"a2", "a1"}));
  const auto& got = list->at(1);
  EXPECT_EQ(got.page_id, "p1");
  EXPECT_EQ(got.target_id, "t1");
  EXPECT_EQ(got.monitor_id, "m1");
  EXPECT_EQ(got.kind, "monitor.down");
  EXPECT_EQ(got.subject, "API is down");
  EXPECT_EQ(got.text, "HTTP 503");
  EXPECT_EQ(got.facts, a.facts);
  EXPECT_EQ(got.state, DeliveryState::kPending);
  EXPECT_EQ(got.attempts, 0);
  EXPECT_EQ(got.next_attempt_at, 1000);
  EXPECT_EQ(got.created_at, 1000);
  EXPECT_EQ(Ids(*store_->ListStaffAlerts("p1", 1)), (std::vector<std::string>{"a2"}));
  EXPECT_EQ(Ids(*store_->ListStaffAlerts("", 10)), (std::vector<std::string>{"a2", "b1", "a1"}));

  // Oldest due first, leased until lease_until; not due ones wait.
  auto claimed = store_->ClaimDueStaffAlerts(1500, 61'500, 10);
  ASSERT_TRUE(claimed.ok()) << claimed.error().message;
  EXPECT_EQ(Ids(*claimed), (std::vector<std::string>{"a1", "b1"}));
  EXPECT_EQ(claimed->front().next_attempt_at, 61'500);
  EXPECT_EQ(claimed->front().facts, a.facts);
  EXPECT_EQ(Ids(*store_->ClaimDueStaffAlerts(2000, 62'000, 10)), (std::vector<std::string>{"a2"}));
  EXPECT_TRUE(store_->ClaimDueStaffAlerts(3000, 63'000, 10)->empty());

  // a1 delivered, b1 retrying later, a2 failed for good.
  model::StaffAlert done = claimed->at(0);
  done.state = DeliveryState::kDelivered;
  done.attempts = 1;
  done.next_attempt_at = 0;
  done.updated_at = 3000;
  done.last_status = 200;
  model::StaffAlert retry = claimed->at(1);
  retry.state = DeliveryState::kRetrying;
  retry.attempts = 1;
  retry.next_attempt_at = 10'000;
  retry.updated_at = 3000;
  retry.last_status = 503;
  retry.last_error = "HTTP 503";
  model::StaffAlert failed = MakeAlert("a2", 2000, 0);
  failed.state = DeliveryState::kFailed;
  failed.attempts = 5;
  failed.updated_at = 3000;
  failed.last_status = 410;
  failed.last_error = "gone";
  ASSERT_TRUE(store_->FinishStaffAlerts({done, retry, failed}).ok());
  ASSERT_TRUE(store_->FinishStaffAlerts({}).ok());
  auto after = store_->ListStaffAlerts("", 10);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 3u);
  for (const auto& x : *after) {
    if (x.id == "a1") {
      EXPECT_EQ(x.state, DeliveryState::kDelivered);
      EXPECT_EQ(x.attempts, 1);
      EXPECT_EQ(x.last_status, 200);
      EXPECT_EQ(x.updated_at, 3000);
      EXPECT_EQ(x.subject, "API is down");  // only the delivery columns change
    } else if (x.id == "b1") {
      EXPECT_EQ(x.state, DeliveryState::kRetrying);
      EXPECT_EQ(x.next_attempt_at, 10'000);
      EXPECT_EQ(x.last_error, "HTTP 503");
    } else {
      EXPECT_EQ(x.state, DeliveryState::kFailed);
      EXPECT_EQ(x.attempts, 5);
      EXPECT_EQ(x.last_status, 410);
      EXPECT_EQ(x.last_error, "gone");
    }
  }
  EXPECT_TRUE(store_->ClaimDueStaffAlerts(9999, 99'999, 10)->empty());
  EXPECT_EQ(Ids(*store_->ClaimDueStaffAlerts(10'000, 70'000, 10)), (std::vector<std::string>{"b1"}));
  EXPECT_EQ(Code(store_->AddStaffAlerts({MakeAlert("", 1, 1)})), ErrorCode::kInvalid);
}

TEST_P(StoreMonitorContract, ConcurrentClaimsAreDisjoint) {
  constexpr int kAlerts = 60;
  std::vector<model::StaffAlert> alerts;
  for (int i = 0; i < kAlerts; ++i) alerts.push_back(MakeAlert("a" + std::to_string(100 + i), 1000 + i, 1000));
  ASSERT_TRUE(store_->AddStaffAlerts(alerts).ok());
  auto other = Open();  // a second instance sharing the database
  ASSERT_TRUE(other);
  std::vector<std::string> got[2];
  auto worker = [](Store* s, std::vector<std::string>* out) {
    for (int round = 0; round < kAlerts; ++round) {  // bounded
      auto c = s->ClaimDueStaffAlerts(5000, 100'000, 4);
      if (!c.ok()) {
        ADD_FAILURE() << c.error().message;
        return;
      }
      if (c->empty()) return;
      for (const auto& a : *c) out->push_back(a.id);
    }
  };
  std::thread t1(worker, store_.get(), &got[0]);
  std::thread t2(worker, other.get(), &got[1]);
  t1.join();
  t2.join();
  std::set<std::string> all(got[0].begin(), got[0].end());
  for (const auto& id : got[1]) EXPECT_TRUE(all.insert(id).second) << id << " claimed twice";
  EXPECT_EQ(all.size(), static_cast<size_t>(kAlerts));
  EXPECT_EQ(got[0].size() + got[1].size(), static_cast<size_t>(kAlerts));
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreMonitorContract, testing::ValuesIn(ContractBackends()), BackendLabel);

}  // namespace
}  // namespace herald::store
