// JSON path assertions for HTTP checks: the common subset of JSONPath that names one value —
// `$`, `.name`, `['name']` / `["name"]` and `[index]`, e.g. `$.checks[0].ok`. No wildcards,
// filters or slices. Pure functions on Boost.JSON values; thread-safe.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace herald::monitor {

// One step: an object member (std::string) or an array index (size_t).
using JsonPathStep = std::variant<std::string, size_t>;

// Parses a path; nullopt with `why` set when it is not in the supported subset.
std::optional<std::vector<JsonPathStep>> ParseJsonPath(std::string_view path, std::string* why);

// The value the path names, or nullptr when it does not exist.
const boost::json::value* FindJsonPath(const boost::json::value& root, const std::vector<JsonPathStep>& path);

// A value as text for comparing with json_expected: a string as itself (no quotes), anything
// else serialized (true, 3, null, {"a":1}).
std::string JsonValueText(const boost::json::value& v);

}  // namespace herald::monitor
