// Small text utilities used at the trust boundary: HTML/XML and JSON escaping, UTF-8 validation,
// web URLs, ids.
// Pure and thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace herald {

std::string HtmlEscape(std::string_view s);  // & < > " ' escaped; safe in text and attributes
// The inside of a JSON string (RFC 8259): quotes, backslashes and control characters escaped.
std::string JsonEscape(std::string_view s);
bool IsValidUtf8(std::string_view s);
// ASCII letters lowered, every other byte unchanged (no locale: for protocol tokens, addresses).
std::string Lower(std::string_view s);
// An absolute http(s) URL that is safe to put into a link: the scheme (any case), something after
// it, no white space or control characters, at most `max_bytes` long (2048: what browsers and
// chat services accept everywhere).
bool IsWebUrl(std::string_view url, std::size_t max_bytes = 2048);
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
