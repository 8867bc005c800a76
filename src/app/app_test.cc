// App's request routing without sockets: the management API is bounded in how much work may
// wait for the worker pool, and the public paths never reach it.
#include "app/app.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace herald::app
