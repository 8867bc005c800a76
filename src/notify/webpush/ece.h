// Web push message encryption (RFC 8291) in the "aes128gcm" content coding (RFC 8188).
//
// Encrypt() is what an application server does for every push message: a fresh ephemeral P-256
// key pair and a random 16-byte salt, ECDH with the subscription's p256dh key, the RFC 8291 key
// schedule keyed with the subscription's auth secret, and one AES-128-GCM record (padding
// delimiter 0x02, no padding) behind the header salt(16) || rs(4, = 4096) || idlen(1) ||
// keyid(65, the ephemeral public key). Decrypt() is the user agent's side, for tests.
//
// Keys and secrets here are raw bytes (decode the Push API's base64url first, see p256.h).
// Thread safety: free functions, no shared state.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace herald::notify::webpush {

inline constexpr size_t kAuthSecretSize = 16;
inline constexpr size_t kSaltSize = 16;
inline constexpr size_t kRecordSize = 4096;
inline constexpr size_t kHeaderSize = kSaltSize + 4 + 1 + 65;  // 86
// Push services must accept bodies of 4096 bytes; more may be refused (HTTP 413). The largest
// plaintext that keeps the body within that: header, delimiter and the 16-byte GCM tag removed.
inline constexpr size_t kMaxBodySize = 4096;
inline constexpr size_t kMaxPlaintextSize = kMaxBodySize - kHeaderSize - 1 - 16;  // 3993

// Encrypts `plaintext` (at most kMaxPlaintextSize bytes) for the subscription whose public key is
// `ua_public` (65-byte uncompressed point) and whose auth secret is `auth_secret` (16 bytes).
// Returns the complete request body. Error::Invalid when a key is malformed or the text too long.
Result<std::string> Encrypt(std::string_view plaintext, std::string_view ua_public, std::string_view auth_secret);

// Decrypts an aes128gcm body (any number of records) with the user agent's private key (32-byte
// scalar) and auth secret. Error::Invalid when the body is malformed or fails authentication.
Result<std::string> Decrypt(std::string_view body, std::string_view ua_private, std::string_view auth_secret);

namespace internal {
// Encrypt() with the ephemeral private key (32-byte scalar) and the salt given instead of drawn
// at random: only for reproducing the RFC 8291 Appendix A example. Never reuse either in
// production: a repeated key and salt repeats the AES-GCM nonce.
Result<std::string> EncryptWith(std::string_view plaintext, std::string_view ua_public, std::string_view auth_secret,
                                std::string_view as_private, std::string_view salt);
}  // namespace internal

}  // namespace herald::notify::webpush
