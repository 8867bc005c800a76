#include "service/oidc/sign_in.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/url.hpp>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/encoding.h"
#include "core/text.h"
#include "service/oidc/id_token.h"
#include "service/oidc/jose.h"

namespace herald::service::oidc {

namespace json = boost::json;

namespace {

constexpr std::string_view kSealContext = "herald-oidc-state.";
constexpr size_t kMaxNextPath = 1024;

std::string RandomToken() {
  std::array<unsigned char, 32> bytes;
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) throw std::runtime_error("RAND_bytes failed");
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::string Sha256(std::string_view s) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(s.data(), s.size(), digest, &n, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), n);
}

// A path on this site: "/admin/x?y" yes; "//host", "/\host", "https://..." and control
// characters no (an open redirect would let a phishing link end on a look-alike page).
bool IsLocalPath(std::string_view p) {
  if (p.empty() || p.size() > kMaxNextPath || p[0] != '/') return false;
  if (p.size() > 1 && (p[1] == '/' || p[1] == '\\')) return false;
  return std::none_of(p.begin(), p.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '\\'; });
}

Error Unauthorized(std::string field, std::string message) {
  return {ErrorCode::kUnauthorized, std::move(message), std::move(field)};
}
Error Forbidden(std::string field, std::string message) {
  return {ErrorCode::kForbidden, std::move(message), std::move(field)};
}
// The same error as kUnauthorized: a token that fails a check is a failed sign-in, not bad input.
Error AsUnauthorized(Error e) {
  e.code = ErrorCode::kUnauthorized;
  return e;
}

// The values of every cookie named `name` in a Cookie header (several when a subdomain set one
// of the same name).
std::vector<std::string_view> CookieValues(std::string_view header, std::string_view name) {
  std::vector<std::string_view> out;
  while (!header.empty()) {
    const size_t semi = header.find(';');
    std::string_view pair = Trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && Trim(pair.substr(0, eq)) == name) {
      std::string_view value = Trim(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      out.push_back(value);
    }
  }
  return out;
}

std::string JoinForMessage(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < 10; ++i) out += (i ? ", " : "") + items[i];
  if (items.size() > 10) out += ", ...";
  return out;
}

}  // namespace

Result<OidcSettings> SettingsFromConfig(const config::OidcConfig& c, std::string_view public_url) {
  if (auto st = config::CheckOidc(c); !st) return st.error();
  if (c.issuer.empty()) return Error::Invalid("oidc.issuer", "oidc.issuer is not set: OIDC sign-in is off");
  if (auto st = CheckProviderUrl("oidc.issuer", c.issuer); !st) return st.error();
  OidcSettings s;
  s.provider.issuer = c.issuer;
  s.provider.client_id = c.client_id;
  s.provider.client_secret = c.client_secret;
  s.provider.token_auth_method = c.token_auth_method;
  if (!c.client_secret_file.empty()) {
    std::ifstream in(c.client_secret_file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in)
      return Error::Invalid("oidc.client_secret_file", "cannot read oidc.client_secret_file " + c.client_secret_file);
    s.provider.client_secret = std::string(Trim(text.str()));
    if (s.provider.client_secret.empty())
      return Error::Invalid("oidc.client_secret_file", "oidc.client_secret_file " + c.client_secret_file + " is empty");
  }
  std::string base(public_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  s.redirect_uri = base + c.redirect_path;
  s.groups_scope = c.groups_scope;
  s.groups_claim = c.groups_claim;
  s.role_map = c.role_map;
  s.default_role = c.default_role;
  s.require_email_verified = c.require_email_verified;
  return s;
}

Result<model::Role> RoleForGroups(const std::vector<std::string>& groups,
                                  const std::vector<std::pair<std::string, model::Role>>& role_map,
                                  std::optional<model::Role> default_role) {
  // Most privileged first, by wire name, so that a role the model does not (yet) have is skipped.
  std::vector<model::Role> order;
  for (std::string_view name : {"admin", "responder", "support", "viewer"})
    if (auto r = model::ParseRole(name)) order.push_back(*r);
  auto rank = [&](model::Role r) { return std::find(order.begin(), order.end(), r) - order.begin(); };
  std::optional<model::Role> best;
  for (const auto& group : groups)
    for (const auto& [mapped, role] : role_map)
      if (group == mapped && (!best || rank(role) < rank(*best))) best = role;
  if (best) return *best;
  if (default_role) return *default_role;
  if (groups.empty())
    return Forbidden("groups",
                     "Your account at the identity provider is in no group, and Herald lets in only the groups an "
                     "admin has mapped to a role (oidc.role_map).");
  return Forbidden("groups", "None of your groups at the identity provider (" + JoinForMessage(groups) +
                                 ") has a role in Herald; an admin can map one in oidc.role_map.");
}

OidcSignIn::OidcSignIn(OidcSettings settings, std::string cookie_key, net::HttpClient& http, const Clock& clock)
    : settings_(std::move(settings)),
      cookie_key_(std::move(cookie_key)),
      clock_(clock),
      provider_(settings_.provider, http, clock) {
  if (cookie_key_.size() < 32) throw std::invalid_argument("OidcSignIn: the cookie key must have at least 32 bytes");
}

std::string OidcSignIn::Seal(const Pending& p) const {
  const json::object o{{"s", p.state}, {"n", p.nonce}, {"v", p.verifier}, {"r", p.next}, {"e", p.expires}};
  std::string value = Base64UrlEncode(json::serialize(o));
  const std::string mac = HmacSha256(cookie_key_, {kSealContext, value});
  value += '.';
  AppendBase64Url(value, mac);
  return value;
}

std::optional<OidcSignIn::Pending> OidcSignIn::Open(std::string_view cookie_value) const {
  const size_t dot = cookie_value.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view payload = cookie_value.substr(0, dot);
  const auto mac = Base64UrlDecode(cookie_value.substr(dot + 1));
  if (!mac || !ConstantTimeEquals(*mac, HmacSha256(cookie_key_, {kSealContext, payload}))) return std::nullopt;
  const auto text = Base64UrlDecode(payload);
  if (!text) return std::nullopt;
  boost::system::error_code ec;
  const json::value v = json::parse(*text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.as_object();
  Pending p;
  for (auto [key, out] : {std::pair{"s", &p.state}, {"n", &p.nonce}, {"v", &p.verifier}, {"r", &p.next}}) {
    const json::value* f = o.if_contains(key);
    if (!f || !f->is_string()) return std::nullopt;
    *out = std::string(f->as_string());
  }
  const json::value* e = o.if_contains("e");
  if (!e || !e->is_int64()) return std::nullopt;
  p.expires = e->as_int64();
  return p;
}

std::string OidcSignIn::CookieAttributes() const {
  std::string path = "/";
  if (auto u = boost::urls::parse_absolute_uri(settings_.redirect_uri); u && !u->path().empty()) path = u->path();
  std::string attrs = "; Path=" + path + "; HttpOnly; SameSite=Lax";
  if (Lower(settings_.redirect_uri).starts_with("https://")) attrs += "; Secure";
  return attrs;
}

std::string OidcSignIn::ClearCookie() const {
  return std::string(kStateCookie) + "=" + CookieAttributes() + "; Max-Age=0";
}

bool OidcSignIn::MarkFinished(const std::string& state, TimeMs expires) {
  const TimeMs now = clock_.Now();
  std::lock_guard lock(mu_);
  while (!finished_order_.empty() &&
         (finished_order_.front().first < now || finished_order_.size() >= settings_.max_finished_states)) {
    finished_.erase(finished_order_.front().second);
    finished_order_.pop_front();
  }
  if (!finished_.insert(state).second) return false;
  // Expiries grow with time, so the deque stays ordered by expiry as well as by age.
  finished_order_.emplace_back(expires, state);
  return true;
}

Result<OidcStart> OidcSignIn::Start(std::string_view next_path) {
  auto meta = provider_.Metadata();
  if (!meta) return meta.error();
  Pending p;
  p.state = RandomToken();
  p.nonce = RandomToken();
  p.verifier = RandomToken();  // 43 characters of base64url: RFC 7636's minimum length, 256 bits
  p.next = IsLocalPath(next_path) ? std::string(next_path) : settings_.default_next;
  p.expires = clock_.Now() + settings_.state_ttl_ms;
  auto url = boost::urls::parse_uri(meta->authorization_endpoint);
  if (!url) return Error::Unavailable("the identity provider's authorization endpoint is not a URL");
  boost::urls::url request(*url);
  std::string scope = "openid email profile";
  if (!settings_.groups_scope.empty()) scope += " " + settings_.groups_scope;
  auto params = request.params();
  params.append({"response_type", "code"});
  params.append({"client_id", settings_.provider.client_id});
  params.append({"redirect_uri", settings_.redirect_uri});
  params.append({"scope", scope});
  params.append({"state", p.state});
  params.append({"nonce", p.nonce});
  params.append({"code_challenge", Base64UrlEncode(Sha256(p.verifier))});
  params.append({"code_challenge_method", "S256"});
  OidcStart start;
  start.redirect_url = std::string(request.buffer());
  start.cookie_value = Seal(p);
  start.set_cookie = std::string(kStateCookie) + "=" + start.cookie_value + CookieAttributes() +
                     "; Max-Age=" + std::to_string(settings_.state_ttl_ms / 1000);
  return start;
}

Result<OidcIdentity> OidcSignIn::Finish(std::string_view query, std::string_view cookie_header) {
  // The callback's parameters, each at most once (RFC 6749 section 3.1).
  std::vector<std::pair<std::string, std::string>> params;
  auto parsed = boost::urls::parse_query(query);
  if (!parsed) return Unauthorized("query", "The sign-in callback's query string is malformed.");
  boost::urls::encoding_opts form;
  form.space_as_plus = true;
  for (const auto& param : *parsed) {
    std::string key = param.key.decode(form);
    for (const auto& [k, v] : params)
      if (k == key) return Unauthorized(key, "The sign-in callback repeats the parameter " + key + ".");
    params.emplace_back(std::move(key), param.has_value ? param.value.decode(form) : std::string());
  }
  auto get = [&](std::string_view name) -> std::optional<std::string> {
    for (const auto& [k, v] : params)
      if (k == name) return v;
    return std::nullopt;
  };

  const auto state = get("state");
  if (!state || state->empty())
    return Unauthorized("state", "The sign-in callback carries no state; please sign in again.");
  std::optional<Pending> pending;
  bool any_cookie = false;
  for (std::string_view value : CookieValues(cookie_header, kStateCookie)) {
    any_cookie = true;
    auto p = Open(value);
    if (p && ConstantTimeEquals(p->state, *state)) pending = std::move(p);
  }
  if (!any_cookie)
    return Unauthorized(
        "state", "This browser has no sign-in in progress (its cookie is gone or was blocked); please sign in again.");
  if (!pending)
    return Unauthorized("state",
                        "The sign-in callback does not belong to the sign-in this browser started (state "
                        "mismatch); please sign in again.");
  const TimeMs now = clock_.Now();
  if (pending->expires <= now)
    return Unauthorized("state", "The sign-in took longer than " + std::to_string(settings_.state_ttl_ms / 60'000) +
                                     " minutes; please sign in again.");
  if (!MarkFinished(pending->state, pending->expires))
    return Unauthorized("state", "This sign-in was completed already; please sign in again.");

  if (const auto error = get("error")) {
    const auto description = get("error_description");
    return Unauthorized("error", "The identity provider did not sign you in: " + *error +
                                     (description && !description->empty() ? " (" + *description + ")" : ""));
  }
  auto meta = provider_.Metadata();
  if (!meta) return meta.error();
  // RFC 9207: the issuer in the redirect tells which provider sent it (mix-up attacks).
  if (const auto iss = get("iss")) {
    if (*iss != meta->issuer)
      return Unauthorized("iss",
                          "The sign-in callback comes from the issuer \"" + *iss + "\", not \"" + meta->issuer + "\".");
  } else if (meta->iss_parameter_supported) {
    return Unauthorized("iss", "The sign-in callback lacks the issuer (iss) that this provider always sends.");
  }
  const auto code = get("code");
  if (!code || code->empty()) return Unauthorized("code", "The sign-in callback carries no authorization code.");

  auto tokens = provider_.RedeemCode(*code, pending->verifier, settings_.redirect_uri);
  if (!tokens) return tokens.error();
  auto jws = ParseJws(tokens->id_token);
  if (!jws) return AsUnauthorized(jws.error());
  if (auto st = provider_.VerifySignature(*jws, settings_.signing_algs); !st) return st.error();
  IdTokenExpectations expect;
  expect.issuer = meta->issuer;
  expect.client_id = settings_.provider.client_id;
  expect.nonce = pending->nonce;
  expect.now = now;
  expect.skew_ms = settings_.skew_ms;
  expect.max_age_ms = settings_.state_ttl_ms;
  if (auto st = CheckIdTokenClaims(jws->claims, expect); !st) return AsUnauthorized(st.error());

  ProviderIdentity who = ReadIdentity(jws->claims, settings_.groups_claim);
  const bool need_groups = !who.groups && !settings_.role_map.empty();
  const bool need_email = who.email.empty() || (settings_.require_email_verified && !who.email_verified);
  if (need_groups || need_email) {
    auto info = provider_.UserInfo(tokens->access_token);
    if (!info) return info.error();
    ProviderIdentity extra = ReadIdentity(*info, settings_.groups_claim);
    if (extra.subject != who.subject)
      return Unauthorized("userinfo", "The identity provider's userinfo names another user than its ID token.");
    who = MergeIdentity(std::move(who), extra);
  }
  if (who.email.empty())
    return Forbidden("email", "The identity provider gave no email address (is the email scope allowed for Herald?).");
  if (settings_.require_email_verified && who.email_verified != true)
    return Forbidden("email_verified", "The identity provider has not verified the email address " + who.email + ".");
  const std::vector<std::string> groups = who.groups.value_or(std::vector<std::string>{});
  auto role = RoleForGroups(groups, settings_.role_map, settings_.default_role);
  if (!role) return role.error();

  OidcIdentity identity{Lower(who.email), who.subject, who.name, groups, *role, pending->next};
  return identity;
}

}  // namespace herald::service::oidc
