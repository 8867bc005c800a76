// HttpProbe against the real CurlEngine and tests/fixtures/monitor_target.py on 127.0.0.1.
#include "monitor/probes/http/http_probe.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "monitor/probes/http/json_path.h"
#include "monitor/probes/monitor_target_testing.h"
#include "net/curl_engine.h"

namespace herald::monitor {
namespace {

using model::CheckVerdict;
using ::testing::HasSubstr;
using testing::MonitorTarget;
using testing::RunCheck;
using ::testing::StartsWith;

class HttpProbeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { engine_ = new net::CurlEngine(net::CurlEngine::Options{}); }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
  }
  void SetUp() override {
    ASSERT_EQ(target().error, "") << "the local test servers did not start";
    ASSERT_TRUE(target().SetMode("up"));
  }
  void TearDown() override {
    if (target().error.empty()) target().SetMode("up");
  }
  static const MonitorTarget& target() { return MonitorTarget::Shared(); }

  model::Monitor Monitor(const std::string& url) {
    model::Monitor m;
    m.id = "mon_http";
    m.kind = model::MonitorKind::kHttp;
    m.spec.target = url;
    m.timeout_ms = 5000;
    return m;
  }
  ProbeResult Check(const model::Monitor& m) {
    auto r = RunCheck(probe_, m);
    EXPECT_TRUE(r.has_value()) << "the check never completed";
    return r.value_or(ProbeResult{});
  }

  static net::CurlEngine* engine_;
  HttpProbe probe_{*engine_};
};
net::CurlEngine* HttpProbeTest::engine_ = nullptr;

TEST_F(HttpProbeTest, UpWithKeywordRecordsStatusTimingsAndAddress) {
  auto m = Monitor(target().Url("/ok"));
  m.spec.keyword = "systems ok";
  const auto r = Check(m);
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kUp) << r.sample.error;
  EXPECT_EQ(r.sample.status_code, 200);
  EXPECT_TRUE(r.sample.error.empty());
  EXPECT_GT(r.sample.timings.total_ms, 0);
  EXPECT_GT(r.sample.timings.first_byte_ms, 0);
  EXPECT_GE(r.sample.timings.total_ms, r.sample.timings.connect_ms);
  EXPECT_THAT(r.sample.evidence, HasSubstr("127.0.0.1"));
  // The next check opens its own connection, so it measures connect time again.
  EXPECT_GT(Check(m).sample.timings.connect_ms, 0);
}

TEST_F(HttpProbeTest, UnexpectedStatusIsDownInPlainWords) {
  const auto r = Check(Monitor(target().Url("/status/503")));
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kDown);
  EXPECT_EQ(r.sample.status_code, 503);
  EXPECT_EQ(r.sample.error, "expected status 200-399, got 503");
}

TEST_F(HttpProbeTest, ExpectedStatusRangesAreHonoured) {
  auto m = Monitor(target().Url("/status/503"));
  m.spec.expected_status = {{200, 299}, {503, 503}};
  EXPECT_EQ(Check(m).sample.verdict, CheckVerdict::kUp);
  m.spec.target = target().Url("/status/404");
  EXPECT_EQ(Check(m).sample.error, "expected status 200-299, 503, got 404");
}

TEST_F(HttpProbeTest, KeywordMissingIsDown) {
  auto m = Monitor(target().Url("/ok"));
  m.spec.keyword = "healthy";
  const auto r = Check(m);
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kDown);
  EXPECT_EQ(r.sample.error, "keyword \"healthy\" not found");
}

TEST_F(HttpProbeTest, KeywordThatMustBeAbsent) {
  auto m = Monitor(target().Url("/ok"));
  m.spec.keyword = "maintenance";
  m.spec.keyword_absent = true;
  EXPECT_EQ(Check(m).sample.verdict, CheckVerdict::kUp);
  ASSERT_TRUE(target().SetMode("wrong"));  // every page now says "maintenance page"
  const auto r = Check(m);
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kDown);
  EXPECT_EQ(r.sample.error, "keyword \"maintenance\" found");
}

TEST_F(HttpProbeTest, JsonPathMustExistAndEqual) {
  auto m = Monitor(target().Url("/json"));
  m.spec.json_path = "$.checks[0].ok";
  m.spec.json_expected = "true";
  EXPECT_EQ(Check(m).sample.verdict, CheckVerdict::kUp) << Check(m).sample.error;

  m.spec.json_path = "$.status";
  m.spec.json_expected = "ok";
  EXPECT_EQ(Check(m).sample.verdict, CheckVerdict::kUp);

  m.spec.json_path = "$['version']";
  m.spec.json_expected = "3";
  EXPECT_EQ(Check(m).sample.verdict, CheckVerdict::kUp);

  m.spec.json_path = "$.status";
  m.spec.json_expected = "degraded";
  EXPECT_EQ(Check(m).sample.error, "$.status is \"ok\", expected \"degraded\"");

  m.spec.json_path = "$.checks[3].ok";
  m.spec.json_expected = "";
  EXPECT_EQ(Check(m).sample.error, "$.checks[3].ok not found in the response");

  m.spec.target = target().Url("/ok");
  m.spec.json_path = "$.status";
  const auto r = Check(m);
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kDown);
  EXPECT_THAT(r.sample.error, StartsWith("response is not JSON"));
}

TEST_F(HttpProbeTest, OverTheResponseTimeThresholdIsSlow) {
  auto m = Monitor(target().Url("/slow?ms=300"));
  m.spec.slow_ms = 100;
  const auto r = Check(m);
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kSlow);
  EXPECT_GE(r.sample.timings.total_ms, 300);
  EXPECT_THAT(r.sample.error, HasSubstr("over the 100 ms threshold"));
  m.spec.slow_ms = 5000;
  EXPECT_EQ(Check(m).sample.verdict, CheckVerdict::kUp);
}

TEST_F(HttpProbeTest, HangingServerTimesOutWithinTheMonitorTimeout) {
  auto m = Monitor(target().Url("/hang"));
  m.timeout_ms = 300;
  const auto started = std::chrono::steady_clock::now();
  const auto r = Check(m);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kDown);
  EXPECT_EQ(r.sample.error, "timed out after 300 ms");
  m.timeout_ms = 1000;
  EXPECT_EQ(Check(m).sample.error, "timed out after 1 s");
}

TEST_F(HttpProbeTest, RedirectsFollowedOrNot) {
  auto m = Monitor(target().Url("/redirect"));
  m.spec.keyword = "systems ok";
  const auto followed = Check(m);
  EXPECT_EQ(followed.sample.verdict, CheckVerdict::kUp) << followed.sample.error;
  EXPECT_EQ(followed.sample.status_code, 200);

  m.spec.follow_redirects = false;
  m.spec.keyword = "";
  m.spec.expected_status = {{200, 299}};
  const auto not_followed = Check(m);
  EXPECT_EQ(not_followed.sample.status_code, 302);
  EXPECT_EQ(not_followed.sample.error, "expected status 200-299, got 302");
  m.spec.expected_status = {{200, 399}};
  EXPECT_EQ(Check(m).sample.verdict, CheckVerdict::kUp);  // a 3xx can be what staff expect
}

TEST_F(HttpProbeTest, ClosedPortIsConnectionRefused) {
  const auto r = Check(Monitor("http://127.0.0.1:" + std::to_string(target().tcp_closed) + "/"));
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kDown);
  EXPECT_EQ(r.sample.error, "connection refused");
  EXPECT_EQ(r.sample.status_code, 0);
}

TEST_F(HttpProbeTest, TargetMadeToFailThroughItsControlPath) {
  auto m = Monitor(target().Url("/ok"));
  EXPECT_EQ(Check(m).sample.verdict, CheckVerdict::kUp);
  ASSERT_TRUE(target().SetMode("down"));
  EXPECT_EQ(Check(m).sample.error, "expected status 200-399, got 503");
  ASSERT_TRUE(target().SetMode("up"));
  EXPECT_EQ(Check(m).sample.verdict, CheckVerdict::kUp);
}

TEST_F(HttpProbeTest, SelfSignedCertificateWithVerificationOnAndOff) {
  auto m = Monitor("https://localhost:" + std::to_string(target().tls_self_signed) + "/ok");
  const auto verified = Check(m);
  EXPECT_EQ(verified.sample.verdict, CheckVerdict::kDown);
  EXPECT_THAT(verified.sample.error, StartsWith("TLS"));
  m.spec.verify_tls = false;
  const auto unverified = Check(m);
  EXPECT_EQ(unverified.sample.verdict, CheckVerdict::kUp) << unverified.sample.error;
  EXPECT_GT(unverified.sample.timings.tls_ms, 0);
}

TEST_F(HttpProbeTest, SendsMethodHeadersAndBody) {
  auto m = Monitor(target().Url("/echo"));
  m.spec.method = "POST";
  m.spec.headers = {{"X-Probe", "yes"}, {"Content-Type", "text/plain"}};
  m.spec.body = "ping-body";
  m.spec.keyword = "ping-body";
  m.spec.json_path = "$.headers['x-probe']";
  m.spec.json_expected = "yes";
  auto r = Check(m);
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kUp) << r.sample.error;
  m.spec.json_path = "$.method";
  m.spec.json_expected = "POST";
  r = Check(m);
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kUp) << r.sample.error;
}

TEST_F(HttpProbeTest, BodyOverTheLimitIsReportedNotHidden) {
  auto m = Monitor(target().Url("/big?bytes=" + std::to_string(2 * HttpProbe::kMaxBodyBytes)));
  m.spec.keyword = "x";
  const auto r = Check(m);
  EXPECT_EQ(r.sample.verdict, CheckVerdict::kDown);
  EXPECT_THAT(r.sample.error, HasSubstr("1024 KiB"));
  m.spec.target = target().Url("/big?bytes=" + std::to_string(HttpProbe::kMaxBodyBytes - 10));
  EXPECT_EQ(Check(m).sample.verdict, CheckVerdict::kUp);  // 64 KiB is not the limit for checks
}

TEST_F(HttpProbeTest, ValidateNamesTheField) {
  model::ProbeSpec spec;
  spec.target = "https://example.com/health";
  EXPECT_TRUE(probe_.Validate(spec, "spec").ok());

  auto field_of = [&](const model::ProbeSpec& s) {
    auto st = probe_.Validate(s, "spec");
    return st.ok() ? std::string("ok") : st.error().field + ": " + st.error().message;
  };
  auto s = spec;
  s.target = "ftp://example.com/";
  EXPECT_THAT(field_of(s), StartsWith("spec.target: URL scheme must be http or https"));
  s.target = "not a url";
  EXPECT_THAT(field_of(s), StartsWith("spec.target:"));
  s = spec;
  s.expected_status = {{200, 700}};
  EXPECT_THAT(field_of(s), StartsWith("spec.expected_status:"));
  s.expected_status = {{300, 200}};
  EXPECT_THAT(field_of(s), StartsWith("spec.expected_status:"));
  s.expected_status = {};
  EXPECT_THAT(field_of(s), StartsWith("spec.expected_status:"));
  s = spec;
  s.json_path = "status";
  EXPECT_THAT(field_of(s), StartsWith("spec.json_path: must start with $"));
  s.json_path = "$.items[*].ok";
  EXPECT_THAT(field_of(s), StartsWith("spec.json_path:"));
  s = spec;
  s.method = "GE T";
  EXPECT_THAT(field_of(s), StartsWith("spec.method:"));
  s = spec;
  s.headers = {{"X-A", "a\r\nInjected: 1"}};
  EXPECT_THAT(field_of(s), StartsWith("spec.headers:"));
  s = spec;
  s.keyword_absent = true;
  EXPECT_THAT(field_of(s), StartsWith("spec.keyword:"));
  EXPECT_EQ(probe_.Validate(s, "").error().field, "keyword");
}

TEST(JsonPathTest, CommonSubset) {
  std::string why;
  auto p = ParseJsonPath("$.a.b[0].c", &why);
  ASSERT_TRUE(p) << why;
  ASSERT_EQ(p->size(), 4u);
  EXPECT_EQ(std::get<std::string>((*p)[1]), "b");
  EXPECT_EQ(std::get<size_t>((*p)[2]), 0u);
  const auto doc = boost::json::parse(R"({"a":{"b":[{"c":null}]},"x y":[1,[2]]})");
  EXPECT_EQ(JsonValueText(*FindJsonPath(doc, *p)), "null");
  EXPECT_EQ(JsonValueText(*FindJsonPath(doc, *ParseJsonPath("$['x y'][1][0]", &why))), "2");
  EXPECT_EQ(FindJsonPath(doc, *ParseJsonPath("$.a.b[1]", &why)), nullptr);
  EXPECT_EQ(FindJsonPath(doc, *ParseJsonPath("$.a[0]", &why)), nullptr);
  EXPECT_NE(FindJsonPath(doc, *ParseJsonPath("$", &why)), nullptr);
  for (const char* bad : {"", "a", "$.", "$..a", "$[", "$[x]", "$['a", "$.a[]", "$[?(@.a)]", "$.*"})
    EXPECT_FALSE(ParseJsonPath(bad, &why)) << bad;
}

}  // namespace
}  // namespace herald::monitor
