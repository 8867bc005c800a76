// Colour maths for the page's accent colour: validating what staff typed before it goes into CSS,
// and adjusting it to a readable contrast (WCAG 2) in light and dark mode. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace herald::page {

// The accent colour of a page that has none (or an invalid one).
inline constexpr const char* kDefaultAccent = "#2563eb";

// `color` if it is "#rgb" or "#rrggbb" (normalised to lowercase "#rrggbb"), else nullopt. Only
// validated colours may go into CSS.
std::optional<std::string> ValidateHexColor(std::string_view color);

// `color` ("#rrggbb") darkened or lightened just enough to reach `min_ratio` contrast (WCAG 2)
// against `background`, so a brand colour stays readable as link text in light and dark mode.
std::string EnsureContrast(const std::string& color, const std::string& background, double min_ratio = 4.5);

}  // namespace herald::page
