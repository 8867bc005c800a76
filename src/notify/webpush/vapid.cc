#include "notify/webpush/vapid.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <cctype>

#include "core/encoding.h"
#include "core/text.h"

namespace herald::notify::webpush {
namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct SigFree {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};

// ES256 (RFC 7518 section 3.4): ECDSA P-256 over SHA-256, the signature as the raw 64-byte
// R || S rather than the DER sequence OpenSSL produces.
Result<std::string> SignEs256(EVP_PKEY* key, std::string_view input) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  size_t der_len = 0;
  if (!ctx || EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key, nullptr) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &der_len, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size()) != 1)
    return Error::Internal("ES256 signing failed");
  std::string der(der_len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &der_len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
    return Error::Internal("ES256 signing failed");
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<ECDSA_SIG, SigFree> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  if (!sig) return Error::Internal("ES256 signature is not DER");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string raw(64, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(r, out, 32) != 32 || BN_bn2binpad(s, out + 32, 32) != 32)
    return Error::Internal("ES256 signature component too large");
  return raw;
}

// A plausible addr-spec: something@something, no spaces or controls. Push services only show it.
bool IsMailtoContact(std::string_view s) {
  const auto at = s.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= s.size() || s.size() > 254) return false;
  for (unsigned char c : s)
    if (c <= 0x20 || c == 0x7F) return false;
  return true;
}

}  // namespace

Result<VapidKeys> GenerateVapidKeys() {
  auto key = P256Generate();
  if (!key) return key.error();
  const std::string priv = P256PrivateBytes(key->get());
  const std::string pub = P256PublicBytes(key->get());
  if (priv.empty() || pub.empty()) return Error::Internal("cannot export the VAPID key pair");
  VapidKeys keys;
  keys.private_key = Base64UrlEncode(priv);
  keys.public_key = Base64UrlEncode(pub);
  return keys;
}

Status CheckVapidKeys(const VapidKeys& keys) {
  auto priv = Base64UrlDecode(keys.private_key);
  if (!priv) return Error::Invalid("vapid_private_key", "vapid_private_key is not base64url");
  auto key = P256FromPrivate(*priv);
  if (!key) return Error::Invalid("vapid_private_key", "vapid_private_key " + key.error().message);
  auto pub = Base64UrlDecode(keys.public_key);
  if (!pub) return Error::Invalid("vapid_public_key", "vapid_public_key is not base64url");
  if (auto point = P256FromPublic(*pub); !point)
    return Error::Invalid("vapid_public_key", "vapid_public_key " + point.error().message);
  if (*pub != P256PublicBytes(key->get()))
    return Error::Invalid("vapid_public_key", "vapid_public_key does not belong to vapid_private_key");
  return {};
}

Status CheckVapidSubject(std::string_view subject) {
  if (subject.starts_with("mailto:")) {
    if (IsMailtoContact(subject.substr(7))) return {};
    return Error::Invalid("vapid_subject", "vapid_subject must be mailto:address or an https URL");
  }
  auto url = boost::urls::parse_absolute_uri(subject);
  if (url && Lower(url->scheme()) == "https" && !url->encoded_host().empty()) return {};
  return Error::Invalid("vapid_subject", "vapid_subject must be mailto:address or an https URL");
}

Result<std::string> UrlOrigin(std::string_view url_text) {
  auto url = boost::urls::parse_absolute_uri(url_text);
  if (!url) return Error::Invalid("", "not an absolute URL");
  const std::string scheme = Lower(url->scheme());
  if (scheme != "https" && scheme != "http") return Error::Invalid("", "not an http(s) URL");
  if (url->encoded_host().empty()) return Error::Invalid("", "URL without a host");
  std::string origin = scheme + "://" + Lower(url->encoded_host());
  if (url->has_port() && !url->port().empty()) {
    const bool default_port =
        (scheme == "https" && url->port_number() == 443) || (scheme == "http" && url->port_number() == 80);
    if (!default_port) origin += ":" + std::to_string(url->port_number());
  }
  return origin;
}

Result<std::unique_ptr<VapidSigner>> VapidSigner::Create(const VapidKeys& keys, std::string subject) {
  if (auto ok = CheckVapidKeys(keys); !ok) return ok.error();
  if (auto ok = CheckVapidSubject(subject); !ok) return ok.error();
  auto key = P256FromPrivate(*Base64UrlDecode(keys.private_key));
  if (!key) return key.error();
  // Re-encode so that the k= value is canonical even if the stored key carries padding.
  std::string pub = Base64UrlEncode(P256PublicBytes(key->get()));
  return std::unique_ptr<VapidSigner>(new VapidSigner(std::move(*key), std::move(pub), std::move(subject)));
}

Result<std::string> VapidSigner::Jwt(std::string_view audience, TimeMs now) const {
  static const std::string kHeader = Base64UrlEncode(R"({"typ":"JWT","alg":"ES256"})");
  boost::json::object claims;
  claims["aud"] = audience;
  claims["exp"] = (now + kVapidTokenLifetime) / 1000;
  claims["sub"] = subject_;
  std::string input = kHeader + "." + Base64UrlEncode(boost::json::serialize(claims));
  auto signature = SignEs256(key_.get(), input);
  if (!signature) return signature.error();
  return input + "." + Base64UrlEncode(*signature);
}

Result<std::string> VapidSigner::Authorization(std::string_view endpoint, TimeMs now) {
  auto audience = UrlOrigin(endpoint);
  if (!audience) return audience.error();
  {
    std::lock_guard lock(mu_);
    auto it = tokens_.find(*audience);
    // A clock that moved backwards also re-signs, so exp never exceeds now + lifetime.
    if (it != tokens_.end() && now >= it->second.issued_at && now - it->second.issued_at < kReuseFor)
      return it->second.header;
  }
  auto jwt = Jwt(*audience, now);
  if (!jwt) return jwt.error();
  std::string header = "vapid t=" + *jwt + ", k=" + public_key_;
  std::lock_guard lock(mu_);
  if (tokens_.size() >= kMaxCachedAudiences) tokens_.clear();  // endpoints share few origins; bound it anyway
  tokens_[*audience] = Token{header, now};
  return header;
}

}  // namespace herald::notify::webpush
