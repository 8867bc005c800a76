#include "store/sql/connection.h"

#include <charconv>

namespace herald::store::sql {
namespace {

std::int64_t ParseInt(const std::string& s) {
  std::int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

}  // namespace

const std::string& Row::Text(size_t i) const {
  static const std::string kEmpty;  // NOLINT: immutable, function-local
  const auto& c = cells_.at(i);
  return c ? *c : kEmpty;
}

std::int64_t Row::Int(size_t i) const {
  const auto& c = cells_.at(i);
  return c ? ParseInt(*c) : 0;
}

std::optional<std::int64_t> Row::OptInt(size_t i) const {
  const auto& c = cells_.at(i);
  if (!c) return std::nullopt;
  return ParseInt(*c);
}

}  // namespace herald::store::sql
