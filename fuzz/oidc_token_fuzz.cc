// Fuzzes OpenID Connect sign-in's parsers of what an identity provider (or a man in the middle)
// sends: the ID token (a compact JWS) and the key set (a JWKS document). Input: TOKEN, a newline,
// JWKS. Splitting and decoding the token, importing the keys (cjose), picking a key and checking
// the signature, the claims checks and reading the identity must never crash, and a token must
// never verify against keys it was not signed with (there is no private key here to sign one).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "service/oidc/id_token.h"
#include "service/oidc/jose.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace herald::service::oidc;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const std::string_view token = input.substr(0, nl);
  const std::string_view jwks = nl == std::string_view::npos ? std::string_view{} : input.substr(nl + 1);
  auto keys = JwkSet::Parse(jwks);
  auto jws = ParseJws(token);
  if (!jws) return 0;
  IdTokenExpectations expect;
  expect.issuer = "https://idp.example.com";
  expect.client_id = "herald";
  expect.nonce = "n";
  expect.now = 1767225600000;
  (void)CheckIdTokenClaims(jws->claims, expect);
  (void)ReadIdentity(jws->claims, "groups");
  if (keys && VerifyJws(*jws, *keys, DefaultSigningAlgs()) == JwsCheck::kValid) {
    // Only a signature made with the matching private key verifies; the fuzzer has none except
    // the RFC 7515 examples in the corpus, whose payload is fixed.
    if (jws->claims.if_contains("iss") == nullptr) std::abort();
  }
  return 0;
}
