#include "notify/webpush/vapid.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <boost/json.hpp>

#include "core/encoding.h"

namespace herald::notify::webpush {
namespace {

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t pos; (pos = s.find(sep, start)) != std::string::npos; start = pos + 1)
    parts.push_back(s.substr(start, pos - start));
  parts.push_back(s.substr(start));
  return parts;
}

// Verifies an ES256 JWT the way a push service does: the raw R || S signature is turned back
// into DER and checked with OpenSSL against the public key from the k= parameter.
bool VerifyEs256(const std::string& jwt, const std::string& public_key_b64) {
  const auto parts = Split(jwt, '.');
  if (parts.size() != 3) return false;
  auto raw_sig = Base64UrlDecode(parts[2]);
  auto point = Base64UrlDecode(public_key_b64);
  if (!raw_sig || raw_sig->size() != 64 || !point) return false;
  auto key = P256FromPublic(*point);
  if (!key) return false;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  const auto* p = reinterpret_cast<const unsigned char*>(raw_sig->data());
  ECDSA_SIG_set0(sig, BN_bin2bn(p, 32, nullptr), BN_bin2bn(p + 32, 32, nullptr));
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  const std::string input = parts[0] + "." + parts[1];
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = der_len > 0 &&
                  EVP_DigestVerifyInit_ex(ctx, nullptr, "SHA256", nullptr, nullptr, key->get(), nullptr) == 1 &&
                  EVP_DigestVerify(ctx, der, static_cast<size_t>(der_len),
                                   reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  OPENSSL_free(der);
  return ok;
}

boost::json::object Part(const std::string& jwt, size_t i) {
  auto json = Base64UrlDecode(Split(jwt, '.').at(i));
  EXPECT_TRUE(json.has_value());
  return boost::json::parse(json.value_or("{}")).as_object();
}

TEST(WebPushVapid, GeneratedKeysAreRawP256InBase64Url) {
  auto keys = GenerateVapidKeys();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(Base64UrlDecode(keys->private_key)->size(), 32u);
  auto pub = Base64UrlDecode(keys->public_key);
  ASSERT_EQ(pub->size(), 65u);
  EXPECT_EQ((*pub)[0], '\x04');
  EXPECT_EQ(keys->public_key.find('='), std::string::npos);
  EXPECT_TRUE(CheckVapidKeys(*keys).ok());
  auto other = GenerateVapidKeys();
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->private_key, keys->private_key);

  VapidKeys mixed = *keys;
  mixed.public_key = other->public_key;
  auto bad = CheckVapidKeys(mixed);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "vapid_public_key");
  mixed = *keys;
  mixed.private_key = "not base64!";
  EXPECT_EQ(CheckVapidKeys(mixed).error().field, "vapid_private_key");
}

TEST(WebPushVapid, JwtIsSignedEs256WithAudienceExpiryAndSubject) {
  auto keys = GenerateVapidKeys();
  ASSERT_TRUE(keys.ok());
  auto signer = VapidSigner::Create(*keys, "mailto:ops@example.com");
  ASSERT_TRUE(signer.ok()) << signer.error().message;
  FakeClock clock;
  auto jwt = (*signer)->Jwt("https://push.example.net", clock.Now());
  ASSERT_TRUE(jwt.ok());

  auto header = Part(*jwt, 0);
  EXPECT_EQ(header.at("typ").as_string(), "JWT");
  EXPECT_EQ(header.at("alg").as_string(), "ES256");
  auto claims = Part(*jwt, 1);
  EXPECT_EQ(claims.at("aud").as_string(), "https://push.example.net");
  EXPECT_EQ(claims.at("exp").to_number<std::int64_t>(), clock.Now() / 1000 + 12 * 3600);
  EXPECT_EQ(claims.at("sub").as_string(), "mailto:ops@example.com");
  EXPECT_TRUE(VerifyEs256(*jwt, keys->public_key));

  // The verifier is not a rubber stamp: other claims or another key fail.
  auto parts = Split(*jwt, '.');
  const std::string forged =
      parts[0] + "." + Base64UrlEncode(R"({"aud":"https://evil.example","exp":1,"sub":"x"})") + "." + parts[2];
  EXPECT_FALSE(VerifyEs256(forged, keys->public_key));
  EXPECT_FALSE(VerifyEs256(*jwt, GenerateVapidKeys()->public_key));
}

TEST(WebPushVapid, AuthorizationHeaderNamesTokenAndKeyAndReusesTokensForAnHour) {
  auto keys = GenerateVapidKeys();
  auto signer = VapidSigner::Create(*keys, "https://status.example.com");
  ASSERT_TRUE(signer.ok());
  FakeClock clock;
  auto a = (*signer)->Authorization("https://Push.Example.net:8443/wpush/v2/abc?x=1", clock.Now());
  ASSERT_TRUE(a.ok());
  const std::string prefix = "vapid t=";
  const std::string key_part = ", k=" + keys->public_key;
  ASSERT_EQ(a->rfind(prefix, 0), 0u) << *a;
  ASSERT_TRUE(a->ends_with(key_part)) << *a;
  const std::string jwt = a->substr(prefix.size(), a->size() - prefix.size() - key_part.size());
  EXPECT_TRUE(VerifyEs256(jwt, keys->public_key));
  EXPECT_EQ(Part(jwt, 1).at("aud").as_string(), "https://push.example.net:8443");
  EXPECT_EQ(Part(jwt, 1).at("sub").as_string(), "https://status.example.com");

  // Same origin within the hour: the same token. Another origin or later: a new one.
  clock.Advance(59 * 60 * 1000);
  EXPECT_EQ(*(*signer)->Authorization("https://push.example.net:8443/other", clock.Now()), *a);
  auto b = (*signer)->Authorization("https://fcm.googleapis.com/fcm/send/xyz", clock.Now());
  ASSERT_TRUE(b.ok());
  EXPECT_NE(*b, *a);
  clock.Advance(2 * 60 * 1000);
  auto c = (*signer)->Authorization("https://push.example.net:8443/wpush/v2/abc", clock.Now());
  ASSERT_TRUE(c.ok());
  EXPECT_NE(*c, *a);
  const std::string jwt_c = c->substr(prefix.size(), c->size() - prefix.size() - key_part.size());
  EXPECT_EQ(Part(jwt_c, 1).at("exp").to_number<std::int64_t>(), clock.Now() / 1000 + 12 * 3600);

  EXPECT_FALSE((*signer)->Authorization("not a url", clock.Now()).ok());
}

TEST(WebPushVapid, OriginDropsDefaultPortsAndPaths) {
  EXPECT_EQ(*UrlOrigin("https://updates.push.services.mozilla.com/wpush/v2/gAAA"),
            "https://updates.push.services.mozilla.com");
  EXPECT_EQ(*UrlOrigin("https://web.push.apple.com:443/QO"), "https://web.push.apple.com");
  EXPECT_EQ(*UrlOrigin("http://127.0.0.1:8081/push/1"), "http://127.0.0.1:8081");
  EXPECT_EQ(*UrlOrigin("HTTP://[::1]:80/x"), "http://[::1]");
  EXPECT_FALSE(UrlOrigin("ftp://example.com/").ok());
  EXPECT_FALSE(UrlOrigin("/relative").ok());
}

TEST(WebPushVapid, SubjectMustBeMailtoOrHttps) {
  EXPECT_TRUE(CheckVapidSubject("mailto:ops@example.com").ok());
  EXPECT_TRUE(CheckVapidSubject("https://status.example.com/contact").ok());
  for (const char* bad : {"", "ops@example.com", "mailto:", "mailto:nobody", "mailto:a b@example.com",
                          "http://status.example.com", "https://"}) {
    auto st = CheckVapidSubject(bad);
    ASSERT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.error().field, "vapid_subject");
  }
  auto keys = GenerateVapidKeys();
  EXPECT_FALSE(VapidSigner::Create(*keys, "ops@example.com").ok());
}

}  // namespace
}  // namespace herald::notify::webpush
