// The monitor engine end to end on a real SQLite store: fake probes whose verdicts the test sets
// (completing at once, or held to simulate a hanging check), a FakeClock stepped a second at a
// time (no sleeps), real services for components and incidents, and staff alerts delivered by
// the real WebhookChannel over the real CurlEngine to tests/fixtures/webhook_receiver.py.
#include "monitor/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "core/text.h"
#include "core/time.h"
#include "net/sync_http_client_testing.h"
#include "notify/webhook/standard_webhooks.h"
#include "notify/webhook/webhook_channel.h"
#include "service/services.h"
#include "store/fault_store_testing.h"
#include "testing/fixture_process.h"

namespace herald::monitor {
namespace {

namespace fs = std::filesystem;
using model::CheckVerdict;
using model::ComponentStatus;
using model::IncidentStatus;
using model::MonitorState;

// A probe whose verdict per monitor the test sets. Completes at once unless `hold` is set; held
// checks complete when the test releases them.
class FakeProbe final : public Probe {
 public:
  model::MonitorKind Kind() const override { return model::MonitorKind::kHttp; }
  Status Validate(const model::ProbeSpec&, const std::string&) const override { return {}; }
  void Start(const model::Monitor& m, std::function<void(ProbeResult)> done) override {
    ++starts[m.id];
    ++running;
    max_running = std::max(max_running, running);
    ProbeResult r;
    auto it = next.find(m.id);
    if (it != next.end()) {
      r.sample = it->second;
    } else {
      r.sample.verdict = CheckVerdict::kUp;
      r.sample.status_code = 200;
      r.sample.timings.total_ms = 12;
    }
    if (hold) {
      held.emplace_back(std::move(done), std::move(r));
      return;
    }
    --running;
    done(std::move(r));
  }
  void Set(const std::string& id, CheckVerdict v, int status = 0, std::string error = {}) {
    model::MonitorSample s;
    s.verdict = v;
    s.status_code = status;
    s.error = std::move(error);
    s.timings.dns_ms = 1;
    s.timings.connect_ms = 2;
    s.timings.first_byte_ms = 40;
    s.timings.total_ms = 41;
    s.evidence = "remote 127.0.0.1:443";
    next[id] = s;
  }
  void Release() {
    auto h = std::move(held);
    held.clear();
    for (auto& [done, r] : h) {
      --running;
      done(std::move(r));
    }
  }
  int Starts(const std::string& id) { return starts[id]; }

  std::map<std::string, model::MonitorSample> next;
  std::map<std::string, int> starts;
  bool hold = false;
  int running = 0, max_running = 0;
  std::vector<std::pair<std::function<void(ProbeResult)>, ProbeResult>> held;
};

class MonitorEngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    secret_ = notify::NewWebhookSecret();
    auto script = herald::testing::FindFixture("webhook_receiver.py");
    ASSERT_TRUE(script) << "tests/fixtures/webhook_receiver.py not found: set HERALD_SOURCE_DIR";
    char dir_template[] = "/tmp/herald-mon-XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    receiver_dir_ = dir_template;
    log_ = receiver_dir_ / "posts.jsonl";
    std::string error;
    // --tolerance 0: the webhook timestamps come from the FakeClock.
    ASSERT_TRUE(receiver_.Start(
        {"python3", "-S", script->string(), log_.string(), "--secret", secret_, "--tolerance", "0"}, &error))
        << error;
  }
  static void TearDownTestSuite() {
    receiver_.Stop();
    std::error_code ec;
    fs::remove_all(receiver_dir_, ec);
  }

  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("herald_monitor_" + RandomHex(6));
    fs::create_directories(dir_);
    auto s = store::OpenStore("sqlite:" + (dir_ / "h.db").string());
    ASSERT_TRUE(s.ok()) << s.error().message;
    real_ = std::move(*s);
    ASSERT_TRUE(real_->Migrate().ok());
    store_ = std::make_unique<store::testing::FaultStore>(*real_);
    clock_.Set(*ParseIso8601("2026-03-02T14:02:00Z"));
    service::PageService pages({*store_, clock_});
    service::PageInput pin;
    pin.name = "Acme";
    pin.slug = "acme";
    pin.is_default = true;
    page_id_ = pages.Create(pin)->id;
    service::ComponentService comps({*store_, clock_});
    service::ComponentInput api;
    api.name = "API";
    api_id_ = comps.Create(page_id_, api, false)->id;
    service::ComponentInput web;
    web.name = "Website";
    web_id_ = comps.Create(page_id_, web, false)->id;

    notify::WebhookOptions wo;
    wo.allow_http = true;
    wo.check_url = [](std::string_view url, const std::string&) -> Result<std::string> { return std::string(url); };
    channels_.Add(std::make_unique<notify::WebhookChannel>(http_, clock_, wo));
    alerter_ = std::make_unique<StaffAlerter>(*store_, clock_, channels_);
    hook_path_ = "/staff-" + RandomHex(4);
  }

  void TearDown() override {
    engine_.reset();
    alerter_.reset();
    store_.reset();
    real_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::unique_ptr<MonitorEngine> MakeEngine() {
    EngineDeps deps{*store_, clock_, [this](model::MonitorKind) -> Probe* { return &probe_; },
                    [this](const model::IncidentDraft& d) { return PublishDraft(d); }, alerter_.get()};
    return std::make_unique<MonitorEngine>(deps);
  }

  // What the management API's "publish draft" does.
  Result<model::Incident> PublishDraft(const model::IncidentDraft& d) {
    ++published_drafts_;
    service::IncidentService svc({*store_, clock_});
    service::IncidentInput in;
    in.name = d.name;
    in.body = d.body;
    in.impact = d.impact;
    in.status = IncidentStatus::kInvestigating;
    in.components[d.component_id] = d.component_status;
    auto inc = svc.Create(d.page_id, in);
    if (!inc) return inc;
    auto draft = d;
    draft.state = model::DraftState::kPublished;
    draft.incident_id = inc->id;
    draft.updated_at = clock_.Now();
    EXPECT_TRUE(store_->SaveIncidentDraft(draft).ok());
    return inc;
  }

  std::string AddMonitor(const std::string& name, const std::string& component_id, int n = 2, int m = 3, int k = 2,
                         ComponentStatus down = ComponentStatus::kMajorOutage) {
    model::Monitor mon;
    mon.id = NewId();
    mon.page_id = page_id_;
    mon.component_id = component_id;
    mon.name = name;
    mon.kind = model::MonitorKind::kHttp;
    mon.spec.target = "https://api.acme.test/health";
    mon.interval_ms = 5'000;
    mon.timeout_ms = 4'000;
    mon.failures_to_down = n;
    mon.failure_window = m;
    mon.successes_to_up = k;
    mon.down_status = down;
    mon.created_at = clock_.Now();
    mon.updated_at = clock_.Now();
    auto st = store_->SaveMonitor(mon);
    EXPECT_TRUE(st.ok()) << st.error().message;
    return mon.id;
  }

  void AddRule(model::AutomationMode mode, const std::string& component_id) {
    model::AutomationRule r;
    r.page_id = page_id_;
    r.component_id = component_id;
    r.mode = mode;
    r.draft_publish_after_ms = 5 * 60'000;
    r.resolve_after_ms = 60'000;
    r.flap_window_ms = 5 * 60'000;
    r.updated_at = clock_.Now();
    auto st = store_->SaveAutomationRule(r);
    ASSERT_TRUE(st.ok()) << st.error().message;
  }

  void AddTarget() {
    model::AlertTarget t;
    t.id = NewId();
    t.page_id = page_id_;
    t.name = "on-call webhook";
    t.channel = model::ChannelKind::kWebhook;
    t.address = "http://127.0.0.1:" + std::to_string(receiver_.port()) + hook_path_;
    t.secret = secret_;
    t.created_at = clock_.Now();
    auto st = store_->SaveAlertTarget(t);
    ASSERT_TRUE(st.ok()) << st.error().message;
  }

  // Steps the engine a second at a time until `id` has started `n` more checks (bounded).
  void RunChecks(const std::string& id, int n) {
    if (!engine_) engine_ = MakeEngine();
    const int target = probe_.Starts(id) + n;
    for (int i = 0; i < 60 * n + 10 && probe_.Starts(id) < target; ++i) {
      clock_.Advance(1000);
      engine_->Step();
    }
    ASSERT_EQ(probe_.Starts(id), target) << "monitor not checked";
  }
  void RunChecks(const std::string& id, CheckVerdict v, int n, int status = 0, std::string error = {}) {
    probe_.Set(id, v, status, std::move(error));
    RunChecks(id, n);
  }
  // Steps for `ms` of fake time, a second at a time.
  void RunFor(TimeMs ms) {
    if (!engine_) engine_ = MakeEngine();
    for (TimeMs t = 0; t < ms; t += 1000) {
      clock_.Advance(1000);
      engine_->Step();
    }
  }

  ComponentStatus StatusOf(const std::string& component_id) {
    auto c = store_->GetComponent(page_id_, component_id);
    EXPECT_TRUE(c.ok());
    return c.ok() ? c->status : ComponentStatus::kUnderMaintenance;
  }
  std::vector<model::Incident> Incidents() {
    store::IncidentFilter f;
    f.maintenance = false;
    auto list = store_->ListIncidents(page_id_, f);
    EXPECT_TRUE(list.ok());
    return list.ok() ? *list : std::vector<model::Incident>{};
  }
  model::AutomationRule Rule(const std::string& component_id) {
    auto rules = store_->ListAutomationRules(page_id_);
    EXPECT_TRUE(rules.ok());
    for (const auto& r : *rules)
      if (r.component_id == component_id) return r;
    ADD_FAILURE() << "no rule";
    return {};
  }
  std::vector<ComponentStatus> History(const std::string& component_id) {
    std::vector<ComponentStatus> out;
    auto h = store_->StatusHistory(page_id_, 0);
    EXPECT_TRUE(h.ok());
    for (const auto& c : *h)
      if (c.component_id == component_id) out.push_back(c.status);
    return out;
  }
  std::vector<boost::json::object> Posts() {
    std::vector<boost::json::object> out;
    std::ifstream in(log_);
    for (std::string line; std::getline(in, line);) {
      auto record = boost::json::parse(line).as_object();
      if (record.at("path").as_string() == hook_path_) out.push_back(std::move(record));
    }
    return out;
  }

  static inline herald::testing::FixtureProcess receiver_;
  static inline fs::path receiver_dir_, log_;
  static inline std::string secret_;

  fs::path dir_;
  std::unique_ptr<store::Store> real_;
  std::unique_ptr<store::testing::FaultStore> store_;
  FakeClock clock_;
  FakeProbe probe_;
  net::SyncHttpClient http_;
  notify::Channels channels_;
  std::unique_ptr<StaffAlerter> alerter_;
  std::unique_ptr<MonitorEngine> engine_;
  std::string page_id_, api_id_, web_id_, hook_path_;
  int published_drafts_ = 0;
};

TEST_F(MonitorEngineTest, NOfMDownAndKToRecoverDriveComponentStatusAndHistory) {
  const auto id = AddMonitor("API health", api_id_, /*n=*/2, /*m=*/3, /*k=*/2);
  RunChecks(id, CheckVerdict::kUp, 2);
  EXPECT_EQ(engine_->StateOf(id), MonitorState::kUp);
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kOperational);
  // down, up, down: two of the last three failed.
  RunChecks(id, CheckVerdict::kDown, 1, 503, "HTTP 503");
  EXPECT_EQ(engine_->StateOf(id), MonitorState::kUp);
  RunChecks(id, CheckVerdict::kUp, 1);
  RunChecks(id, CheckVerdict::kDown, 1, 503, "HTTP 503");
  EXPECT_EQ(engine_->StateOf(id), MonitorState::kDown);
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kMajorOutage);
  auto stored = store_->GetMonitor(page_id_, id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->state, MonitorState::kDown);
  EXPECT_EQ(stored->last_error, "HTTP 503");
  // One good check is not enough; two are.
  RunChecks(id, CheckVerdict::kUp, 1);
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kMajorOutage);
  RunChecks(id, CheckVerdict::kUp, 1);
  EXPECT_EQ(engine_->StateOf(id), MonitorState::kUp);
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kOperational);
  EXPECT_EQ(History(api_id_),
            (std::vector{ComponentStatus::kOperational, ComponentStatus::kMajorOutage, ComponentStatus::kOperational}));
  // Every result was written, with its rollups.
  RunFor(2000);
  auto samples = store_->ListMonitorSamples(id, 0, 100);
  ASSERT_TRUE(samples.ok());
  EXPECT_EQ(samples->size(), 7u);
  auto minutes = store_->ListMonitorRollups(page_id_, id, 'm', 0);
  ASSERT_TRUE(minutes.ok());
  std::int64_t checks = 0, down = 0;
  for (const auto& r : *minutes) {
    checks += r.checks;
    down += r.down;
  }
  EXPECT_EQ(checks, 7);
  EXPECT_EQ(down, 2);
  auto days = store_->ListMonitorRollups(page_id_, id, 'd', 0);
  ASSERT_TRUE(days.ok());
  ASSERT_EQ(days->size(), 1u);
  EXPECT_EQ((*days)[0].checks, 7);
  EXPECT_EQ((*days)[0].up, 5);
  EXPECT_EQ((*days)[0].answered, 5 + 2);  // the 503s got an answer
  EXPECT_GE(engine_->stats().checks_completed.load(), 7);
  // Stepped once a second, no check started more than a second late.
  EXPECT_GT(engine_->stats().LagQuantileMs(0.99), 0);
  EXPECT_LE(engine_->stats().LagQuantileMs(0.99), 1000);
  EXPECT_LT(engine_->stats().lag_max_ms.load(), 1000);
  const std::string metrics = MetricsText(engine_->stats());
  EXPECT_NE(metrics.find("\nherald_monitor_checks_total 7\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("herald_monitor_schedule_lag_seconds{quantile=\"0.99\"} "), std::string::npos);
  EXPECT_NE(metrics.find("\nherald_monitor_write_failures_total 0\n"), std::string::npos);
}

TEST_F(MonitorEngineTest, ComponentIsTheWorstOfItsMonitorsDegradedVersusDown) {
  const auto slow = AddMonitor("latency", api_id_, 2, 2, 1);
  const auto partial = AddMonitor("eu region", api_id_, 2, 2, 1, ComponentStatus::kPartialOutage);
  probe_.Set(partial, CheckVerdict::kUp);
  RunChecks(slow, CheckVerdict::kSlow, 2);
  RunChecks(partial, 1);
  EXPECT_EQ(engine_->StateOf(slow), MonitorState::kDegraded);
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kDegradedPerformance);
  RunChecks(partial, CheckVerdict::kDown, 2);
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kPartialOutage);
  RunChecks(partial, CheckVerdict::kUp, 1);
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kDegradedPerformance);
  RunChecks(slow, CheckVerdict::kUp, 1);
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kOperational);
  EXPECT_EQ(History(api_id_), (std::vector{ComponentStatus::kOperational, ComponentStatus::kDegradedPerformance,
                                           ComponentStatus::kPartialOutage, ComponentStatus::kDegradedPerformance,
                                           ComponentStatus::kOperational}));
  EXPECT_EQ(StatusOf(web_id_), ComponentStatus::kOperational);  // not driven by these monitors
}

// A monitor degraded by slow checks says why in last_error (a TLS certificate about to expire),
// not only in its results. Regression: last_error stayed empty for a degraded monitor.
TEST_F(MonitorEngineTest, ADegradedMonitorKeepsItsReasonInLastError) {
  const auto id = AddMonitor("API certificate", api_id_);
  RunChecks(id, CheckVerdict::kUp, 1);
  RunChecks(id, CheckVerdict::kSlow, 3, 0, "certificate expires in 5 days (2026-03-07)");
  RunFor(2'000);
  auto m = store_->GetMonitor(page_id_, id);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->state, MonitorState::kDegraded);
  EXPECT_EQ(m->last_error, "certificate expires in 5 days (2026-03-07)");
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kDegradedPerformance);
}

TEST_F(MonitorEngineTest, ACheckStillRunningIsNotStartedTwice) {
  const auto id = AddMonitor("slow target", api_id_);
  probe_.hold = true;
  RunChecks(id, 1);
  RunFor(30'000);  // six more intervals pass while the check hangs
  EXPECT_EQ(probe_.Starts(id), 1);
  EXPECT_EQ(probe_.max_running, 1);
  EXPECT_GE(engine_->stats().checks_skipped.load(), 5);
  EXPECT_EQ(engine_->stats().in_flight.load(), 1);
  probe_.hold = false;
  probe_.Release();
  RunChecks(id, 1);  // the next slot runs again
  EXPECT_EQ(probe_.max_running, 1);
  EXPECT_EQ(engine_->stats().in_flight.load(), 0);
}

TEST_F(MonitorEngineTest, MaintenanceRecordsResultsButSuppressesStatusIncidentsAndAlerts) {
  AddTarget();
  AddRule(model::AutomationMode::kPublish, api_id_);
  const auto id = AddMonitor("API health", api_id_);
  RunChecks(id, CheckVerdict::kUp, 1);
  service::IncidentService incidents({*store_, clock_});
  service::IncidentInput in;
  in.name = "Database upgrade";
  in.scheduled_for = clock_.Now() - 60'000;
  in.scheduled_until = clock_.Now() + 3'600'000;
  in.component_ids = std::vector<std::string>{api_id_};
  ASSERT_TRUE(incidents.Create(page_id_, in).ok());
  ASSERT_EQ(*incidents.RunMaintenanceTransitions(), 1);
  ASSERT_EQ(StatusOf(api_id_), ComponentStatus::kUnderMaintenance);

  RunChecks(id, CheckVerdict::kDown, 3, 503, "HTTP 503");
  alerter_->Step();
  // The monitor's own state and results are recorded...
  EXPECT_EQ(engine_->StateOf(id), MonitorState::kDown);
  EXPECT_EQ(store_->GetMonitor(page_id_, id)->state, MonitorState::kDown);
  EXPECT_EQ(store_->ListMonitorSamples(id, 0, 100)->size(), 4u);
  // ...but nobody is told and the component stays under maintenance.
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kUnderMaintenance);
  EXPECT_TRUE(Incidents().empty());
  EXPECT_TRUE(store_->ListStaffAlerts(page_id_, 10)->empty());
  EXPECT_TRUE(Posts().empty());
}

TEST_F(MonitorEngineTest, MaintenanceEndingWhileStillDownOpensTheIncident) {
  AddRule(model::AutomationMode::kPublish, api_id_);
  const auto id = AddMonitor("API health", api_id_);
  RunChecks(id, CheckVerdict::kUp, 1);
  service::IncidentService incidents({*store_, clock_});
  service::IncidentInput in;
  in.name = "Database upgrade";
  in.scheduled_for = clock_.Now() - 60'000;
  in.scheduled_until = clock_.Now() + 30'000;
  in.component_ids = std::vector<std::string>{api_id_};
  ASSERT_TRUE(incidents.Create(page_id_, in).ok());
  ASSERT_EQ(*incidents.RunMaintenanceTransitions(), 1);
  RunChecks(id, CheckVerdict::kDown, 3);
  EXPECT_TRUE(Incidents().empty());
  RunFor(30'000);
  ASSERT_EQ(*incidents.RunMaintenanceTransitions(), 1);  // completed: API back to operational
  RunFor(11'000);                                        // the engine's next reload sees it
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kMajorOutage);
  EXPECT_EQ(Incidents().size(), 1u);
}

// A component's status is the worst of everything active on it: an open incident (here
// partial_outage), a maintenance in progress (under_maintenance; its monitors do not count while
// it lasts) and its monitor (major_outage when down). Every order of the six starts and ends
// (each cause starts before it ends: 6!/2^3 = 90 orders) must show, after every step, the worst
// of the causes active then; when one ends the component returns to the worst of the rest, never
// simply to operational. Regression: ending a maintenance (or an incident) set operational.
TEST_F(MonitorEngineTest, StatusIsTheWorstOfActiveCausesInEveryOrderOfStartsAndEnds) {
  enum Event { kIncidentOpens, kIncidentResolves, kMaintenanceStarts, kMaintenanceEnds, kMonitorDown, kMonitorUp };
  const char* names[] = {"incident opens",   "incident resolves", "maintenance starts",
                         "maintenance ends", "monitor down",      "monitor up"};
  std::vector<int> order = {0, 1, 2, 3, 4, 5};
  int orders = 0;
  service::IncidentService incidents({*store_, clock_});
  service::ComponentService comps({*store_, clock_});
  do {
    // Each cause starts before it ends.
    auto pos = [&](int e) { return std::find(order.begin(), order.end(), e) - order.begin(); };
    if (pos(kIncidentOpens) > pos(kIncidentResolves) || pos(kMaintenanceStarts) > pos(kMaintenanceEnds) ||
        pos(kMonitorDown) > pos(kMonitorUp))
      continue;
    ++orders;
    service::ComponentInput cin;
    cin.name = "Invoices " + std::to_string(orders);
    const std::string cid = comps.Create(page_id_, cin, false)->id;
    const auto mon = AddMonitor("Invoices health", cid);
    engine_ = MakeEngine();
    RunChecks(mon, CheckVerdict::kUp, 2);
    std::string incident_id, maintenance_id;
    TimeMs maintenance_until = 0;
    bool incident = false, maintenance = false, down = false;
    std::string trace;
    for (int e : order) {
      trace += std::string(trace.empty() ? "" : ", ") + names[e];
      switch (e) {
        case kIncidentOpens: {
          service::IncidentInput in;
          in.name = "Invoices fail";
          in.body = "Some invoices fail.";
          in.components[cid] = ComponentStatus::kPartialOutage;
          auto r = incidents.Create(page_id_, in);
          ASSERT_TRUE(r.ok()) << r.error().message;
          incident_id = r->id;
          incident = true;
          break;
        }
        case kIncidentResolves: {
          service::IncidentInput in;
          in.status = IncidentStatus::kResolved;
          in.body = "Fixed.";
          ASSERT_TRUE(incidents.Update(page_id_, incident_id, in).ok());
          incident = false;
          break;
        }
        case kMaintenanceStarts: {
          service::IncidentInput in;
          in.name = "Invoice database upgrade";
          in.scheduled_for = clock_.Now();
          in.scheduled_until = maintenance_until = clock_.Now() + 3'600'000;
          in.component_ids = std::vector<std::string>{cid};
          auto r = incidents.Create(page_id_, in);
          ASSERT_TRUE(r.ok()) << r.error().message;
          maintenance_id = r->id;
          ASSERT_EQ(*incidents.RunMaintenanceTransitions(), 1);
          maintenance = true;
          break;
        }
        case kMaintenanceEnds:
          clock_.Set(std::max(clock_.Now(), maintenance_until));
          ASSERT_EQ(*incidents.RunMaintenanceTransitions(), 1);
          maintenance = false;
          break;
        case kMonitorDown:
          RunChecks(mon, CheckVerdict::kDown, 2, 503, "HTTP 503");
          down = true;
          break;
        case kMonitorUp:
          RunChecks(mon, CheckVerdict::kUp, 2);
          down = false;
          break;
      }
      RunFor(2'000);  // the engine writes what it saw and acts on it
      ComponentStatus want = ComponentStatus::kOperational;
      auto worst = [&](ComponentStatus s) {
        if (model::Severity(s) > model::Severity(want)) want = s;
      };
      if (incident) worst(ComponentStatus::kPartialOutage);
      if (maintenance) worst(ComponentStatus::kUnderMaintenance);
      if (down && !maintenance) worst(ComponentStatus::kMajorOutage);
      ASSERT_EQ(model::ToString(StatusOf(cid)), model::ToString(want)) << "after: " << trace;
    }
    ASSERT_EQ(StatusOf(cid), ComponentStatus::kOperational) << trace;
    engine_.reset();
    ASSERT_TRUE(store_->DeleteMonitor(page_id_, mon).ok());
  } while (std::next_permutation(order.begin(), order.end()));
  EXPECT_EQ(orders, 90);
}

// The status set by hand is one of the causes: an incident on top of it and gone again returns to
// it, and setting it while an incident is open does not hide the incident.
TEST_F(MonitorEngineTest, TheManualStatusIsACauseAmongTheOthers) {
  service::ComponentService comps({*store_, clock_});
  service::IncidentService incidents({*store_, clock_});
  service::ComponentInput degraded;
  degraded.status = ComponentStatus::kDegradedPerformance;
  ASSERT_TRUE(comps.Update(page_id_, api_id_, degraded).ok());
  service::IncidentInput in;
  in.name = "API down";
  in.components[api_id_] = ComponentStatus::kMajorOutage;
  auto inc = incidents.Create(page_id_, in);
  ASSERT_TRUE(inc.ok());
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kMajorOutage);
  service::ComponentInput ok;
  ok.status = ComponentStatus::kOperational;
  auto set = comps.Update(page_id_, api_id_, ok);
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->status, ComponentStatus::kMajorOutage) << "the open incident still holds it";
  ASSERT_TRUE(comps.Update(page_id_, api_id_, degraded).ok());
  service::IncidentInput resolve;
  resolve.status = IncidentStatus::kResolved;
  ASSERT_TRUE(incidents.Update(page_id_, inc->id, resolve).ok());
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kDegradedPerformance);
  // Deleting an open incident ends what it held too.
  auto again = incidents.Create(page_id_, in);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kMajorOutage);
  ASSERT_TRUE(incidents.Delete(page_id_, again->id).ok());
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kDegradedPerformance);
}

TEST_F(MonitorEngineTest, PublishModeOpensOneIncidentAndRequestsNotifications) {
  AddRule(model::AutomationMode::kPublish, api_id_);
  const auto id = AddMonitor("API health", api_id_);
  RunChecks(id, CheckVerdict::kUp, 1);
  auto before = store_->LastOutboxId();
  ASSERT_TRUE(before.ok());
  RunChecks(id, CheckVerdict::kDown, 2, 0, "connection refused");
  auto list = Incidents();
  ASSERT_EQ(list.size(), 1u);
  const auto& inc = list[0];
  EXPECT_EQ(inc.name, "API is down");
  EXPECT_EQ(inc.status, IncidentStatus::kInvestigating);
  EXPECT_EQ(inc.impact, model::Impact::kMajor);
  ASSERT_EQ(inc.updates.size(), 1u);
  EXPECT_TRUE(inc.updates[0].deliver_notifications);
  EXPECT_NE(inc.updates[0].body.find("API is not responding since 14:02 UTC"), std::string::npos)
      << inc.updates[0].body;
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kMajorOutage);
  EXPECT_EQ(Rule(api_id_).open_incident_id, inc.id);
  auto events = store_->ReadOutbox(*before, 100);
  ASSERT_TRUE(events.ok());
  int created = 0;
  for (const auto& e : *events)
    if (e.kind == "incident.created" && e.subject_id == inc.id) ++created;
  EXPECT_EQ(created, 1);
  // Staying down opens nothing more.
  RunChecks(id, CheckVerdict::kDown, 5);
  EXPECT_EQ(Incidents().size(), 1u);
  EXPECT_EQ(engine_->automation_stats().incidents_opened, 1);
}

// A hidden component is never public: automation in publish (or draft) mode opens no incident
// and no draft for it, so nothing reaches the page, feeds, API, subscribers or the page's
// indicator; staff alerts still tell staff, and the component's own (hidden) status follows.
TEST_F(MonitorEngineTest, AHiddenComponentsFailureOpensNoPublicIncidentOnlyStaffAlerts) {
  service::ComponentService comps({*store_, clock_});
  service::ComponentInput hide;
  hide.hidden = true;
  ASSERT_TRUE(comps.Update(page_id_, api_id_, hide).ok());
  AddTarget();
  AddRule(model::AutomationMode::kPublish, api_id_);
  AddRule(model::AutomationMode::kDraft, web_id_);
  ASSERT_TRUE(comps.Update(page_id_, web_id_, hide).ok());
  const auto api = AddMonitor("API health", api_id_);
  const auto web = AddMonitor("Website health", web_id_);
  RunChecks(api, CheckVerdict::kUp, 1);
  probe_.Set(web, CheckVerdict::kDown, 503, "HTTP 503");
  RunChecks(api, CheckVerdict::kDown, 3, 503, "HTTP 503");
  RunFor(20 * 60'000);  // past the draft's publish delay too
  EXPECT_TRUE(Incidents().empty());
  auto drafts = store_->ListIncidentDrafts(page_id_, false);
  ASSERT_TRUE(drafts.ok());
  EXPECT_TRUE(drafts->empty());
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kMajorOutage);
  EXPECT_EQ(StatusOf(web_id_), ComponentStatus::kMajorOutage);
  auto alerts = store_->ListStaffAlerts(page_id_, 10);
  ASSERT_TRUE(alerts.ok());
  EXPECT_EQ(alerts->size(), 2u);
}

TEST_F(MonitorEngineTest, RecoveryPostsMonitoringThenResolvesAfterTheQuietPeriod) {
  AddRule(model::AutomationMode::kPublish, api_id_);
  const auto id = AddMonitor("API health", api_id_);
  RunChecks(id, CheckVerdict::kDown, 2);
  ASSERT_EQ(Incidents().size(), 1u);
  RunChecks(id, CheckVerdict::kUp, 2);
  auto inc = Incidents().at(0);
  EXPECT_EQ(inc.status, IncidentStatus::kMonitoring);
  EXPECT_NE(inc.updates.at(0).body.find("passing again"), std::string::npos) << inc.updates.at(0).body;
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kOperational);
  RunFor(30'000);  // half the quiet period
  EXPECT_EQ(Incidents().at(0).status, IncidentStatus::kMonitoring);
  RunFor(31'000);
  inc = Incidents().at(0);
  EXPECT_EQ(inc.status, IncidentStatus::kResolved);
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kOperational);
  EXPECT_EQ(engine_->automation_stats().resolved, 1);
  // After the flap window the rule forgets the incident: the next failure is a new one.
  RunFor(5 * 60'000 + 1000);
  EXPECT_TRUE(Rule(api_id_).open_incident_id.empty());
  RunChecks(id, CheckVerdict::kDown, 2);
  EXPECT_EQ(Incidents().size(), 2u);
}

TEST_F(MonitorEngineTest, FlappingJoinsTheOpenIncident) {
  AddRule(model::AutomationMode::kPublish, api_id_);
  const auto id = AddMonitor("API health", api_id_);
  RunChecks(id, CheckVerdict::kDown, 2);
  RunChecks(id, CheckVerdict::kUp, 2);    // monitoring
  RunChecks(id, CheckVerdict::kDown, 2);  // fails again during the quiet period
  auto list = Incidents();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].status, IncidentStatus::kInvestigating);
  EXPECT_NE(list[0].updates.at(0).body.find("failing again"), std::string::npos);
  // Recovers, is resolved, then fails again within the flap window: the same incident reopens.
  RunChecks(id, CheckVerdict::kUp, 2);
  RunFor(61'000);
  ASSERT_EQ(Incidents().at(0).status, IncidentStatus::kResolved);
  RunChecks(id, CheckVerdict::kDown, 2);
  list = Incidents();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].status, IncidentStatus::kInvestigating);
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kMajorOutage);
  EXPECT_EQ(engine_->automation_stats().incidents_opened, 1);
  EXPECT_EQ(engine_->automation_stats().rejoined, 2);
}

TEST_F(MonitorEngineTest, DraftPublishesItselfWhenDue) {
  AddRule(model::AutomationMode::kDraft, api_id_);
  const auto id = AddMonitor("API health", api_id_);
  RunChecks(id, CheckVerdict::kDown, 2);
  EXPECT_TRUE(Incidents().empty());
  auto drafts = store_->ListIncidentDrafts(page_id_, true);
  ASSERT_TRUE(drafts.ok());
  ASSERT_EQ(drafts->size(), 1u);
  EXPECT_EQ((*drafts)[0].name, "API is down");
  EXPECT_EQ((*drafts)[0].component_status, ComponentStatus::kMajorOutage);
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kMajorOutage);  // status follows monitors at once
  RunFor(4 * 60'000);
  EXPECT_TRUE(Incidents().empty());
  RunFor(61'000);
  EXPECT_EQ(published_drafts_, 1);
  auto list = Incidents();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(Rule(api_id_).open_incident_id, list[0].id);
  EXPECT_TRUE(Rule(api_id_).open_draft_id.empty());
  // Recovery then follows the published incident.
  RunChecks(id, CheckVerdict::kUp, 2);
  EXPECT_EQ(Incidents().at(0).status, IncidentStatus::kMonitoring);
}

// The README's first hour: staff open an incident on API by hand; API's checks then fail. The rule
// posts into that incident instead of publishing "API is down" beside it.
TEST_F(MonitorEngineTest, PublishModeJoinsAnIncidentStaffOpenedOnTheComponent) {
  service::IncidentService svc({*store_, clock_});
  service::IncidentInput manual;
  manual.name = "API errors";
  manual.body = "Some requests fail; we are on it.";
  manual.status = IncidentStatus::kIdentified;
  manual.components[api_id_] = ComponentStatus::kPartialOutage;
  auto opened = svc.Create(page_id_, manual);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  AddRule(model::AutomationMode::kPublish, api_id_);
  const auto id = AddMonitor("API health", api_id_);
  RunChecks(id, CheckVerdict::kDown, 2);
  auto list = Incidents();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].id, opened->id);
  EXPECT_EQ(list[0].status, IncidentStatus::kIdentified);  // what its people said stays
  ASSERT_EQ(list[0].updates.size(), 2u);
  EXPECT_NE(list[0].updates[0].body.find("API is not responding"), std::string::npos) << list[0].updates[0].body;
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kMajorOutage);
  EXPECT_EQ(Rule(api_id_).open_incident_id, opened->id);
  EXPECT_EQ(engine_->automation_stats().incidents_opened, 0);
  EXPECT_EQ(engine_->automation_stats().joined, 1);
  // It is the rule's incident now: recovery posts "monitoring" into it.
  RunChecks(id, CheckVerdict::kUp, 2);
  EXPECT_EQ(Incidents().at(0).status, IncidentStatus::kMonitoring);
  EXPECT_EQ(Incidents().size(), 1u);
}

// A draft that falls due after someone opened an incident on its component goes into that
// incident, and the draft records where it went.
TEST_F(MonitorEngineTest, ADraftFallingDueJoinsAnIncidentOpenedMeanwhile) {
  AddRule(model::AutomationMode::kDraft, api_id_);
  const auto id = AddMonitor("API health", api_id_);
  RunChecks(id, CheckVerdict::kDown, 2);
  ASSERT_EQ(store_->ListIncidentDrafts(page_id_, true)->size(), 1u);
  service::IncidentService svc({*store_, clock_});
  service::IncidentInput manual;
  manual.name = "API errors";
  manual.body = "Some requests fail; we are on it.";
  manual.components[api_id_] = ComponentStatus::kPartialOutage;
  auto opened = svc.Create(page_id_, manual);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  RunFor(6 * 60'000);
  EXPECT_EQ(published_drafts_, 0);
  auto list = Incidents();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].updates.size(), 2u);
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kMajorOutage);
  auto all = store_->ListIncidentDrafts(page_id_, false);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].state, model::DraftState::kPublished);
  EXPECT_EQ((*all)[0].incident_id, opened->id);
  EXPECT_EQ(Rule(api_id_).open_incident_id, opened->id);
  EXPECT_TRUE(Rule(api_id_).open_draft_id.empty());
}

TEST_F(MonitorEngineTest, DraftIsDiscardedWhenTheComponentRecoversFirst) {
  AddRule(model::AutomationMode::kDraft, api_id_);
  const auto id = AddMonitor("API health", api_id_);
  RunChecks(id, CheckVerdict::kDown, 2);
  ASSERT_EQ(store_->ListIncidentDrafts(page_id_, true)->size(), 1u);
  RunChecks(id, CheckVerdict::kUp, 2);
  EXPECT_TRUE(store_->ListIncidentDrafts(page_id_, true)->empty());
  auto all = store_->ListIncidentDrafts(page_id_, false);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].state, model::DraftState::kDiscarded);
  RunFor(10 * 60'000);
  EXPECT_EQ(published_drafts_, 0);
  EXPECT_TRUE(Incidents().empty());
}

TEST_F(MonitorEngineTest, StaffAlertsAreWrittenWithTheStateChangeAndDeliveredWithEvidence) {
  AddTarget();
  const auto id = AddMonitor("API health", api_id_);
  RunChecks(id, CheckVerdict::kUp, 1);
  EXPECT_TRUE(store_->ListStaffAlerts(page_id_, 10)->empty());  // a first "up" is no news
  RunChecks(id, CheckVerdict::kDown, 2, 503, "HTTP 503");
  // In the store together with the state, before anything was sent.
  auto alerts = store_->ListStaffAlerts(page_id_, 10);
  ASSERT_TRUE(alerts.ok());
  ASSERT_EQ(alerts->size(), 1u);
  const auto alert = (*alerts)[0];
  EXPECT_EQ(alert.kind, "monitor.down");
  EXPECT_EQ(alert.monitor_id, id);
  EXPECT_EQ(store_->GetMonitor(page_id_, id)->state, MonitorState::kDown);
  EXPECT_NE(alert.text.find("HTTP 503"), std::string::npos) << alert.text;
  EXPECT_NE(alert.text.find("total 41 ms"), std::string::npos) << alert.text;

  alerter_->Step();
  auto posts = Posts();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_TRUE(posts[0].at("sig_ok").as_bool());
  EXPECT_EQ(posts[0].at("headers").at("webhook-id").as_string(), alert.id);
  const auto& doc = posts[0].at("json").at("staff_alert").as_object();
  EXPECT_EQ(doc.at("kind").as_string(), "monitor.down");
  const std::string text(doc.at("text").as_string());
  EXPECT_NE(text.find("503"), std::string::npos);
  EXPECT_NE(text.find("first byte 40 ms"), std::string::npos);
  EXPECT_EQ(doc.at("facts").at("Status code").as_string(), "503");
  EXPECT_EQ(store_->ListStaffAlerts(page_id_, 10)->at(0).state, model::DeliveryState::kDelivered);

  // Recovery is a state change too.
  RunChecks(id, CheckVerdict::kUp, 2);
  alerter_->Step();
  posts = Posts();
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[1].at("json").at("staff_alert").at("kind").as_string(), "monitor.up");
}

TEST_F(MonitorEngineTest, AStoreThatCannotWriteKeepsTheLastStateAndTellsStaffOnce) {
  AddTarget();
  AddRule(model::AutomationMode::kPublish, api_id_);
  const auto id = AddMonitor("API health", api_id_);
  RunChecks(id, CheckVerdict::kUp, 2);
  store_->Fail("RecordMonitorResults");
  RunChecks(id, CheckVerdict::kDown, 6, 0, "timeout after 4 s");
  RunFor(10'000);
  // The window says down, but nothing could be written: no false outage.
  EXPECT_EQ(engine_->StateOf(id), MonitorState::kUp);
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kOperational);
  EXPECT_TRUE(Incidents().empty());
  EXPECT_EQ(real_->GetMonitor(page_id_, id)->state, MonitorState::kUp);
  EXPECT_GT(engine_->stats().write_failures.load(), 5);
  EXPECT_TRUE(engine_->stats().storage_degraded.load());
  // Staff heard once, on the direct path.
  alerter_->Step();
  auto posts = Posts();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].at("json").at("staff_alert").at("kind").as_string(), "monitoring.degraded");
  EXPECT_NE(std::string(posts[0].at("json").at("staff_alert").at("text").as_string()).find("cannot"),
            std::string::npos);

  // Storage is back: the buffered results are written and the (still true) outage is confirmed.
  store_->Heal("RecordMonitorResults");
  RunChecks(id, CheckVerdict::kDown, 1);
  EXPECT_FALSE(engine_->stats().storage_degraded.load());
  EXPECT_EQ(engine_->StateOf(id), MonitorState::kDown);
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kMajorOutage);
  EXPECT_EQ(Incidents().size(), 1u);
  EXPECT_EQ(store_->ListMonitorSamples(id, 0, 100)->size(), 2u + 6u + 2u + 1u);  // none lost
  alerter_->Step();
  posts = Posts();
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[1].at("json").at("staff_alert").at("kind").as_string(), "monitor.down");
}

TEST_F(MonitorEngineTest, AHiccupShorterThanTheThresholdChangesNothing) {
  AddTarget();
  const auto id = AddMonitor("API health", api_id_);
  RunChecks(id, CheckVerdict::kUp, 2);
  store_->Fail("RecordMonitorResults");
  RunChecks(id, CheckVerdict::kDown, 2);  // would be down, but cannot be written
  RunChecks(id, CheckVerdict::kUp, 3);    // and recovers before storage does
  store_->Heal("RecordMonitorResults");
  RunFor(2000);
  EXPECT_EQ(engine_->StateOf(id), MonitorState::kUp);
  EXPECT_TRUE(History(api_id_) == std::vector{ComponentStatus::kOperational});
  // Only the "monitoring degraded" notice (direct): no down/up alerts in the store.
  auto alerts = store_->ListStaffAlerts(page_id_, 10);
  ASSERT_TRUE(alerts.ok());
  EXPECT_LE(alerts->size(), 1u);
  for (const auto& a : *alerts) EXPECT_EQ(a.kind, "monitoring.degraded");
}

TEST_F(MonitorEngineTest, ARestartedEngineContinuesTheAutomation) {
  AddRule(model::AutomationMode::kPublish, api_id_);
  const auto id = AddMonitor("API health", api_id_);
  RunChecks(id, CheckVerdict::kDown, 2);
  ASSERT_EQ(Incidents().size(), 1u);
  // Restart while down: the new engine knows the state and opens nothing new.
  engine_ = MakeEngine();
  RunChecks(id, CheckVerdict::kDown, 3);
  EXPECT_EQ(Incidents().size(), 1u);
  EXPECT_EQ(engine_->StateOf(id), MonitorState::kDown);
  RunChecks(id, CheckVerdict::kUp, 2);
  EXPECT_EQ(Incidents().at(0).status, IncidentStatus::kMonitoring);
  // Restart in the quiet period: the new engine resolves the same incident when it is over.
  engine_ = MakeEngine();
  RunFor(62'000);
  auto list = Incidents();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].status, IncidentStatus::kResolved);
  // And a failure within the flap window after yet another restart joins it.
  engine_ = MakeEngine();
  RunChecks(id, CheckVerdict::kDown, 2);
  list = Incidents();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].status, IncidentStatus::kInvestigating);
}

TEST_F(MonitorEngineTest, ReloadPicksUpChangesAndKeepsTheWindow) {
  const auto id = AddMonitor("API health", api_id_, 3, 3, 1);
  RunChecks(id, CheckVerdict::kDown, 2);
  // Moved to another component mid-way: the window (two failures) is kept.
  auto m = *store_->GetMonitor(page_id_, id);
  m.component_id = web_id_;
  ASSERT_TRUE(store_->SaveMonitor(m).ok());
  engine_->Reload();
  RunChecks(id, CheckVerdict::kDown, 1);
  EXPECT_EQ(engine_->StateOf(id), MonitorState::kDown);
  EXPECT_EQ(StatusOf(web_id_), ComponentStatus::kMajorOutage);
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kOperational);
  // Disabled: no more checks, and it no longer drives the component.
  m = *store_->GetMonitor(page_id_, id);
  m.enabled = false;
  ASSERT_TRUE(store_->SaveMonitor(m).ok());
  engine_->Reload();
  const int starts = probe_.Starts(id);
  RunFor(20'000);
  EXPECT_EQ(probe_.Starts(id), starts);
  EXPECT_EQ(StatusOf(web_id_), ComponentStatus::kOperational);
}

TEST_F(MonitorEngineTest, AHeartbeatIsCheckedAtOnce) {
  const auto id = AddMonitor("nightly backup", web_id_);
  RunChecks(id, 1);
  const int starts = probe_.Starts(id);
  clock_.Advance(100);
  engine_->NotifyHeartbeat(id, clock_.Now());
  engine_->Step();  // no time passes: the check starts now, not at the next slot
  EXPECT_EQ(probe_.Starts(id), starts + 1);
}

TEST_F(MonitorEngineTest, OldDataIsPruned) {
  const auto id = AddMonitor("API health", api_id_);
  store::MonitorResultsWrite old;
  model::MonitorSample s;
  s.monitor_id = id;
  s.at = clock_.Now() - 3LL * 24 * 3600 * 1000;  // three days ago
  old.samples.push_back(s);
  ASSERT_TRUE(store_->RecordMonitorResults(old).ok());
  ASSERT_EQ(store_->ListMonitorSamples(id, 0, 10)->size(), 1u);
  RunFor(61'000);  // the first prune runs a minute after start
  auto left = store_->ListMonitorSamples(id, 0, 100);
  ASSERT_TRUE(left.ok());
  for (const auto& x : *left) EXPECT_GT(x.at, clock_.Now() - 48LL * 3600 * 1000);
}

// The production loop: a thread that sleeps until the next due check or a wake-up. The probe
// signals each start, so the test waits on a condition, not on time.
class SignallingProbe final : public Probe {
 public:
  model::MonitorKind Kind() const override { return model::MonitorKind::kHttp; }
  Status Validate(const model::ProbeSpec&, const std::string&) const override { return {}; }
  void Start(const model::Monitor&, std::function<void(ProbeResult)> done) override {
    ProbeResult r;
    r.sample.verdict = CheckVerdict::kDown;
    r.sample.error = "connection refused";
    done(std::move(r));  // on the engine's thread, like a probe that fails at once
    {
      std::lock_guard lock(mu);
      ++starts;
    }
    cv.notify_all();
  }
  bool WaitFor(int n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return starts >= n; });
  }
  std::mutex mu;
  std::condition_variable cv;
  int starts = 0;
};

TEST_F(MonitorEngineTest, TheThreadLoopRunsChecksAndStopsCleanly) {
  const auto id = AddMonitor("API health", api_id_, 1, 1, 1);
  SignallingProbe probe;
  EngineDeps deps{*store_, clock_, [&](model::MonitorKind) -> Probe* { return &probe; }, nullptr, alerter_.get()};
  EngineOptions options;
  options.max_sleep_ms = 5;  // the FakeClock does not move by itself: look often
  MonitorEngine engine(deps, options);
  engine.Step();  // loads and schedules at the current time, before the clock moves
  engine.Start();
  clock_.Advance(5'000);  // every 5 s slot is now due
  ASSERT_TRUE(probe.WaitFor(1));
  clock_.Advance(5'000);
  ASSERT_TRUE(probe.WaitFor(2));
  engine.Stop();
  EXPECT_EQ(engine.StateOf(id), MonitorState::kDown);
  EXPECT_EQ(StatusOf(api_id_), ComponentStatus::kMajorOutage);
  EXPECT_EQ(store_->GetMonitor(page_id_, id)->state, MonitorState::kDown);
}

}  // namespace
}  // namespace herald::monitor
