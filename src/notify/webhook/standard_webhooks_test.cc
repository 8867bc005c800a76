#include "notify/webhook/standard_webhooks.h"

#include <gtest/gtest.h>

#include "core/encoding.h"

namespace herald::notify {
namespace {

// The reference vector of the Standard Webhooks libraries (and svix's): a signature Herald
// computes must be exactly what every receiver library computes.
constexpr std::string_view kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view kId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t kTimestamp = 1614265330;
constexpr std::string_view kPayload = R"({"test": 2432232314})";
constexpr std::string_view kExpected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

TEST(StandardWebhooks, ReproducesTheReferenceTestVector) {
  auto signature = SignStandardWebhook(kSecret, kId, kTimestamp, kPayload);
  ASSERT_TRUE(signature.ok()) << signature.error().message;
  EXPECT_EQ(*signature, kExpected);
  // The reference libraries accept the key without its prefix too.
  EXPECT_EQ(*SignStandardWebhook(kSecret.substr(6), kId, kTimestamp, kPayload), kExpected);
}

TEST(StandardWebhooks, VerifierAcceptsOnlyTheRightSignatureInTime) {
  const std::string ts = std::to_string(kTimestamp);
  EXPECT_TRUE(VerifyStandardWebhook(kSecret, kId, ts, kPayload, kExpected, kTimestamp));
  // During a rotation the header carries several signatures; any one may match.
  EXPECT_TRUE(VerifyStandardWebhook(kSecret, kId, ts, kPayload, "v1,bm9wZQ== " + std::string(kExpected), kTimestamp));
  EXPECT_FALSE(VerifyStandardWebhook(kSecret, kId, ts, R"({"test": 2432232315})", kExpected, kTimestamp));
  EXPECT_FALSE(VerifyStandardWebhook(kSecret, "msg_other", ts, kPayload, kExpected, kTimestamp));
  EXPECT_FALSE(VerifyStandardWebhook(kSecret, kId, std::to_string(kTimestamp + 1), kPayload, kExpected, kTimestamp));
  EXPECT_FALSE(VerifyStandardWebhook("whsec_" + std::string(32, 'A'), kId, ts, kPayload, kExpected, kTimestamp));
  EXPECT_FALSE(VerifyStandardWebhook(kSecret, kId, ts, kPayload, "v2," + std::string(kExpected.substr(3)), kTimestamp));
  EXPECT_FALSE(VerifyStandardWebhook(kSecret, kId, ts, kPayload, "", kTimestamp));
  // Replays outside the five-minute tolerance are refused, in both directions.
  EXPECT_TRUE(VerifyStandardWebhook(kSecret, kId, ts, kPayload, kExpected, kTimestamp + 300));
  EXPECT_FALSE(VerifyStandardWebhook(kSecret, kId, ts, kPayload, kExpected, kTimestamp + 301));
  EXPECT_FALSE(VerifyStandardWebhook(kSecret, kId, ts, kPayload, kExpected, kTimestamp - 301));
  EXPECT_FALSE(VerifyStandardWebhook(kSecret, kId, "1614265330.0", kPayload, kExpected, kTimestamp));
  EXPECT_FALSE(VerifyStandardWebhook(kSecret, kId, "", kPayload, kExpected, kTimestamp));
}

TEST(StandardWebhooks, NewSecretsAreRandomValidAndSignable) {
  const std::string a = NewWebhookSecret(), b = NewWebhookSecret();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.substr(0, 6), "whsec_");
  EXPECT_TRUE(IsValidWebhookSecret(a));
  auto key = Base64Decode(std::string_view(a).substr(6));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->size(), 32u);
  auto sig = SignStandardWebhook(a, "msg_1", 1767225600, "{}");
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(VerifyStandardWebhook(a, "msg_1", "1767225600", "{}", *sig, 1767225600));
  EXPECT_FALSE(VerifyStandardWebhook(b, "msg_1", "1767225600", "{}", *sig, 1767225600));
}

TEST(StandardWebhooks, SecretValidation) {
  EXPECT_TRUE(IsValidWebhookSecret(kSecret));             // 24 bytes
  EXPECT_FALSE(IsValidWebhookSecret(kSecret.substr(6)));  // the prefix is required when we accept one
  EXPECT_FALSE(IsValidWebhookSecret("whsec_c2hvcnQ="));   // 5 bytes: too short
  EXPECT_FALSE(IsValidWebhookSecret("whsec_not base64!"));
  EXPECT_FALSE(IsValidWebhookSecret("whsec_" + std::string(100, 'A')));  // 75 bytes: too long
  EXPECT_FALSE(SignStandardWebhook("whsec_", "id", 1, "{}").ok());
  EXPECT_FALSE(SignStandardWebhook("whsec_%%%%", "id", 1, "{}").ok());
}

}  // namespace
}  // namespace herald::notify
