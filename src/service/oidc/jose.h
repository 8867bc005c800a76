// JOSE for OpenID Connect sign-in: a provider's JSON Web Key Set (RFC 7517) and compact JSON Web
// Signatures (RFC 7515) as ID tokens arrive in them (RFC 7519), parsed and checked.
//
// Key import and signature verification are done by cjose (Debian libcjose-dev, OpenSSL 3 under
// it), the JOSE library of mod_auth_openidc, an OpenID-certified relying party: turning a JWK's
// modulus or curve point into an OpenSSL key, and an ES256 signature's R||S into what ECDSA
// verification takes, are where hand-written JOSE code goes wrong. This file adds what cjose
// leaves to its caller: it accepts only asymmetric algorithms from an allow-list (never "none" or
// an HMAC keyed with something public), checks that the key's type, curve and size fit the
// algorithm and that the signature has the algorithm's exact length, and picks keys by `kid`.
// The header and claims are parsed with Boost.JSON into plain values.
//
// Thread safety: JwkSet is immutable after Parse and may be shared between threads; the
// functions are pure.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace herald::service::oidc {

// The JWS algorithms a provider may sign ID tokens with, when the operator names none: RSA
// (PKCS#1 v1.5 and PSS) and ECDSA on the NIST curves. OpenID Connect's default is RS256.
const std::set<std::string>& DefaultSigningAlgs();

// One public signing key of a provider's JWKS.
struct Jwk {
  std::string kid;            // may be empty
  std::string kty;            // "RSA" or "EC"
  std::string crv;            // EC: "P-256", "P-384" or "P-521"
  std::string alg;            // the one algorithm the key is for, when the provider says
  size_t bits = 0;            // RSA modulus or EC field size
  std::shared_ptr<void> key;  // cjose_jwk_t*, released when the last copy goes
};

// A provider's key set. Keys that are not signing keys (use "enc"), not RSA or EC, private, or
// that cjose cannot import are left out: a provider may publish keys for other purposes.
class JwkSet {
 public:
  static constexpr size_t kMaxKeys = 100;
  // Error::Invalid (field "jwks") when `json` is not a JWKS document or holds more than kMaxKeys.
  static Result<JwkSet> Parse(std::string_view json);
  const std::vector<Jwk>& keys() const { return keys_; }
  bool HasKid(std::string_view kid) const;

 private:
  std::vector<Jwk> keys_;
};

// A compact JWS split and decoded, its signature not yet checked.
struct Jws {
  std::string alg, kid, typ;   // from the protected header
  boost::json::object header;  // the whole protected header
  boost::json::object claims;  // the payload, which must be a JSON object (a JWT claims set)
  std::string signature;       // raw bytes
  std::string compact;         // the token as received
};

// Splits and decodes "header.payload.signature". Error::Invalid (field "id_token") on anything
// that is not three base64url parts of a JSON object header with a string "alg" and a JSON object
// payload, on a header naming "crit" extensions (none are understood), or a token over 64 KiB.
Result<Jws> ParseJws(std::string_view compact);

enum class JwsCheck {
  kValid,
  kAlgNotAllowed,  // "none", HMAC, or an algorithm outside the allow-list
  kNoKey,          // no key in the set has the token's kid (or, without a kid, fits the algorithm)
  kBadSignature,   // a fitting key exists, but the signature does not verify with it
};

// Checks `jws`'s signature with the keys of `keys` that fit its alg (and its kid, when it has
// one). `detail` (optional) gets a sentence for logs and error messages.
JwsCheck VerifyJws(const Jws& jws, const JwkSet& keys, const std::set<std::string>& allowed_algs,
                   std::string* detail = nullptr);

}  // namespace herald::service::oidc
