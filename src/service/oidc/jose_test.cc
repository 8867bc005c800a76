#include "service/oidc/jose.h"

#include <gtest/gtest.h>

#include "core/encoding.h"

namespace herald::service::oidc {
namespace {

// RFC 7515 appendix A.2: RS256 over {"iss":"joe",...}; the public half of its key.
constexpr std::string_view kRfcRs256Jws =
    "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVl"
    "fQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_"
    "O8W2Fp5jujGbds9uJdbF9CUAr7t1d"
    "nZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--"
    "xi12jzDwusC-"
    "eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
constexpr std::string_view kRfcRsaN =
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-"
    "pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-"
    "UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_"
    "h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
// RFC 7515 appendix A.3: ES256 over the same payload, and its P-256 public key.
constexpr std::string_view kRfcEs256Jws =
    "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVl"
    "fQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
constexpr std::string_view kRfcEcKey = R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
                                       R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})";

std::string RsaKey(std::string_view extra = "") {
  return R"({"kty":"RSA","e":"AQAB","n":")" + std::string(kRfcRsaN) + "\"" + std::string(extra) + "}";
}
std::string Set(std::initializer_list<std::string> keys) {
  std::string s = R"({"keys":[)";
  bool first = true;
  for (const auto& k : keys) {
    s += (first ? "" : ",") + k;
    first = false;
  }
  return s + "]}";
}
JwkSet Keys(std::initializer_list<std::string> keys) {
  auto set = JwkSet::Parse(Set(keys));
  EXPECT_TRUE(set.ok()) << set.error().message;
  return set.ok() ? *set : JwkSet();
}
Jws Parsed(std::string_view token) {
  auto jws = ParseJws(token);
  EXPECT_TRUE(jws.ok()) << jws.error().message;
  return jws.ok() ? *jws : Jws();
}
// The token with its header replaced by `header_json` (its signature then no longer fits).
std::string WithHeader(std::string_view token, std::string_view header_json) {
  return Base64UrlEncode(header_json) + std::string(token.substr(token.find('.')));
}

TEST(Jose, Rfc7515RsaExampleVerifies) {
  const Jws jws = Parsed(kRfcRs256Jws);
  EXPECT_EQ(jws.alg, "RS256");
  EXPECT_EQ(jws.claims.at("iss").as_string(), "joe");
  EXPECT_EQ(jws.claims.at("exp").as_int64(), 1300819380);
  EXPECT_EQ(jws.signature.size(), 256u);
  std::string detail;
  EXPECT_EQ(VerifyJws(jws, Keys({RsaKey()}), DefaultSigningAlgs(), &detail), JwsCheck::kValid) << detail;
}

TEST(Jose, Rfc7515EcdsaExampleVerifies) {
  const Jws jws = Parsed(kRfcEs256Jws);
  EXPECT_EQ(jws.alg, "ES256");
  EXPECT_EQ(jws.signature.size(), 64u);
  std::string detail;
  EXPECT_EQ(VerifyJws(jws, Keys({std::string(kRfcEcKey)}), DefaultSigningAlgs(), &detail), JwsCheck::kValid) << detail;
}

TEST(Jose, AChangedPayloadOrSignatureDoesNotVerify) {
  const JwkSet keys = Keys({RsaKey(), std::string(kRfcEcKey)});
  for (std::string_view good : {kRfcRs256Jws, kRfcEs256Jws}) {
    std::string token(good);
    const size_t payload = token.find('.') + 1;
    token[payload + 3] = token[payload + 3] == 'A' ? 'B' : 'A';  // one claim byte differs
    EXPECT_EQ(VerifyJws(Parsed(token), keys, DefaultSigningAlgs()), JwsCheck::kBadSignature) << token;
    std::string sig(good);
    sig[sig.size() - 5] = sig[sig.size() - 5] == 'A' ? 'B' : 'A';
    EXPECT_EQ(VerifyJws(Parsed(sig), keys, DefaultSigningAlgs()), JwsCheck::kBadSignature) << sig;
  }
}

TEST(Jose, RefusesNoneHmacAndAlgorithmsOutsideTheAllowList) {
  const JwkSet keys = Keys({RsaKey()});
  // "none" with an empty signature: the classic forgery.
  const std::string none = Base64UrlEncode(R"({"alg":"none"})") + "." + Base64UrlEncode(R"({"sub":"x"})") + ".";
  EXPECT_EQ(VerifyJws(Parsed(none), keys, DefaultSigningAlgs()), JwsCheck::kAlgNotAllowed);
  // HS256 "keyed" with the provider's public key: the algorithm-confusion forgery.
  EXPECT_EQ(VerifyJws(Parsed(WithHeader(kRfcRs256Jws, R"({"alg":"HS256"})")), keys, DefaultSigningAlgs()),
            JwsCheck::kAlgNotAllowed);
  EXPECT_EQ(VerifyJws(Parsed(kRfcRs256Jws), keys, {"ES256"}), JwsCheck::kAlgNotAllowed);
}

TEST(Jose, KeysAreChosenByKidTypeAndCurve) {
  // The token names kid "b"; only key "a" exists: no key (the caller refetches the set).
  const std::string with_kid = WithHeader(kRfcRs256Jws, R"({"alg":"RS256","kid":"b"})");
  EXPECT_EQ(VerifyJws(Parsed(with_kid), Keys({RsaKey(R"(,"kid":"a")")}), DefaultSigningAlgs()), JwsCheck::kNoKey);
  // An EC key does not verify RS256, and an RSA key not ES256.
  EXPECT_EQ(VerifyJws(Parsed(kRfcRs256Jws), Keys({std::string(kRfcEcKey)}), DefaultSigningAlgs()), JwsCheck::kNoKey);
  EXPECT_EQ(VerifyJws(Parsed(kRfcEs256Jws), Keys({RsaKey()}), DefaultSigningAlgs()), JwsCheck::kNoKey);
  // A key declared for another algorithm is not used for this one.
  EXPECT_EQ(VerifyJws(Parsed(kRfcRs256Jws), Keys({RsaKey(R"(,"alg":"PS256")")}), DefaultSigningAlgs()),
            JwsCheck::kNoKey);
  // ES384 needs a P-384 key: the P-256 key does not fit it.
  EXPECT_EQ(VerifyJws(Parsed(WithHeader(kRfcEs256Jws, R"({"alg":"ES384"})")), Keys({std::string(kRfcEcKey)}),
                      DefaultSigningAlgs()),
            JwsCheck::kNoKey);
}

TEST(Jose, AnEcdsaSignatureOfTheWrongLengthIsRefused) {
  // R||S of a P-256 signature is exactly 64 bytes. cjose alone splits any even length in halves,
  // so R and S each with a leading zero byte (66 bytes) would verify: a second encoding of the
  // same signature, which RFC 7518 section 3.4 does not allow.
  std::string token(kRfcEs256Jws);
  const std::string sig = *Base64UrlDecode(token.substr(token.rfind('.') + 1));
  const std::string zero(1, '\0');
  token = token.substr(0, token.rfind('.') + 1) + Base64UrlEncode(zero + sig.substr(0, 32) + zero + sig.substr(32));
  EXPECT_EQ(VerifyJws(Parsed(token), Keys({std::string(kRfcEcKey)}), DefaultSigningAlgs()), JwsCheck::kBadSignature);
}

TEST(Jose, Rfc7517ExampleSetKeepsOnlySigningKeys) {
  // RFC 7517 appendix A.1: an EC key for encryption ("use":"enc") and an RSA signing key.
  const std::string set = Set(
      {R"({"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",)"
       R"("y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","use":"enc","kid":"1"})",
       RsaKey(R"(,"alg":"RS256","kid":"2011-04-29")"),
       R"({"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow","kid":"hmac"})",
       R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})"});
  auto keys = JwkSet::Parse(set);
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  ASSERT_EQ(keys->keys().size(), 1u);
  EXPECT_EQ(keys->keys()[0].kid, "2011-04-29");
  EXPECT_EQ(keys->keys()[0].kty, "RSA");
  EXPECT_EQ(keys->keys()[0].bits, 2048u);
  EXPECT_TRUE(keys->HasKid("2011-04-29"));
  EXPECT_FALSE(keys->HasKid("1"));
  // A key with its private part is not taken either.
  auto with_private =
      JwkSet::Parse(Set({std::string(kRfcEcKey).insert(1, R"("d":"jpsQnnGQmL-YBIffH1136cLyG9KMAqYAsJtY5rHqcmc",)")}));
  ASSERT_TRUE(with_private.ok());
  EXPECT_TRUE(with_private->keys().empty());
}

// Found by fuzz/oidc_token_fuzz.cc: an '=' inside a token part or a key's number made cjose's
// base64url decoder assert, which aborted the process.
TEST(Jose, PaddingOrOtherCharactersInsideAPartAreRefusedBeforeCjoseSeesThem) {
  std::string token(kRfcRs256Jws);
  token[token.size() - 60] = '=';
  auto r = ParseJws(token);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "id_token");
  EXPECT_FALSE(ParseJws(std::string(kRfcRs256Jws) + "==").ok());
  EXPECT_FALSE(ParseJws(std::string(kRfcRs256Jws).insert(5, "+")).ok());
  std::string n(kRfcRsaN);
  n[40] = '=';
  auto keys = JwkSet::Parse(Set({R"({"kty":"RSA","e":"AQAB","n":")" + n + "\"}"}));
  ASSERT_TRUE(keys.ok());
  EXPECT_TRUE(keys->keys().empty());
  keys = JwkSet::Parse(Set({R"({"kty":"EC","crv":"P-256","x":"f83O=","y":5})"}));
  ASSERT_TRUE(keys.ok());
  EXPECT_TRUE(keys->keys().empty());
}

TEST(Jose, MalformedKeySetsAreErrorsNamingTheJwks) {
  for (std::string_view bad : {"", "[]", "{}", R"({"keys":{}})", "{\"keys\":[", "null"}) {
    auto r = JwkSet::Parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().field, "jwks");
  }
  std::string many = R"({"keys":[)";
  for (size_t i = 0; i <= JwkSet::kMaxKeys; ++i) many += (i ? "," : "") + RsaKey();
  EXPECT_FALSE(JwkSet::Parse(many + "]}").ok());
  // Entries that are not keys are skipped, not fatal.
  auto odd = JwkSet::Parse(R"({"keys":[1,"x",{"kty":"RSA","n":"","e":""}]})");
  ASSERT_TRUE(odd.ok());
  EXPECT_TRUE(odd->keys().empty());
}

TEST(Jose, MalformedTokensAreErrorsNamingTheIdToken) {
  const std::string h = Base64UrlEncode(R"({"alg":"RS256"})");
  const std::string p = Base64UrlEncode(R"({"sub":"x"})");
  for (const std::string& bad :
       {std::string(), std::string("abc"), h + "." + p, h + "." + p + ".sig.extra", h + ".%%%." + "sig",
        Base64UrlEncode("[1]") + "." + p + ".", Base64UrlEncode(R"({"typ":"JWT"})") + "." + p + ".",
        h + "." + Base64UrlEncode("not json") + ".",
        Base64UrlEncode(R"({"alg":"RS256","crit":["exp"]})") + "." + p + ".",
        h + "." + p + "." + std::string(70000, 'A')}) {
    auto r = ParseJws(bad);
    ASSERT_FALSE(r.ok()) << bad.substr(0, 80);
    EXPECT_EQ(r.error().field, "id_token");
  }
}

}  // namespace
}  // namespace herald::service::oidc
