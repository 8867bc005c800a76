// Base64 (RFC 4648 section 4, padded) and base64url (section 5, unpadded) encoding, and HMAC-SHA256,
// for signed links, webhook signatures and web push keys; base32 (section 6) for TOTP secrets.
// Pure and thread-safe.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace herald {

std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);     // nullopt on invalid input
std::string Base64UrlEncode(std::string_view bytes);                // no padding
void AppendBase64Url(std::string& out, std::string_view bytes);     // Base64UrlEncode, appended to `out`
std::optional<std::string> Base64UrlDecode(std::string_view text);  // padding optional
// Base32 (RFC 4648 section 6), as authenticator apps take secrets: upper case, no padding.
std::string Base32Encode(std::string_view bytes);
// Accepts upper or lower case, ignores spaces and hyphens (people copy secrets in groups) and
// optional '=' padding at the end; nullopt for any other character or leftover bits that are not
// zero (a length no encoder produces).
std::optional<std::string> Base32Decode(std::string_view text);
// Raw 32-byte HMAC-SHA256 of `message` under `key`.
std::string HmacSha256(std::string_view key, std::string_view message);
// HMAC-SHA256 of the concatenation of `message_parts`, without building it.
std::string HmacSha256(std::string_view key, std::initializer_list<std::string_view> message_parts);
// Compares in time independent of where the inputs differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace herald
