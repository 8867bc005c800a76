// DnsProbe against the real SocketEngine (c-ares) and the DNS server of
// tests/fixtures/monitor_target.py (zone test.herald. on 127.0.0.1).
#include "monitor/probes/dns/dns_probe.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "monitor/probes/monitor_target_testing.h"

namespace herald::monitor {
namespace {

using model::CheckVerdict;
using ::testing::HasSubstr;
using testing::MonitorTarget;
using testing::RunCheck;
using ::testing::StartsWith;

class DnsProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(target().error, "") << "the local test servers did not start";
    ASSERT_TRUE(target().SetMode("up"));
  }
  void TearDown() override {
    if (target().error.empty()) target().SetMode("up");
  }
  static const MonitorTarget& target() { return MonitorTarget::Shared(); }
  model::Monitor Monitor(const std::string& name, const std::string& type, const std::string& expected = "") {
    model::Monitor m;
    m.kind = model::MonitorKind::kDns;
    m.spec.target = name;
    m.spec.record_type = type;
    m.spec.expected_answer = expected;
    m.spec.dns_server = target().Dns();
    m.timeout_ms = 5000;
    return m;
  }
  ProbeResult Check(const model::Monitor& m) {
    auto r = RunCheck(probe_, m);
    EXPECT_TRUE(r.has_value()) << "the check never completed";
    return r.value_or(ProbeResult{});
  }

  net::SocketEngine sockets_{net::SocketEngine::Options{}};
  DnsProbe probe_{sockets_};
};

TEST_F(DnsProbeTest, EachRecordTypeMatchesItsAnswer) {
  struct Case {
    const char *name, *type, *expected, *evidence;
  };
  const Case cases[] = {
      {"www.test.herald", "A", "127.0.0.10", "A 127.0.0.10"},
      {"www.test.herald", "AAAA", "2001:db8:0:0::10", "AAAA 2001:db8::10"},
      {"alias.test.herald", "CNAME", "WWW.test.herald.", "CNAME www.test.herald"},
      {"test.herald", "MX", "mail.test.herald", "MX 10 mail.test.herald"},
      {"test.herald", "MX", "10 mail.test.herald.", "MX 10 mail.test.herald"},
      {"test.herald", "TXT", "v=spf1 -all", "TXT v=spf1 -all"},
      {"txt.test.herald", "TXT", "helloworld", "TXT helloworld"},
      {"test.herald", "NS", "ns1.test.herald", "NS ns1.test.herald"},
      {"alias.test.herald", "A", "127.0.0.10", "A 127.0.0.10"},  // through the CNAME
      {"www.test.herald", "a", "", "A 127.0.0.10"},              // any answer will do
  };
  for (const auto& c : cases) {
    const auto r = Check(Monitor(c.name, c.type, c.expected));
    EXPECT_EQ(r.sample.verdict, CheckVerdict::kUp) << c.name << " " << c.type << ": " << r.sample.error;
    EXPECT_EQ(r.sample.evidence, c.evidence) << c.name << " " << c.type;
    EXPECT_GT(r.sample.timings.total_ms, 0);
  }
}

TEST_F(DnsProbeTest, WrongAnswerIsDown) {
  const auto r = Check(Monitor("www.test.herald", "A", "10.0.0.1"));
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kDown);
  EXPECT_EQ(r.sample.error, "expected A answer \"10.0.0.1\", got 127.0.0.10");
  EXPECT_EQ(Check(Monitor("test.herald", "MX", "20 mail.test.herald")).sample.verdict, CheckVerdict::kDown);
}

TEST_F(DnsProbeTest, MissingNameAndMissingRecordsAreDown) {
  auto r = Check(Monitor("nope.test.herald", "A"));
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kDown);
  EXPECT_EQ(r.sample.error, "no such name: nope.test.herald");
  r = Check(Monitor("mail.test.herald", "A"));
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kDown);
  EXPECT_EQ(r.sample.error, "no A records for mail.test.herald");
}

TEST_F(DnsProbeTest, ServerFailureAndSilence) {
  ASSERT_TRUE(target().SetMode("down"));
  auto r = Check(Monitor("www.test.herald", "A"));
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kDown);
  EXPECT_THAT(r.sample.error, StartsWith("DNS server failure (SERVFAIL)"));
  ASSERT_TRUE(target().SetMode("up"));

  auto m = Monitor("hang.test.herald", "A");
  m.timeout_ms = 300;
  const auto started = std::chrono::steady_clock::now();
  r = Check(m);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_EQ(r.sample.error, "timed out after 300 ms");
}

TEST_F(DnsProbeTest, SlowThreshold) {
  // Any answer takes more than 0.001 ms; the threshold is whole milliseconds, so use the
  // timings the probe reports to check the rule rather than the wall clock.
  auto m = Monitor("www.test.herald", "A");
  m.spec.slow_ms = 1;
  const auto r = Check(m);
  if (r.sample.timings.total_ms > 1)
    EXPECT_EQ(r.sample.verdict, CheckVerdict::kSlow);
  else
    EXPECT_EQ(r.sample.verdict, CheckVerdict::kUp);
}

TEST_F(DnsProbeTest, ValidateNamesTheField) {
  model::ProbeSpec spec;
  spec.target = "www.example.com";
  spec.record_type = "MX";
  EXPECT_TRUE(probe_.Validate(spec, "spec").ok());
  for (const char* server : {"", "127.0.0.1", "127.0.0.1:5353", "[::1]:53"}) {
    spec.dns_server = server;
    EXPECT_TRUE(probe_.Validate(spec, "spec").ok()) << server;
  }
  for (const char* server : {"dns.google:53", "127.0.0.1:0", "::1:53", "1.2.3.4:x"}) {
    spec.dns_server = server;
    EXPECT_EQ(probe_.Validate(spec, "spec").error().field, "spec.dns_server") << server;
  }
  spec.dns_server = "";
  spec.record_type = "SRV";
  EXPECT_EQ(probe_.Validate(spec, "spec").error().field, "spec.record_type");
  spec.record_type = "A";
  spec.target = "bad name!";
  EXPECT_EQ(probe_.Validate(spec, "spec").error().field, "spec.target");
}

}  // namespace
}  // namespace herald::monitor
