// OidcSignIn against a real, OpenID-certified provider: the npm package oidc-provider, started on
// 127.0.0.1 by tests/fixtures/oidc_provider.mjs (node and the package come from
// scripts/deps.sh test; without them these tests fail, they never skip). A small cookie-keeping
// "browser" follows the redirects and completes the provider's login and consent forms over
// HTTP, as a person would.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <regex>

#include "core/encoding.h"
#include "net/sync_http_client_testing.h"
#include "service/oidc/sign_in.h"
#include "testing/fixture_process.h"

namespace herald::service::oidc {
namespace {

constexpr std::string_view kRedirectUri = "http://127.0.0.1:18080/admin/oidc/callback";

TimeMs RealNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The HttpClient OidcSignIn uses: the real engine, with every request recorded and a hook that
// may change an answer before OidcSignIn sees it (a tampered token, a stale key set).
class TapHttpClient final : public net::HttpClient {
 public:
  void Send(net::HttpRequest request, std::function<void(net::HttpResponse)> done) override {
    const std::string url = request.url;
    {
      std::lock_guard lock(mu_);
      urls_.push_back(url);
    }
    inner_.Send(std::move(request), [this, url, done = std::move(done)](net::HttpResponse r) {
      if (tap) tap(url, r);
      done(std::move(r));
    });
  }
  size_t Count(std::string_view path_suffix) {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const auto& u : urls_)
      if (u.ends_with(path_suffix)) ++n;
    return n;
  }
  std::function<void(const std::string& url, net::HttpResponse& r)> tap;

 private:
  net::SyncHttpClient inner_;
  std::mutex mu_;
  std::vector<std::string> urls_;
};

// A person at a browser: keeps the provider's cookies, follows its redirects, fills in its
// devInteractions forms (login: any password; consent: approve), until the provider redirects
// to Herald's callback, whose URL it returns ("" when something else happens).
class Browser {
 public:
  explicit Browser(std::string base) : base_(std::move(base)) {}

  std::string SignIn(std::string url, const std::string& login, bool abort = false) {
    for (int step = 0; step < 12; ++step) {
      if (url.starts_with(kRedirectUri)) return url;
      if (url.starts_with("/")) url = base_ + url;
      net::HttpResponse r = Get(url);
      if (r.status == 302 || r.status == 303) {
        url = r.Header("location");
        continue;
      }
      std::smatch prompt;
      if (r.status != 200 || !std::regex_search(r.body, prompt, std::regex(R"re(name="prompt" value="(\w+)")re"))) {
        last_error = "step " + std::to_string(step) + ": HTTP " + std::to_string(r.status) + " " + r.error + " " +
                     r.body.substr(0, 300);
        return {};
      }
      if (abort) {
        url += "/abort";
        continue;
      }
      r = Post(url, "prompt=" + prompt[1].str() + "&login=" + login + "&password=any");
      if (r.status != 302 && r.status != 303) {
        last_error = "form answered HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 300);
        return {};
      }
      url = r.Header("location");
    }
    last_error = "too many redirects";
    return {};
  }
  std::string last_error;

 private:
  net::HttpResponse Get(const std::string& url) { return Send("GET", url, ""); }
  net::HttpResponse Post(const std::string& url, std::string body) { return Send("POST", url, std::move(body)); }
  net::HttpResponse Send(std::string method, const std::string& url, std::string body) {
    net::HttpRequest request;
    request.method = std::move(method);
    request.url = url;
    request.body = std::move(body);
    request.max_response_bytes = 1 << 20;
    if (request.method == "POST") request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    std::string cookies;
    for (const auto& [name, value] : jar_) cookies += (cookies.empty() ? "" : "; ") + name + "=" + value;
    if (!cookies.empty()) request.headers.emplace_back("Cookie", cookies);
    net::HttpResponse response;
    http_.Send(std::move(request), [&](net::HttpResponse r) { response = std::move(r); });
    for (const auto& [name, value] : response.headers) {
      if (name != "set-cookie") continue;
      const std::string pair = value.substr(0, value.find(';'));
      const size_t eq = pair.find('=');
      if (eq == std::string::npos) continue;
      if (pair.substr(eq + 1).empty() || value.find("expires=Thu, 01 Jan 1970") != std::string::npos) {
        jar_.erase(pair.substr(0, eq));
      } else {
        jar_[pair.substr(0, eq)] = pair.substr(eq + 1);
      }
    }
    return response;
  }

  std::string base_;
  std::map<std::string, std::string> jar_;
  net::SyncHttpClient http_;
};

// The query string of a callback URL.
std::string QueryOf(const std::string& url) {
  const size_t q = url.find('?');
  return q == std::string::npos ? std::string() : url.substr(q + 1);
}

// The Cookie header a browser sends back after Start's Set-Cookie.
std::string CookieHeader(const OidcStart& start) {
  return std::string(OidcSignIn::kStateCookie) + "=" + start.cookie_value;
}

// `url` with the query parameter `name` set to `value`.
std::string WithParam(const std::string& url, std::string_view name, std::string_view value) {
  boost::urls::url u(*boost::urls::parse_uri(url));
  u.params().set(name, value);
  return std::string(u.buffer());
}

class ProviderFixture {
 public:
  explicit ProviderFixture(bool id_token_claims) {
    const auto script = testing::FindFixture("oidc_provider.mjs");
    if (!script) {
      error = "tests/fixtures/oidc_provider.mjs not found";
      return;
    }
    std::vector<std::string> argv{"node", script->string(), "--redirect-uri", std::string(kRedirectUri)};
    if (id_token_claims) argv.emplace_back("--id-token-claims");
    if (!process.Start(argv, &error)) error += " (is node installed, and oidc-provider? run scripts/deps.sh test)";
  }
  std::string issuer() const { return "http://127.0.0.1:" + std::to_string(process.port()); }
  testing::FixtureProcess process;
  std::string error;
};

class OidcAgainstProvider : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { fixture_ = new ProviderFixture(/*id_token_claims=*/false); }
  static void TearDownTestSuite() {
    delete fixture_;
    fixture_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(fixture_->error.empty()) << "the OpenID provider fixture did not start: " << fixture_->error;
    clock_.Set(RealNow());
  }

  OidcSettings Settings(std::string client_id = "herald", std::string secret = "herald-secret") {
    OidcSettings s;
    s.provider.issuer = fixture_->issuer();
    s.provider.client_id = std::move(client_id);
    s.provider.client_secret = std::move(secret);
    s.redirect_uri = std::string(kRedirectUri);
    s.role_map = {
        {"herald-admins", model::Role::kAdmin}, {"sre", model::Role::kResponder}, {"staff", model::Role::kViewer}};
    return s;
  }
  std::unique_ptr<OidcSignIn> SignIn(OidcSettings settings) {
    return std::make_unique<OidcSignIn>(std::move(settings), std::string(32, 'k'), http_, clock_);
  }
  // Start, then the browser signs in as `login`: the callback URL ("" on failure).
  std::string RunToCallback(OidcSignIn& oidc, const OidcStart& start, const std::string& login,
                            std::string authorize_url = {}) {
    Browser browser(fixture_->issuer());
    std::string callback = browser.SignIn(authorize_url.empty() ? start.redirect_url : authorize_url, login);
    EXPECT_FALSE(callback.empty()) << browser.last_error;
    (void)oidc;
    return callback;
  }

  // The whole flow for `login` with a new OidcSignIn on `settings`: Start, the browser, Finish.
  Result<OidcIdentity> SignInAs(OidcSettings settings, const std::string& login) {
    auto oidc = SignIn(std::move(settings));
    auto start = oidc->Start("/admin");
    if (!start.ok()) return start.error();
    return oidc->Finish(QueryOf(RunToCallback(*oidc, *start, login)), CookieHeader(*start));
  }

  static ProviderFixture* fixture_;
  FakeClock clock_;
  TapHttpClient http_;
};
ProviderFixture* OidcAgainstProvider::fixture_ = nullptr;

TEST_F(OidcAgainstProvider, SignsInAndMapsTheGroupToARole) {
  auto oidc = SignIn(Settings());
  auto start = oidc->Start("/admin/incidents");
  ASSERT_TRUE(start.ok()) << start.error().message;
  // The request: code flow, PKCE S256, state, nonce, the scopes.
  auto url = boost::urls::parse_uri(start->redirect_url);
  ASSERT_TRUE(url.has_value());
  auto params = url->params();
  EXPECT_EQ((*params.find("response_type")).value, "code");
  EXPECT_EQ((*params.find("code_challenge_method")).value, "S256");
  EXPECT_EQ((*params.find("scope")).value, "openid email profile groups");
  EXPECT_EQ((*params.find("code_challenge")).value.size(), 43u);
  EXPECT_GE((*params.find("state")).value.size(), 43u);
  EXPECT_GE((*params.find("nonce")).value.size(), 43u);
  EXPECT_NE(start->set_cookie.find("HttpOnly; SameSite=Lax"), std::string::npos) << start->set_cookie;
  EXPECT_NE(start->set_cookie.find("Path=/admin/oidc/callback"), std::string::npos) << start->set_cookie;

  const std::string callback = RunToCallback(*oidc, *start, "alice");
  ASSERT_FALSE(callback.empty());
  auto who = oidc->Finish(QueryOf(callback), CookieHeader(*start));
  ASSERT_TRUE(who.ok()) << who.error().message;
  EXPECT_EQ(who->email, "alice@example.com");
  EXPECT_EQ(who->subject, "alice");
  EXPECT_EQ(who->name, "Alice Admin");
  EXPECT_EQ(who->role, model::Role::kAdmin);
  EXPECT_EQ(who->groups, (std::vector<std::string>{"herald-admins", "staff"}));
  EXPECT_EQ(who->next_path, "/admin/incidents");
  // This provider sends email and groups from userinfo only (its default for the code flow).
  EXPECT_EQ(http_.Count("/me"), 1u);

  // The same callback again (a replay) is refused, even with its cookie.
  auto again = oidc->Finish(QueryOf(callback), CookieHeader(*start));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kUnauthorized);
  EXPECT_EQ(again.error().field, "state");
  EXPECT_NE(again.error().message.find("completed already"), std::string::npos) << again.error().message;
}

TEST_F(OidcAgainstProvider, ClientSecretPostAndEs256AndTheMostPrivilegedGroupWins) {
  OidcSettings settings = Settings("herald-post", "herald-post-secret");
  settings.provider.token_auth_method = "client_secret_post";
  auto oidc = SignIn(settings);
  auto start = oidc->Start("https://evil.example/phish");
  ASSERT_TRUE(start.ok()) << start.error().message;
  std::string id_token_alg;
  http_.tap = [&](const std::string& url, net::HttpResponse& r) {
    if (!url.ends_with("/token")) return;
    const std::string token = boost::json::parse(r.body).as_object().at("id_token").as_string().c_str();
    id_token_alg = boost::json::parse(*Base64UrlDecode(token.substr(0, token.find('.'))))
                       .as_object()
                       .at("alg")
                       .as_string()
                       .c_str();
  };
  const std::string callback = RunToCallback(*oidc, *start, "dave");  // groups staff (viewer) and sre (responder)
  auto who = oidc->Finish(QueryOf(callback), CookieHeader(*start));
  http_.tap = nullptr;
  ASSERT_TRUE(who.ok()) << who.error().message;
  EXPECT_EQ(id_token_alg, "ES256");
  EXPECT_EQ(who->role, model::Role::kResponder);
  EXPECT_EQ(who->next_path, "/admin") << "a next path off this site must not survive";
}

TEST_F(OidcAgainstProvider, ANonceOtherThanTheCookiesIsRefused) {
  auto oidc = SignIn(Settings());
  auto start = oidc->Start("/admin");
  ASSERT_TRUE(start.ok());
  // An attacker's authorization request, with the victim's state but the attacker's nonce.
  const std::string callback =
      RunToCallback(*oidc, *start, "alice", WithParam(start->redirect_url, "nonce", "attacker-nonce"));
  auto who = oidc->Finish(QueryOf(callback), CookieHeader(*start));
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(who.error().code, ErrorCode::kUnauthorized);
  EXPECT_EQ(who.error().field, "id_token.nonce");
}

TEST_F(OidcAgainstProvider, ATamperedIdTokenSignatureIsRefused) {
  auto oidc = SignIn(Settings());
  auto start = oidc->Start("/admin");
  ASSERT_TRUE(start.ok());
  const std::string callback = RunToCallback(*oidc, *start, "alice");
  // A man in the middle rewrites the ID token's claims (sub: alice -> admin-bob), keeping the
  // provider's signature.
  http_.tap = [](const std::string& url, net::HttpResponse& r) {
    if (!url.ends_with("/token")) return;
    auto body = boost::json::parse(r.body).as_object();
    std::string token(body.at("id_token").as_string());
    const size_t a = token.find('.'), b = token.rfind('.');
    auto claims = boost::json::parse(*Base64UrlDecode(token.substr(a + 1, b - a - 1))).as_object();
    claims["sub"] = "admin-bob";
    body["id_token"] = token.substr(0, a + 1) + Base64UrlEncode(boost::json::serialize(claims)) + token.substr(b);
    r.body = boost::json::serialize(body);
  };
  auto who = oidc->Finish(QueryOf(callback), CookieHeader(*start));
  http_.tap = nullptr;
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(who.error().code, ErrorCode::kUnauthorized);
  EXPECT_EQ(who.error().field, "id_token");
  EXPECT_NE(who.error().message.find("signature"), std::string::npos) << who.error().message;
}

TEST_F(OidcAgainstProvider, AnExpiredIdTokenIsRefused) {
  // Herald's clock runs two hours ahead of the provider's: the provider's one-hour ID token is
  // past its expiry by Herald's reckoning (the state cookie, made on Herald's clock, is fresh).
  clock_.Set(RealNow() + 2 * 3600'000);
  auto who = SignInAs(Settings(), "alice");
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(who.error().field, "id_token.exp") << who.error().message;
}

TEST_F(OidcAgainstProvider, AStateFromAnotherSignInIsRefused) {
  auto oidc = SignIn(Settings());
  auto victim = oidc->Start("/admin");
  auto attacker = oidc->Start("/admin");
  ASSERT_TRUE(victim.ok() && attacker.ok());
  // Login CSRF: the attacker's callback (their code and state) in the victim's browser.
  const std::string callback = RunToCallback(*oidc, *attacker, "bob");
  auto who = oidc->Finish(QueryOf(callback), CookieHeader(*victim));
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(who.error().field, "state");
  EXPECT_NE(who.error().message.find("state mismatch"), std::string::npos) << who.error().message;
  // No cookie at all.
  who = oidc->Finish(QueryOf(callback), "");
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(who.error().field, "state");
}

TEST_F(OidcAgainstProvider, AUserInNoMappedGroupIsRefusedWithTheReason) {
  auto who = SignInAs(Settings(), "bob");  // groups: marketing
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(who.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(who.error().field, "groups");
  EXPECT_NE(who.error().message.find("(marketing)"), std::string::npos) << who.error().message;
  // With a default role, the same user gets it.
  OidcSettings settings = Settings();
  settings.default_role = model::Role::kViewer;
  who = SignInAs(settings, "bob");
  ASSERT_TRUE(who.ok()) << who.error().message;
  EXPECT_EQ(who->role, model::Role::kViewer);
}

TEST_F(OidcAgainstProvider, AnUnverifiedEmailIsRefusedUnlessConfiguredOtherwise) {
  auto who = SignInAs(Settings(), "carol");
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(who.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(who.error().field, "email_verified");
  OidcSettings settings = Settings();
  settings.require_email_verified = false;
  who = SignInAs(settings, "carol");
  ASSERT_TRUE(who.ok()) << who.error().message;
  EXPECT_EQ(who->role, model::Role::kResponder);
}

TEST_F(OidcAgainstProvider, TheProvidersRefusalIsShown) {
  auto oidc = SignIn(Settings());
  auto start = oidc->Start("/admin");
  ASSERT_TRUE(start.ok());
  Browser browser(fixture_->issuer());
  const std::string callback = browser.SignIn(start->redirect_url, "alice", /*abort=*/true);
  ASSERT_FALSE(callback.empty()) << browser.last_error;
  auto who = oidc->Finish(QueryOf(callback), CookieHeader(*start));
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(who.error().field, "error");
  EXPECT_NE(who.error().message.find("access_denied"), std::string::npos) << who.error().message;
}

TEST_F(OidcAgainstProvider, AnUnknownKidFetchesTheKeysOnceMore) {
  // The key set Herald caches first is from before a rotation: the provider's keys had other kids.
  bool stale = true;
  http_.tap = [&](const std::string& url, net::HttpResponse& r) {
    if (!url.ends_with("/jwks") || !stale) return;
    stale = false;
    auto doc = boost::json::parse(r.body).as_object();
    for (auto& key : doc.at("keys").as_array()) key.as_object()["kid"] = "retired-key";
    r.body = boost::json::serialize(doc);
  };
  auto oidc = SignIn(Settings());
  auto start = oidc->Start("/admin");
  ASSERT_TRUE(start.ok());
  auto who = oidc->Finish(QueryOf(RunToCallback(*oidc, *start, "alice")), CookieHeader(*start));
  // A set fetched this moment is not fetched again at once, however unknown the kid.
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(who.error().field, "id_token");
  EXPECT_EQ(http_.Count("/jwks"), 1u);

  // A minute later the cached set is old enough: the unknown kid fetches it once more, and the
  // rotated key signs the user in.
  clock_.Advance(61'000);
  start = oidc->Start("/admin");
  ASSERT_TRUE(start.ok());
  who = oidc->Finish(QueryOf(RunToCallback(*oidc, *start, "alice")), CookieHeader(*start));
  http_.tap = nullptr;
  ASSERT_TRUE(who.ok()) << who.error().message;
  EXPECT_EQ(http_.Count("/jwks"), 2u);
}

class OidcAgainstProviderWithIdTokenClaims : public OidcAgainstProvider {
 protected:
  static void SetUpTestSuite() { fixture_ = new ProviderFixture(/*id_token_claims=*/true); }
};

TEST_F(OidcAgainstProviderWithIdTokenClaims, ClaimsInTheIdTokenNeedNoUserinfo) {
  auto who = SignInAs(Settings(), "alice");
  ASSERT_TRUE(who.ok()) << who.error().message;
  EXPECT_EQ(who->role, model::Role::kAdmin);
  EXPECT_EQ(http_.Count("/me"), 0u);
}

}  // namespace
}  // namespace herald::service::oidc
