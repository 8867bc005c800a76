// P-256 keys for web push: the raw encodings the Push API uses (a 65-byte
// uncompressed point for public keys, a 32-byte scalar for private keys) converted to and from
// OpenSSL 3 EVP_PKEY objects, and ECDH. Only EVP and EC_POINT/EC_GROUP calls, none of the
// deprecated EC_KEY API. Shared by message encryption (ece.h) and VAPID (vapid.h).
//
// Thread safety: free functions without shared state; an EVP_PKEY may be used by several threads
// at once for signing and derivation (OpenSSL treats it as read-only there).
#pragma once

#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace herald::notify::webpush {

inline constexpr size_t kP256PublicSize = 65;   // 0x04 || X || Y
inline constexpr size_t kP256PrivateSize = 32;  // big-endian scalar

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const;
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

// A fresh key pair from the OS CSPRNG.
Result<Pkey> P256Generate();
// A public key from its uncompressed point; refuses other lengths, compressed points and points
// that are not on the curve (an invalid-curve point would leak the private key through ECDH).
Result<Pkey> P256FromPublic(std::string_view point);
// A key pair from the raw private scalar (1 <= d < n); the public point is derived from it.
Result<Pkey> P256FromPrivate(std::string_view scalar);
// Raw encodings of a key (empty on failure, which only a key of another type can cause).
std::string P256PublicBytes(const EVP_PKEY* key);
std::string P256PrivateBytes(const EVP_PKEY* key);
// ECDH: the 32-byte X coordinate of private * peer.
Result<std::string> P256Ecdh(EVP_PKEY* private_key, EVP_PKEY* peer_public);

}  // namespace herald::notify::webpush
