// Small text utilities used at the trust boundary: HTML/XML escaping, UTF-8 validation, ids.
// Pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace herald {

std::string HtmlEscape(std::string_view s);  // & < > " ' escaped; safe in text and attributes
bool IsValidUtf8(std::string_view s);
// Trims ASCII white space at both ends.
std::string_view Trim(std::string_view s);
// A new random id like Statuspage's: 12 characters of [0-9a-z].
std::string NewId();
// `n` bytes from the OS CSPRNG as lowercase hex.
std::string RandomHex(size_t n_bytes);
// SHA-256 of s as lowercase hex.
std::string Sha256Hex(std::string_view s);
// A URL-safe slug from a name: "API & Web" -> "api-web".
std::string Slugify(std::string_view s);

}  // namespace herald
