#include "core/totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <stdexcept>

#include "core/encoding.h"
#include "core/text.h"

namespace herald::totp {
namespace {

// Recovery code characters: lower-case letters and digits without 0, o, 1, l and i.
constexpr std::string_view kRecoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789";

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    throw std::runtime_error("the OS random number generator failed");  // nothing sane to go on with
  return out;
}

const EVP_MD* Digest(Algorithm a) {
  switch (a) {
    case Algorithm::kSha256: return EVP_sha256();
    case Algorithm::kSha512: return EVP_sha512();
    case Algorithm::kSha1: break;
  }
  return EVP_sha1();
}

std::string Percent(std::string_view s) { return boost::urls::encode(s, boost::urls::unreserved_chars); }

// The code's characters that count: lower-case letters and digits.
std::string NormalisedRecoveryCode(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == ' ' || c == '-') continue;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

}  // namespace

std::string NewSecret() { return RandomBytes(kSecretBytes); }

std::int64_t StepAt(TimeMs now, int period_seconds) {
  const std::int64_t period_ms = static_cast<std::int64_t>(period_seconds) * 1000;
  return now >= 0 ? now / period_ms : -((-now + period_ms - 1) / period_ms);
}

std::string Code(std::string_view secret, std::int64_t step, int digits, Algorithm algorithm) {
  unsigned char counter[8];
  auto c = static_cast<std::uint64_t>(step);
  for (int i = 7; i >= 0; --i, c >>= 8) counter[i] = static_cast<unsigned char>(c & 0xFF);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(Digest(algorithm), secret.data(), static_cast<int>(secret.size()), counter, sizeof counter, mac, &mac_len);
  // Dynamic truncation (RFC 4226 section 5.3).
  const unsigned offset = mac[mac_len - 1] & 0x0F;
  const std::uint32_t binary = (static_cast<std::uint32_t>(mac[offset] & 0x7F) << 24) |
                               (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                               (static_cast<std::uint32_t>(mac[offset + 2]) << 8) | mac[offset + 3];
  std::uint32_t modulus = 1;
  for (int i = 0; i < digits; ++i) modulus *= 10;
  std::string out = std::to_string(binary % modulus);
  return std::string(static_cast<size_t>(digits) - out.size(), '0') + out;
}

std::optional<std::int64_t> Verify(std::string_view secret, std::string_view code, TimeMs now,
                                   std::optional<std::int64_t> last_step) {
  std::string typed;
  for (char c : code)
    if (c != ' ') typed += c;
  if (typed.size() != static_cast<size_t>(kDigits) || typed.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  const std::int64_t current = StepAt(now);
  std::optional<std::int64_t> accepted;
  // Every candidate is computed and compared, so the time taken does not tell which one matched.
  for (std::int64_t step = current - 1; step <= current + 1; ++step) {
    const bool match = ConstantTimeEquals(Code(secret, step), typed);
    if (match && (!last_step || step > *last_step) && !accepted) accepted = step;
  }
  return accepted;
}

std::string ProvisioningUri(std::string_view issuer, std::string_view account, std::string_view secret) {
  const std::string is = Percent(issuer);
  return "otpauth://totp/" + is + ":" + Percent(account) + "?secret=" + Base32Encode(secret) + "&issuer=" + is +
         "&algorithm=SHA1&digits=" + std::to_string(kDigits) + "&period=" + std::to_string(kPeriodSeconds);
}

std::vector<std::string> NewRecoveryCodes(int count) {
  // Rejection sampling keeps every character equally likely (256 is not a multiple of 31).
  const unsigned limit = 256 - 256 % kRecoveryAlphabet.size();
  std::vector<std::string> out;
  for (int n = 0; n < count; ++n) {
    std::string chars;
    while (chars.size() < 8)
      for (unsigned char b : RandomBytes(16))
        if (b < limit && chars.size() < 8) chars += kRecoveryAlphabet[b % kRecoveryAlphabet.size()];
    out.push_back(chars.substr(0, 4) + "-" + chars.substr(4));
  }
  return out;
}

std::string RecoveryCodeHash(std::string_view code) { return Sha256Hex(NormalisedRecoveryCode(code)); }

std::optional<size_t> MatchRecoveryCode(std::string_view code, const std::vector<std::string>& hashes) {
  const std::string hash = RecoveryCodeHash(code);
  std::optional<size_t> found;
  for (size_t i = 0; i < hashes.size(); ++i)
    if (ConstantTimeEquals(hashes[i], hash) && !found) found = i;
  return found;
}

}  // namespace herald::totp
