// Result<T>: a value or an Error, returned across module boundaries instead of exceptions.
// Error carries a machine code, a human message and, for validation failures, the name of the
// offending field (as the API shows it, e.g. "incident[name]" is reported as "name").
// One function (http/errors.h) maps ErrorCode to an HTTP status. Not thread-safe by itself;
// values are plain data.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace herald {

enum class ErrorCode {
  kInvalid,       // the request is malformed or a field is wrong
  kNotFound,      // the addressed thing does not exist
  kConflict,      // it exists already, or changed under us
  kUnauthorized,  // no or unknown credentials
  kForbidden,     // credentials lack the role
  kTooLarge,      // body or field over its limit
  kRateLimited,   // too many requests from this client
  kUnavailable,   // the database (or another dependency) is unreachable: retry later
  kInternal,      // a bug
};

const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string field;  // empty unless a specific input field is at fault

  static Error Invalid(std::string field, std::string message) {
    return {ErrorCode::kInvalid, std::move(message), std::move(field)};
  }
  static Error NotFound(std::string message) { return {ErrorCode::kNotFound, std::move(message), {}}; }
  static Error Unavailable(std::string message) { return {ErrorCode::kUnavailable, std::move(message), {}}; }
  static Error Internal(std::string message) { return {ErrorCode::kInternal, std::move(message), {}}; }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

}  // namespace herald

// In a function returning Result<...> or Status: evaluates `expr` (a Result), returns its error
// if it failed, else moves its value into `target`.
#define HERALD_TRY_ASSIGN(target, expr) \
  do {                                  \
    auto _r = (expr);                   \
    if (!_r) return _r.error();         \
    (target) = std::move(*_r);          \
  } while (0)
