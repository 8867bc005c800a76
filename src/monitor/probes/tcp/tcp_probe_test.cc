// TcpProbe against the real SocketEngine and tests/fixtures/monitor_target.py on 127.0.0.1.
#include "monitor/probes/tcp/tcp_probe.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "monitor/probes/monitor_target_testing.h"

namespace herald::monitor {
namespace {

using model::CheckVerdict;
using ::testing::HasSubstr;
using testing::MonitorTarget;
using testing::RunCheck;
using ::testing::StartsWith;

class TcpProbeTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(target().error, "") << "the local test servers did not start"; }
  static const MonitorTarget& target() { return MonitorTarget::Shared(); }
  model::Monitor Monitor(const std::string& host, int port) {
    model::Monitor m;
    m.kind = model::MonitorKind::kTcp;
    m.spec.target = host + ":" + std::to_string(port);
    m.timeout_ms = 5000;
    return m;
  }
  ProbeResult Check(const model::Monitor& m) {
    auto r = RunCheck(probe_, m);
    EXPECT_TRUE(r.has_value()) << "the check never completed";
    return r.value_or(ProbeResult{});
  }

  net::SocketEngine sockets_{net::SocketEngine::Options{}};
  TcpProbe probe_{sockets_};
};

TEST_F(TcpProbeTest, OpenPortIsUpWithConnectTime) {
  const auto r = Check(Monitor("127.0.0.1", target().tcp_open));
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kUp) << r.sample.error;
  EXPECT_GT(r.sample.timings.connect_ms, 0);
  EXPECT_EQ(r.sample.timings.dns_ms, 0);  // an IP literal needs no lookup
  EXPECT_EQ(r.sample.evidence, "remote address 127.0.0.1");
}

TEST_F(TcpProbeTest, HostNameIsResolvedWithoutBlocking) {
  // localhost comes from /etc/hosts through c-ares; if it gives ::1 first, the probe moves on to
  // 127.0.0.1 after the refusal.
  const auto r = Check(Monitor("localhost", target().tcp_open));
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kUp) << r.sample.error;
  EXPECT_GT(r.sample.timings.dns_ms, 0);
}

TEST_F(TcpProbeTest, ClosedPortIsConnectionRefused) {
  const auto r = Check(Monitor("127.0.0.1", target().tcp_closed));
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kDown);
  EXPECT_EQ(r.sample.error, "connection refused");
}

TEST_F(TcpProbeTest, UnansweredConnectTimesOut) {
  auto m = Monitor("127.0.0.1", target().tcp_full);
  m.timeout_ms = 300;
  const auto started = std::chrono::steady_clock::now();
  const auto r = Check(m);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kDown);
  EXPECT_EQ(r.sample.error, "timed out after 300 ms (connecting)");
}

TEST_F(TcpProbeTest, UnknownHostIsDown) {
  const auto r = Check(Monitor("no-such-host.invalid", target().tcp_open));
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kDown);
  EXPECT_THAT(r.sample.error, StartsWith("host not found: no-such-host.invalid"));
}

TEST_F(TcpProbeTest, TwoThousandChecksAtOnceAllComplete) {
  constexpr int kChecks = 2000;
  std::mutex mu;
  std::condition_variable cv;
  int done = 0, up = 0;
  std::string first_error;
  const auto m = Monitor("127.0.0.1", target().tcp_open);
  for (int i = 0; i < kChecks; ++i) {
    probe_.Start(m, [&](const ProbeResult& r) {
      std::lock_guard lock(mu);
      ++done;
      if (r.sample.verdict == CheckVerdict::kUp)
        ++up;
      else if (first_error.empty())
        first_error = r.sample.error;
      cv.notify_all();
    });
  }
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return done == kChecks; })) << done << " done";
  EXPECT_EQ(up, kChecks) << first_error;
}

TEST_F(TcpProbeTest, ValidateNamesTheField) {
  model::ProbeSpec spec;
  for (const char* good : {"example.com:443", "127.0.0.1:1", "[::1]:65535"}) {
    spec.target = good;
    EXPECT_TRUE(probe_.Validate(spec, "spec").ok()) << good;
  }
  for (const char* bad : {"example.com", "example.com:0", "example.com:65536", "example.com:http", "::1:443",
                          "[::1]443", "exa mple.com:80", ":80", "[nothost]:80"}) {
    spec.target = bad;
    auto st = probe_.Validate(spec, "spec");
    ASSERT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.error().field, "spec.target") << bad;
  }
  spec.target = "example.com:99999";
  EXPECT_THAT(probe_.Validate(spec, "spec").error().message, HasSubstr("1 to 65535"));
}

}  // namespace
}  // namespace herald::monitor
