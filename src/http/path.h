// Request-target parsing for the HTTP server: splits a target into path and query and
// percent-decodes the path, rejecting what must never reach a handler (NUL bytes, malformed
// escapes, ".." segments). Kept free of Beast so it can be unit-tested and fuzzed directly.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace herald::http {

struct Target {
  std::string path;   // percent-decoded, starts with '/'
  std::string query;  // raw, without '?'
};

// Parses an origin-form ("/a/b?x=1") or absolute-form ("http://host/a?x=1") request target.
// nullopt when the target is malformed or unsafe: no leading '/', an invalid or NUL-producing
// %-escape, a raw control byte, or a ".." path segment (also when written as "%2e%2e").
std::optional<Target> ParseTarget(std::string_view target);
// The same into `path` and `query`, reusing their capacity (the server parses every request's
// target into the same strings); false where ParseTarget gives nullopt.
bool ParseTargetInto(std::string_view target, std::string& path, std::string& query);

// Percent-decodes a path; nullopt on a malformed escape or a decoded NUL. '+' stays '+'.
std::optional<std::string> PercentDecodePath(std::string_view raw);

}  // namespace herald::http
