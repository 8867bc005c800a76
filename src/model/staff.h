// Staff of the operator console: users, their sessions, invitations and the counters that throttle
// failed sign-ins. Plain data, no I/O. Secrets (session ids, invite tokens) are never held here,
// only their SHA-256 (hex); passwords only as libsodium Argon2id strings.
#pragma once

#include <cstdint>
#include <string>

#include "core/clock.h"
#include "model/model.h"

namespace herald::model {

struct StaffUser {
  std::string id;
  std::string email;  // normalised: trimmed, lower-case; unique
  Role role = Role::kViewer;
  std::string password_hash;  // crypto_pwhash_str output; empty: no password yet (invited)
  bool disabled = false;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
  TimeMs last_sign_in_at = 0;  // 0: never
};

struct StaffSession {
  std::string id_hash;  // SHA-256 hex of the cookie's secret
  std::string user_id;
  TimeMs created_at = 0;    // absolute expiry counts from here
  TimeMs last_seen_at = 0;  // idle expiry counts from here
  std::string remote_addr;  // where it was signed in from
};

// A one-time link to set a password (a new user, or a reset).
struct StaffInvite {
  std::string token_hash;  // SHA-256 hex of the token in the link
  std::string user_id;
  TimeMs created_at = 0;
  TimeMs expires_at = 0;
  TimeMs used_at = 0;  // 0: not used yet
};

// A user's second factor (TOTP, RFC 6238): the secret their authenticator app holds, whether it
// is switched on (only after a first code from the app was accepted), and the last time step a
// code was accepted for (that step and older ones are refused, so a code works once).
struct StaffSecondFactor {
  std::string user_id;
  std::string secret;  // raw bytes (totp::kSecretBytes); secret like a password
  bool enabled = false;
  std::int64_t last_step = -1;  // -1: no code accepted yet
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

// Failed sign-ins counted per key ("account:<email>" or "client:<address>") in a window that
// starts at the first failure.
struct SignInFailures {
  std::string key;
  int failures = 0;
  TimeMs window_start = 0;
};

}  // namespace herald::model
