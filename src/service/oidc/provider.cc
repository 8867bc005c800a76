#include "service/oidc/provider.h"

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <future>

#include "core/encoding.h"
#include "core/log.h"
#include "core/text.h"

namespace herald::service::oidc {

namespace json = boost::json;

namespace {

constexpr size_t kMaxDocumentBytes = 512 * 1024;  // discovery, JWKS, token and userinfo answers
constexpr TimeMs kRetryAfterFailureMs = 60'000;

// application/x-www-form-urlencoded, with everything but RFC 3986's unreserved characters
// escaped: what RFC 6749 section 2.3.1 asks for the client id and secret in HTTP Basic, and safe
// for form bodies.
std::string FormEncode(std::string_view s) { return boost::urls::encode(s, boost::urls::unreserved_chars); }

std::string StringMember(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::vector<std::string> StringList(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (const json::value* v = o.if_contains(key); v && v->is_array())
    for (const auto& e : v->as_array())
      if (e.is_string()) out.emplace_back(e.as_string());
  return out;
}

bool Contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::optional<json::object> ParseObject(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

// "the provider's token endpoint (http://...) answered 502" / "... cannot be reached: ...".
std::string Describe(std::string_view what, const std::string& url, const net::HttpResponse& r) {
  std::string s = "the identity provider's " + std::string(what) + " (" + url + ")";
  if (r.failure != net::FailureKind::kNone) return s + " cannot be reached: " + r.error;
  return s + " answered HTTP " + std::to_string(r.status);
}

// The OAuth error of a 4xx token or userinfo answer: "invalid_grant (code expired)".
std::string OAuthError(const net::HttpResponse& r) {
  auto body = ParseObject(r.body);
  std::string error = body ? StringMember(*body, "error") : std::string();
  if (error.empty()) return "HTTP " + std::to_string(r.status);
  const std::string description = StringMember(*body, "error_description");
  return description.empty() ? error : error + " (" + description + ")";
}

}  // namespace

Status CheckProviderUrl(std::string_view field, std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed)
    return Error::Invalid(std::string(field), std::string(field) + " is not an absolute URL: " + std::string(url));
  const auto& u = *parsed;
  const std::string scheme = Lower(u.scheme());
  if (scheme == "https" && !u.host().empty()) return {};
  bool loopback = false;
  if (u.host_type() == boost::urls::host_type::ipv4) {
    loopback = (u.host_ipv4_address().to_uint() >> 24) == 127;
  } else if (u.host_type() == boost::urls::host_type::ipv6) {
    loopback = u.host_ipv6_address().is_loopback();
  } else {
    loopback = Lower(u.host()) == "localhost";
  }
  if (scheme == "http" && loopback) return {};
  return Error::Invalid(
      std::string(field),
      std::string(field) + " must be an https URL (http only on a loopback host): " + std::string(url));
}

Result<ProviderMetadata> ParseDiscovery(std::string_view text, const std::string& expected_issuer) {
  auto doc = ParseObject(text);
  if (!doc) return Error::Invalid("discovery", "the provider's discovery document is not a JSON object");
  ProviderMetadata m;
  m.issuer = StringMember(*doc, "issuer");
  if (m.issuer != expected_issuer)
    return Error::Invalid("discovery.issuer", "the provider's discovery document names the issuer \"" + m.issuer +
                                                  "\", not the configured \"" + expected_issuer +
                                                  "\" (they must be equal, trailing slash included)");
  for (auto [name, out] : {std::pair{"authorization_endpoint", &m.authorization_endpoint},
                           {"token_endpoint", &m.token_endpoint},
                           {"jwks_uri", &m.jwks_uri},
                           {"userinfo_endpoint", &m.userinfo_endpoint}}) {
    *out = StringMember(*doc, name);
    const std::string field = std::string("discovery.") + name;
    if (out->empty()) {
      if (std::string_view(name) == "userinfo_endpoint") continue;  // optional
      return Error::Invalid(field, "the provider's discovery document has no " + std::string(name));
    }
    if (auto st = CheckProviderUrl(field, *out); !st) return st.error();
  }
  m.token_endpoint_auth_methods = StringList(*doc, "token_endpoint_auth_methods_supported");
  m.code_challenge_methods = StringList(*doc, "code_challenge_methods_supported");
  if (!m.code_challenge_methods.empty() && !Contains(m.code_challenge_methods, "S256"))
    return Error::Invalid("discovery.code_challenge_methods_supported",
                          "the provider does not support PKCE with S256, which Herald requires");
  if (const json::value* v = doc->if_contains("authorization_response_iss_parameter_supported"))
    m.iss_parameter_supported = v->is_bool() && v->as_bool();
  return m;
}

OidcProvider::OidcProvider(ProviderSettings settings, net::HttpClient& http, const Clock& clock)
    : settings_(std::move(settings)), http_(http), clock_(clock) {}

net::HttpResponse OidcProvider::Fetch(net::HttpRequest request) {
  request.timeout = settings_.timeout;
  request.guard_address = false;  // the operator's own identity provider (see the header)
  request.max_response_bytes = kMaxDocumentBytes;
  request.headers.emplace_back("Accept", "application/json");
  // The engine completes every request exactly once (net/http_client.h); the wait has a margin
  // so that a stuck engine cannot hold a worker thread forever.
  auto result = std::make_shared<std::promise<net::HttpResponse>>();
  auto arrived = result->get_future();
  http_.Send(std::move(request), [result](net::HttpResponse r) { result->set_value(std::move(r)); });
  if (arrived.wait_for(settings_.timeout + std::chrono::seconds(5)) != std::future_status::ready) {
    net::HttpResponse timeout;
    timeout.failure = net::FailureKind::kTimeout;
    timeout.error = "no answer";
    return timeout;
  }
  return arrived.get();
}

Result<ProviderMetadata> OidcProvider::Metadata() {
  std::lock_guard lock(mu_);
  return MetadataLocked();
}

Result<ProviderMetadata> OidcProvider::MetadataLocked() {
  const TimeMs now = clock_.Now();
  if (metadata_ && now < metadata_next_fetch_) return *metadata_;
  std::string url = settings_.issuer;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/.well-known/openid-configuration";
  net::HttpRequest request;
  request.method = "GET";
  request.url = url;
  const net::HttpResponse r = Fetch(std::move(request));
  auto fail = [&](Error e) -> Result<ProviderMetadata> {
    if (!metadata_) return e;
    log::Warn("oidc: keeping the cached discovery document", {{"error", e.message}});
    metadata_next_fetch_ = now + kRetryAfterFailureMs;
    return *metadata_;
  };
  if (r.failure != net::FailureKind::kNone || r.status != 200)
    return fail(Error::Unavailable(Describe("discovery document", url, r)));
  auto parsed = ParseDiscovery(r.body, settings_.issuer);
  if (!parsed) return fail(parsed.error());
  if (metadata_ && metadata_->jwks_uri != parsed->jwks_uri) jwks_.reset();
  metadata_ = *parsed;
  metadata_next_fetch_ = now + settings_.metadata_ttl_ms;
  return parsed;
}

Status OidcProvider::FetchJwksLocked(const std::string& jwks_uri) {
  net::HttpRequest request;
  request.method = "GET";
  request.url = jwks_uri;
  const net::HttpResponse r = Fetch(std::move(request));
  jwks_fetched_at_ = clock_.Now();  // a failed fetch counts too: the refetch limit holds either way
  if (r.failure != net::FailureKind::kNone || r.status != 200)
    return Error::Unavailable(Describe("key set", jwks_uri, r));
  auto keys = JwkSet::Parse(r.body);
  if (!keys) return Error::Unavailable("the identity provider's key set is unusable: " + keys.error().message);
  jwks_ = std::make_shared<const JwkSet>(std::move(*keys));
  return {};
}

Status OidcProvider::VerifySignature(const Jws& jws, const std::set<std::string>& allowed_algs) {
  std::lock_guard lock(mu_);
  auto meta = MetadataLocked();
  if (!meta) return meta.error();
  const TimeMs now = clock_.Now();
  bool fetched_now = false;
  if (!jwks_ || now >= jwks_fetched_at_ + settings_.metadata_ttl_ms) {
    if (auto st = FetchJwksLocked(meta->jwks_uri); !st && !jwks_) return st;
    fetched_now = true;
  }
  std::string detail;
  JwsCheck check = VerifyJws(jws, *jwks_, allowed_algs, &detail);
  if (check == JwsCheck::kNoKey && !fetched_now && now >= jwks_fetched_at_ + settings_.jwks_min_refetch_ms) {
    // The provider may have rotated its keys since we fetched them: look once more.
    log::Info("oidc: no cached key fits the ID token; fetching the provider's keys again", {{"kid", jws.kid}});
    if (auto st = FetchJwksLocked(meta->jwks_uri); !st) return st;
    check = VerifyJws(jws, *jwks_, allowed_algs, &detail);
  }
  if (check != JwsCheck::kValid) return Error{ErrorCode::kUnauthorized, "ID token rejected: " + detail, "id_token"};
  return {};
}

Result<OidcProvider::Tokens> OidcProvider::RedeemCode(const std::string& code, const std::string& code_verifier,
                                                      const std::string& redirect_uri) {
  ProviderMetadata meta;
  {
    std::lock_guard lock(mu_);
    auto m = MetadataLocked();
    if (!m) return m.error();
    meta = std::move(*m);
  }
  std::string method = settings_.token_auth_method;
  if (method.empty()) {
    const auto& listed = meta.token_endpoint_auth_methods;
    method = listed.empty() || Contains(listed, "client_secret_basic") ? "client_secret_basic" : "client_secret_post";
  }
  net::HttpRequest request;
  request.method = "POST";
  request.url = meta.token_endpoint;
  request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  request.body = "grant_type=authorization_code&code=" + FormEncode(code) +
                 "&redirect_uri=" + FormEncode(redirect_uri) + "&code_verifier=" + FormEncode(code_verifier);
  if (method == "client_secret_post") {
    request.body +=
        "&client_id=" + FormEncode(settings_.client_id) + "&client_secret=" + FormEncode(settings_.client_secret);
  } else {
    request.headers.emplace_back("Authorization", "Basic " + Base64Encode(FormEncode(settings_.client_id) + ":" +
                                                                          FormEncode(settings_.client_secret)));
  }
  const net::HttpResponse r = Fetch(std::move(request));
  if (r.failure == net::FailureKind::kNone && r.status >= 400 && r.status < 500)
    return Error{ErrorCode::kUnauthorized, "the identity provider refused the sign-in code: " + OAuthError(r), "code"};
  if (r.failure != net::FailureKind::kNone || r.status != 200)
    return Error::Unavailable(Describe("token endpoint", meta.token_endpoint, r));
  auto body = ParseObject(r.body);
  if (!body) return Error::Unavailable("the identity provider's token endpoint answered something other than JSON");
  Tokens tokens{StringMember(*body, "id_token"), StringMember(*body, "access_token")};
  if (tokens.id_token.empty())
    return Error{ErrorCode::kUnauthorized,
                 "the identity provider's token response has no ID token (is the openid scope allowed?)", "id_token"};
  return tokens;
}

Result<json::object> OidcProvider::UserInfo(const std::string& access_token) {
  ProviderMetadata meta;
  {
    std::lock_guard lock(mu_);
    auto m = MetadataLocked();
    if (!m) return m.error();
    meta = std::move(*m);
  }
  if (meta.userinfo_endpoint.empty() || access_token.empty())
    return Error{ErrorCode::kUnauthorized,
                 "the identity provider has no userinfo endpoint to ask for the missing claims", "userinfo"};
  net::HttpRequest request;
  request.method = "GET";
  request.url = meta.userinfo_endpoint;
  request.headers.emplace_back("Authorization", "Bearer " + access_token);
  const net::HttpResponse r = Fetch(std::move(request));
  if (r.failure != net::FailureKind::kNone || r.status != 200)
    return Error::Unavailable(Describe("userinfo endpoint", meta.userinfo_endpoint, r));
  auto body = ParseObject(r.body);
  if (!body)
    return Error::Unavailable(
        "the identity provider's userinfo endpoint answered something other than a JSON object "
        "(signed userinfo responses are not supported)");
  return std::move(*body);
}

}  // namespace herald::service::oidc
