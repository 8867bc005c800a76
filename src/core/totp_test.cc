#include "core/totp.h"

#include <gtest/gtest.h>

#include <set>

#include "core/encoding.h"

namespace herald::totp {
namespace {

constexpr TimeMs kSecond = 1000;

// RFC 6238 Appendix B: 8-digit codes at the given Unix times, one seed per hash function.
TEST(Totp, Rfc6238AppendixBVectors) {
  const std::string sha1 = "12345678901234567890";
  const std::string sha256 = "12345678901234567890123456789012";
  const std::string sha512 = "1234567890123456789012345678901234567890123456789012345678901234";
  struct Case {
    std::int64_t unix_seconds;
    const char *sha1, *sha256, *sha512;
  };
  const Case cases[] = {
      {59, "94287082", "46119246", "90693936"},         {1111111109, "07081804", "68084774", "25091201"},
      {1111111111, "14050471", "67062674", "99943326"}, {1234567890, "89005924", "91819424", "93441116"},
      {2000000000, "69279037", "90698825", "38618901"}, {20000000000, "65353130", "77737706", "47863826"},
  };
  for (const auto& c : cases) {
    const std::int64_t step = StepAt(c.unix_seconds * kSecond);
    EXPECT_EQ(Code(sha1, step, 8, Algorithm::kSha1), c.sha1) << c.unix_seconds;
    EXPECT_EQ(Code(sha256, step, 8, Algorithm::kSha256), c.sha256) << c.unix_seconds;
    EXPECT_EQ(Code(sha512, step, 8, Algorithm::kSha512), c.sha512) << c.unix_seconds;
  }
}

// RFC 4226 Appendix D: the 6-digit HOTP values of counters 0..9 (what apps show, from the same
// truncation).
TEST(Totp, Rfc4226AppendixDSixDigitCodes) {
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Code("12345678901234567890", i), expected[i]) << i;
}

TEST(Totp, VerifyAcceptsTheStepBeforeAndAfterAndNothingFurther) {
  const std::string secret = "12345678901234567890";
  const TimeMs now = 1111111111 * kSecond;
  const std::int64_t step = StepAt(now);
  EXPECT_EQ(Verify(secret, Code(secret, step), now, std::nullopt), step);
  EXPECT_EQ(Verify(secret, Code(secret, step - 1), now, std::nullopt), step - 1);
  EXPECT_EQ(Verify(secret, Code(secret, step + 1), now, std::nullopt), step + 1);
  EXPECT_EQ(Verify(secret, Code(secret, step - 2), now, std::nullopt), std::nullopt);
  EXPECT_EQ(Verify(secret, Code(secret, step + 2), now, std::nullopt), std::nullopt);
  EXPECT_EQ(Verify("another secret......", Code(secret, step), now, std::nullopt), std::nullopt);
}

TEST(Totp, ACodeWorksOnceAndOlderStepsAreRefusedAfterIt) {
  const std::string secret = NewSecret();
  const TimeMs now = 1767225600000;
  const std::int64_t step = StepAt(now);
  auto first = Verify(secret, Code(secret, step), now, std::nullopt);
  ASSERT_EQ(first, step);
  EXPECT_EQ(Verify(secret, Code(secret, step), now, first), std::nullopt);      // replayed
  EXPECT_EQ(Verify(secret, Code(secret, step - 1), now, first), std::nullopt);  // older
  EXPECT_EQ(Verify(secret, Code(secret, step + 1), now + 30 * kSecond, first), step + 1);
}

TEST(Totp, VerifyRefusesMalformedCodesAndIgnoresSpaces) {
  const std::string secret = "12345678901234567890";
  const TimeMs now = 59 * kSecond;
  const std::string code = Code(secret, StepAt(now));
  EXPECT_EQ(Verify(secret, code.substr(0, 3) + " " + code.substr(3), now, std::nullopt), StepAt(now));
  EXPECT_EQ(Verify(secret, "", now, std::nullopt), std::nullopt);
  EXPECT_EQ(Verify(secret, code + "0", now, std::nullopt), std::nullopt);
  EXPECT_EQ(Verify(secret, "12345a", now, std::nullopt), std::nullopt);
}

TEST(Totp, NewSecretsAre160RandomBits) {
  const std::string a = NewSecret(), b = NewSecret();
  EXPECT_EQ(a.size(), 20u);
  EXPECT_NE(a, b);
  EXPECT_EQ(Base32Encode(a).size(), 32u);  // what people type: 32 characters, no padding
}

TEST(Totp, ProvisioningUriPercentEncodesIssuerAndAccount) {
  EXPECT_EQ(ProvisioningUri("Acme Status", "ana+ops@example.com", "12345678901234567890"),
            "otpauth://totp/Acme%20Status:ana%2Bops%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=Acme%20Status&algorithm=SHA1&digits=6&period=30");
  // A colon in the issuer would end the label's issuer part early.
  EXPECT_NE(ProvisioningUri("A:B", "x", "s").find("otpauth://totp/A%3AB:x?"), std::string::npos);
}

TEST(RecoveryCodes, TenDistinctUnambiguousCodes) {
  const auto codes = NewRecoveryCodes();
  ASSERT_EQ(codes.size(), 10u);
  std::set<std::string> unique(codes.begin(), codes.end());
  EXPECT_EQ(unique.size(), 10u);
  for (const auto& c : codes) {
    ASSERT_EQ(c.size(), 9u) << c;
    EXPECT_EQ(c[4], '-') << c;
    EXPECT_EQ(c.find_first_of("01ilo"), std::string::npos) << c;
    EXPECT_EQ((c.substr(0, 4) + c.substr(5)).find_first_not_of("abcdefghjkmnpqrstuvwxyz23456789"), std::string::npos);
  }
}

TEST(RecoveryCodes, MatchFindsTheCodeAsTypedAndOnlyItsHashIsKept) {
  const auto codes = NewRecoveryCodes(3);
  std::vector<std::string> hashes;
  for (const auto& c : codes) hashes.push_back(RecoveryCodeHash(c));
  for (const auto& h : hashes) EXPECT_EQ(h.size(), 64u);
  EXPECT_EQ(hashes[1].find(codes[1]), std::string::npos);
  std::string typed = codes[1];
  for (char& ch : typed) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  typed.erase(4, 1);
  EXPECT_EQ(MatchRecoveryCode(" " + typed + " ", hashes), 1u);
  // Consumed: the caller removes the hash, and the code is then refused.
  hashes.erase(hashes.begin() + 1);
  EXPECT_EQ(MatchRecoveryCode(codes[1], hashes), std::nullopt);
  EXPECT_EQ(MatchRecoveryCode("aaaa-aaaa", hashes), std::nullopt);
}

}  // namespace
}  // namespace herald::totp
