// The claims checks of an OpenID Connect ID token (OpenID Connect Core 1.0, section 3.1.3.7),
// after its signature has been verified (jose.h), and reading the identity out of the claims.
//
// Pure and thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace herald::service::oidc {

struct IdTokenExpectations {
  std::string issuer;     // exactly the provider's issuer identifier
  std::string client_id;  // must be an audience; the authorized party when `azp` is present
  std::string nonce;      // the value sent in the authorization request
  TimeMs now = 0;
  TimeMs skew_ms = 60'000;          // clock difference tolerated on exp, iat and nbf
  TimeMs max_age_ms = 15 * 60'000;  // an ID token issued longer ago than this is refused
};

// Checks iss, aud (a string or an array holding client_id; with several audiences `azp` must be
// present), azp (when present: client_id), exp (not past, with skew), iat (not in the future,
// not older than max_age), nbf (when present), nonce (equal) and sub (a non-empty string).
// Error::Invalid naming the claim ("id_token.aud", ...) with a sentence saying what was wrong.
Status CheckIdTokenClaims(const boost::json::object& claims, const IdTokenExpectations& expect);

// The user as the provider describes them.
struct ProviderIdentity {
  std::string subject;
  std::string email;
  std::optional<bool> email_verified;  // absent when the provider did not say
  std::string name;
  std::optional<std::vector<std::string>> groups;  // absent when the claim is missing
};

// Reads sub, email, email_verified (a boolean, or the strings "true"/"false" that some providers
// send), name (or preferred_username) and the groups claim (an array of strings, or a single
// string) from `claims`. A claim of the wrong type counts as absent.
ProviderIdentity ReadIdentity(const boost::json::object& claims, const std::string& groups_claim);

// `base` with each of email, email_verified, name and groups that it lacks taken from `extra`
// (the userinfo response). The subject stays `base`'s.
ProviderIdentity MergeIdentity(ProviderIdentity base, const ProviderIdentity& extra);

}  // namespace herald::service::oidc
