#include "service/oidc/jose.h"

#include <cjose/cjose.h>

#include <boost/json.hpp>
#include <cctype>
#include <cstdlib>

#include "core/encoding.h"

namespace herald::service::oidc {

namespace json = boost::json;

namespace {

constexpr size_t kMaxTokenBytes = 64 * 1024;
constexpr size_t kMaxJwksBytes = 512 * 1024;
constexpr size_t kMinRsaBits = 2048;

// What an algorithm needs of its key and signature.
struct AlgSpec {
  std::string_view alg;
  std::string_view kty;
  std::string_view crv;    // EC only
  size_t signature_bytes;  // EC: exactly 2 * field size (R||S); RSA: 0 = the modulus length
};

constexpr AlgSpec kAlgs[] = {
    {"RS256", "RSA", "", 0},      {"RS384", "RSA", "", 0},      {"RS512", "RSA", "", 0},
    {"PS256", "RSA", "", 0},      {"PS384", "RSA", "", 0},      {"PS512", "RSA", "", 0},
    {"ES256", "EC", "P-256", 64}, {"ES384", "EC", "P-384", 96}, {"ES512", "EC", "P-521", 132},
};

const AlgSpec* FindAlg(std::string_view alg) {
  for (const auto& a : kAlgs)
    if (a.alg == alg) return &a;
  return nullptr;
}

std::string CurveName(long nid) {
  switch (nid) {
    case CJOSE_JWK_EC_P_256: return "P-256";
    case CJOSE_JWK_EC_P_384: return "P-384";
    case CJOSE_JWK_EC_P_521: return "P-521";
    default: return {};
  }
}

// Unpadded base64url (RFC 7515 section 2) of a length that some bytes encode to. cjose's decoder
// asserts, killing the process, on input outside this (an '=' inside a part: found by
// fuzz/oidc_token_fuzz.cc), so nothing else reaches it.
bool IsBase64Url(std::string_view s) {
  if (s.size() % 4 == 1) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  return true;
}

std::string StringMember(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// Parses `text` as a JSON object; nullopt when it is not one.
std::optional<json::object> ParseObject(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

// One JWKS entry as a Jwk, or nullopt when it is not a public signing key cjose can use.
std::optional<Jwk> ImportKey(const json::object& entry) {
  Jwk k;
  k.kty = StringMember(entry, "kty");
  k.kid = StringMember(entry, "kid");
  k.alg = StringMember(entry, "alg");
  if (k.kty != "RSA" && k.kty != "EC") return std::nullopt;
  if (const std::string use = StringMember(entry, "use"); !use.empty() && use != "sig") return std::nullopt;
  if (entry.contains("d")) return std::nullopt;  // a private key has no business in a JWKS
  for (std::string_view member : {"n", "e", "x", "y"})
    if (const json::value* v = entry.if_contains(member); v && !(v->is_string() && IsBase64Url(v->as_string())))
      return std::nullopt;
  if (!k.alg.empty() && !FindAlg(k.alg)) return std::nullopt;
  const std::string text = json::serialize(entry);
  cjose_err err{};
  cjose_jwk_t* raw = cjose_jwk_import(text.data(), text.size(), &err);
  if (!raw) return std::nullopt;
  k.key = std::shared_ptr<void>(raw, [](void* p) { cjose_jwk_release(static_cast<cjose_jwk_t*>(p)); });
  k.bits = cjose_jwk_get_keysize(raw, &err);
  if (k.kty == "EC") {
    k.crv = CurveName(cjose_jwk_EC_get_curve(raw, &err));
    if (k.crv.empty()) return std::nullopt;
  }
  return k;
}

bool KeyFits(const Jwk& key, const AlgSpec& spec, std::string_view alg) {
  if (key.kty != spec.kty) return false;
  if (!key.alg.empty() && key.alg != alg) return false;
  if (spec.kty == "EC") return key.crv == spec.crv;
  return key.bits >= kMinRsaBits;
}

}  // namespace

const std::set<std::string>& DefaultSigningAlgs() {
  static const std::set<std::string> algs = [] {
    std::set<std::string> s;
    for (const auto& a : kAlgs) s.emplace(a.alg);
    return s;
  }();
  return algs;
}

Result<JwkSet> JwkSet::Parse(std::string_view text) {
  if (text.size() > kMaxJwksBytes) return Error::Invalid("jwks", "the JWKS document is over 512 KiB");
  auto doc = ParseObject(text);
  if (!doc) return Error::Invalid("jwks", "the JWKS document is not a JSON object");
  const json::value* keys = doc->if_contains("keys");
  if (!keys || !keys->is_array()) return Error::Invalid("jwks", "the JWKS document has no \"keys\" array");
  if (keys->as_array().size() > kMaxKeys)
    return Error::Invalid("jwks", "the JWKS document has more than " + std::to_string(kMaxKeys) + " keys");
  JwkSet set;
  for (const json::value& entry : keys->as_array()) {
    if (!entry.is_object()) continue;
    if (auto key = ImportKey(entry.as_object())) set.keys_.push_back(std::move(*key));
  }
  return set;
}

bool JwkSet::HasKid(std::string_view kid) const {
  for (const auto& k : keys_)
    if (k.kid == kid) return true;
  return false;
}

Result<Jws> ParseJws(std::string_view compact) {
  auto invalid = [](std::string message) { return Error::Invalid("id_token", std::move(message)); };
  if (compact.size() > kMaxTokenBytes) return invalid("the token is over 64 KiB");
  const size_t dot1 = compact.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : compact.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || compact.find('.', dot2 + 1) != std::string_view::npos)
    return invalid("the token is not a compact JWS (three parts separated by dots)");
  for (std::string_view part :
       {compact.substr(0, dot1), compact.substr(dot1 + 1, dot2 - dot1 - 1), compact.substr(dot2 + 1)})
    if (!IsBase64Url(part)) return invalid("a part of the token is not unpadded base64url");
  const auto header_text = Base64UrlDecode(compact.substr(0, dot1));
  const auto payload_text = Base64UrlDecode(compact.substr(dot1 + 1, dot2 - dot1 - 1));
  const auto signature = Base64UrlDecode(compact.substr(dot2 + 1));
  if (!header_text || !payload_text || !signature) return invalid("a part of the token is not base64url");
  auto header = ParseObject(*header_text);
  if (!header) return invalid("the token's header is not a JSON object");
  auto claims = ParseObject(*payload_text);
  if (!claims) return invalid("the token's payload is not a JSON object (an encrypted or nested token?)");
  Jws jws;
  jws.alg = StringMember(*header, "alg");
  if (jws.alg.empty()) return invalid("the token's header has no \"alg\"");
  if (header->contains("crit")) return invalid("the token's header names critical extensions (\"crit\")");
  jws.kid = StringMember(*header, "kid");
  jws.typ = StringMember(*header, "typ");
  jws.header = std::move(*header);
  jws.claims = std::move(*claims);
  jws.signature = std::move(*signature);
  jws.compact = std::string(compact);
  return jws;
}

JwsCheck VerifyJws(const Jws& jws, const JwkSet& keys, const std::set<std::string>& allowed_algs, std::string* detail) {
  auto say = [&](JwsCheck result, std::string text) {
    if (detail) *detail = std::move(text);
    return result;
  };
  const AlgSpec* spec = FindAlg(jws.alg);
  if (!spec || !allowed_algs.count(jws.alg))
    return say(JwsCheck::kAlgNotAllowed, "the token is signed with \"" + jws.alg + "\", which is not allowed");
  std::vector<const Jwk*> candidates;
  for (const auto& k : keys.keys())
    if ((jws.kid.empty() || k.kid == jws.kid) && KeyFits(k, *spec, jws.alg)) candidates.push_back(&k);
  if (candidates.empty())
    return say(JwsCheck::kNoKey, jws.kid.empty() ? "the provider publishes no key for " + jws.alg
                                                 : "the provider publishes no " + jws.alg + " key \"" + jws.kid + "\"");
  cjose_err err{};
  cjose_jws_t* parsed = cjose_jws_import(jws.compact.data(), jws.compact.size(), &err);
  if (!parsed) return say(JwsCheck::kBadSignature, std::string("cjose cannot read the token: ") + err.message);
  bool valid = false;
  for (const Jwk* key : candidates) {
    // cjose takes R||S of any even length; a signature of another length is not ES256's.
    const size_t want = spec->signature_bytes ? spec->signature_bytes : (key->bits + 7) / 8;
    if (jws.signature.size() != want) continue;
    if (cjose_jws_verify(parsed, static_cast<const cjose_jwk_t*>(key->key.get()), &err)) {
      valid = true;
      break;
    }
  }
  cjose_jws_release(parsed);
  if (!valid) return say(JwsCheck::kBadSignature, "the token's signature does not verify with the provider's key");
  return say(JwsCheck::kValid, {});
}

}  // namespace herald::service::oidc
