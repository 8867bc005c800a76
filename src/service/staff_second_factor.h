// StaffSecondFactorService: the console's optional second factor for staff, a TOTP code from an
// authenticator app (RFC 6238, core/totp.h) or a one-time recovery code.
//
// Enrolment is two steps, so a factor is only switched on once the app and the server agree:
// Begin makes a new secret (stored, not yet on) and gives its otpauth:// URI and base32 text;
// Confirm switches it on when a code from the app is right, and gives ten recovery codes, shown
// once (only their SHA-256 is stored). At sign-in, Verify accepts the current code (each time step
// once: the store records the last step accepted, atomically) or a recovery code (each once).
// StaffAuthService asks it through StaffAuthOptions::needs_second_factor / verify_second_factor,
// which throttle and count failures as for passwords.
//
// Thread safety: methods may be called concurrently from worker threads; they block on the store.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "model/staff.h"
#include "store/staff_store.h"

namespace herald::service {

struct TotpSetup {
  std::string secret_base32;  // to type into the app: 32 characters
  std::string uri;            // otpauth://totp/...: for the QR code
};

class StaffSecondFactorService {
 public:
  // `issuer`: the name the authenticator app shows ("Herald status.example.com").
  StaffSecondFactorService(store::StaffStore& store, const Clock& clock, std::string issuer)
      : store_(store), clock_(clock), issuer_(std::move(issuer)) {}

  Result<bool> Enabled(const std::string& user_id);
  // A new secret, not on yet (an earlier unconfirmed one is replaced). kConflict when the user's
  // factor is on already (turn it off first).
  Result<TotpSetup> Begin(const model::StaffUser& user);
  // The secret Begin made and Confirm has not switched on; kNotFound when there is none.
  Result<TotpSetup> Pending(const model::StaffUser& user);
  // Switches the pending factor on when `code` is right for it (Error::Invalid naming "code"
  // otherwise) and returns the new recovery codes.
  Result<std::vector<std::string>> Confirm(const model::StaffUser& user, const std::string& code);
  // New recovery codes replacing the old ones; kNotFound when the factor is off.
  Result<std::vector<std::string>> NewRecoveryCodes(const model::StaffUser& user);
  Result<std::int64_t> RecoveryCodesLeft(const std::string& user_id);
  Status Disable(const std::string& user_id);
  // A code typed at sign-in: the app's code (each time step once) or a recovery code (each once).
  // False for anything else, and when the factor is off.
  Result<bool> Verify(const model::StaffUser& user, const std::string& code);

 private:
  TotpSetup SetupFor(const model::StaffUser& user, const std::string& secret) const;
  Result<std::vector<std::string>> SaveWithNewCodes(const model::StaffSecondFactor& factor);

  store::StaffStore& store_;
  const Clock& clock_;
  const std::string issuer_;
};

}  // namespace herald::service
