// Metrics as a Prometheus scraper sees them: counts by route and status, a cumulative
// latency histogram, recording from several threads at once, and a bounded label set.
#include "app/metrics.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace herald::app {
namespace {

bool Contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

TEST(MetricsTest, CountsByRouteAndStatusWithCumulativeHistogram) {
  Metrics m;
  m.ObserveRequest("/api/v2/summary.json", 200, 0.0002);
  m.ObserveRequest("/api/v2/summary.json", 200, 0.003);
  m.ObserveRequest("/api/v2/summary.json", 304, 10.0);
  m.ObserveRequest("/v1/pages/{id}", 201, 0.02);
  std::string out = m.Render();
  EXPECT_TRUE(Contains(out, "herald_http_requests_total{route=\"/api/v2/summary.json\",status=\"200\"} 2\n"));
  EXPECT_TRUE(Contains(out, "herald_http_requests_total{route=\"/api/v2/summary.json\",status=\"304\"} 1\n"));
  EXPECT_TRUE(Contains(out, "herald_http_requests_total{route=\"/v1/pages/{id}\",status=\"201\"} 1\n"));
  EXPECT_TRUE(
      Contains(out, "herald_http_request_duration_seconds_bucket{route=\"/api/v2/summary.json\",le=\"0.0005\"} 1\n"));
  EXPECT_TRUE(
      Contains(out, "herald_http_request_duration_seconds_bucket{route=\"/api/v2/summary.json\",le=\"0.001\"} 1\n"));
  EXPECT_TRUE(
      Contains(out, "herald_http_request_duration_seconds_bucket{route=\"/api/v2/summary.json\",le=\"0.005\"} 2\n"));
  EXPECT_TRUE(
      Contains(out, "herald_http_request_duration_seconds_bucket{route=\"/api/v2/summary.json\",le=\"2.5\"} 2\n"));
  EXPECT_TRUE(
      Contains(out, "herald_http_request_duration_seconds_bucket{route=\"/api/v2/summary.json\",le=\"+Inf\"} 3\n"));
  EXPECT_TRUE(Contains(out, "herald_http_request_duration_seconds_count{route=\"/api/v2/summary.json\"} 3\n"));
  EXPECT_TRUE(Contains(out, "herald_http_request_duration_seconds_sum{route=\"/api/v2/summary.json\"} 10.0032\n"));
  // Routes in label order, whatever order they were first seen in.
  EXPECT_LT(out.find("route=\"/api/v2/summary.json\""), out.find("route=\"/v1/pages/{id}\""));
}

TEST(MetricsTest, ConcurrentRecordingLosesNothing) {
  Metrics m;
  constexpr int kThreads = 4, kEach = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&m, t] {
      // Every thread interns some labels of its own and shares one with the others.
      for (int i = 0; i < kEach; ++i)
        m.ObserveRequest(i % 2 ? "/" : "/own/" + std::to_string(t * 10 + i % 10), 200, 0.001);
    });
  for (auto& t : threads) t.join();
  std::string out = m.Render();
  EXPECT_TRUE(Contains(
      out, "herald_http_requests_total{route=\"/\",status=\"200\"} " + std::to_string(kThreads * kEach / 2) + "\n"));
  EXPECT_TRUE(Contains(
      out, "herald_http_requests_total{route=\"/own/0\",status=\"200\"} " + std::to_string(kEach / 10) + "\n"));
}

TEST(MetricsTest, LabelSetIsBounded) {
  Metrics m;
  for (std::size_t i = 0; i < Metrics::kMaxRoutes + 50; ++i) m.ObserveRequest("/r/" + std::to_string(i), 404, 0);
  std::string out = m.Render();
  EXPECT_TRUE(Contains(out, "route=\"/r/0\""));
  EXPECT_FALSE(Contains(out, "route=\"/r/" + std::to_string(Metrics::kMaxRoutes + 49) + "\""));
  // What did not fit is still counted.
  std::size_t counted = 0;
  for (std::size_t pos = out.find("herald_http_requests_total{"); pos != std::string::npos;
       pos = out.find("herald_http_requests_total{", pos + 1))
    counted += std::stoul(out.substr(out.find("} ", pos) + 2));
  EXPECT_EQ(counted, Metrics::kMaxRoutes + 50);
  EXPECT_TRUE(Contains(out, "herald_http_requests_total{route=\"other\",status=\"404\"} 50\n"));
}

TEST(MetricsTest, OutOfRangeStatusIsClampedNotWrittenOutOfBounds) {
  Metrics m;
  m.ObserveRequest("/", 1000, 0);
  m.ObserveRequest("/", -1, 0);
  std::string out = m.Render();
  EXPECT_TRUE(Contains(out, "herald_http_requests_total{route=\"/\",status=\"599\"} 1\n"));
  EXPECT_TRUE(Contains(out, "herald_http_requests_total{route=\"/\",status=\"100\"} 1\n"));
}

}  // namespace
}  // namespace herald::app
