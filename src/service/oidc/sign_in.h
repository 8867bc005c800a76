// OidcSignIn: signing staff in to the console with an OpenID Connect provider (authorization
// code flow with PKCE, OpenID Connect Core 1.0 section 3.1). Two calls, for two routes:
//
//   GET /admin/oidc/start?next=/admin/incidents
//     auto start = oidc.Start(next);            // -> 303 to start->redirect_url,
//                                               //    Set-Cookie: start->set_cookie
//   GET /admin/oidc/callback?code=...&state=...
//     auto who = oidc.Finish(query, cookie_header);  // Set-Cookie: oidc.ClearCookie() either way
//     // ok: who->email, who->role, ... -> start the console session, 303 to who->next_path
//     // error: show who.error().message on the sign-in page (the code says 401, 403 or 503)
//
// Pending sign-ins live in a signed cookie, not on the server. Start puts state, nonce, PKCE
// verifier, the page to return to and an expiry (10 minutes) into the cookie, signed with
// HMAC-SHA256 under the key given (HttpOnly, SameSite=Lax so that it comes back with the
// provider's redirect, Path limited to the callback, Secure for an https redirect URI). So a
// client that starts sign-ins without end costs Herald no memory, and the callback works on
// any instance of a deployment that shares the key. The cookie binds the callback to the browser
// that started it: a `state` that is not the cookie's is refused (login CSRF). The verifier
// needs no secrecy from the browser that holds it (it proves that the code is redeemed by the
// party that asked for it, and the secret client credentials are needed as well). A callback
// replayed with the same state is refused by this instance (it remembers states it finished
// until they expire, a bounded number), and by the provider everywhere, since a code can be
// redeemed once.
//
// Finish checks the ID token completely (see jose.h and id_token.h): signature with the
// provider's keys (RS256, ES256 and the other RSA/ECDSA algorithms; never none or HMAC), issuer,
// audience, azp, expiry and issue time with a minute of clock skew, and the nonce. Claims the ID
// token lacks (email, groups: many providers send them from userinfo only) are read from the
// userinfo endpoint, whose subject must be the token's. Then the email must be verified (unless
// configured otherwise) and the groups must map to a role.
//
// Errors: kUnauthorized for a failed or forged sign-in (state, provider error, bad token) with
// `field` naming what was wrong ("state", "error", "iss", "code", "id_token", "id_token.aud",
// ...); kForbidden when the provider vouched for the user but Herald does not let them in
// ("email_verified", "groups"); kUnavailable when the provider cannot be reached. Messages are
// fit to show on the sign-in page.
//
// Thread safety: Start and Finish may be called from several worker threads at once; they
// block on the provider (never call them on an io thread).
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "core/result.h"
#include "model/model.h"
#include "net/http_client.h"
#include "service/oidc/provider.h"

namespace herald::service::oidc {

struct OidcSettings {
  ProviderSettings provider;
  std::string redirect_uri;             // absolute: public URL + redirect path
  std::string groups_scope = "groups";  // asked for besides "openid email profile"; empty: none
  std::string groups_claim = "groups";
  std::vector<std::pair<std::string, model::Role>> role_map;  // provider group -> Herald role
  std::optional<model::Role> default_role;                    // no mapped group: nullopt refuses
  bool require_email_verified = true;
  std::set<std::string> signing_algs = DefaultSigningAlgs();
  TimeMs state_ttl_ms = 10 * 60'000;
  TimeMs skew_ms = 60'000;
  size_t max_finished_states = 10'000;  // remembered to refuse replays; the oldest go first
  std::string default_next = "/admin";  // where Finish sends the user when Start got no usable path
};

// The settings for `config.oidc` (which must have an issuer), with the redirect URI under
// `public_url` ("https://status.example.com") and the client secret read from its file when
// configured so. Error::Invalid naming the setting.
Result<OidcSettings> SettingsFromConfig(const config::OidcConfig& config, std::string_view public_url);

struct OidcStart {
  std::string redirect_url;  // the provider's authorization endpoint with the request
  std::string cookie_value;  // the signed pending sign-in, for the cookie named kStateCookie
  std::string set_cookie;    // a complete Set-Cookie header value carrying it
};

struct OidcIdentity {
  std::string email;  // as the provider gave it; lower-cased
  std::string subject;
  std::string name;                 // may be empty
  std::vector<std::string> groups;  // the provider's groups, as given
  model::Role role;
  std::string next_path;  // the local path to go to now
};

// The role for a user in `groups`: the most privileged (admin, responder, support, viewer) that
// `role_map` gives any of them; else `default_role`. Error kForbidden ("groups") naming the
// groups when there is none.
Result<model::Role> RoleForGroups(const std::vector<std::string>& groups,
                                  const std::vector<std::pair<std::string, model::Role>>& role_map,
                                  std::optional<model::Role> default_role);

class OidcSignIn {
 public:
  static constexpr std::string_view kStateCookie = "herald_oidc";

  // `cookie_key`: the secret the state cookie is signed with (at least 32 bytes; shared by the
  // instances of a deployment).
  OidcSignIn(OidcSettings settings, std::string cookie_key, net::HttpClient& http, const Clock& clock);

  // A new sign-in that returns to `next_path` (a local path such as "/admin/incidents"; anything
  // else, such as "//evil.example" or "https://...", becomes default_next). kUnavailable when
  // the provider's discovery document cannot be had.
  Result<OidcStart> Start(std::string_view next_path);

  // Completes a sign-in from the callback's query string ("code=...&state=...", without '?')
  // and the request's Cookie header.
  Result<OidcIdentity> Finish(std::string_view query, std::string_view cookie_header);

  // A Set-Cookie header value that removes the state cookie.
  std::string ClearCookie() const;

  OidcProvider& provider() { return provider_; }
  const OidcSettings& settings() const { return settings_; }

 private:
  struct Pending {
    std::string state, nonce, verifier, next;
    TimeMs expires = 0;
  };
  std::string Seal(const Pending& pending) const;
  std::optional<Pending> Open(std::string_view cookie_value) const;
  // False when `state` was finished before (a replay); records it otherwise.
  bool MarkFinished(const std::string& state, TimeMs expires);
  std::string CookieAttributes() const;

  const OidcSettings settings_;
  const std::string cookie_key_;
  const Clock& clock_;
  OidcProvider provider_;
  std::mutex mu_;  // guards finished_
  std::unordered_set<std::string> finished_;
  std::deque<std::pair<TimeMs, std::string>> finished_order_;  // expiry, state; oldest first
};

}  // namespace herald::service::oidc
