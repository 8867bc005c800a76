// Decoder: turns stored enum names back into enums while reading rows, remembering the first
// unknown name as an error. Not thread-safe; one per read.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace herald::store::sql {

// Rows hold enums as their wire names; an unknown name means the database was written by a newer
// or broken Herald, which we report instead of guessing.
class Decoder {
 public:
  template <typename E>
  E Enum(std::optional<E> (*parse)(std::string_view), const std::string& raw, std::string_view what) {
    if (auto v = parse(raw)) return *v;
    if (!error_) error_ = Error::Internal("unknown " + std::string(what) + " '" + raw + "' in the database");
    return E{};
  }
  void Fail(std::string message) {
    if (!error_) error_ = Error::Internal(std::move(message));
  }
  Status status() const { return error_ ? Status(*error_) : Status(); }

 private:
  std::optional<Error> error_;
};

}  // namespace herald::store::sql
