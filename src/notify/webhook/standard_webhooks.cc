#include "notify/webhook/standard_webhooks.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <charconv>
#include <cstdlib>

namespace herald::notify {
namespace {

bool IsBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

std::string_view StripPrefix(std::string_view secret) {
  if (secret.substr(0, kWebhookSecretPrefix.size()) == kWebhookSecretPrefix)
    secret.remove_prefix(kWebhookSecretPrefix.size());
  return secret;
}

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  // EVP_DecodeBlock skips white space and returns padding as zero bytes, so check the alphabet
  // and the padding here and trim the padding bytes after decoding.
  if (text.size() % 4 != 0) return Error::Invalid("secret", "is not valid base64");
  size_t padding = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '=') {
      if (i + 2 < text.size()) return Error::Invalid("secret", "is not valid base64");
      ++padding;
    } else if (padding > 0 || !IsBase64Char(c)) {
      return Error::Invalid("secret", "is not valid base64");
    }
  }
  std::string out(3 * (text.size() / 4), '\0');
  if (text.empty()) return out;
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0 || static_cast<size_t>(n) < padding) return Error::Invalid("secret", "is not valid base64");
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

std::string NewWebhookSecret() {
  unsigned char key[32];
  if (RAND_bytes(key, sizeof key) != 1) std::abort();  // no entropy: nothing safe to do
  return std::string(kWebhookSecretPrefix) + Base64Encode(std::string_view(reinterpret_cast<char*>(key), sizeof key));
}

bool IsValidWebhookSecret(std::string_view secret) {
  if (secret.substr(0, kWebhookSecretPrefix.size()) != kWebhookSecretPrefix) return false;
  auto key = Base64Decode(StripPrefix(secret));
  return key.ok() && key->size() >= 24 && key->size() <= 64;
}

Result<std::string> SignStandardWebhook(std::string_view secret, std::string_view id, std::int64_t timestamp_seconds,
                                        std::string_view body) {
  auto key = Base64Decode(StripPrefix(secret));
  if (!key.ok()) return key.error();
  if (key->empty()) return Error::Invalid("secret", "is empty");
  const std::string ts = std::to_string(timestamp_seconds);
  std::string signed_content;
  signed_content.reserve(id.size() + ts.size() + body.size() + 2);
  signed_content.append(id).append(".").append(ts).append(".").append(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), key->data(), static_cast<int>(key->size()),
           reinterpret_cast<const unsigned char*>(signed_content.data()), signed_content.size(), mac,
           &mac_len) == nullptr)
    return Error::Internal("HMAC-SHA256 failed");
  return "v1," + Base64Encode(std::string_view(reinterpret_cast<char*>(mac), mac_len));
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
    if (entry.size() == expected->size() && CRYPTO_memcmp(entry.data(), expected->data(), entry.size()) == 0)
      matched = true;  // keep going: the time taken does not reveal which entry matched
    pos = end + 1;
  }
  return matched;
}

}  // namespace herald::notify
