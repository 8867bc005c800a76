// OidcSignIn and OidcProvider against a scripted provider (a routing fake HttpClient and ID
// tokens signed here with cjose), for what a real provider will not produce on demand: tokens
// for another audience, kids it never had, failing endpoints, documents that lie. The flow
// against a real provider is in sign_in_provider_test.cc.
#include "service/oidc/sign_in.h"

#include <cjose/cjose.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>

#include "core/encoding.h"

namespace herald::service::oidc {
namespace {

namespace json = boost::json;

constexpr std::string_view kIssuer = "https://idp.example.com";
constexpr std::string_view kRedirect = "https://status.example.com/admin/oidc/callback";

// An HttpClient answering by URL (method ignored), recording every request.
class RoutingHttpClient final : public net::HttpClient {
 public:
  using Route = std::function<net::HttpResponse(const net::HttpRequest&)>;
  void Send(net::HttpRequest request, std::function<void(net::HttpResponse)> done) override {
    Route route;
    {
      std::lock_guard lock(mu_);
      requests.push_back(request);
      auto it = routes.find(request.url);
      if (it != routes.end()) route = it->second;
    }
    net::HttpResponse r;
    if (route) {
      r = route(request);
    } else {
      r.failure = net::FailureKind::kConnect;
      r.error = "connection refused";
    }
    done(std::move(r));
  }
  size_t Count(const std::string& url) const {
    std::lock_guard lock(mu_);
    return std::count_if(requests.begin(), requests.end(), [&](const auto& r) { return r.url == url; });
  }
  static net::HttpResponse Json(int status, std::string body) {
    net::HttpResponse r;
    r.status = status;
    r.headers = {{"content-type", "application/json"}};
    r.body = std::move(body);
    return r;
  }
  std::map<std::string, Route> routes;
  std::vector<net::HttpRequest> requests;

 private:
  mutable std::mutex mu_;
};

// A signing key made here, its public JWK, and tokens signed with it.
class TestKey {
 public:
  TestKey(bool ec, std::string kid) : kid_(std::move(kid)), alg_(ec ? "ES256" : "RS256") {
    static const uint8_t kE[] = {1, 0, 1};
    cjose_err err{};
    key_ = ec ? cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, &err) : cjose_jwk_create_RSA_random(2048, kE, 3, &err);
    cjose_jwk_set_kid(key_, kid_.data(), kid_.size(), &err);
  }
  ~TestKey() { cjose_jwk_release(key_); }
  TestKey(const TestKey&) = delete;
  TestKey& operator=(const TestKey&) = delete;

  std::string PublicJwk() const {
    cjose_err err{};
    char* text = cjose_jwk_to_json(key_, false, &err);
    std::string out(text);
    free(text);
    return out;
  }
  std::string Sign(const json::object& claims) const {
    cjose_err err{};
    cjose_header_t* header = cjose_header_new(&err);
    cjose_header_set(header, CJOSE_HDR_ALG, alg_.c_str(), &err);
    cjose_header_set(header, CJOSE_HDR_KID, kid_.c_str(), &err);
    const std::string payload = json::serialize(claims);
    cjose_jws_t* jws =
        cjose_jws_sign(key_, header, reinterpret_cast<const uint8_t*>(payload.data()), payload.size(), &err);
    const char* compact = nullptr;
    cjose_jws_export(jws, &compact, &err);
    std::string out(compact);
    cjose_jws_release(jws);
    cjose_header_release(header);
    return out;
  }

 private:
  std::string kid_, alg_;
  cjose_jwk_t* key_ = nullptr;
};

std::string Discovery(std::string_view issuer = kIssuer, std::string extra = "") {
  const std::string i(issuer);
  return R"({"issuer":")" + i + R"(","authorization_endpoint":")" + i + R"(/auth","token_endpoint":")" + i +
         R"(/token","jwks_uri":")" + i + R"(/jwks","userinfo_endpoint":")" + i + R"(/me")" + extra + "}";
}

class OidcSignInTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new TestKey(false, "rsa-2026");
    rotated_ = new TestKey(false, "rsa-2027");
  }
  static void TearDownTestSuite() {
    delete rsa_;
    delete rotated_;
  }

  void SetUp() override {
    const std::string i(kIssuer);
    http_.routes[i + "/.well-known/openid-configuration"] = [this](const net::HttpRequest&) {
      return RoutingHttpClient::Json(200, discovery_);
    };
    http_.routes[i + "/jwks"] = [this](const net::HttpRequest&) {
      return RoutingHttpClient::Json(200, R"({"keys":[)" + jwks_ + "]}");
    };
    http_.routes[i + "/token"] = [this](const net::HttpRequest& r) {
      token_requests_.push_back(r);
      if (token_status_ != 200) return RoutingHttpClient::Json(token_status_, R"({"error":"invalid_grant"})");
      return RoutingHttpClient::Json(
          200,
          json::serialize(json::object{{"access_token", "at-1"}, {"token_type", "Bearer"}, {"id_token", id_token_}}));
    };
    http_.routes[i + "/me"] = [this](const net::HttpRequest&) { return RoutingHttpClient::Json(200, userinfo_); };
    jwks_ = rsa_->PublicJwk();
  }

  OidcSettings Settings() {
    OidcSettings s;
    s.provider.issuer = std::string(kIssuer);
    s.provider.client_id = "herald";
    s.provider.client_secret = "s3cret: with spaces&more";
    s.redirect_uri = std::string(kRedirect);
    s.role_map = {{"herald-admins", model::Role::kAdmin}, {"staff", model::Role::kViewer}};
    return s;
  }
  OidcSignIn& Make(OidcSettings s) {
    oidc_ = std::make_unique<OidcSignIn>(std::move(s), std::string(40, 'x'), http_, clock_);
    return *oidc_;
  }
  OidcSignIn& Make() { return Make(Settings()); }

  // The claims a good ID token for `start` has (nonce taken from the pending cookie's request).
  json::object Claims(const OidcStart& start) {
    auto url = boost::urls::parse_uri(start.redirect_url);
    std::string nonce = (*url->params().find("nonce")).value;
    const std::int64_t now = clock_.Now() / 1000;
    return {{"iss", kIssuer},
            {"aud", "herald"},
            {"sub", "u-1"},
            {"nonce", nonce},
            {"iat", now},
            {"exp", now + 300},
            {"email", "Ann@Example.com"},
            {"email_verified", true},
            {"name", "Ann"},
            {"groups", json::array{"staff"}}};
  }
  static std::string StateOf(const OidcStart& start) {
    auto url = boost::urls::parse_uri(start.redirect_url);
    return (*url->params().find("state")).value;
  }
  static std::string Callback(const OidcStart& start, std::string extra = "") {
    return "code=c-1&state=" + StateOf(start) + "&iss=https%3A%2F%2Fidp.example.com" + extra;
  }
  static std::string Cookie(const OidcStart& start) {
    return "other=1; " + std::string(OidcSignIn::kStateCookie) + "=" + start.cookie_value;
  }
  // Start, a token with `change` applied to its claims, Finish.
  Result<OidcIdentity> Run(const std::function<void(json::object&)>& change = {}, const TestKey* key = nullptr) {
    auto start = oidc_->Start("/admin/x");
    EXPECT_TRUE(start.ok());
    json::object claims = Claims(*start);
    if (change) change(claims);
    id_token_ = (key ? key : rsa_)->Sign(claims);
    return oidc_->Finish(Callback(*start), Cookie(*start));
  }

  static TestKey* rsa_;
  static TestKey* rotated_;
  FakeClock clock_;
  RoutingHttpClient http_;
  std::unique_ptr<OidcSignIn> oidc_;
  std::string discovery_ = Discovery();
  std::string jwks_;
  std::string id_token_;
  std::string userinfo_ = "{}";
  int token_status_ = 200;
  std::vector<net::HttpRequest> token_requests_;
};
TestKey* OidcSignInTest::rsa_ = nullptr;
TestKey* OidcSignInTest::rotated_ = nullptr;

TEST_F(OidcSignInTest, AGoodTokenSignsIn) {
  Make();
  auto who = Run();
  ASSERT_TRUE(who.ok()) << who.error().message;
  EXPECT_EQ(who->email, "ann@example.com");
  EXPECT_EQ(who->subject, "u-1");
  EXPECT_EQ(who->role, model::Role::kViewer);
  EXPECT_EQ(who->next_path, "/admin/x");
  EXPECT_EQ(http_.Count(std::string(kIssuer) + "/me"), 0u) << "the ID token had every claim";
  // client_secret_basic (the default when discovery lists no methods): id and secret
  // form-encoded, then base64 (RFC 6749 section 2.3.1); the code with its PKCE verifier.
  ASSERT_EQ(token_requests_.size(), 1u);
  const auto& req = token_requests_[0];
  std::string auth;
  for (const auto& [k, v] : req.headers)
    if (k == "Authorization") auth = v;
  EXPECT_EQ(auth, "Basic " + Base64Encode("herald:s3cret%3A%20with%20spaces%26more"));
  EXPECT_NE(req.body.find("grant_type=authorization_code&code=c-1&redirect_uri=https%3A%2F%2Fstatus.example.com"),
            std::string::npos)
      << req.body;
  EXPECT_NE(req.body.find("&code_verifier="), std::string::npos);
  EXPECT_EQ(req.body.find("client_secret"), std::string::npos);
}

TEST_F(OidcSignInTest, TheStateCookieIsScopedToTheCallback) {
  Make();
  auto start = oidc_->Start("/admin");
  ASSERT_TRUE(start.ok());
  EXPECT_EQ(start->set_cookie, "herald_oidc=" + start->cookie_value +
                                   "; Path=/admin/oidc/callback; HttpOnly; SameSite=Lax; Secure; Max-Age=600");
  EXPECT_EQ(oidc_->ClearCookie(), "herald_oidc=; Path=/admin/oidc/callback; HttpOnly; SameSite=Lax; Secure; Max-Age=0");
}

TEST_F(OidcSignInTest, ThePkceChallengeIsTheVerifiersSha256) {
  Make();
  auto start = oidc_->Start("/admin");
  ASSERT_TRUE(start.ok());
  id_token_ = rsa_->Sign(Claims(*start));
  ASSERT_TRUE(oidc_->Finish(Callback(*start), Cookie(*start)).ok());
  const std::string& body = token_requests_.at(0).body;
  const std::string verifier = body.substr(body.find("code_verifier=") + 14);
  ASSERT_EQ(verifier.size(), 43u);
  unsigned char digest[32];
  unsigned int n = 0;
  EVP_Digest(verifier.data(), verifier.size(), digest, &n, EVP_sha256(), nullptr);
  auto url = boost::urls::parse_uri(start->redirect_url);
  EXPECT_EQ((*url->params().find("code_challenge")).value,
            Base64UrlEncode(std::string_view(reinterpret_cast<char*>(digest), n)));
}

TEST_F(OidcSignInTest, ClientSecretPostWhenDiscoveryOffersOnlyThat) {
  discovery_ = Discovery(kIssuer, R"(,"token_endpoint_auth_methods_supported":["client_secret_post"])");
  Make();
  ASSERT_TRUE(Run().ok());
  const auto& req = token_requests_.at(0);
  EXPECT_NE(req.body.find("&client_id=herald&client_secret=s3cret%3A%20with%20spaces%26more"), std::string::npos)
      << req.body;
  for (const auto& [k, v] : req.headers) EXPECT_NE(k, "Authorization");
}

TEST_F(OidcSignInTest, ATokenForAnotherAudienceOrPartyIsRefused) {
  Make();
  auto who = Run([](json::object& c) { c["aud"] = "some-other-app"; });
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(who.error().code, ErrorCode::kUnauthorized);
  EXPECT_EQ(who.error().field, "id_token.aud");
  who = Run([](json::object& c) {
    c["aud"] = json::array{"herald", "some-other-app"};
    c["azp"] = "some-other-app";
  });
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(who.error().field, "id_token.azp");
  who = Run([](json::object& c) { c["iss"] = "https://evil.example.com"; });
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(who.error().field, "id_token.iss");
}

TEST_F(OidcSignInTest, AnUnknownKidRefetchesTheKeysAtMostOncePerMinute) {
  Make();
  const std::string jwks_url = std::string(kIssuer) + "/jwks";
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(http_.Count(jwks_url), 1u);
  // The provider rotates: its set now has the new key only. Ten minutes on, the first token
  // signed with it fetches the set once more, and signs in.
  jwks_ = rotated_->PublicJwk();
  clock_.Advance(10 * 60'000);
  auto who = Run({}, rotated_);
  ASSERT_TRUE(who.ok()) << who.error().message;
  EXPECT_EQ(http_.Count(jwks_url), 2u);
  // A token naming a kid the provider never had: within the minute no new fetch...
  clock_.Advance(30'000);
  TestKey forged(false, "made-up");
  who = Run({}, &forged);
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(who.error().field, "id_token");
  EXPECT_EQ(http_.Count(jwks_url), 2u);
  // ...and after it, exactly one, which does not help the forger.
  clock_.Advance(31'000);
  who = Run({}, &forged);
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(http_.Count(jwks_url), 3u);
  EXPECT_NE(who.error().message.find("\"made-up\""), std::string::npos) << who.error().message;
}

TEST_F(OidcSignInTest, TheStateCookieCannotBeForgedReusedOrKeptTooLong) {
  Make();
  auto start = oidc_->Start("/admin");
  ASSERT_TRUE(start.ok());
  id_token_ = rsa_->Sign(Claims(*start));
  // Changed by one character: the signature no longer fits.
  std::string forged = start->cookie_value;
  forged[3] = forged[3] == 'a' ? 'b' : 'a';
  auto who = oidc_->Finish(Callback(*start), std::string(OidcSignIn::kStateCookie) + "=" + forged);
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(who.error().field, "state");
  // Signed under another key (another deployment): refused as well.
  OidcSignIn other(Settings(), std::string(40, 'y'), http_, clock_);
  auto foreign = other.Start("/admin");
  ASSERT_TRUE(foreign.ok());
  who = oidc_->Finish(Callback(*foreign), Cookie(*foreign));
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(who.error().field, "state");
  // Eleven minutes later the genuine cookie has expired.
  clock_.Advance(11 * 60'000);
  who = oidc_->Finish(Callback(*start), Cookie(*start));
  ASSERT_FALSE(who.ok());
  EXPECT_NE(who.error().message.find("longer than 10 minutes"), std::string::npos) << who.error().message;
  EXPECT_TRUE(token_requests_.empty()) << "no code may be redeemed for a refused callback";
}

TEST_F(OidcSignInTest, TheCallbackIsCheckedBeforeTheCodeIsRedeemed) {
  Make();
  auto start = oidc_->Start("/admin");
  ASSERT_TRUE(start.ok());
  // RFC 9207: a callback naming another issuer (a mix-up attack) is refused.
  auto who = oidc_->Finish("code=c&state=" + StateOf(*start) + "&iss=https%3A%2F%2Fevil.example.com", Cookie(*start));
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(who.error().field, "iss");
  start = oidc_->Start("/admin");
  who = oidc_->Finish(Callback(*start, "&state=again"), Cookie(*start));
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(who.error().field, "state") << "a repeated parameter";
  start = oidc_->Start("/admin");
  who = oidc_->Finish("state=" + StateOf(*start), Cookie(*start));
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(who.error().field, "code");
  EXPECT_TRUE(token_requests_.empty());
}

TEST_F(OidcSignInTest, ProviderFailuresHaveTheirOwnErrors) {
  Make();
  token_status_ = 400;
  auto who = Run();
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(who.error().code, ErrorCode::kUnauthorized);
  EXPECT_EQ(who.error().field, "code");
  EXPECT_NE(who.error().message.find("invalid_grant"), std::string::npos);
  token_status_ = 502;
  who = Run();
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(who.error().code, ErrorCode::kUnavailable);
  // A provider that cannot be reached: Start fails with kUnavailable, nothing is cached.
  http_.routes.clear();
  OidcSignIn cold(Settings(), std::string(40, 'x'), http_, clock_);
  auto start = cold.Start("/admin");
  ASSERT_FALSE(start.ok());
  EXPECT_EQ(start.error().code, ErrorCode::kUnavailable);
}

TEST_F(OidcSignInTest, DiscoveryIsCachedRefreshedAndKeptWhenTheRefreshFails) {
  Make();
  const std::string url = std::string(kIssuer) + "/.well-known/openid-configuration";
  ASSERT_TRUE(oidc_->Start("/").ok());
  ASSERT_TRUE(oidc_->Start("/").ok());
  EXPECT_EQ(http_.Count(url), 1u);
  clock_.Advance(61 * 60'000);  // past the hour
  ASSERT_TRUE(oidc_->Start("/").ok());
  EXPECT_EQ(http_.Count(url), 2u);
  // The discovery endpoint breaks: the cached document goes on serving.
  clock_.Advance(61 * 60'000);
  http_.routes[url] = [](const net::HttpRequest&) { return RoutingHttpClient::Json(500, "oops"); };
  ASSERT_TRUE(oidc_->Start("/").ok());
  EXPECT_EQ(http_.Count(url), 3u);
}

TEST_F(OidcSignInTest, ADiscoveryDocumentForAnotherIssuerIsRefused) {
  discovery_ = Discovery("https://idp.example.com/");  // a trailing slash is another issuer
  Make();
  auto start = oidc_->Start("/admin");
  ASSERT_FALSE(start.ok());
  EXPECT_EQ(start.error().field, "discovery.issuer");
  auto plain = ParseDiscovery(Discovery("http://idp.example.com"), "http://idp.example.com");
  ASSERT_FALSE(plain.ok());
  EXPECT_NE(plain.error().message.find("https"), std::string::npos);
  EXPECT_TRUE(ParseDiscovery(Discovery("http://127.0.0.1:9"), "http://127.0.0.1:9").ok());
  auto no_s256 =
      ParseDiscovery(Discovery(kIssuer, R"(,"code_challenge_methods_supported":["plain"])"), std::string(kIssuer));
  ASSERT_FALSE(no_s256.ok());
  EXPECT_EQ(no_s256.error().field, "discovery.code_challenge_methods_supported");
}

TEST_F(OidcSignInTest, MissingClaimsComeFromUserinfoForTheSameSubject) {
  Make();
  userinfo_ = R"({"sub":"u-1","email":"ann@example.com","email_verified":true,"groups":["herald-admins"]})";
  auto strip = [](json::object& c) {
    c.erase("email");
    c.erase("email_verified");
    c.erase("groups");
  };
  auto who = Run(strip);
  ASSERT_TRUE(who.ok()) << who.error().message;
  EXPECT_EQ(who->role, model::Role::kAdmin);
  const auto& me = http_.requests.back();
  EXPECT_EQ(me.url, std::string(kIssuer) + "/me");
  std::string auth;
  for (const auto& [k, v] : me.headers)
    if (k == "Authorization") auth = v;
  EXPECT_EQ(auth, "Bearer at-1");
  userinfo_ = R"({"sub":"someone-else","email":"boss@example.com","email_verified":true,"groups":["herald-admins"]})";
  who = Run(strip);
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(who.error().field, "userinfo");
}

TEST_F(OidcSignInTest, NextPathsOffThisSiteBecomeTheDefault) {
  Make();
  for (std::string_view bad :
       {"//evil.example/x", "/\\evil.example", "https://evil.example", "admin", "", "/admin\r\nSet-Cookie: x=1"}) {
    auto who = [&] {
      auto start = oidc_->Start(bad);
      EXPECT_TRUE(start.ok());
      id_token_ = rsa_->Sign(Claims(*start));
      return oidc_->Finish(Callback(*start), Cookie(*start));
    }();
    ASSERT_TRUE(who.ok()) << who.error().message;
    EXPECT_EQ(who->next_path, "/admin") << bad;
  }
}

TEST(OidcRoles, TheMostPrivilegedMappedRoleWins) {
  const std::vector<std::pair<std::string, model::Role>> map = {
      {"admins", model::Role::kAdmin}, {"sre", model::Role::kResponder}, {"staff", model::Role::kViewer}};
  EXPECT_EQ(*RoleForGroups({"staff", "sre"}, map, std::nullopt), model::Role::kResponder);
  EXPECT_EQ(*RoleForGroups({"admins", "staff"}, map, std::nullopt), model::Role::kAdmin);
  EXPECT_EQ(*RoleForGroups({"other"}, map, model::Role::kViewer), model::Role::kViewer);
  auto refused = RoleForGroups({"marketing", "sales"}, map, std::nullopt);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(refused.error().field, "groups");
  EXPECT_NE(refused.error().message.find("(marketing, sales)"), std::string::npos);
  EXPECT_FALSE(RoleForGroups({}, map, std::nullopt).ok());
  EXPECT_FALSE(RoleForGroups({"Admins"}, map, std::nullopt).ok()) << "group names are compared exactly";
}

TEST(OidcSettingsFromConfig, BuildsTheRedirectUriAndReadsTheSecretFile) {
  config::OidcConfig c;
  c.issuer = "https://login.example.com";
  c.client_id = "herald";
  c.client_secret_file = ::testing::TempDir() + "oidc_secret";
  c.role_map = {{"staff", model::Role::kViewer}};
  std::ofstream(c.client_secret_file) << "from-file\n";
  auto s = SettingsFromConfig(c, "https://status.example.com/");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->redirect_uri, "https://status.example.com/admin/oidc/callback");
  EXPECT_EQ(s->provider.client_secret, "from-file");
  c.client_secret_file = "/nonexistent/oidc_secret";
  auto missing = SettingsFromConfig(c, "https://status.example.com");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().field, "oidc.client_secret_file");
  c.client_secret_file.clear();
  c.client_secret = "x";
  c.issuer = "http://login.example.com";
  auto plain = SettingsFromConfig(c, "https://status.example.com");
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.error().field, "oidc.issuer");
}

}  // namespace
}  // namespace herald::service::oidc
