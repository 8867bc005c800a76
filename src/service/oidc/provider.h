// OidcProvider: Herald's view of one OpenID Provider, as a relying party (confidential client).
// It fetches the provider's discovery document (/.well-known/openid-configuration, OpenID Connect
// Discovery 1.0) and its JWKS, keeps both cached, redeems authorization codes at the token
// endpoint and reads the userinfo endpoint.
//
// Caching: the discovery document is kept for `metadata_ttl_ms` and then fetched again; when that
// fetch fails, the last good document keeps serving (sign-in goes on while the provider's
// discovery endpoint hiccups) and the next attempt waits a minute. The JWKS is fetched with the
// first signature check, again after `metadata_ttl_ms`, and at once (but at most once per
// `jwks_min_refetch_ms`) when a token names a `kid` the cached set lacks: that is how a provider
// rotates keys, and the limit keeps tokens with made-up kids from making Herald hammer it.
//
// Every request goes through the HttpClient given (libcurl's engine in production; a real
// server on 127.0.0.1 in the tests) with guard_address off: the provider is an endpoint the
// operator configured, not one a visitor supplied. The issuer and every endpoint must be https,
// except on a loopback host (127.0.0.1, ::1, localhost), which is for tests and local setups.
//
// Thread safety: all methods may be called from several threads at once; they block on the
// network (call them on worker threads, never on an io thread). One lock covers the caches and
// is held during a fetch, so that a cold cache is filled once, not once per waiting sign-in.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "net/http_client.h"
#include "service/oidc/jose.h"

namespace herald::service::oidc {

struct ProviderSettings {
  std::string issuer;  // "https://login.example.com/realms/staff", exactly as the provider spells it
  std::string client_id;
  std::string client_secret;
  // "client_secret_basic", "client_secret_post", or empty: basic when the provider's discovery
  // document lists it (or lists nothing, as basic is the default), else post.
  std::string token_auth_method;
  TimeMs metadata_ttl_ms = 60 * 60'000;
  TimeMs jwks_min_refetch_ms = 60'000;
  std::chrono::milliseconds timeout{10'000};
};

// What Herald uses of a discovery document.
struct ProviderMetadata {
  std::string issuer;
  std::string authorization_endpoint, token_endpoint, jwks_uri, userinfo_endpoint;
  std::vector<std::string> token_endpoint_auth_methods;  // empty: the provider did not say
  std::vector<std::string> code_challenge_methods;       // empty: the provider did not say
  bool iss_parameter_supported = false;                  // RFC 9207: `iss` in the redirect
};

// Parses a discovery document and checks it: its issuer is exactly `expected_issuer` (Discovery
// section 4.3), the endpoints Herald needs are there and are https (or loopback http), and S256
// is among the PKCE methods when the document lists any. Error::Invalid naming the member.
Result<ProviderMetadata> ParseDiscovery(std::string_view json, const std::string& expected_issuer);

// An https URL, or http on a loopback host. Error::Invalid naming `field` otherwise.
Status CheckProviderUrl(std::string_view field, std::string_view url);

class OidcProvider {
 public:
  OidcProvider(ProviderSettings settings, net::HttpClient& http, const Clock& clock);

  // The discovery document, fetched or from the cache. kUnavailable when the provider cannot be
  // reached (and nothing is cached), kInvalid when its document is wrong.
  Result<ProviderMetadata> Metadata();

  // Checks `jws`'s signature against the provider's keys (see the class comment for the
  // refetch on an unknown kid). kUnauthorized ("id_token") when it does not verify.
  Status VerifySignature(const Jws& jws, const std::set<std::string>& allowed_algs);

  struct Tokens {
    std::string id_token, access_token;
  };
  // Redeems an authorization code (with its PKCE verifier) at the token endpoint, authenticating
  // with the client secret. kUnauthorized ("code") when the provider refuses the code,
  // kUnavailable when it cannot be reached or fails.
  Result<Tokens> RedeemCode(const std::string& code, const std::string& code_verifier, const std::string& redirect_uri);

  // The userinfo endpoint's claims for `access_token`. Error when there is no such endpoint, it
  // refuses, or it answers anything but a JSON object.
  Result<boost::json::object> UserInfo(const std::string& access_token);

  const ProviderSettings& settings() const { return settings_; }

 private:
  net::HttpResponse Fetch(net::HttpRequest request);
  Result<ProviderMetadata> MetadataLocked();
  Status FetchJwksLocked(const std::string& jwks_uri);

  const ProviderSettings settings_;
  net::HttpClient& http_;
  const Clock& clock_;
  std::mutex mu_;  // guards the caches below, and is held while they are fetched
  std::optional<ProviderMetadata> metadata_;
  TimeMs metadata_next_fetch_ = 0;
  std::shared_ptr<const JwkSet> jwks_;
  TimeMs jwks_fetched_at_ = 0;
};

}  // namespace herald::service::oidc
