// MonitorService with a real in-memory SQLite store: every bad field is refused naming the field
// with nothing written; heartbeat tokens are shown once and stored hashed; rules keep the
// engine's state; alert targets are validated by their channel; publishing a draft opens the
// incident (with its outbox event) and records it on the rule.
#include "service/monitors.h"

#include <gtest/gtest.h>

#include "core/text.h"
#include "service/subscriptions_testing.h"

namespace herald::service {
namespace {


TEST(MonitorParsing, Durations) {
  EXPECT_EQ(ParseDurationMs("30s"), 30'000);
  EXPECT_EQ(ParseDurationMs("30"), 30'000);
  EXPECT_EQ(ParseDurationMs("5m"), 300'000);
  EXPECT_EQ(ParseDurationMs("1h"), 3'600'000);
  EXPECT_EQ(ParseDurationMs("1d"), 86'400'000);
  EXPECT_EQ(ParseDurationMs("1500ms"), 1500);
  EXPECT_FALSE(ParseDurationMs("soon"));
  EXPECT_FALSE(ParseDurationMs("-5s"));
  EXPECT_FALSE(ParseDurationMs(""));
  EXPECT_EQ(FormatDurationMs(30'000), "30s");
  EXPECT_EQ(FormatDurationMs(300'000), "5m");
  EXPECT_EQ(FormatDurationMs(1500), "1500ms");
}

TEST(MonitorParsing, StatusRanges) {
  auto r = ParseStatusRanges({"200-299", "301", " 404 "}, "expected_status");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (std::vector<std::pair<int, int>>{{200, 299}, {301, 301}, {404, 404}}));
  EXPECT_EQ(FormatStatusRanges(*r), (std::vector<std::string>{"200-299", "301", "404"}));
  for (std::string bad : {"99", "600", "300-200", "2xx", "", "200-"}) {
    auto e = ParseStatusRanges({bad}, "expected_status");
    ASSERT_FALSE(e.ok()) << bad;
    EXPECT_EQ(e.error().field, "expected_status");
  }
  EXPECT_FALSE(ParseStatusRanges({}, "expected_status").ok());
}

TEST(MonitorParsing, HeartbeatTokensAreLongAndDistinct) {
  const std::string a = NewHeartbeatToken(), b = NewHeartbeatToken();
  EXPECT_EQ(a.size(), 43u);  // 32 bytes, base64url without padding
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
}

class MonitorServiceTest : public testing::SubscriptionFixture {
 protected:
  void SetUp() override {
    SubscriptionFixture::SetUp();
    MonitorDeps deps{*store_, clock_};
    deps.reload = [this] { ++reloads_; };
    deps.notify_heartbeat = [this](const std::string& id, TimeMs at) { heartbeats_.emplace_back(id, at); };
    deps.validate_probe = [](const model::Monitor& m) -> Status {
      if (m.spec.target.find("probe-refuses") != std::string::npos)
        return Error::Invalid("", "the probe refuses this target");
      return {};
    };
    deps.channels = [this] { return &channels_; };
    monitors_ = std::make_unique<MonitorService>(deps);
  }

  static MonitorInput Http(const std::string& name = "API health") {
    MonitorInput in;
    in.name = name;
    in.kind = "http";
    in.target = "https://api.example.com/health";
    return in;
  }
  size_t MonitorCount() { return store_->ListMonitors(page_id_)->size(); }

  std::unique_ptr<MonitorService> monitors_;
  int reloads_ = 0;
  std::vector<std::pair<std::string, TimeMs>> heartbeats_;
};

TEST_F(MonitorServiceTest, CreateWithDefaultsAndPatchChangesOnlyWhatIsGiven) {
  auto in = Http();
  in.component_id = api_;
  in.expected_status = std::vector<std::string>{"200-299", "301"};
  in.headers = std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer x"}};
  auto out = monitors_->Create(page_id_, in);
  ASSERT_TRUE(out.ok()) << out.error().field << ": " << out.error().message;
  EXPECT_TRUE(out->heartbeat_token.empty());
  EXPECT_EQ(reloads_, 1);
  auto stored = store_->GetMonitor(page_id_, out->monitor.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->name, "API health");
  EXPECT_EQ(stored->component_id, api_);
  EXPECT_EQ(stored->interval_ms, 60'000);
  EXPECT_EQ(stored->spec.expected_status, (std::vector<std::pair<int, int>>{{200, 299}, {301, 301}}));
  EXPECT_EQ(stored->state, model::MonitorState::kUnknown);

  MonitorInput patch;
  patch.interval_ms = 30'000;
  patch.method = "head";
  auto upd = monitors_->Update(page_id_, out->monitor.id, patch);
  ASSERT_TRUE(upd.ok()) << upd.error().message;
  stored = store_->GetMonitor(page_id_, out->monitor.id);
  EXPECT_EQ(stored->interval_ms, 30'000);
  EXPECT_EQ(stored->spec.method, "HEAD");
  EXPECT_EQ(stored->name, "API health");
  EXPECT_EQ(stored->component_id, api_);
  EXPECT_EQ(stored->spec.headers.size(), 1u);
  EXPECT_EQ(reloads_, 2);

  ASSERT_TRUE(monitors_->Delete(page_id_, out->monitor.id).ok());
  EXPECT_EQ(MonitorCount(), 0u);
  EXPECT_EQ(monitors_->Delete(page_id_, out->monitor.id).error().code, ErrorCode::kNotFound);
}

TEST_F(MonitorServiceTest, EachBadFieldIsNamedAndNothingIsWritten) {
  struct Case {
    std::string field;
    std::function<void(MonitorInput&)> change;
  };
  const std::vector<Case> cases = {
      {"name", [](MonitorInput& in) { in.name = ""; }},
      {"name", [](MonitorInput& in) { in.name = std::string(256, 'x'); }},
      {"kind", [](MonitorInput& in) { in.kind = "ping"; }},
      {"kind", [](MonitorInput& in) { in.kind.reset(); }},
      {"component_id", [](MonitorInput& in) { in.component_id = "nope"; }},
      {"interval_seconds", [](MonitorInput& in) { in.interval_ms = 4'000; }},
      {"interval_seconds", [](MonitorInput& in) { in.interval_ms = 25LL * 3600 * 1000; }},
      {"timeout_seconds", [](MonitorInput& in) { in.timeout_ms = 500; }},
      {"timeout_seconds", [](MonitorInput& in) { in.interval_ms = 10'000, in.timeout_ms = 20'000; }},
      {"failure_window", [](MonitorInput& in) { in.failure_window = 21; }},
      {"failure_window", [](MonitorInput& in) { in.failure_window = 0; }},
      {"failures_to_down", [](MonitorInput& in) { in.failures_to_down = 0; }},
      {"failures_to_down", [](MonitorInput& in) { in.failures_to_down = 4, in.failure_window = 3; }},
      {"successes_to_up", [](MonitorInput& in) { in.successes_to_up = 0; }},
      {"down_status", [](MonitorInput& in) { in.down_status = "operational"; }},
      {"slow_status", [](MonitorInput& in) { in.slow_status = "on_fire"; }},
      {"target", [](MonitorInput& in) { in.target = "ftp://example.com/"; }},
      {"target", [](MonitorInput& in) { in.target = "https://"; }},
      {"target", [](MonitorInput& in) { in.target = "https://exa mple.com/"; }},
      {"target", [](MonitorInput& in) { in.target.reset(); }},
      {"target", [](MonitorInput& in) { in.target = "https://probe-refuses.example.com/"; }},
      {"method", [](MonitorInput& in) { in.method = "FETCH"; }},
      {"headers",
       [](MonitorInput& in) {
         in.headers = std::vector<std::pair<std::string, std::string>>{{"Bad Header", "x"}};
       }},
      {"headers",
       [](MonitorInput& in) {
         in.headers = std::vector<std::pair<std::string, std::string>>{{"X-A", "a\r\nInjected: 1"}};
       }},
      {"expected_status", [](MonitorInput& in) { in.expected_status = std::vector<std::string>{"700"}; }},
      {"json_path", [](MonitorInput& in) { in.json_path = "status"; }},
      {"keyword", [](MonitorInput& in) { in.keyword_absent = true; }},
      {"slow_ms", [](MonitorInput& in) { in.slow_ms = 20'000; }},
      {"target", [](MonitorInput& in) { in.kind = "tcp", in.target = "db.example.com"; }},
      {"target", [](MonitorInput& in) { in.kind = "tcp", in.target = "db.example.com:70000"; }},
      {"target", [](MonitorInput& in) { in.kind = "tls", in.target = "::1:443"; }},
      {"target", [](MonitorInput& in) { in.kind = "dns", in.target = "bad..name"; }},
      {"record_type", [](MonitorInput& in) { in.kind = "dns", in.target = "example.com", in.record_type = "SRV"; }},
      {"dns_server", [](MonitorInput& in) { in.kind = "dns", in.target = "example.com", in.dns_server = "x:y"; }},
      {"expiry_warn_days",
       [](MonitorInput& in) { in.kind = "tls", in.target = "example.com:443", in.expiry_warn_days = 400; }},
      {"grace_seconds", [](MonitorInput& in) { in.kind = "heartbeat", in.grace_ms = -1; }},
  };
  for (const auto& c : cases) {
    MonitorInput in = Http();
    c.change(in);
    auto r = monitors_->Create(page_id_, in);
    ASSERT_FALSE(r.ok()) << c.field;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalid) << c.field;
    EXPECT_EQ(r.error().field, c.field) << r.error().message;
  }
  // A group is not something a monitor can drive.
  ComponentInput g;
  g.name = "Core";
  auto group = ComponentService(Deps{*store_, clock_}).Create(page_id_, g, true);
  ASSERT_TRUE(group.ok());
  MonitorInput in = Http();
  in.component_id = group->id;
  EXPECT_EQ(monitors_->Create(page_id_, in).error().field, "component_id");
  EXPECT_EQ(MonitorCount(), 0u);
  EXPECT_EQ(reloads_, 0);

  // The same checks apply to an update, against the monitor as it would become: a timeout staff
  // chose that no longer fits a shorter interval is named.
  MonitorInput chosen = Http();
  chosen.timeout_ms = 8'000;
  auto ok = monitors_->Create(page_id_, chosen);
  ASSERT_TRUE(ok.ok());
  MonitorInput shorter;
  shorter.interval_ms = 5'000;
  auto r = monitors_->Update(page_id_, ok->monitor.id, shorter);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "timeout_seconds");
  EXPECT_EQ(store_->GetMonitor(page_id_, ok->monitor.id)->interval_ms, 60'000);
}

// Defaults fit the interval: a 5-9 s interval without a timeout is accepted (the default 10 s
// timeout is cut to the interval), for every kind and for heartbeats, which have no timeout at
// all. Regression: such monitors were refused for a timeout the user never set.
TEST_F(MonitorServiceTest, DefaultTimeoutFitsAShortInterval) {
  for (std::int64_t interval : {5'000, 9'000}) {
    MonitorInput http = Http("Fast " + std::to_string(interval));
    http.interval_ms = interval;
    auto h = monitors_->Create(page_id_, http);
    ASSERT_TRUE(h.ok()) << h.error().message;
    EXPECT_EQ(h->monitor.timeout_ms, interval);
    MonitorInput hb;
    hb.name = "Cron " + std::to_string(interval);
    hb.kind = "heartbeat";
    hb.interval_ms = interval;
    auto b = monitors_->Create(page_id_, hb);
    ASSERT_TRUE(b.ok()) << b.error().message;
    EXPECT_LE(b->monitor.timeout_ms, interval);
  }
  // An existing monitor on the default timeout follows a shorter interval too.
  auto m = monitors_->Create(page_id_, Http("Slow"));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->monitor.timeout_ms, 10'000);
  MonitorInput shorter;
  shorter.interval_ms = 5'000;
  auto r = monitors_->Update(page_id_, m->monitor.id, shorter);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->monitor.timeout_ms, 5'000);
}

TEST_F(MonitorServiceTest, OtherKindsValidate) {
  MonitorInput tcp;
  tcp.name = "DB";
  tcp.kind = "tcp";
  tcp.target = "[2001:db8::1]:5432";
  EXPECT_TRUE(monitors_->Create(page_id_, tcp).ok());
  MonitorInput dns;
  dns.name = "DNS";
  dns.kind = "dns";
  dns.target = "www.example.com";
  dns.record_type = "aaaa";
  dns.dns_server = "127.0.0.1:5353";
  auto d = monitors_->Create(page_id_, dns);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->monitor.spec.record_type, "AAAA");
  MonitorInput tls;
  tls.name = "Cert";
  tls.kind = "tls";
  tls.target = "example.com:443";
  tls.expiry_warn_days = 30;
  EXPECT_TRUE(monitors_->Create(page_id_, tls).ok());
  EXPECT_EQ(MonitorCount(), 3u);
}

TEST_F(MonitorServiceTest, HeartbeatTokenIsShownOnceStoredHashedAndRotates) {
  MonitorInput in;
  in.name = "Nightly backup";
  in.kind = "heartbeat";
  in.interval_ms = 24LL * 3600 * 1000;
  in.grace_ms = 3600'000;
  auto out = monitors_->Create(page_id_, in);
  ASSERT_TRUE(out.ok()) << out.error().message;
  const std::string token = out->heartbeat_token;
  ASSERT_EQ(token.size(), 43u);
  auto stored = store_->GetMonitor(page_id_, out->monitor.id);
  EXPECT_EQ(stored->heartbeat_token_hash, Sha256Hex(token));
  EXPECT_EQ(stored->heartbeat_token_hash.find(token), std::string::npos);

  clock_.Advance(5000);
  auto hb = monitors_->Heartbeat(token);
  ASSERT_TRUE(hb.ok()) << hb.error().message;
  EXPECT_EQ(store_->GetMonitor(page_id_, out->monitor.id)->last_heartbeat_at, clock_.Now());
  ASSERT_EQ(heartbeats_.size(), 1u);
  EXPECT_EQ(heartbeats_[0], std::make_pair(out->monitor.id, clock_.Now()));
  EXPECT_EQ(monitors_->Heartbeat(token + "x").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(monitors_->Heartbeat("short").error().code, ErrorCode::kNotFound);

  auto rotated = monitors_->RotateToken(page_id_, out->monitor.id);
  ASSERT_TRUE(rotated.ok());
  EXPECT_NE(rotated->heartbeat_token, token);
  EXPECT_EQ(monitors_->Heartbeat(token).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(monitors_->Heartbeat(rotated->heartbeat_token).ok());

  // Editing keeps the token; other kinds have none to rotate.
  MonitorInput rename;
  rename.name = "Nightly backups";
  auto upd = monitors_->Update(page_id_, out->monitor.id, rename);
  ASSERT_TRUE(upd.ok());
  EXPECT_TRUE(upd->heartbeat_token.empty());
  EXPECT_TRUE(monitors_->Heartbeat(rotated->heartbeat_token).ok());
  auto http = monitors_->Create(page_id_, Http());
  ASSERT_TRUE(http.ok());
  EXPECT_EQ(monitors_->RotateToken(page_id_, http->monitor.id).error().field, "kind");
}

TEST_F(MonitorServiceTest, AutomationRulesKeepEngineStateAndPatch) {
  AutomationRuleInput in;
  in.mode = "draft";
  in.draft_publish_after_ms = 300'000;
  in.incident_name = "{{component}} is down";
  auto r = monitors_->PutRule(page_id_, api_, in);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->mode, model::AutomationMode::kDraft);
  EXPECT_EQ(r->resolve_after_ms, 10 * 60'000);  // default

  // The engine's bookkeeping survives a staff edit.
  auto stored = monitors_->GetRule(page_id_, api_);
  ASSERT_TRUE(stored.ok());
  stored->open_incident_id = "inc1";
  ASSERT_TRUE(store_->SaveAutomationRule(*stored).ok());
  AutomationRuleInput patch;
  patch.notify = false;
  r = monitors_->PutRule(page_id_, api_, patch);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->open_incident_id, "inc1");
  EXPECT_EQ(r->mode, model::AutomationMode::kDraft);
  EXPECT_FALSE(r->notify);

  AutomationRuleInput bad;
  bad.mode = "sometimes";
  EXPECT_EQ(monitors_->PutRule(page_id_, api_, bad).error().field, "mode");
  bad = {};
  bad.resolve_after_ms = -1;
  EXPECT_EQ(monitors_->PutRule(page_id_, api_, bad).error().field, "resolve_after_seconds");
  bad = {};
  bad.incident_name = "{{component}}\nis down";  // becomes an incident's name: one line
  EXPECT_EQ(monitors_->PutRule(page_id_, api_, bad).error().field, "incident_name");
  EXPECT_EQ(monitors_->PutRule(page_id_, "nope", in).error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(monitors_->GetRule(page_id_, api_)->notify == true);

  ASSERT_TRUE(monitors_->DeleteRule(page_id_, api_).ok());
  EXPECT_EQ(monitors_->GetRule(page_id_, api_).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(monitors_->DeleteRule(page_id_, api_).error().code, ErrorCode::kNotFound);
}

TEST_F(MonitorServiceTest, AlertTargetsAreValidatedByTheirChannel) {
  AlertTargetInput hook;
  hook.name = "Pager";
  hook.channel = "webhook";
  hook.address = "https://hooks.example.com/herald";
  auto h = monitors_->CreateTarget(page_id_, hook);
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_TRUE(h->secret.starts_with("whsec_"));
  AlertTargetInput mail;
  mail.channel = "email";
  mail.address = "OnCall@Example.com";
  auto m = monitors_->CreateTarget(page_id_, mail);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->target.address, "oncall@example.com");
  EXPECT_TRUE(m->secret.empty());

  const std::vector<std::pair<AlertTargetInput, std::string>> bad = {
      {{std::string("x"), std::string("sms"), std::string("+14155552671")}, "channel"},
      {{std::string("x"), std::string("pigeon"), std::string("x")}, "channel"},
      {{std::string("x"), std::string("email"), std::string("not-an-address")}, "address"},
      {{std::string("x"), std::string("slack"), std::string("http://hooks.slack.com/x")}, "address"},
      {{std::string("x"), std::string("webhook"), std::string("https://127.0.0.1/x")}, "address"},
      {{std::string("x"), std::string("webhook"), std::nullopt}, "address"},
      {{std::string(""), std::string("webhook"), std::string("https://hooks.example.com/y")}, "name"},
  };
  for (const auto& [in, field] : bad) {
    auto r = monitors_->CreateTarget(page_id_, in);
    ASSERT_FALSE(r.ok()) << field;
    EXPECT_EQ(r.error().field, field) << r.error().message;
  }
  EXPECT_EQ(store_->ListAlertTargets(page_id_)->size(), 2u);
  ASSERT_TRUE(monitors_->DeleteTarget(page_id_, h->target.id).ok());
  EXPECT_EQ(store_->ListAlertTargets(page_id_)->size(), 1u);
}

class MonitorDraftTest : public MonitorServiceTest {
 protected:
  model::IncidentDraft SaveDraft() {
    AutomationRuleInput rin;
    rin.mode = "draft";
    EXPECT_TRUE(monitors_->PutRule(page_id_, api_, rin).ok());
    model::IncidentDraft d;
    d.id = NewId();
    d.page_id = page_id_;
    d.component_id = api_;
    d.name = "API is down";
    d.body = "We are looking into failing API requests.";
    d.impact = model::Impact::kMajor;
    d.component_status = model::ComponentStatus::kPartialOutage;
    d.publish_at = clock_.Now() + 600'000;
    d.created_at = d.updated_at = clock_.Now();
    EXPECT_TRUE(store_->SaveIncidentDraft(d).ok());
    auto rule = monitors_->GetRule(page_id_, api_);
    rule->open_draft_id = d.id;
    EXPECT_TRUE(store_->SaveAutomationRule(*rule).ok());
    return d;
  }
};

TEST_F(MonitorDraftTest, PublishOpensTheIncidentWithItsOutboxEvent) {
  auto d = SaveDraft();
  DraftInput edit;
  edit.name = "API errors";
  edit.body = "Some API requests fail; we are on it.";
  auto edited = monitors_->EditDraft(page_id_, d.id, edit);
  ASSERT_TRUE(edited.ok()) << edited.error().message;
  EXPECT_EQ(edited->name, "API errors");
  DraftInput bad;
  bad.name = "";
  EXPECT_EQ(monitors_->EditDraft(page_id_, d.id, bad).error().field, "name");
  bad.name = "API\nerrors";
  EXPECT_EQ(monitors_->EditDraft(page_id_, d.id, bad).error().field, "name");

  const std::int64_t before = *store_->LastOutboxId();
  auto inc = monitors_->Publish(page_id_, d.id);
  ASSERT_TRUE(inc.ok()) << inc.error().message;
  EXPECT_EQ(inc->name, "API errors");
  EXPECT_EQ(inc->status, model::IncidentStatus::kInvestigating);
  EXPECT_EQ(inc->impact, model::Impact::kMajor);
  ASSERT_EQ(inc->updates.size(), 1u);
  EXPECT_EQ(inc->updates[0].body, "Some API requests fail; we are on it.");
  EXPECT_EQ(store_->GetComponent(page_id_, api_)->status, model::ComponentStatus::kPartialOutage);
  auto events = store_->ReadOutbox(before, 100);
  ASSERT_TRUE(events.ok());
  ASSERT_FALSE(events->empty());
  EXPECT_EQ(events->back().kind, "incident.created");
  EXPECT_EQ(events->back().subject_id, inc->id);

  auto stored = store_->GetIncidentDraft(page_id_, d.id);
  EXPECT_EQ(stored->state, model::DraftState::kPublished);
  EXPECT_EQ(stored->incident_id, inc->id);
  auto rule = monitors_->GetRule(page_id_, api_);
  EXPECT_EQ(rule->open_incident_id, inc->id);
  EXPECT_TRUE(rule->open_draft_id.empty());

  // Published once: a second publish (a human racing the engine) opens nothing.
  EXPECT_EQ(monitors_->Publish(page_id_, d.id).error().code, ErrorCode::kConflict);
  EXPECT_EQ(monitors_->Discard(page_id_, d.id).error().code, ErrorCode::kConflict);
  EXPECT_EQ(monitors_->EditDraft(page_id_, d.id, edit).error().code, ErrorCode::kConflict);
}

TEST_F(MonitorDraftTest, DiscardClearsTheRulesDraft) {
  auto d = SaveDraft();
  auto out = monitors_->Discard(page_id_, d.id);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->state, model::DraftState::kDiscarded);
  EXPECT_TRUE(monitors_->GetRule(page_id_, api_)->open_draft_id.empty());
  EXPECT_EQ(monitors_->Publish(page_id_, d.id).error().code, ErrorCode::kConflict);
  store::IncidentFilter f;
  EXPECT_TRUE(store_->ListIncidents(page_id_, f)->empty());
}

}  // namespace
}  // namespace herald::service
