// Standard Webhooks signatures (https://www.standardwebhooks.com, spec/standard-webhooks.md):
// the scheme Herald signs every webhook with, so receivers can verify with any of the reference
// libraries (svix, standardwebhooks for Python/JS/Go/...).
//
//   webhook-id:        the message id; the same on every retry (the receiver's idempotency key)
//   webhook-timestamp: integer Unix seconds of this attempt
//   webhook-signature: "v1," + base64(HMAC-SHA256(key, id + "." + timestamp + "." + body)),
//                      several space-separated during a secret rotation
//
// The secret is shown to the subscriber as "whsec_" + base64(key bytes); the spec recommends
// 24 to 64 random bytes. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace herald::notify {

inline constexpr std::string_view kWebhookSecretPrefix = "whsec_";

// A new secret: "whsec_" + base64 of 32 bytes from the OS CSPRNG.
std::string NewWebhookSecret();
// True if `secret` is "whsec_" + standard base64 (padded) of 24 to 64 bytes: what we accept from an
// import or an API call that sets a secret.
bool IsValidWebhookSecret(std::string_view secret);
// The webhook-signature header value ("v1,<base64>") for one attempt. The key is the base64 after
// the "whsec_" prefix (the prefix is optional, as in the reference libraries). Error::Invalid if
// the secret is not valid base64 or is empty.
Result<std::string> SignStandardWebhook(std::string_view secret, std::string_view id, std::int64_t timestamp_seconds,
                                        std::string_view body);
// What a receiver does: true if `timestamp` (the header text) is an integer within
// `tolerance_seconds` of `now_seconds` and one of the space-separated "v1,<sig>" entries of
// `signature_header` matches (constant-time comparison).
bool VerifyStandardWebhook(std::string_view secret, std::string_view id, std::string_view timestamp,
                           std::string_view body, std::string_view signature_header, std::int64_t now_seconds,
                           std::int64_t tolerance_seconds = 300);

}  // namespace herald::notify
