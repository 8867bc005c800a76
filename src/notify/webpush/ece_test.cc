#include "notify/webpush/ece.h"

#include <gtest/gtest.h>

#include "core/encoding.h"
#include "notify/webpush/p256.h"

namespace herald::notify::webpush {
namespace {

// RFC 8291, Appendix A.
constexpr char kPlaintext[] = "When I grow up, I want to be a watermelon";
constexpr char kAsPrivate[] = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
constexpr char kAsPublic[] = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
constexpr char kUaPrivate[] = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
constexpr char kUaPublic[] = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
constexpr char kAuth[] = "BTBZMqHH6r4Tts7J_aSIgg";
constexpr char kSalt[] = "DGv6ra1nlYgDCS1FRnbzlw";
constexpr char kBody[] =
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_"
    "c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_"
    "yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

std::string D(std::string_view b64) {
  auto raw = Base64UrlDecode(b64);
  EXPECT_TRUE(raw.has_value()) << b64;
  return raw.value_or("");
}

TEST(WebPushEce, ReproducesRfc8291AppendixA) {
  auto body = internal::EncryptWith(kPlaintext, D(kUaPublic), D(kAuth), D(kAsPrivate), D(kSalt));
  ASSERT_TRUE(body.ok()) << body.error().message;
  EXPECT_EQ(Base64UrlEncode(*body), kBody);
  // The header carries the ephemeral public key as its key id.
  EXPECT_EQ(body->substr(21, 65), D(kAsPublic));
}

TEST(WebPushEce, DecryptsRfc8291AppendixA) {
  auto plain = Decrypt(D(kBody), D(kUaPrivate), D(kAuth));
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(*plain, kPlaintext);
}

TEST(WebPushEce, FreshKeyAndSaltEveryMessage) {
  auto a = Encrypt(kPlaintext, D(kUaPublic), D(kAuth));
  auto b = Encrypt(kPlaintext, D(kUaPublic), D(kAuth));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->substr(0, 16), b->substr(0, 16));    // salt
  EXPECT_NE(a->substr(21, 65), b->substr(21, 65));  // ephemeral key
  ASSERT_EQ(a->size(), kHeaderSize + sizeof kPlaintext - 1 + 1 + 16);
  EXPECT_EQ(a->substr(16, 5), std::string("\x00\x00\x10\x00\x41", 5));  // rs 4096, idlen 65
  for (const auto& body : {*a, *b}) {
    auto plain = Decrypt(body, D(kUaPrivate), D(kAuth));
    ASSERT_TRUE(plain.ok()) << plain.error().message;
    EXPECT_EQ(*plain, kPlaintext);
  }
}

TEST(WebPushEce, TamperedOrWrongSecretFailsAuthentication) {
  auto body = Encrypt(kPlaintext, D(kUaPublic), D(kAuth));
  ASSERT_TRUE(body.ok());
  std::string tampered = *body;
  tampered[kHeaderSize + 3] ^= 0x01;
  EXPECT_FALSE(Decrypt(tampered, D(kUaPrivate), D(kAuth)).ok());
  std::string other_auth = D(kAuth);
  other_auth[0] ^= 0x01;
  EXPECT_FALSE(Decrypt(*body, D(kUaPrivate), other_auth).ok());
  EXPECT_FALSE(Decrypt(body->substr(0, 50), D(kUaPrivate), D(kAuth)).ok());
}

TEST(WebPushEce, LargestPayloadFitsThePushServiceLimit) {
  const std::string max(kMaxPlaintextSize, 'x');
  auto body = Encrypt(max, D(kUaPublic), D(kAuth));
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->size(), kMaxBodySize);
  auto plain = Decrypt(*body, D(kUaPrivate), D(kAuth));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, max);
  auto over = Encrypt(max + "x", D(kUaPublic), D(kAuth));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::kTooLarge);
}

TEST(WebPushEce, RefusesMalformedSubscriptionKeys) {
  std::string off_curve = D(kUaPublic);
  off_curve[40] ^= 0x01;
  auto a = Encrypt(kPlaintext, off_curve, D(kAuth));
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(a.error().field, "p256dh");
  EXPECT_FALSE(Encrypt(kPlaintext, D(kUaPublic).substr(0, 33), D(kAuth)).ok());  // compressed length
  auto b = Encrypt(kPlaintext, D(kUaPublic), D(kAuth).substr(0, 15));
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().field, "auth");
}

TEST(WebPushP256, RawKeysRoundTripAndAgreeOnEcdh) {
  auto as = P256FromPrivate(D(kAsPrivate));
  auto ua = P256FromPrivate(D(kUaPrivate));
  ASSERT_TRUE(as.ok() && ua.ok());
  EXPECT_EQ(Base64UrlEncode(P256PublicBytes(as->get())), kAsPublic);
  EXPECT_EQ(Base64UrlEncode(P256PrivateBytes(ua->get())), kUaPrivate);
  auto ua_pub = P256FromPublic(D(kUaPublic));
  auto as_pub = P256FromPublic(D(kAsPublic));
  ASSERT_TRUE(ua_pub.ok() && as_pub.ok());
  auto s1 = P256Ecdh(as->get(), ua_pub->get());
  auto s2 = P256Ecdh(ua->get(), as_pub->get());
  ASSERT_TRUE(s1.ok() && s2.ok());
  EXPECT_EQ(*s1, *s2);
  // RFC 8291 Appendix A, "Shared ECDH secret".
  EXPECT_EQ(Base64UrlEncode(*s1), "kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs");
  EXPECT_FALSE(P256FromPrivate(std::string(32, '\0')).ok());
  EXPECT_FALSE(P256FromPrivate(std::string(32, '\xff')).ok());  // above the group order
}

}  // namespace
}  // namespace herald::notify::webpush
