#include "core/encoding.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <span>

namespace herald {

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  for (char c : text) {
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
    if (!ok) return std::nullopt;
  }
  if (text.empty()) return std::string();
  std::string out(3 * text.size() / 4, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  size_t len = static_cast<size_t>(n);
  // EVP_DecodeBlock counts padding as zero bytes; drop them.
  if (text.size() >= 1 && text.back() == '=') --len;
  if (text.size() >= 2 && text[text.size() - 2] == '=') --len;
  out.resize(len);
  return out;
}

std::string Base64UrlEncode(std::string_view bytes) {
  std::string s;
  AppendBase64Url(s, bytes);
  return s;
}

void AppendBase64Url(std::string& out, std::string_view bytes) {
  const size_t start = out.size();
  out.resize(start + 4 * ((bytes.size() + 2) / 3));
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data() + start),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(start + static_cast<size_t>(n));
  while (out.size() > start && out.back() == '=') out.pop_back();
  for (size_t i = start; i < out.size(); ++i) out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  std::string s(text);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) {
    if (c == '+' || c == '/') return std::nullopt;
    c = c == '-' ? '+' : c == '_' ? '/' : c;
  }
  if (s.size() % 4 == 1) return std::nullopt;
  while (s.size() % 4 != 0) s.push_back('=');
  return Base64Decode(s);
}

namespace {

constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

}  // namespace

std::string Base32Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += kBase32Alphabet[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out += kBase32Alphabet[(buffer << (5 - bits)) & 31];
  return out;
}

std::optional<std::string> Base32Decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  out.reserve(text.size() * 5 / 8);
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == ' ' || c == '-') continue;
    unsigned v;
    if (c >= 'A' && c <= 'Z') {
      v = static_cast<unsigned>(c - 'A');
    } else if (c >= 'a' && c <= 'z') {
      v = static_cast<unsigned>(c - 'a');
    } else if (c >= '2' && c <= '7') {
      v = static_cast<unsigned>(c - '2') + 26;
    } else {
      return std::nullopt;
    }
    buffer = ((buffer << 5) | v) & 0xFFFF;  // at most 12 bits are ever pending
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  // What is left must be fewer than 5 bits of zeros: more would be a character no encoder writes.
  if (bits >= 5 || (buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

namespace {

// SHA-256 fetched once: OpenSSL 3 looks the algorithm up in its provider tables on every
// HMAC()/EVP_sha256() use, which cost more than the hashing itself for the short messages we sign
// (one per webhook delivery, two per signed link).
const EVP_MD* Sha256() {
  static const EVP_MD* md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched != nullptr ? fetched : EVP_sha256();  // the implicit-fetch path still works
  }();
  return md;
}

struct DigestContext {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~DigestContext() { EVP_MD_CTX_free(ctx); }
};

// SHA-256 over the concatenation of `first` and `rest` into `out` (32 bytes).
void Sha256Of(EVP_MD_CTX* ctx, std::string_view first, std::span<const std::string_view> rest, unsigned char* out) {
  unsigned int len = 0;
  EVP_DigestInit_ex2(ctx, Sha256(), nullptr);
  EVP_DigestUpdate(ctx, first.data(), first.size());
  for (const auto part : rest) EVP_DigestUpdate(ctx, part.data(), part.size());
  EVP_DigestFinal_ex(ctx, out, &len);
}

}  // namespace

std::string HmacSha256(std::string_view key, std::string_view message) { return HmacSha256(key, {message}); }

// HMAC as RFC 2104 defines it, on a reused per-thread digest context.
std::string HmacSha256(std::string_view key, std::initializer_list<std::string_view> message_parts) {
  constexpr size_t kBlock = 64, kOut = 32;
  thread_local DigestContext digest;
  unsigned char key_block[kBlock] = {};
  if (key.size() > kBlock) {
    Sha256Of(digest.ctx, key, {}, key_block);
  } else {
    std::copy(key.begin(), key.end(), key_block);
  }
  char pad[kBlock];
  for (size_t i = 0; i < kBlock; ++i) pad[i] = static_cast<char>(key_block[i] ^ 0x36);
  unsigned char inner[kOut];
  Sha256Of(digest.ctx, std::string_view(pad, kBlock), {message_parts.begin(), message_parts.size()}, inner);
  for (size_t i = 0; i < kBlock; ++i) pad[i] = static_cast<char>(key_block[i] ^ 0x5c);
  std::string mac(kOut, '\0');
  const std::string_view inner_view(reinterpret_cast<char*>(inner), kOut);
  Sha256Of(digest.ctx, std::string_view(pad, kBlock), {&inner_view, 1}, reinterpret_cast<unsigned char*>(mac.data()));
  OPENSSL_cleanse(key_block, sizeof key_block);
  OPENSSL_cleanse(pad, sizeof pad);
  return mac;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace herald
