#include "monitor/probes/common.h"

#include <arpa/inet.h>

#include <cctype>
#include <cmath>
#include <cstdio>

namespace herald::monitor::probes {

std::string FieldName(const std::string& prefix, std::string_view name) {
  if (prefix.empty()) return std::string(name);
  return prefix + "." + std::string(name);
}

std::string DurationText(std::int64_t ms) {
  if (ms < 1000) return std::to_string(ms) + " ms";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  return buf;
}

bool IsIpLiteral(std::string_view text) {
  if (text.empty() || text.size() > 64) return false;
  const std::string s(text);
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool IsHostName(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return false;
  size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
    if (++label > 63) return false;
  }
  return label > 0;
}

std::optional<HostPort> ParseHostPort(std::string_view text, std::string* why) {
  HostPort out;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      *why = "must be host:port ([::1]:443 for IPv6)";
      return std::nullopt;
    }
    out.host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
    if (!IsIpLiteral(out.host)) {
      *why = "\"" + out.host + "\" is not an IPv6 address";
      return std::nullopt;
    }
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
      *why = "must be host:port (for example example.com:443)";
      return std::nullopt;
    }
    out.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
    if (out.host.find(':') != std::string::npos) {
      *why = "an IPv6 address must be in brackets: [::1]:443";
      return std::nullopt;
    }
    if (!IsIpLiteral(out.host) && !IsHostName(out.host)) {
      *why = "\"" + out.host + "\" is not a host name or IP address";
      return std::nullopt;
    }
  }
  if (port.empty() || port.size() > 5) {
    *why = "port must be a number from 1 to 65535";
    return std::nullopt;
  }
  int p = 0;
  for (char c : port) {
    if (c < '0' || c > '9') {
      *why = "port must be a number from 1 to 65535";
      return std::nullopt;
    }
    p = p * 10 + (c - '0');
  }
  if (p < 1 || p > 65535) {
    *why = "port must be a number from 1 to 65535";
    return std::nullopt;
  }
  out.port = p;
  return out;
}

std::string FailureText(net::FailureKind kind, const std::string& engine_error, std::int64_t timeout_ms,
                        std::string_view host) {
  using net::FailureKind;
  auto contains = [&](std::string_view needle) {
    std::string lower = engine_error;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower.find(needle) != std::string::npos;
  };
  switch (kind) {
    case FailureKind::kNone: return {};
    case FailureKind::kTimeout:
      // The engines' own words carry the phase ("timed out after 2 s (TLS handshake)").
      if (engine_error.starts_with("timed out after")) return engine_error;
      return "timed out after " + DurationText(timeout_ms);
    case FailureKind::kConnect:
      if (contains("refused")) return "connection refused";
      if (contains("reset")) return "connection reset";
      if (contains("unreachable")) return "host unreachable";
      return "connection failed: " + engine_error;
    case FailureKind::kDns:
      if (engine_error.empty() || contains("could not resolve")) return "host not found: " + std::string(host);
      return engine_error;
    case FailureKind::kTls: return engine_error.starts_with("TLS") ? engine_error : "TLS error: " + engine_error;
    case FailureKind::kTooLarge: return "response too large: " + engine_error;
    case FailureKind::kInvalidRequest: return "invalid request: " + engine_error;
    case FailureKind::kRefusedAddress: return engine_error;
    case FailureKind::kShutdown: return "check cancelled: " + engine_error;
    case FailureKind::kOther: return engine_error.empty() ? "check failed" : engine_error;
  }
  return engine_error;
}

void ApplySlowThreshold(model::MonitorSample& sample, int slow_ms) {
  if (sample.verdict != model::CheckVerdict::kUp || slow_ms <= 0) return;
  if (sample.timings.total_ms <= slow_ms) return;
  sample.verdict = model::CheckVerdict::kSlow;
  sample.error = "response time " + std::to_string(static_cast<long long>(std::llround(sample.timings.total_ms))) +
                 " ms over the " + std::to_string(slow_ms) + " ms threshold";
}

void Fail(model::MonitorSample& sample, std::string error) {
  sample.verdict = model::CheckVerdict::kDown;
  sample.error = std::move(error);
}

}  // namespace herald::monitor::probes
