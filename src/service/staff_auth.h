// StaffAuthService: the operator console's people and their sign-in. Creates staff users,
// invites them (a one-time link to set a password), verifies passwords, throttles guessing,
// starts and checks sessions, and gives each session its CSRF token. The console (sign-in
// pages, team screen), the CLI (`herald user`) and the OpenID Connect callback all go through
// it, so the rules hold the same everywhere.
//
// Secrets: passwords are Argon2id strings (libsodium crypto_pwhash_str: salt and costs inside);
// session secrets (32 random bytes, base64url in the cookie) and invite tokens are stored as
// their SHA-256 only. A session's CSRF token is derived from its secret (SHA-256 of a labelled
// copy), so it needs no storage and cannot be computed from the database. The sign-in form's own
// CSRF token is an HMAC of a random cookie under a server key (setting "console.login_csrf_key").
//
// Sign-in answers the same way, in about the same time, whether the email is unknown, disabled or
// the password wrong: an unknown email is checked against a dummy hash of the same cost. Failed
// sign-ins count per account and per client address in the store (a restart does not reset a
// lockout); past the limit within the window, sign-in refuses until the window ends.
//
// Thread safety: methods may be called concurrently from worker threads (the dummy hash and the
// CSRF key are computed once, under a mutex). They block on the store and on Argon2id (tens of
// milliseconds): never call them on an io_context thread.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "model/staff.h"
#include "store/store.h"

namespace herald::service {

inline constexpr size_t kMinPasswordLength = 12;
inline constexpr size_t kMaxPasswordLength = 1024;

struct StaffAuthOptions {
  TimeMs session_idle_ms = 12LL * 3600 * 1000;          // a session unused this long ends
  TimeMs session_absolute_ms = 7LL * 24 * 3600 * 1000;  // and any session this old
  TimeMs invite_ms = 24LL * 3600 * 1000;
  int account_failures = 5;  // failed sign-ins per account per window, then locked
  int client_failures = 20;  // failed sign-ins per client address per window
  TimeMs failure_window_ms = 15LL * 60 * 1000;
  // Argon2id costs: libsodium's "interactive" limits; tests lower them (crypto_pwhash_*_MIN).
  unsigned long long pwhash_ops = 0;  // 0: crypto_pwhash_OPSLIMIT_INTERACTIVE
  size_t pwhash_mem = 0;              // 0: crypto_pwhash_MEMLIMIT_INTERACTIVE
  // Whether a user whose password was right must still pass a second factor (TOTP); the
  // sign-in then answers kNeedsSecondFactor with a ticket and starts no session;
  // FinishSecondFactor does, once `verify_second_factor` accepts the code.
  std::function<Result<bool>(const model::StaffUser&)> needs_second_factor;
  std::function<Result<bool>(const model::StaffUser&, const std::string& code)> verify_second_factor;
  TimeMs second_factor_ticket_ms = 5 * 60 * 1000;  // how long the code may be typed after the password
};

// A session just started: `secret` goes into the cookie once and is never stored.
struct NewSession {
  std::string secret;
  model::StaffSession session;
  model::StaffUser user;
};

struct SignInResult {
  enum class Outcome { kSignedIn, kWrongCredentials, kThrottled, kNeedsSecondFactor };
  Outcome outcome = Outcome::kWrongCredentials;
  std::optional<NewSession> session;     // kSignedIn
  std::optional<model::StaffUser> user;  // kSignedIn, kNeedsSecondFactor
  int retry_minutes = 0;                 // kThrottled: when to try again, rounded up
  // kNeedsSecondFactor: a signed, short-lived statement that this user's password was right, for
  // a cookie; FinishSecondFactor takes it back with the code.
  std::string second_factor_ticket;
};

// The signed-in user of a request, with the session's CSRF token for its forms.
struct CurrentStaff {
  model::StaffUser user;
  model::StaffSession session;
  std::string csrf_token;
};

// An invitation just made: `token` goes into the link once and is never stored.
struct NewInvite {
  model::StaffUser user;
  std::string token;
  TimeMs expires_at = 0;
};

// The pre-session CSRF pair of the sign-in form: the cookie and the form field.
struct LoginCsrf {
  std::string cookie;
  std::string token;
};

class StaffAuthService {
 public:
  StaffAuthService(store::Store& store, const Clock& clock, StaffAuthOptions options = {});

  // A user with a password (checked: kMinPasswordLength..kMaxPasswordLength). Errors name
  // "email", "role" or "password"; kConflict when the email exists.
  Result<model::StaffUser> CreateUser(const std::string& email, model::Role role, const std::string& password);
  // A new user without a password, and a link to set one.
  Result<NewInvite> InviteUser(const std::string& email, model::Role role);
  // An existing user's password reset: the old password, the second factor and every session
  // stop working; either
  // a new password (`password` set) or a new invitation link (returned).
  Result<std::optional<NewInvite>> ResetUser(const std::string& email, const std::optional<std::string>& password);
  // Disables (or enables) the user; disabling ends their sessions.
  Result<model::StaffUser> SetDisabled(const std::string& email, bool disabled);
  Result<model::StaffUser> SetRole(const std::string& email, model::Role role);
  // The user an unused, unexpired invitation is for; kNotFound otherwise.
  Result<model::StaffUser> InviteFor(const std::string& token);
  // Sets the password from an invitation (once) and starts a session.
  Result<NewSession> AcceptInvite(const std::string& token, const std::string& password,
                                  const std::string& remote_addr);
  // Checks the current password, sets the new one and ends the user's other sessions.
  Status ChangePassword(const CurrentStaff& who, const std::string& current, const std::string& password);

  // Email and password sign-in, throttled per account and per `remote_addr`.
  Result<SignInResult> SignIn(const std::string& email, const std::string& password, const std::string& remote_addr);
  // Sign-in's second step: the ticket SignIn gave and the code typed (from the authenticator app,
  // or a recovery code). Throttled and counted like passwords (a wrong code is a failure for the
  // account and the client); kWrongCredentials also when the ticket is forged, expired, or its
  // user was disabled or got a new password since.
  Result<SignInResult> FinishSecondFactor(const std::string& ticket, const std::string& code,
                                          const std::string& remote_addr);
  // Whether `password` is the user's (to confirm sensitive changes such as turning off 2FA).
  bool PasswordMatches(const model::StaffUser& user, const std::string& password);
  // Starts a session for a user already authenticated (after a second factor): a new secret
  // every time, so a session id known before sign-in is worth nothing after it.
  Result<NewSession> StartSession(const model::StaffUser& user, const std::string& remote_addr);
  // For an external identity provider's callback (OpenID Connect): the user with this email,
  // created with `role` when missing (an existing user keeps the provider's role too), unless
  // disabled (kForbidden); then a session.
  Result<NewSession> StartSessionForEmail(const std::string& email, model::Role role, const std::string& remote_addr);

  // The session behind a cookie's secret, or nullopt when it is unknown, idle too long, too old
  // or its user disabled (then it is deleted). Moves last_seen_at forward at most once a minute.
  Result<std::optional<CurrentStaff>> Authenticate(const std::string& secret);
  Status SignOut(const std::string& secret);
  Result<std::int64_t> SignOutEverywhere(const std::string& user_id);

  // The session's CSRF token, and whether `presented` is it (constant time).
  static std::string CsrfToken(const std::string& secret);
  static bool CsrfMatches(const std::string& secret, const std::string& presented);
  // The sign-in form's CSRF pair, and whether a cookie and a form field belong together.
  Result<LoginCsrf> NewLoginCsrf();
  bool LoginCsrfMatches(const std::string& cookie, const std::string& token);

  // A key for `purpose` derived from the server key the sign-in form's tokens use (shared by the
  // instances on one database): 64 hex characters. The OpenID Connect state cookie is signed with
  // ServerKey("oidc-state").
  Result<std::string> ServerKey(std::string_view purpose);

  // Purges expired sessions (the scheduler calls it now and then).
  Result<std::int64_t> PurgeSessions();

  const StaffAuthOptions& options() const { return options_; }

 private:
  Result<std::string> HashPassword(const std::string& password, const std::string& field);
  bool VerifyPassword(const std::string& hash, const std::string& password);
  Result<NewInvite> NewInviteFor(const model::StaffUser& user);
  Result<model::StaffUser> FindByEmail(const std::string& email);
  Result<std::string> LoginCsrfKey();
  std::optional<int> LockedMinutes(const std::string& key, int limit, TimeMs now);
  Result<std::string> SecondFactorTicket(const model::StaffUser& user);
  std::optional<std::string> TicketUser(const std::string& ticket);  // the user id, when valid and unexpired

  store::Store& store_;
  const Clock& clock_;
  StaffAuthOptions options_;
  std::mutex mu_;
  std::string dummy_hash_;      // guarded by mu_: a hash no password matches, for unknown emails
  std::string login_csrf_key_;  // guarded by mu_
};

// The email as stored: validated and lower-cased (address::NormalizeEmailAddress).
Result<std::string> NormalizeStaffEmail(const std::string& email);

}  // namespace herald::service
