#include "console/qr_svg.h"

#include <qrencode.h>

#include <memory>

#include "core/encoding.h"

namespace herald::console {

std::optional<std::string> QrSvg(std::string_view text) {
  const std::string copy(text);  // libqrencode wants a NUL-terminated string
  // Level M (15 % recovery): what authenticator apps' own examples use; 8-bit mode for the URI.
  std::unique_ptr<QRcode, void (*)(QRcode*)> qr(QRcode_encodeString(copy.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1),
                                                QRcode_free);
  if (!qr) return std::nullopt;
  constexpr int kQuiet = 4;
  const int width = qr->width;
  const int size = width + 2 * kQuiet;
  std::string path;
  for (int y = 0; y < width; ++y)
    for (int x = 0; x < width; ++x)
      if (qr->data[y * width + x] & 1)  // bit 0: dark module
        path += "M" + std::to_string(x + kQuiet) + " " + std::to_string(y + kQuiet) + "h1v1h-1z";
  const std::string s = std::to_string(size);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + s + " " + s + "\" width=\"" +
         std::to_string(size * 6) + "\" height=\"" + std::to_string(size * 6) +
         "\" shape-rendering=\"crispEdges\"><rect width=\"" + s + "\" height=\"" + s + "\" fill=\"#fff\"/><path d=\"" +
         path + "\" fill=\"#000\"/></svg>";
}

std::optional<std::string> QrDataUri(std::string_view text) {
  auto svg = QrSvg(text);
  if (!svg) return std::nullopt;
  return "data:image/svg+xml;base64," + Base64Encode(*svg);
}

}  // namespace herald::console
