#include "service/oidc/id_token.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace herald::service::oidc {
namespace {

namespace json = boost::json;

constexpr TimeMs kNow = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr std::int64_t kNowS = kNow / 1000;

IdTokenExpectations Expect() {
  IdTokenExpectations e;
  e.issuer = "https://idp.example.com";
  e.client_id = "herald";
  e.nonce = "n-0S6_WzA2Mj";
  e.now = kNow;
  return e;
}

json::object Good() {
  return {{"iss", "https://idp.example.com"}, {"aud", "herald"},   {"sub", "248289761001"},
          {"nonce", "n-0S6_WzA2Mj"},          {"iat", kNowS - 10}, {"exp", kNowS + 3600}};
}

// The claim the check names, or "" when it passes.
std::string Failing(const json::object& claims, const IdTokenExpectations& e = Expect()) {
  auto st = CheckIdTokenClaims(claims, e);
  return st.ok() ? std::string() : st.error().field;
}

json::object With(std::string_view key, json::value v) {
  json::object o = Good();
  o[key] = std::move(v);
  return o;
}
json::object Without(std::string_view key) {
  json::object o = Good();
  o.erase(key);
  return o;
}

TEST(IdToken, GoodClaimsPass) {
  EXPECT_EQ(Failing(Good()), "");
  json::object multi = With("aud", json::array{"herald", "other"});
  multi["azp"] = "herald";
  EXPECT_EQ(Failing(multi), "");
  EXPECT_EQ(Failing(With("exp", static_cast<double>(kNowS) + 0.5)), "");  // NumericDate may be fractional
}

TEST(IdToken, IssuerMustBeExactlyTheProviders) {
  EXPECT_EQ(Failing(With("iss", "https://idp.example.com/")), "id_token.iss");
  EXPECT_EQ(Failing(With("iss", "https://evil.example.com")), "id_token.iss");
  EXPECT_EQ(Failing(Without("iss")), "id_token.iss");
}

TEST(IdToken, AudienceMustIncludeThisClient) {
  EXPECT_EQ(Failing(With("aud", "someone-else")), "id_token.aud");
  EXPECT_EQ(Failing(With("aud", json::array{"a", "b"})), "id_token.aud");
  EXPECT_EQ(Failing(Without("aud")), "id_token.aud");
  // Several audiences need an authorized party, and it must be us.
  EXPECT_EQ(Failing(With("aud", json::array{"herald", "other"})), "id_token.azp");
  EXPECT_EQ(Failing(With("azp", "other")), "id_token.azp");
}

TEST(IdToken, ExpiryAndIssueTimeWithSkew) {
  IdTokenExpectations e = Expect();
  EXPECT_EQ(Failing(With("exp", kNowS - 30), e), "");  // within a minute of skew
  EXPECT_EQ(Failing(With("exp", kNowS - 61), e), "id_token.exp");
  EXPECT_EQ(Failing(Without("exp"), e), "id_token.exp");
  EXPECT_EQ(Failing(With("exp", "tomorrow"), e), "id_token.exp");
  EXPECT_EQ(Failing(With("iat", kNowS + 30), e), "");
  EXPECT_EQ(Failing(With("iat", kNowS + 120), e), "id_token.iat");
  EXPECT_EQ(Failing(With("iat", kNowS - 20 * 60), e), "id_token.iat");  // issued 20 min ago: older than 15
  EXPECT_EQ(Failing(Without("iat"), e), "id_token.iat");
  EXPECT_EQ(Failing(With("nbf", kNowS + 600), e), "id_token.nbf");
  EXPECT_EQ(Failing(With("nbf", kNowS - 5), e), "");
  e.now += 2 * 3600'000;  // the same token two hours later
  EXPECT_EQ(Failing(Good(), e), "id_token.exp");
}

TEST(IdToken, NonceAndSubject) {
  EXPECT_EQ(Failing(With("nonce", "n-other")), "id_token.nonce");
  EXPECT_EQ(Failing(Without("nonce")), "id_token.nonce");
  EXPECT_EQ(Failing(With("nonce", 5)), "id_token.nonce");
  EXPECT_EQ(Failing(With("sub", "")), "id_token.sub");
  EXPECT_EQ(Failing(Without("sub")), "id_token.sub");
  auto st = CheckIdTokenClaims(With("nonce", "x"), Expect());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message, "ID token rejected: its nonce does not match the sign-in request's");
}

TEST(IdToken, ReadIdentityAcceptsTheShapesProvidersSend) {
  json::object c = Good();
  c["email"] = "Alice@Example.com";
  c["email_verified"] = "true";  // a string, as some providers send it
  c["preferred_username"] = "alice";
  c["roles"] = "sre";  // one group as a string
  ProviderIdentity id = ReadIdentity(c, "roles");
  EXPECT_EQ(id.subject, "248289761001");
  EXPECT_EQ(id.email, "Alice@Example.com");
  EXPECT_EQ(id.email_verified, true);
  EXPECT_EQ(id.name, "alice");
  ASSERT_TRUE(id.groups.has_value());
  EXPECT_EQ(*id.groups, std::vector<std::string>{"sre"});
  c["groups"] = json::array{"a", 5, "b"};
  c["email_verified"] = "yes";
  id = ReadIdentity(c, "groups");
  EXPECT_EQ(*id.groups, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(id.email_verified.has_value());
  EXPECT_FALSE(ReadIdentity(Good(), "groups").groups.has_value());
}

TEST(IdToken, MergeFillsOnlyWhatTheIdTokenLacks) {
  ProviderIdentity token;
  token.subject = "s";
  token.name = "From Token";
  ProviderIdentity info;
  info.subject = "s";
  info.email = "a@example.com";
  info.email_verified = true;
  info.name = "From Userinfo";
  info.groups = std::vector<std::string>{"g"};
  ProviderIdentity merged = MergeIdentity(token, info);
  EXPECT_EQ(merged.email, "a@example.com");
  EXPECT_EQ(merged.email_verified, true);
  EXPECT_EQ(merged.name, "From Token");
  EXPECT_EQ(merged.groups, info.groups);
  // Userinfo's verification of another address does not verify the token's.
  token.email = "b@example.com";
  EXPECT_FALSE(MergeIdentity(token, info).email_verified.has_value());
}

}  // namespace
}  // namespace herald::service::oidc
