#include "service/staff_second_factor.h"

#include <algorithm>
#include <cctype>

#include "core/encoding.h"
#include "core/totp.h"

namespace herald::service {

TotpSetup StaffSecondFactorService::SetupFor(const model::StaffUser& user, const std::string& secret) const {
  return TotpSetup{Base32Encode(secret), totp::ProvisioningUri(issuer_, user.email, secret)};
}

Result<bool> StaffSecondFactorService::Enabled(const std::string& user_id) {
  auto f = store_.GetStaffSecondFactor(user_id);
  if (!f) return f.error();
  return *f && (*f)->enabled;
}

Result<TotpSetup> StaffSecondFactorService::Begin(const model::StaffUser& user) {
  auto f = store_.GetStaffSecondFactor(user.id);
  if (!f) return f.error();
  if (*f && (*f)->enabled)
    return Error{ErrorCode::kConflict, "two-factor sign-in is on already; turn it off first to set up a new app", {}};
  const TimeMs now = clock_.Now();
  model::StaffSecondFactor factor{user.id, totp::NewSecret(), false, -1, now, now};
  if (auto st = store_.SaveStaffSecondFactor(factor, std::vector<std::string>{}); !st) return st.error();
  return SetupFor(user, factor.secret);
}

Result<TotpSetup> StaffSecondFactorService::Pending(const model::StaffUser& user) {
  auto f = store_.GetStaffSecondFactor(user.id);
  if (!f) return f.error();
  if (!*f || (*f)->enabled) return Error::NotFound("no two-factor setup is waiting for a code");
  return SetupFor(user, (*f)->secret);
}

Result<std::vector<std::string>> StaffSecondFactorService::SaveWithNewCodes(const model::StaffSecondFactor& factor) {
  std::vector<std::string> codes = totp::NewRecoveryCodes();
  std::vector<std::string> hashes;
  hashes.reserve(codes.size());
  for (const auto& c : codes) hashes.push_back(totp::RecoveryCodeHash(c));
  if (auto st = store_.SaveStaffSecondFactor(factor, hashes); !st) return st.error();
  return codes;
}

Result<std::vector<std::string>> StaffSecondFactorService::Confirm(const model::StaffUser& user,
                                                                   const std::string& code) {
  auto f = store_.GetStaffSecondFactor(user.id);
  if (!f) return f.error();
  if (!*f || (*f)->enabled) return Error::NotFound("no two-factor setup is waiting for a code; start again");
  const TimeMs now = clock_.Now();
  auto step = totp::Verify((*f)->secret, code, now, std::nullopt);
  if (!step)
    return Error::Invalid("code",
                          "That code is not the one your app shows now. Check the app's clock and type the current "
                          "6-digit code.");
  model::StaffSecondFactor on = **f;
  on.enabled = true;
  on.last_step = *step;  // the confirming code cannot also sign in
  on.updated_at = now;
  return SaveWithNewCodes(on);
}

Result<std::vector<std::string>> StaffSecondFactorService::NewRecoveryCodes(const model::StaffUser& user) {
  auto f = store_.GetStaffSecondFactor(user.id);
  if (!f) return f.error();
  if (!*f || !(*f)->enabled) return Error::NotFound("two-factor sign-in is off");
  model::StaffSecondFactor factor = **f;
  factor.updated_at = clock_.Now();
  return SaveWithNewCodes(factor);
}

Result<std::int64_t> StaffSecondFactorService::RecoveryCodesLeft(const std::string& user_id) {
  return store_.CountStaffRecoveryCodes(user_id);
}

Status StaffSecondFactorService::Disable(const std::string& user_id) { return store_.DeleteStaffSecondFactor(user_id); }

Result<bool> StaffSecondFactorService::Verify(const model::StaffUser& user, const std::string& code) {
  if (code.size() > 64) return false;
  auto f = store_.GetStaffSecondFactor(user.id);
  if (!f) return f.error();
  if (!*f || !(*f)->enabled) return false;
  std::string digits;
  for (char c : code)
    if (c != ' ' && c != '-') digits += c;
  const bool looks_totp = digits.size() == totp::kDigits &&
                          std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); });
  if (looks_totp) {
    auto step = totp::Verify((*f)->secret, digits, clock_.Now(), (*f)->last_step);
    if (!step) return false;
    return store_.UseStaffTotpStep(user.id, *step);  // false: a concurrent sign-in used it first
  }
  return store_.UseStaffRecoveryCode(user.id, totp::RecoveryCodeHash(code));
}

}  // namespace herald::service
