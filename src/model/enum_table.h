// Wire-name tables for enums: one constexpr array of (value, name) per enum, searched linearly
// (the tables are tiny). Shared by the model's ToString/Parse functions.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace herald::model::detail {

template <typename E, size_t N>
std::optional<E> Find(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view s) {
  for (const auto& [e, name] : table)
    if (name == s) return e;
  return std::nullopt;
}
template <typename E, size_t N>
std::string_view Name(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (const auto& [v, name] : table)
    if (v == e) return name;
  return "";
}

}  // namespace herald::model::detail
