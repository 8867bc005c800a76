#include "notify/webhook/standard_webhooks.h"

#include <openssl/rand.h>

#include <charconv>
#include <cstdlib>

#include "core/encoding.h"

namespace herald::notify {
namespace {

std::string_view StripPrefix(std::string_view secret) {
  if (secret.starts_with(kWebhookSecretPrefix)) secret.remove_prefix(kWebhookSecretPrefix.size());
  return secret;
}

}  // namespace

std::string NewWebhookSecret() {
  unsigned char key[32];
  if (RAND_bytes(key, sizeof key) != 1) std::abort();  // no entropy: nothing safe to do
  return std::string(kWebhookSecretPrefix) + Base64Encode(std::string_view(reinterpret_cast<char*>(key), sizeof key));
}

bool IsValidWebhookSecret(std::string_view secret) {
  if (secret.substr(0, kWebhookSecretPrefix.size()) != kWebhookSecretPrefix) return false;
  const auto key = Base64Decode(StripPrefix(secret));
  return key && key->size() >= 24 && key->size() <= 64;
}

Result<std::string> SignStandardWebhook(std::string_view secret, std::string_view id, std::int64_t timestamp_seconds,
                                        std::string_view body) {
  const auto key = Base64Decode(StripPrefix(secret));
  if (!key) return Error::Invalid("secret", "is not valid base64");
  if (key->empty()) return Error::Invalid("secret", "is empty");
  const std::string ts = std::to_string(timestamp_seconds);
  // Signed content "{id}.{timestamp}.{body}", hashed in parts: the body is not copied.
  return "v1," + Base64Encode(HmacSha256(*key, {id, ".", ts, ".", body}));
}

bool VerifyStandardWebhook(std::string_view secret, std::string_view id, std::string_view timestamp,
                           std::string_view body, std::string_view signature_header, std::int64_t now_seconds,
                           std::int64_t tolerance_seconds) {
  std::int64_t ts = 0;
  auto [p, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), ts);
  if (ec != std::errc() || p != timestamp.data() + timestamp.size() || timestamp.empty()) return false;
  if (ts > now_seconds + tolerance_seconds || ts < now_seconds - tolerance_seconds) return false;
  auto expected = SignStandardWebhook(secret, id, ts, body);
  if (!expected.ok()) return false;
  bool matched = false;
  size_t pos = 0;
  while (pos <= signature_header.size()) {
    size_t end = signature_header.find(' ', pos);
    if (end == std::string_view::npos) end = signature_header.size();
    const std::string_view entry = signature_header.substr(pos, end - pos);
    if (ConstantTimeEquals(entry, *expected))
      matched = true;  // keep going: the time taken does not reveal which entry matched
    pos = end + 1;
  }
  return matched;
}

}  // namespace herald::notify
