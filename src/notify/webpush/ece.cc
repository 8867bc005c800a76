#include "notify/webpush/ece.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <memory>

#include "notify/webpush/p256.h"

namespace herald::notify::webpush {
namespace {

constexpr size_t kTagSize = 16;
constexpr size_t kKeySize = 16;
constexpr size_t kNonceSize = 12;

struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* c) const { EVP_KDF_CTX_free(c); }
};
struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

unsigned char* Mut(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }
const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
char* Param(std::string_view s) { return const_cast<char*>(s.data()); }

// Fetched once: algorithm objects are immutable and may be shared between threads.
EVP_KDF* HkdfAlgorithm() {
  static EVP_KDF* const kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  return kdf;
}
const EVP_CIPHER* Aes128Gcm() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
  return cipher;
}

// HKDF-SHA-256 (RFC 5869): extract with `salt`, expand with `info` to `length` bytes.
Result<std::string> Hkdf(std::string_view salt, std::string_view ikm, std::string_view info, size_t length) {
  std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(HkdfAlgorithm() ? EVP_KDF_CTX_new(HkdfAlgorithm()) : nullptr);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, Param(ikm), ikm.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, Param(salt), salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, Param(info), info.size()),
      OSSL_PARAM_construct_end(),
  };
  std::string out(length, '\0');
  if (!ctx || EVP_KDF_derive(ctx.get(), Mut(out), out.size(), params) != 1) return Error::Internal("HKDF failed");
  return out;
}

struct ContentKeys {
  std::string cek, nonce;
};

// RFC 8291 section 3.3 and 3.4, then RFC 8188 section 2.2 and 2.3.
Result<ContentKeys> DeriveKeys(std::string_view ecdh_secret, std::string_view auth_secret, std::string_view ua_public,
                               std::string_view as_public, std::string_view salt) {
  std::string key_info("WebPush: info\0", 14);
  key_info.append(ua_public);
  key_info.append(as_public);
  auto ikm = Hkdf(auth_secret, ecdh_secret, key_info, 32);
  if (!ikm) return ikm.error();
  auto cek = Hkdf(salt, *ikm, std::string_view("Content-Encoding: aes128gcm\0", 28), kKeySize);
  if (!cek) return cek.error();
  auto nonce = Hkdf(salt, *ikm, std::string_view("Content-Encoding: nonce\0", 24), kNonceSize);
  if (!nonce) return nonce.error();
  ContentKeys keys;
  keys.cek = std::move(*cek);
  keys.nonce = std::move(*nonce);
  return keys;
}

// The nonce of record `seq`: the base nonce XOR the sequence number (big-endian, 96 bits).
std::string RecordNonce(std::string nonce, uint64_t seq) {
  for (size_t i = 0; i < 8; ++i) nonce[kNonceSize - 1 - i] ^= static_cast<char>((seq >> (8 * i)) & 0xFF);
  return nonce;
}

Result<std::string> Seal(const ContentKeys& keys, std::string_view record) {
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  std::string out(record.size() + kTagSize, '\0');
  int len = 0, final_len = 0;
  if (!ctx || !Aes128Gcm() ||
      EVP_EncryptInit_ex2(ctx.get(), Aes128Gcm(), Bytes(keys.cek), Bytes(keys.nonce), nullptr) != 1 ||
      EVP_EncryptUpdate(ctx.get(), Mut(out), &len, Bytes(record), static_cast<int>(record.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), Mut(out) + len, &final_len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, Mut(out) + record.size()) != 1)
    return Error::Internal("AES-GCM encryption failed");
  return out;
}

Result<std::string> Open(std::string_view key, std::string_view nonce, std::string_view sealed) {
  if (sealed.size() <= kTagSize) return Error::Invalid("", "record too short");
  const size_t n = sealed.size() - kTagSize;
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  std::string out(n, '\0');
  std::string tag(sealed.substr(n));
  int len = 0, final_len = 0;
  if (!ctx || !Aes128Gcm() || EVP_DecryptInit_ex2(ctx.get(), Aes128Gcm(), Bytes(key), Bytes(nonce), nullptr) != 1 ||
      EVP_DecryptUpdate(ctx.get(), Mut(out), &len, Bytes(sealed), static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, Mut(tag)) != 1)
    return Error::Internal("AES-GCM decryption failed");
  if (EVP_DecryptFinal_ex(ctx.get(), Mut(out) + len, &final_len) != 1) {
    ERR_clear_error();
    return Error::Invalid("", "authentication failed (wrong key or tampered message)");
  }
  return out;
}

Result<std::string> EncryptWithKey(std::string_view plaintext, std::string_view ua_public, std::string_view auth_secret,
                                   EVP_PKEY* as_key, std::string_view salt) {
  if (plaintext.size() > kMaxPlaintextSize)
    return Error{ErrorCode::kTooLarge, "push payload over " + std::to_string(kMaxPlaintextSize) + " bytes", {}};
  if (auth_secret.size() != kAuthSecretSize) return Error::Invalid("auth", "the auth secret must be 16 bytes");
  if (salt.size() != kSaltSize) return Error::Invalid("salt", "the salt must be 16 bytes");
  auto ua_key = P256FromPublic(ua_public);
  if (!ua_key) return Error::Invalid("p256dh", "p256dh " + ua_key.error().message);
  const std::string as_public = P256PublicBytes(as_key);
  if (as_public.empty()) return Error::Internal("cannot export the ephemeral public key");
  auto secret = P256Ecdh(as_key, ua_key->get());
  if (!secret) return secret.error();
  auto keys = DeriveKeys(*secret, auth_secret, ua_public, as_public, salt);
  if (!keys) return keys.error();

  std::string record;
  record.reserve(plaintext.size() + 1);
  record.append(plaintext);
  record += '\x02';  // delimiter of the last (and only) record; no padding follows
  auto sealed = Seal(*keys, record);
  if (!sealed) return sealed.error();

  std::string body;
  body.reserve(kHeaderSize + sealed->size());
  body.append(salt);
  body += static_cast<char>((kRecordSize >> 24) & 0xFF);
  body += static_cast<char>((kRecordSize >> 16) & 0xFF);
  body += static_cast<char>((kRecordSize >> 8) & 0xFF);
  body += static_cast<char>(kRecordSize & 0xFF);
  body += static_cast<char>(as_public.size());
  body.append(as_public);
  body.append(*sealed);
  return body;
}

}  // namespace

Result<std::string> Encrypt(std::string_view plaintext, std::string_view ua_public, std::string_view auth_secret) {
  auto as_key = P256Generate();
  if (!as_key) return as_key.error();
  std::string salt(kSaltSize, '\0');
  if (RAND_bytes(Mut(salt), static_cast<int>(salt.size())) != 1) return Error::Internal("no randomness for the salt");
  return EncryptWithKey(plaintext, ua_public, auth_secret, as_key->get(), salt);
}

Result<std::string> Decrypt(std::string_view body, std::string_view ua_private, std::string_view auth_secret) {
  if (auth_secret.size() != kAuthSecretSize) return Error::Invalid("auth", "the auth secret must be 16 bytes");
  auto ua_key = P256FromPrivate(ua_private);
  if (!ua_key) return ua_key.error();
  if (body.size() < kSaltSize + 5) return Error::Invalid("", "body shorter than the aes128gcm header");
  const std::string_view salt = body.substr(0, kSaltSize);
  const auto* p = Bytes(body);
  const uint32_t rs = (uint32_t{p[16]} << 24) | (uint32_t{p[17]} << 16) | (uint32_t{p[18]} << 8) | p[19];
  const size_t idlen = p[20];
  if (rs <= kTagSize + 1) return Error::Invalid("", "record size too small");
  if (body.size() < kSaltSize + 5 + idlen) return Error::Invalid("", "body shorter than its key id");
  auto as_key = P256FromPublic(body.substr(kSaltSize + 5, idlen));
  if (!as_key) return Error::Invalid("", "the key id is not a P-256 public key");
  auto secret = P256Ecdh(ua_key->get(), as_key->get());
  if (!secret) return secret.error();
  auto keys = DeriveKeys(*secret, auth_secret, P256PublicBytes(ua_key->get()), body.substr(kSaltSize + 5, idlen), salt);
  if (!keys) return keys.error();

  std::string_view rest = body.substr(kSaltSize + 5 + idlen);
  if (rest.empty()) return Error::Invalid("", "no records");
  std::string plaintext;
  for (uint64_t seq = 0; !rest.empty(); ++seq) {
    const std::string_view sealed = rest.substr(0, rs);
    rest.remove_prefix(sealed.size());
    const bool last = rest.empty();
    auto record = Open(keys->cek, RecordNonce(keys->nonce, seq), sealed);
    if (!record) return record.error();
    // Padding: the delimiter (0x02 ends the last record, 0x01 any other) then zeros.
    size_t end = record->size();
    while (end > 0 && (*record)[end - 1] == 0) --end;
    if (end == 0 || (*record)[end - 1] != (last ? 0x02 : 0x01)) return Error::Invalid("", "bad record padding");
    plaintext.append(*record, 0, end - 1);
  }
  return plaintext;
}

namespace internal {
Result<std::string> EncryptWith(std::string_view plaintext, std::string_view ua_public, std::string_view auth_secret,
                                std::string_view as_private, std::string_view salt) {
  auto as_key = P256FromPrivate(as_private);
  if (!as_key) return as_key.error();
  return EncryptWithKey(plaintext, ua_public, auth_secret, as_key->get(), salt);
}
}  // namespace internal

}  // namespace herald::notify::webpush
