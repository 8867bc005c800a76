// Small pieces the probe kinds share: naming a spec field in a validation error, "host:port"
// parsing, durations in plain words, and the response-time threshold. Pure functions, no I/O;
// thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "model/monitor.h"
#include "net/http_client.h"

namespace herald::monitor::probes {

// The name an Error::Invalid carries for `name` under the caller's `prefix` ("spec" + "target" ->
// "spec.target"; an empty prefix gives "target").
std::string FieldName(const std::string& prefix, std::string_view name);

// "10 s", "1.5 s", "500 ms".
std::string DurationText(std::int64_t ms);

struct HostPort {
  std::string host;  // without brackets for IPv6
  int port = 0;
};
// "example.com:443", "127.0.0.1:80", "[::1]:443". Host names are letters, digits, '-' and '.';
// the port is 1-65535. nullopt with `why` set when it is not that.
std::optional<HostPort> ParseHostPort(std::string_view text, std::string* why);
// A DNS host name (letters, digits, '-', '_' and '.', labels of 1-63, at most 253 in all; one
// trailing dot allowed).
bool IsHostName(std::string_view name);
// An IPv4 or IPv6 literal (no brackets).
bool IsIpLiteral(std::string_view text);

// A failed transfer or connection in plain words ("connection refused", "timed out after 10 s").
std::string FailureText(net::FailureKind kind, const std::string& engine_error, std::int64_t timeout_ms,
                        std::string_view host);

// Marks an otherwise good sample "slow" when its total time is over `slow_ms` (0: no threshold).
void ApplySlowThreshold(model::MonitorSample& sample, int slow_ms);

// Fails `sample` (verdict down) with `error`.
void Fail(model::MonitorSample& sample, std::string error);

}  // namespace herald::monitor::probes
