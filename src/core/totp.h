// Time-based one-time passwords (TOTP, RFC 6238, on HOTP, RFC 4226) for the console's optional
// second factor, and recovery codes for a lost authenticator. Works with any authenticator app:
// SHA-1, 6 digits, 30-second steps, a 160-bit secret shown as base32 and as an otpauth:// URI.
//
// The caller stores the secret (raw bytes; keep it secret like a password), the last step it
// accepted (Verify refuses that step and older ones, so an observed code cannot be replayed), and
// only the hashes of the recovery codes.
//
// Pure functions (randomness from the OS CSPRNG); thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace herald::totp {

inline constexpr int kDigits = 6;
inline constexpr int kPeriodSeconds = 30;
inline constexpr size_t kSecretBytes = 20;  // 160 bits, as RFC 4226 section 4 recommends
inline constexpr int kRecoveryCodes = 10;

enum class Algorithm { kSha1, kSha256, kSha512 };

// A new random secret: kSecretBytes raw bytes (Base32Encode them to show people).
std::string NewSecret();

// The time step `now` falls in: floor(seconds since the epoch / period).
std::int64_t StepAt(TimeMs now, int period_seconds = kPeriodSeconds);

// HOTP (RFC 4226 section 5.3) of `secret` for counter `step`: `digits` decimal digits with
// leading zeros.
std::string Code(std::string_view secret, std::int64_t step, int digits = kDigits,
                 Algorithm algorithm = Algorithm::kSha1);

// Checks a 6-digit code typed at `now`: the current step's, or the one before or after it (a
// clock a little off, a code typed as it changed). Refuses steps at or before `last_step` (the one
// this secret last accepted) so that a code works once. Returns the accepted step, to be stored
// as the next `last_step`; nullopt when the code is wrong or used. Spaces in `code` are ignored.
std::optional<std::int64_t> Verify(std::string_view secret, std::string_view code, TimeMs now,
                                   std::optional<std::int64_t> last_step);

// otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30,
// with issuer and account percent-encoded (the Key URI format authenticator apps read from a QR
// code).
std::string ProvisioningUri(std::string_view issuer, std::string_view account, std::string_view secret);

// kRecoveryCodes new codes like "k7m2-x9pq": 8 characters from an alphabet without look-alikes
// (no 0/o, 1/l/i), about 40 bits each. Show them once; store RecoveryCodeHash of each.
std::vector<std::string> NewRecoveryCodes(int count = kRecoveryCodes);
// SHA-256 (hex) of a code as typed, normalised: case, spaces and hyphens do not matter. A fast hash
// is enough: the codes are random, not chosen by people.
std::string RecoveryCodeHash(std::string_view code);
// The index in `hashes` of the code's hash (compared in constant time), or nullopt. The caller
// removes that hash, so that each code works once.
std::optional<size_t> MatchRecoveryCode(std::string_view code, const std::vector<std::string>& hashes);

}  // namespace herald::totp
