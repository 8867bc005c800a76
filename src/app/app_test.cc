// App's request routing without sockets: the management API is bounded in how much work may
// wait for the worker pool, and the public paths never reach it.
#include "app/app.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <thread>

#include "store/fault_store_testing.h"
#include "testing/loopback_http_server.h"

namespace herald::app {
namespace {

http::Request Get(std::string path) {
  http::Request r;
  r.method = "GET";
  r.path = r.target = std::move(path);
  r.remote_addr = "127.0.0.1";
  return r;
}

TEST(App, ManagementApiIsBoundedInPendingWork) {
  auto store = store::OpenStore("sqlite::memory:");
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Migrate().ok());
  FakeClock clock;
  AppOptions opts;
  opts.server.port = 0;
  opts.max_pending_blocking = 2;
  App app(**store, clock, opts);
  auto req = Get("/v1/pages");
  EXPECT_FALSE(app.HandleFast(req).has_value());  // handed to the worker pool
  EXPECT_FALSE(app.HandleFast(req).has_value());
  auto busy = app.HandleFast(req);
  ASSERT_TRUE(busy.has_value());
  EXPECT_EQ(busy->status, 503);
  EXPECT_NE(busy->body.find("\"unavailable\""), std::string::npos);
  // Each answered request frees its slot (this one has no key: 401).
  EXPECT_EQ(app.HandleBlocking(req).status, 401);
  EXPECT_FALSE(app.HandleFast(req).has_value());
}

TEST(App, PublicPathsAreAnsweredOnTheFastPath) {
  auto store = store::OpenStore("sqlite::memory:");
  ASSERT_TRUE(store.ok());
  FakeClock clock;
  App app(**store, clock, AppOptions{});
  auto health = app.HandleFast(Get("/healthz"));
  ASSERT_TRUE(health.has_value());
  EXPECT_EQ(health->status, 200);
  auto post = Get("/api/v2/summary.json");
  post.method = "POST";
  auto refused = app.HandleFast(post);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 405);
}

AppOptions QuietOptions() {
  AppOptions opts;
  opts.server.port = 0;
  opts.server.io_threads = 1;
  opts.notify_enabled = false;
  opts.monitor_enabled = false;
  return opts;
}

boost::json::object Readiness(App& app) {
  auto r = app.HandleFast(Get("/readyz"));
  EXPECT_TRUE(r.has_value());
  if (!r) return {};
  EXPECT_EQ(r->status, 200) << r->body;  // the page keeps serving: still ready
  return boost::json::parse(r->body).as_object();
}

// Issue: /readyz said the database was up while every write failed with a full disk. A write
// probe now says so, and recovers by itself.
TEST(App, ReadinessReportsWritesThatFail) {
  auto inner = store::OpenStore("sqlite::memory:");
  ASSERT_TRUE(inner.ok());
  ASSERT_TRUE((*inner)->Migrate().ok());
  store::testing::FaultStore store(**inner);
  FakeClock clock;
  App app(store, clock, QuietOptions());
  ASSERT_TRUE(app.Start().ok());
  app.ProbeWrites();
  auto ok = Readiness(app);
  EXPECT_EQ(ok["database"], "up");
  EXPECT_EQ(ok["writes"], "ok");

  store.Fail("PutSetting", Error::Unavailable("put setting: database or disk is full (test)"));  // as on a full disk
  app.ProbeWrites();
  auto full = Readiness(app);
  EXPECT_EQ(full["ready"], true);
  EXPECT_EQ(full["database"], "read_only");
  EXPECT_EQ(full["writes"], "failing");
  EXPECT_NE(full["write_error"].as_string().find("disk is full"), std::string::npos) << full;

  store.Heal("PutSetting");
  app.ProbeWrites();
  auto back = Readiness(app);
  EXPECT_EQ(back["database"], "up");
  EXPECT_EQ(back["writes"], "ok");
  EXPECT_FALSE(back.contains("write_error"));
  app.Stop();
}

// Issue: /metrics was served to anyone on the public listener. Without a token it is an unknown
// path there; with one, only a request carrying it gets the metrics.
TEST(App, MetricsAreOffPubliclyUnlessATokenIsSet) {
  auto store = store::OpenStore("sqlite::memory:");
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Migrate().ok());
  FakeClock clock;
  {
    App app(**store, clock, QuietOptions());
    ASSERT_TRUE(app.Start().ok());
    auto r = app.HandleFast(Get("/metrics"));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 404);
    EXPECT_EQ(r->Body().find("herald_"), std::string::npos);
    app.Stop();
  }
  AppOptions opts = QuietOptions();
  opts.metrics_token = "0123456789abcdef-metrics";
  App app(**store, clock, opts);
  ASSERT_TRUE(app.Start().ok());
  for (std::string header : {"", "Bearer wrong-token-0123456789", "Basic 0123456789abcdef-metrics"}) {
    auto req = Get("/metrics");
    if (!header.empty()) req.headers.emplace_back("authorization", header);
    auto r = app.HandleFast(req);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 401) << header;
    EXPECT_NE(r->body.find("\"unauthorized\""), std::string::npos) << r->body;
  }
  auto req = Get("/metrics");
  req.headers.emplace_back("authorization", "bearer 0123456789abcdef-metrics");
  auto r = app.HandleFast(req);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("herald_database_writable 1"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("herald_http_connections_shed_total 0"), std::string::npos) << r->body;
  app.Stop();
}

// Issue 14: the app started monitoring only with the notification runtime, and HTTP checks ran
// on that runtime's engine: with notifications off, or with the database down at start (the
// runtime needs it), nothing was monitored. Now monitoring starts on its own: while the
// database is down the engine keeps trying to read the monitors, and once it answers they are
// checked (over monitoring's own HTTP engine) and their results stored.
TEST(App, MonitorsAreCheckedAfterAStartWithTheDatabaseDownAndNotificationsOff) {
  herald::testing::TestHttpServer target;
  auto inner = store::OpenStore("sqlite::memory:");
  ASSERT_TRUE(inner.ok());
  ASSERT_TRUE((*inner)->Migrate().ok());
  model::Page page;
  page.id = "page_1";
  page.slug = "acme";
  page.name = "Acme";
  page.time_zone = "UTC";
  model::OutboxEvent event;
  event.page_id = page.id;
  event.kind = "page.created";
  event.subject_id = page.id;
  event.payload_json = "{}";
  ASSERT_TRUE((*inner)->SavePage(page, event).ok());
  model::Monitor m;
  m.id = "mon_web";
  m.page_id = page.id;
  m.name = "Website";
  m.kind = model::MonitorKind::kHttp;
  m.spec.target = "http://127.0.0.1:" + std::to_string(target.port()) + "/ok";
  m.interval_ms = 5'000;
  m.timeout_ms = 5'000;
  ASSERT_TRUE((*inner)->SaveMonitor(m).ok());

  store::testing::FaultStore store(**inner);
  store.FailAll();
  FakeClock clock;
  clock.Set(1'800'000'000'000);
  AppOptions opts = QuietOptions();
  opts.monitor_enabled = true;  // notifications stay off
  App app(store, clock, opts);
  ASSERT_TRUE(app.Start().ok()) << "a database that is down is no reason not to start";
  // The engine tries to read the monitors while the database is down (bounded wait).
  for (int i = 0; i < 500 && store.Failures("ListMonitors") < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GE(store.Failures("ListMonitors"), 2);
  EXPECT_EQ(target.requests(), 0);

  store.HealAll();
  // Every monitor is due within its interval: move the fake clock on until the check ran and its
  // result was stored (bounded; each round gives the engine thread a moment).
  TimeMs last_check_at = 0;
  for (int i = 0; i < 600 && last_check_at == 0; ++i) {
    clock.Advance(1'000);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (auto got = (*inner)->GetMonitor(page.id, m.id); got.ok()) last_check_at = got->last_check_at;
  }
  EXPECT_GT(last_check_at, 0) << "the monitor was checked once the database answered";
  EXPECT_GE(target.requests(), 1);
  auto samples = (*inner)->ListMonitorSamples(m.id, 0, 10);
  ASSERT_TRUE(samples.ok());
  ASSERT_FALSE(samples->empty());
  EXPECT_EQ(samples->front().verdict, model::CheckVerdict::kUp);
  EXPECT_EQ(samples->front().status_code, 200);
  app.Stop();
}

}  // namespace
}  // namespace herald::app
