// StaffStore: the Store role that holds the operator console's people: staff users, their
// sessions (found by the SHA-256 of the cookie's secret), one-time invitations to set a password,
// and the failed sign-in counters that throttle guessing (kept here so that a restart does not
// reset an account's lockout, and shared by instances on one PostgreSQL).
//
// Thread safety, blocking and errors: as Store (store.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/staff.h"

namespace herald::store {

class StaffStore {
 public:
  virtual ~StaffStore() = default;

  // Inserts or updates by id; kConflict when another user has the email.
  virtual Status SaveStaffUser(const model::StaffUser& user) = 0;
  virtual Result<model::StaffUser> GetStaffUser(const std::string& id) = 0;
  // By normalised email; nullopt when there is none.
  virtual Result<std::optional<model::StaffUser>> FindStaffUserByEmail(const std::string& email) = 0;
  virtual Result<std::vector<model::StaffUser>> ListStaffUsers() = 0;  // by email

  virtual Status CreateStaffSession(const model::StaffSession& session) = 0;
  virtual Result<std::optional<model::StaffSession>> FindStaffSession(const std::string& id_hash) = 0;
  // Moves last_seen_at forward (never back); kNotFound when the session is gone.
  virtual Status TouchStaffSession(const std::string& id_hash, TimeMs last_seen_at) = 0;
  virtual Status DeleteStaffSession(const std::string& id_hash) = 0;  // no error when gone
  // Every session of the user (sign out everywhere, disable, reset); how many there were.
  virtual Result<std::int64_t> DeleteStaffSessionsOfUser(const std::string& user_id) = 0;
  // Sessions idle since before `idle_before` or created before `created_before`.
  virtual Result<std::int64_t> PurgeStaffSessions(TimeMs idle_before, TimeMs created_before) = 0;

  // Saves an invitation and drops the user's earlier unused ones (one valid link per user).
  virtual Status SaveStaffInvite(const model::StaffInvite& invite) = 0;
  virtual Result<std::optional<model::StaffInvite>> FindStaffInvite(const std::string& token_hash) = 0;
  // In one transaction: marks the invitation used and sets its user's password hash (and
  // updated_at = now). kNotFound when it does not exist, was used or has expired at `now`.
  virtual Result<model::StaffUser> AcceptStaffInvite(const std::string& token_hash, TimeMs now,
                                                     const std::string& password_hash) = 0;

  // Counts one failed sign-in for `key`: a window older than `window_ms` starts over at `now`.
  // Returns the counter after the increment.
  virtual Result<model::SignInFailures> RecordSignInFailure(const std::string& key, TimeMs now, TimeMs window_ms) = 0;
  virtual Result<std::optional<model::SignInFailures>> GetSignInFailures(const std::string& key) = 0;
  virtual Status ClearSignInFailures(const std::string& key) = 0;

  // Second factor (TOTP). Saving replaces the user's factor and, when `recovery_hashes` is given,
  // all their recovery codes (SHA-256 hex of each); nullopt keeps the codes.
  virtual Status SaveStaffSecondFactor(const model::StaffSecondFactor& factor,
                                       const std::optional<std::vector<std::string>>& recovery_hashes) = 0;
  virtual Result<std::optional<model::StaffSecondFactor>> GetStaffSecondFactor(const std::string& user_id) = 0;
  // Removes the factor and the recovery codes (no error when there are none).
  virtual Status DeleteStaffSecondFactor(const std::string& user_id) = 0;
  // Records `step` as the last accepted one when it is later than the stored one, atomically:
  // false when it is not (a replayed code, or a concurrent sign-in with the same code won).
  virtual Result<bool> UseStaffTotpStep(const std::string& user_id, std::int64_t step) = 0;
  // Removes the recovery code with this hash: false when the user has no such code.
  virtual Result<bool> UseStaffRecoveryCode(const std::string& user_id, const std::string& code_hash) = 0;
  virtual Result<std::int64_t> CountStaffRecoveryCodes(const std::string& user_id) = 0;
};

}  // namespace herald::store
