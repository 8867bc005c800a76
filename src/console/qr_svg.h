// A QR code as an SVG image (libqrencode does the encoding): for the console's two-factor setup,
// where an authenticator app scans the otpauth:// URI. The SVG is one <path> of dark modules with
// the four-module quiet zone the standard asks for, black on white, no scripts or styles, so it
// can be shown as an <img> from a data: URI under the console's Content-Security-Policy.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace herald::console {

// nullopt when the text cannot be encoded (too long for a QR code).
std::optional<std::string> QrSvg(std::string_view text);
// "data:image/svg+xml;base64,..." of QrSvg(text).
std::optional<std::string> QrDataUri(std::string_view text);

}  // namespace herald::console
