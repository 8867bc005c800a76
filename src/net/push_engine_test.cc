// PushEngine against real servers on 127.0.0.1: the loopback HTTP server (testing/) and, for
// TLS, tests/fixtures/monitor_target.py with its test CA.
#include "net/push_engine.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "monitor/probes/monitor_target_testing.h"
#include "testing/fake_http_client.h"
#include "testing/loopback_http_server.h"

namespace herald::net {
namespace {

using namespace std::chrono_literals;
using herald::testing::Collector;
using herald::testing::FakeHttpClient;
using herald::testing::TestHttpServer;

PushEngine::Options LoopbackAllowed() {
  PushEngine::Options o;
  EXPECT_TRUE(o.policy.AllowCidr("127.0.0.0/8"));
  return o;
}

HttpRequest Post(const std::string& url, std::string body = "{}") {
  HttpRequest r;
  r.method = "POST";
  r.url = url;
  r.body = std::move(body);
  r.timeout = 10s;
  return r;
}

// A loopback server, the recording fallback and an engine allowed to reach 127.0.0.0/8.
class PushEngineTest : public ::testing::Test {
 protected:
  PushEngine& Engine(long max_host_connections = 8) {
    auto options = LoopbackAllowed();
    options.max_host_connections = max_host_connections;
    engine_.emplace(options, fallback_);
    return *engine_;
  }
  TestHttpServer server_;
  FakeHttpClient fallback_{FakeHttpClient::kAnswerAtOnce, 299};  // records what PushEngine hands over
  std::optional<PushEngine> engine_;
};

HttpResponse Fetch(HttpClient& client, HttpRequest req) {
  Collector<HttpResponse> c;
  client.Send(std::move(req), c.Callback());
  auto all = c.Wait(1);
  return all.empty() ? HttpResponse{} : all.front();
}

TEST_F(PushEngineTest, PostsMethodHeadersAndBody) {
  PushEngine& engine = Engine();
  auto req = Post(server_.Url("/echo"), R"({"incident":"db"})");
  req.headers = {{"Content-Type", "application/json"}, {"X-Echo", "signed v1,abc"}};
  auto r = Fetch(engine, req);
  ASSERT_EQ(r.failure, FailureKind::kNone) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST\nsigned v1,abc\n{\"incident\":\"db\"}");
  EXPECT_EQ(r.remote_ip, "127.0.0.1");
  EXPECT_GT(r.timings.total_ms, 0);
  EXPECT_EQ(r.Header("content-length"), std::to_string(r.body.size()));
  EXPECT_TRUE(fallback_.Urls().empty());

  auto ok = Fetch(engine, Post(server_.Url("/ok")));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "hello world");
  EXPECT_EQ(ok.Header("x-test"), "Yes");  // names lower-cased
}

TEST_F(PushEngineTest, ErrorsAndRedirectsAreResponses) {
  PushEngine& engine = Engine();
  auto boom = Fetch(engine, Post(server_.Url("/status/500")));
  EXPECT_EQ(boom.failure, FailureKind::kNone);
  EXPECT_EQ(boom.status, 500);
  EXPECT_EQ(boom.body, "boom");
  // Channels count a 3xx as a failure: it is answered, never followed.
  auto moved = Fetch(engine, Post(server_.Url("/redirect")));
  EXPECT_EQ(moved.status, 302);
  EXPECT_EQ(moved.Header("location"), "/ok");
  EXPECT_EQ(server_.requests(), 2);
}

TEST_F(PushEngineTest, WhatItDoesNotHandleGoesToTheFallback) {
  PushEngine& engine = Engine();
  auto follow = Post(server_.Url("/redirect"));
  follow.follow_redirects = true;
  EXPECT_EQ(Fetch(engine, follow).status, 299);
  auto fresh = Post(server_.Url("/ok"));
  fresh.fresh_connection = true;
  EXPECT_EQ(Fetch(engine, fresh).status, 299);
  EXPECT_EQ(Fetch(engine, Post("http://user:pw@127.0.0.1:" + std::to_string(server_.port()) + "/ok")).status, 299);
  EXPECT_EQ(Fetch(engine, Post("ftp://127.0.0.1/file")).status, 299);
  auto framed = Post(server_.Url("/ok"));
  framed.headers = {{"Transfer-Encoding", "chunked"}};
  EXPECT_EQ(Fetch(engine, framed).status, 299);
  EXPECT_EQ(fallback_.Urls().size(), 5u);
  EXPECT_EQ(server_.requests(), 0);
}

TEST_F(PushEngineTest, KeptAliveConnectionsCarryManyRequests) {
  PushEngine& engine = Engine(4);
  Collector<HttpResponse> c;
  constexpr int kRequests = 300;
  for (int i = 0; i < kRequests; ++i) {
    auto req = Post(server_.Url("/echo"), "message " + std::to_string(i));
    engine.Send(std::move(req), c.Callback());
  }
  auto all = c.Wait(kRequests);
  ASSERT_EQ(all.size(), static_cast<size_t>(kRequests));
  std::set<std::string> bodies;
  for (const auto& r : all) {
    EXPECT_EQ(r.status, 200) << r.error;
    bodies.insert(r.body);
  }
  EXPECT_EQ(bodies.size(), static_cast<size_t>(kRequests));  // each answer went to its own request
  EXPECT_EQ(server_.requests(), kRequests);
  EXPECT_LE(server_.connections(), 4);
  EXPECT_LE(engine.ConnectionsOpened(), 4u);
  EXPECT_EQ(engine.InFlight(), 0u);
}

TEST_F(PushEngineTest, AConnectionTheServerDroppedIsReplaced) {
  PushEngine& engine = Engine(1);
  // The server answers, then closes the kept-alive connection. Whether the engine sees the close
  // before reusing the connection or only when its next request fails there, every request gets
  // its answer, on a new connection.
  for (int i = 0; i < 5; ++i) {
    auto r = Fetch(engine, Post(server_.Url("/close-after")));
    EXPECT_EQ(r.status, 200) << r.error;
    EXPECT_EQ(r.body, "bye");
  }
  EXPECT_EQ(server_.connections(), 5);
}

TEST_F(PushEngineTest, ARequestOnADroppedKeptAliveConnectionIsSentOnceMoreOnANewOne) {
  PushEngine& engine = Engine(1);
  EXPECT_EQ(Fetch(engine, Post(server_.Url("/drop-next"))).body, "armed");
  // Sent on the kept-alive connection, read by the server, connection closed without an answer:
  // sent again on a new connection.
  auto r = Fetch(engine, Post(server_.Url("/ok")));
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(server_.connections(), 2);
  EXPECT_EQ(server_.requests(), 3);
  // On a new connection the same is a failure: the server got it and said nothing.
  PushEngine fresh(LoopbackAllowed(), fallback_);
  auto dropped = Fetch(fresh, Post(server_.Url("/drop")));
  EXPECT_EQ(dropped.failure, FailureKind::kConnect);
  EXPECT_EQ(server_.requests(), 4);
}

TEST_F(PushEngineTest, ResponseFramingAndTheBodyCap) {
  PushEngine& engine = Engine();
  auto chunked = Post(server_.Url("/big-chunked"));
  chunked.max_response_bytes = 200000;
  auto r = Fetch(engine, chunked);
  ASSERT_EQ(r.failure, FailureKind::kNone) << r.error;
  EXPECT_EQ(r.body, std::string(100000, 'y'));
  auto capped = Post(server_.Url("/big"));
  capped.max_response_bytes = 1000;
  auto big = Fetch(engine, capped);
  EXPECT_EQ(big.failure, FailureKind::kTooLarge);
  EXPECT_EQ(big.status, 0);
  EXPECT_TRUE(big.body.empty());
  // The connection that carried the oversized answer is not reused mid-body.
  EXPECT_EQ(Fetch(engine, Post(server_.Url("/ok"))).body, "hello world");
}

TEST_F(PushEngineTest, TimeoutWhenTheServerNeverAnswers) {
  PushEngine& engine = Engine();
  auto req = Post(server_.Url("/hang"));
  req.timeout = 300ms;
  auto r = Fetch(engine, req);
  EXPECT_EQ(r.failure, FailureKind::kTimeout);
  EXPECT_GE(r.timings.total_ms, 290);
  EXPECT_EQ(engine.InFlight(), 0u);
}

TEST_F(PushEngineTest, QueuedRequestsDoNotSpendTheirTimeoutWaitingForAConnection) {
  PushEngine& engine = Engine(1);
  Collector<HttpResponse> c;
  // Five 200 ms answers one after another take a second; each has 700 ms once it is sent.
  for (int i = 0; i < 5; ++i) {
    auto req = Post(server_.Url("/slow"));
    req.timeout = 700ms;
    engine.Send(std::move(req), c.Callback());
  }
  for (const auto& r : c.Wait(5)) EXPECT_EQ(r.status, 200) << r.error;
}

TEST_F(PushEngineTest, ConnectionRefused) {
  PushEngine& engine = Engine();
  int port;
  {
    TestHttpServer gone;
    port = gone.port();
  }
  auto r = Fetch(engine, Post("http://127.0.0.1:" + std::to_string(port) + "/ok"));
  EXPECT_EQ(r.failure, FailureKind::kConnect);
  EXPECT_NE(r.error.find("Connection refused"), std::string::npos) << r.error;
}

TEST_F(PushEngineTest, InvalidRequestsFailWithoutAConnection) {
  PushEngine& engine = Engine();
  auto bad_method = Post(server_.Url("/ok"));
  bad_method.method = "PO ST";
  EXPECT_EQ(Fetch(engine, bad_method).failure, FailureKind::kInvalidRequest);
  auto injected = Post(server_.Url("/ok"));
  injected.headers = {{"X-Note", "a\r\nX-Evil: 1"}};
  EXPECT_EQ(Fetch(engine, injected).failure, FailureKind::kInvalidRequest);
  EXPECT_EQ(Fetch(engine, Post("http://")).failure, FailureKind::kInvalidRequest);
  EXPECT_EQ(Fetch(engine, Post("http://exa%20mple.com/")).failure, FailureKind::kInvalidRequest);
  EXPECT_EQ(Fetch(engine, Post("http://127.0.0.1:99999/")).failure, FailureKind::kInvalidRequest);
  EXPECT_EQ(server_.connections(), 0);
}

TEST_F(PushEngineTest, GuardRefusesLoopbackInEveryEncodingUnlessAllowListed) {
  const std::string port = std::to_string(server_.port());
  {
    PushEngine strict({}, fallback_);
    for (const std::string host :
         {"127.0.0.1", "127.1", "0x7f.0.0.1", "2130706433", "0177.0.0.1", "[::ffff:127.0.0.1]", "localhost"}) {
      auto r = Fetch(strict, Post("http://" + host + ":" + port + "/ok"));
      EXPECT_EQ(r.failure, FailureKind::kRefusedAddress) << host << ": " << r.error;
      EXPECT_NE(r.error.find("refused by policy"), std::string::npos) << r.error;
    }
    // Operator-configured endpoints (unguarded) are not subject to the policy.
    auto own = Post(server_.Url("/ok"));
    own.guard_address = false;
    EXPECT_EQ(Fetch(strict, own).status, 200);
  }
  EXPECT_EQ(server_.requests(), 1);  // no packet reached the server for a refused request
  PushEngine& allowed = Engine();
  auto r = Fetch(allowed, Post("http://127.1:" + port + "/ok"));
  EXPECT_EQ(r.status, 200) << r.error;
}

TEST_F(PushEngineTest, NamesAreResolvedAndEachAddressTried) {
  // The server listens on 127.0.0.1 only: "localhost" may resolve to ::1 first, which refuses.
  PushEngine& engine = Engine();
  auto r = Fetch(engine, Post("http://localhost:" + std::to_string(server_.port()) + "/ok"));
  ASSERT_EQ(r.failure, FailureKind::kNone) << r.error;
  EXPECT_EQ(r.remote_ip, "127.0.0.1");
  EXPECT_GE(r.timings.dns_ms, 0);
}

TEST_F(PushEngineTest, ShutdownCompletesUnfinishedRequests) {
  PushEngine& engine = Engine(1);
  Collector<HttpResponse> c;
  for (int i = 0; i < 3; ++i) engine.Send(Post(server_.Url("/hang")), c.Callback());           // one sent, two queued
  for (int i = 0; i < 200 && server_.requests() == 0; ++i) std::this_thread::sleep_for(10ms);  // bounded
  engine.Shutdown();
  auto all = c.Wait(3);
  ASSERT_EQ(all.size(), 3u);
  for (const auto& r : all) EXPECT_EQ(r.failure, FailureKind::kShutdown);
  auto late = Fetch(engine, Post(server_.Url("/ok")));
  EXPECT_EQ(late.failure, FailureKind::kShutdown);
  EXPECT_EQ(engine.InFlight(), 0u);
}

class PushEngineTlsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(target().error, "") << "the local test servers did not start"; }
  static const monitor::testing::MonitorTarget& target() { return monitor::testing::MonitorTarget::Shared(); }
  static std::string Https(const std::string& host, int port, const std::string& path) {
    return "https://" + host + ":" + std::to_string(port) + path;
  }
  PushEngine::Options Trusting() {
    auto o = LoopbackAllowed();
    o.ca_file = target().ca_file;
    return o;
  }
  FakeHttpClient fallback_{FakeHttpClient::kAnswerAtOnce, 299};  // records what PushEngine hands over
};

TEST_F(PushEngineTlsTest, VerifiedHttpsByAddressAndByName) {
  PushEngine engine(Trusting(), fallback_);
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    auto req = Post(Https(host, target().tls_good, "/echo"), R"({"n":1})");
    req.headers = {{"Content-Type", "application/json"}};
    auto r = Fetch(engine, req);
    ASSERT_EQ(r.failure, FailureKind::kNone) << host << ": " << r.error;
    EXPECT_EQ(r.status, 200);
    auto echo = boost::json::parse(r.body).as_object();
    EXPECT_EQ(echo.at("method").as_string(), "POST");
    EXPECT_EQ(echo.at("body").as_string(), R"({"n":1})");
    EXPECT_GT(r.timings.tls_ms, 0);
  }
  // Later requests ride the kept-alive TLS connection.
  const size_t opened = engine.ConnectionsOpened();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Fetch(engine, Post(Https("127.0.0.1", target().tls_good, "/ok"))).status, 200);
  EXPECT_EQ(engine.ConnectionsOpened(), opened);
}

TEST_F(PushEngineTlsTest, BadCertificatesAreRefused) {
  PushEngine engine(Trusting(), fallback_);
  for (int port : {target().tls_self_signed, target().tls_expired, target().tls_wrong_host}) {
    auto r = Fetch(engine, Post(Https("localhost", port, "/ok")));
    EXPECT_EQ(r.failure, FailureKind::kTls) << port << ": " << r.status;
    EXPECT_NE(r.error.find("TLS"), std::string::npos) << r.error;
  }
  // Without the test CA even the good certificate is unknown.
  PushEngine stranger(LoopbackAllowed(), fallback_);
  EXPECT_EQ(Fetch(stranger, Post(Https("localhost", target().tls_good, "/ok"))).failure, FailureKind::kTls);
  // Unless the request asks for no verification.
  auto unverified = Post(Https("localhost", target().tls_self_signed, "/ok"));
  unverified.verify_tls = false;
  EXPECT_EQ(Fetch(stranger, unverified).status, 200);
}

}  // namespace
}  // namespace herald::net
