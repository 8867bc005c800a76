#include "service/oidc/id_token.h"

#include <boost/json.hpp>
#include <cmath>

#include "core/encoding.h"

namespace herald::service::oidc {

namespace json = boost::json;

namespace {

Error Bad(const char* claim, std::string message) {
  return Error::Invalid(std::string("id_token.") + claim, "ID token rejected: " + std::move(message));
}

// A NumericDate (RFC 7519: seconds since the epoch, possibly fractional) in milliseconds, or
// nullopt when the claim is absent or not a number in a sane range.
std::optional<TimeMs> NumericDateMs(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  if (!v) return std::nullopt;
  double seconds;
  if (v->is_int64()) {
    seconds = static_cast<double>(v->as_int64());
  } else if (v->is_uint64()) {
    seconds = static_cast<double>(v->as_uint64());
  } else if (v->is_double()) {
    seconds = v->as_double();
  } else {
    return std::nullopt;
  }
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 1e11) return std::nullopt;
  return static_cast<TimeMs>(seconds * 1000);
}

std::string String(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

Status CheckIdTokenClaims(const json::object& claims, const IdTokenExpectations& expect) {
  if (String(claims, "iss") != expect.issuer)
    return Bad("iss", "issued by \"" + String(claims, "iss") + "\", not by \"" + expect.issuer + "\"");
  const json::value* aud = claims.if_contains("aud");
  bool audience_ok = false;
  size_t audiences = 0;
  if (aud && aud->is_string()) {
    audiences = 1;
    audience_ok = aud->as_string() == expect.client_id;
  } else if (aud && aud->is_array()) {
    for (const auto& a : aud->as_array()) {
      ++audiences;
      audience_ok = audience_ok || (a.is_string() && a.as_string() == expect.client_id);
    }
  }
  if (!audience_ok) return Bad("aud", "its audience does not include this client (\"" + expect.client_id + "\")");
  const json::value* azp = claims.if_contains("azp");
  if (audiences > 1 && !azp) return Bad("azp", "it has several audiences and no authorized party (azp)");
  if (azp && !(azp->is_string() && azp->as_string() == expect.client_id))
    return Bad("azp", "its authorized party (azp) is not this client");
  const auto exp = NumericDateMs(claims, "exp");
  if (!exp) return Bad("exp", "it has no expiry time (exp)");
  if (*exp + expect.skew_ms <= expect.now) return Bad("exp", "it has expired");
  const auto iat = NumericDateMs(claims, "iat");
  if (!iat) return Bad("iat", "it has no issue time (iat)");
  if (*iat > expect.now + expect.skew_ms) return Bad("iat", "it was issued in the future (check the clocks)");
  if (*iat + expect.max_age_ms + expect.skew_ms < expect.now) return Bad("iat", "it was issued too long ago");
  if (claims.contains("nbf")) {
    const auto nbf = NumericDateMs(claims, "nbf");
    if (!nbf || *nbf > expect.now + expect.skew_ms) return Bad("nbf", "it is not valid yet (nbf)");
  }
  const json::value* nonce = claims.if_contains("nonce");
  if (!nonce || !nonce->is_string() || !ConstantTimeEquals(nonce->as_string(), expect.nonce))
    return Bad("nonce", "its nonce does not match the sign-in request's");
  if (String(claims, "sub").empty()) return Bad("sub", "it names no subject (sub)");
  return {};
}

ProviderIdentity ReadIdentity(const json::object& claims, const std::string& groups_claim) {
  ProviderIdentity id;
  id.subject = String(claims, "sub");
  id.email = String(claims, "email");
  if (const json::value* v = claims.if_contains("email_verified")) {
    if (v->is_bool()) {
      id.email_verified = v->as_bool();
    } else if (v->is_string() && (v->as_string() == "true" || v->as_string() == "false")) {
      id.email_verified = v->as_string() == "true";
    }
  }
  id.name = String(claims, "name");
  if (id.name.empty()) id.name = String(claims, "preferred_username");
  if (const json::value* g = claims.if_contains(groups_claim)) {
    if (g->is_string()) {
      id.groups = std::vector<std::string>{std::string(g->as_string())};
    } else if (g->is_array()) {
      std::vector<std::string> groups;
      for (const auto& e : g->as_array())
        if (e.is_string()) groups.emplace_back(e.as_string());
      id.groups = std::move(groups);
    }
  }
  return id;
}

ProviderIdentity MergeIdentity(ProviderIdentity base, const ProviderIdentity& extra) {
  if (base.email.empty()) {
    base.email = extra.email;
    base.email_verified = extra.email_verified;
  } else if (!base.email_verified && extra.email == base.email) {
    base.email_verified = extra.email_verified;
  }
  if (base.name.empty()) base.name = extra.name;
  if (!base.groups) base.groups = extra.groups;
  return base;
}

}  // namespace herald::service::oidc
