// TlsProbe against the real SocketEngine and the certificates tests/fixtures/monitor_target.py
// generates at start (its own CA, trusted through SocketEngine::Options::ca_file).
#include "monitor/probes/tls/tls_probe.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/time.h"
#include "monitor/probes/monitor_target_testing.h"

namespace herald::monitor {
namespace {

using model::CheckVerdict;
using ::testing::HasSubstr;
using testing::MonitorTarget;
using testing::RunCheck;
using ::testing::StartsWith;

class TlsProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(target().error, "") << "the local test servers did not start";
    clock_.Set(SystemClock::Instance().Now());  // after the target made its certificates
    net::SocketEngine::Options o;
    o.ca_file = target().ca_file;
    sockets_ = std::make_unique<net::SocketEngine>(o);
    probe_ = std::make_unique<TlsProbe>(*sockets_, clock_);
  }
  static const MonitorTarget& target() { return MonitorTarget::Shared(); }
  model::Monitor Monitor(const std::string& host, int port) {
    model::Monitor m;
    m.kind = model::MonitorKind::kTls;
    m.spec.target = host + ":" + std::to_string(port);
    m.timeout_ms = 5000;
    return m;
  }
  ProbeResult Check(const model::Monitor& m) {
    auto r = RunCheck(*probe_, m);
    EXPECT_TRUE(r.has_value()) << "the check never completed";
    return r.value_or(ProbeResult{});
  }

  // The certificates are real, so "now" is the real time; a FakeClock moves it in one test.
  FakeClock clock_;
  std::unique_ptr<net::SocketEngine> sockets_;
  std::unique_ptr<TlsProbe> probe_;
};

TEST_F(TlsProbeTest, TrustedCertificateIsUpWithExpiryInEvidence) {
  const auto r = Check(Monitor("localhost", target().tls_good));
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kUp) << r.sample.error;
  EXPECT_THAT(r.sample.evidence, StartsWith("certificate expires in 90 days ("));
  EXPECT_THAT(r.sample.evidence, HasSubstr("issuer CN=Herald Test CA"));
  EXPECT_GT(r.sample.timings.tls_ms, r.sample.timings.connect_ms);
  // An IP address is matched against the certificate's IP addresses.
  EXPECT_EQ(Check(Monitor("127.0.0.1", target().tls_good)).sample.verdict, CheckVerdict::kUp);
}

TEST_F(TlsProbeTest, ExpiringSoonIsSlowWithTheDate) {
  const auto r = Check(Monitor("localhost", target().tls_expiring));
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kSlow);
  const std::string expected = "certificate expires in 5 days (" + target().expiring_not_after.substr(0, 10) + ")";
  EXPECT_EQ(r.sample.error, expected);
  EXPECT_THAT(r.sample.evidence, StartsWith(expected));
  auto m = Monitor("localhost", target().tls_expiring);
  m.spec.expiry_warn_days = 3;
  EXPECT_EQ(Check(m).sample.verdict, CheckVerdict::kUp);
}

TEST_F(TlsProbeTest, ExpiredIsDownEvenWithoutVerification) {
  auto m = Monitor("localhost", target().tls_expired);
  auto r = Check(m);
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kDown);
  EXPECT_THAT(r.sample.error, StartsWith("certificate expired on "));
  m.spec.verify_tls = false;
  r = Check(m);
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kDown);
  EXPECT_THAT(r.sample.error, StartsWith("certificate expired on "));
}

TEST_F(TlsProbeTest, ClockDecidesExpiry) {
  clock_.Advance(89LL * 86'400'000);
  auto r = Check(Monitor("localhost", target().tls_good));
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kSlow);
  EXPECT_THAT(r.sample.error, StartsWith("certificate expires in 1 day ("));
  clock_.Advance(2LL * 86'400'000);
  EXPECT_EQ(Check(Monitor("localhost", target().tls_good)).sample.verdict, CheckVerdict::kDown);
}

TEST_F(TlsProbeTest, SelfSignedWithVerificationOnAndOff) {
  auto m = Monitor("localhost", target().tls_self_signed);
  auto r = Check(m);
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kDown);
  EXPECT_EQ(r.sample.error, "certificate not trusted: self-signed certificate");
  m.spec.verify_tls = false;
  r = Check(m);
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kUp) << r.sample.error;
  EXPECT_THAT(r.sample.evidence, HasSubstr("not verified: self-signed certificate"));
}

TEST_F(TlsProbeTest, HostNameMismatchIsDown) {
  auto m = Monitor("localhost", target().tls_wrong_host);
  auto r = Check(m);
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kDown);
  EXPECT_EQ(r.sample.error, "certificate does not match localhost");
  m.spec.verify_tls = false;
  EXPECT_EQ(Check(m).sample.verdict, CheckVerdict::kUp);
}

TEST_F(TlsProbeTest, SilentServerTimesOutDuringTheHandshake) {
  auto m = Monitor("127.0.0.1", target().tcp_silent);
  m.timeout_ms = 300;
  const auto r = Check(m);
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kDown);
  EXPECT_EQ(r.sample.error, "timed out after 300 ms (TLS handshake)");
}

TEST_F(TlsProbeTest, NotTlsAndRefused) {
  auto r = Check(Monitor("127.0.0.1", target().tcp_open));  // accepts, then closes
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kDown);
  EXPECT_THAT(r.sample.error, StartsWith("TLS handshake failed"));
  r = Check(Monitor("127.0.0.1", target().tcp_closed));
  EXPECT_EQ(r.sample.error, "connection refused");
}

TEST_F(TlsProbeTest, ValidateNamesTheField) {
  model::ProbeSpec spec;
  spec.target = "example.com:443";
  EXPECT_TRUE(probe_->Validate(spec, "spec").ok());
  spec.expiry_warn_days = -1;
  EXPECT_EQ(probe_->Validate(spec, "spec").error().field, "spec.expiry_warn_days");
  // Issue 14: the probe allowed 3650 days where the service (and docs/api.md) allow 365.
  spec.expiry_warn_days = 365;
  EXPECT_TRUE(probe_->Validate(spec, "spec").ok());
  spec.expiry_warn_days = 366;
  EXPECT_EQ(probe_->Validate(spec, "spec").error().field, "spec.expiry_warn_days");
  spec.expiry_warn_days = 14;
  spec.target = "https://example.com";
  EXPECT_EQ(probe_->Validate(spec, "spec").error().field, "spec.target");
}

}  // namespace
}  // namespace herald::monitor
