#include "page/colors.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace herald::page {
namespace {

struct Rgb {
  double r, g, b;
};

Rgb ParseRgb(const std::string& hex) {
  auto v = [&](int i) { return std::stoi(hex.substr(1 + 2 * i, 2), nullptr, 16) / 255.0; };
  return {v(0), v(1), v(2)};
}

double Luminance(const Rgb& c) {
  auto lin = [](double x) { return x <= 0.03928 ? x / 12.92 : std::pow((x + 0.055) / 1.055, 2.4); };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

double Contrast(const Rgb& a, const Rgb& b) {
  double la = Luminance(a), lb = Luminance(b);
  return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

std::string ToHex(const Rgb& c) {
  char buf[8];
  auto b = [](double x) { return static_cast<int>(std::lround(std::clamp(x, 0.0, 1.0) * 255)); };
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", b(c.r), b(c.g), b(c.b));
  return buf;
}

}  // namespace

std::optional<std::string> ValidateHexColor(std::string_view color) {
  if (color.size() != 4 && color.size() != 7) return std::nullopt;
  if (color[0] != '#') return std::nullopt;
  std::string out = "#";
  for (char ch : color.substr(1)) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (!((l >= '0' && l <= '9') || (l >= 'a' && l <= 'f'))) return std::nullopt;
    out += l;
    if (color.size() == 4) out += l;
  }
  return out;
}

std::string EnsureContrast(const std::string& color, const std::string& background, double min_ratio) {
  auto fg = ValidateHexColor(color), bg = ValidateHexColor(background);
  if (!fg || !bg) return kDefaultAccent;
  Rgb c = ParseRgb(*fg), b = ParseRgb(*bg);
  // Move towards black on light backgrounds and towards white on dark ones, in small steps, so the
  // colour keeps its hue and changes no more than needed.
  double target = Luminance(b) > 0.18 ? 0.0 : 1.0;
  Rgb start = c;
  for (int step = 1; step <= 20 && Contrast(c, b) < min_ratio; ++step) {
    double t = step / 20.0;
    c = {start.r + (target - start.r) * t, start.g + (target - start.g) * t, start.b + (target - start.b) * t};
  }
  return ToHex(c);
}

}  // namespace herald::page
