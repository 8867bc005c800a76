#include "notify/channel.h"

#include <gtest/gtest.h>

#include "core/time.h"

namespace herald::notify {
namespace {

using Kind = SendOutcome::Kind;

SendOutcome Classify(int status, std::string retry_after = {}, TimeMs now = 0) {
  HttpOutcomeInput in;
  in.status = status;
  in.retry_after_header = std::move(retry_after);
  in.now = now;
  return ClassifyHttp(in);
}

TEST(ClassifyHttp, SuccessGoneRetryPermanent) {
  EXPECT_EQ(Classify(204).kind, Kind::kDelivered);
  EXPECT_EQ(Classify(410).kind, Kind::kGone);
  EXPECT_EQ(Classify(503).kind, Kind::kRetry);
  EXPECT_EQ(Classify(301).kind, Kind::kRetry);
  EXPECT_EQ(Classify(400).kind, Kind::kPermanent);
  HttpOutcomeInput failed;
  failed.transport_failed = true;
  failed.transport_error = "timeout";
  EXPECT_EQ(ClassifyHttp(failed).kind, Kind::kRetry);
  EXPECT_EQ(ClassifyHttp(failed).detail, "timeout");
}

TEST(ClassifyHttp, RetryAfterSecondsAndDate) {
  auto a = Classify(429, "120");
  ASSERT_TRUE(a.retry_after.has_value());
  EXPECT_EQ(a.retry_after->count(), 120000);
  const TimeMs now = *ParseIso8601("2026-01-01T12:00:00Z");
  auto b = Classify(503, "Thu, 01 Jan 2026 12:00:30 GMT", now);
  ASSERT_TRUE(b.retry_after.has_value());
  EXPECT_EQ(b.retry_after->count(), 30000);
  EXPECT_FALSE(Classify(429, "soon").retry_after.has_value());
}

}  // namespace
}  // namespace herald::notify
