#include "monitor/probes/http/http_probe.h"

#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>
#include <cctype>

#include "monitor/probes/common.h"
#include "monitor/probes/http/json_path.h"

namespace herald::monitor {
namespace {

using probes::FieldName;

bool IsToken(std::string_view s) {
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && kExtra.find(c) == std::string_view::npos) return false;
  return true;
}

std::string RangesText(const std::vector<std::pair<int, int>>& ranges) {
  std::string out;
  for (const auto& [lo, hi] : ranges) {
    if (!out.empty()) out += ", ";
    out += lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi);
  }
  return out;
}

std::string Quote(std::string_view s) {
  constexpr size_t kMax = 80;
  std::string out = "\"";
  out += s.size() > kMax ? std::string(s.substr(0, kMax)) + "..." : std::string(s);
  return out + "\"";
}

std::string UrlHost(const std::string& url) {
  auto u = boost::urls::parse_uri(url);
  return u ? std::string(u->host()) : url;
}

// Judges one response against the spec; fills verdict and error.
void Judge(const model::ProbeSpec& spec, const net::HttpResponse& r, model::MonitorSample& s) {
  bool status_ok = false;
  for (const auto& [lo, hi] : spec.expected_status) status_ok = status_ok || (r.status >= lo && r.status <= hi);
  if (!status_ok)
    return probes::Fail(s, "expected status " + RangesText(spec.expected_status) + ", got " + std::to_string(r.status));
  if (!spec.keyword.empty()) {
    const bool found = r.body.find(spec.keyword) != std::string::npos;
    if (!spec.keyword_absent && !found) return probes::Fail(s, "keyword " + Quote(spec.keyword) + " not found");
    if (spec.keyword_absent && found) return probes::Fail(s, "keyword " + Quote(spec.keyword) + " found");
  }
  if (!spec.json_path.empty()) {
    std::string why;
    auto path = ParseJsonPath(spec.json_path, &why);
    if (!path) return probes::Fail(s, "json_path " + spec.json_path + ": " + why);
    boost::system::error_code ec;
    const boost::json::value doc = boost::json::parse(r.body, ec);
    if (ec) return probes::Fail(s, "response is not JSON (" + ec.message() + ")");
    const boost::json::value* v = FindJsonPath(doc, *path);
    if (v == nullptr) return probes::Fail(s, spec.json_path + " not found in the response");
    if (!spec.json_expected.empty()) {
      const std::string got = JsonValueText(*v);
      if (got != spec.json_expected)
        return probes::Fail(s, spec.json_path + " is " + Quote(got) + ", expected " + Quote(spec.json_expected));
    }
  }
  s.verdict = model::CheckVerdict::kUp;
}

}  // namespace

Status HttpProbe::Validate(const model::ProbeSpec& spec, const std::string& field) const {
  auto url = boost::urls::parse_uri(spec.target);
  if (!url) return Error::Invalid(FieldName(field, "target"), "must be an http:// or https:// URL");
  std::string scheme(url->scheme());
  for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "http" && scheme != "https")
    return Error::Invalid(FieldName(field, "target"), "URL scheme must be http or https, not \"" + scheme + "\"");
  if (url->host().empty()) return Error::Invalid(FieldName(field, "target"), "URL has no host");
  if (!IsToken(spec.method)) return Error::Invalid(FieldName(field, "method"), "must be an HTTP method like GET");
  for (const auto& [name, value] : spec.headers) {
    if (!IsToken(name)) return Error::Invalid(FieldName(field, "headers"), "invalid header name \"" + name + "\"");
    if (value.find_first_of("\r\n") != std::string::npos || value.find('\0') != std::string::npos)
      return Error::Invalid(FieldName(field, "headers"), "header " + name + " has a line break");
  }
  if (spec.expected_status.empty())
    return Error::Invalid(FieldName(field, "expected_status"), "needs at least one status range");
  for (const auto& [lo, hi] : spec.expected_status) {
    if (lo < 100 || hi > 599 || lo > hi)
      return Error::Invalid(
          FieldName(field, "expected_status"),
          "ranges must be within 100-599, low to high (got " + std::to_string(lo) + "-" + std::to_string(hi) + ")");
  }
  if (spec.keyword_absent && spec.keyword.empty())
    return Error::Invalid(FieldName(field, "keyword"), "keyword_absent needs a keyword");
  if (!spec.json_path.empty()) {
    std::string why;
    if (!ParseJsonPath(spec.json_path, &why)) return Error::Invalid(FieldName(field, "json_path"), why);
  } else if (!spec.json_expected.empty()) {
    return Error::Invalid(FieldName(field, "json_expected"), "needs a json_path");
  }
  if (spec.slow_ms < 0) return Error::Invalid(FieldName(field, "slow_ms"), "must not be negative");
  return {};
}

void HttpProbe::Start(const model::Monitor& monitor, std::function<void(ProbeResult)> done) {
  net::HttpRequest req;
  const model::ProbeSpec& spec = monitor.spec;
  req.method = spec.method;
  req.url = spec.target;
  req.headers = spec.headers;
  req.body = spec.body;
  req.timeout = std::chrono::milliseconds(monitor.timeout_ms);
  req.follow_redirects = spec.follow_redirects;
  req.verify_tls = spec.verify_tls;
  req.guard_address = false;  // staff configure monitors; internal targets are the point
  // Every check measures DNS, connect and TLS, and a dead listener shows at once rather than
  // hiding behind a kept-alive connection.
  req.fresh_connection = true;
  req.max_response_bytes = kMaxBodyBytes;
  http_.Send(std::move(req), [spec, timeout_ms = monitor.timeout_ms,
                              done = std::move(done)](const net::HttpResponse& r) {
    ProbeResult result;
    model::MonitorSample& s = result.sample;
    s.status_code = r.status;
    s.timings.dns_ms = r.timings.dns_ms;
    s.timings.connect_ms = r.timings.connect_ms;
    s.timings.tls_ms = r.timings.tls_ms;
    s.timings.first_byte_ms = r.timings.first_byte_ms;
    s.timings.total_ms = r.timings.total_ms;
    if (!r.remote_ip.empty()) s.evidence = "remote address " + r.remote_ip;
    if (r.failure == net::FailureKind::kTooLarge) {
      // Bodies are read only to look into them; without a content check a big page is fine, but
      // the engine drops the status with the body, so the check cannot vouch for it.
      probes::Fail(s, "response body over " + std::to_string(kMaxBodyBytes / 1024) + " KiB, the most a check reads");
    } else if (r.failure != net::FailureKind::kNone) {
      probes::Fail(s, probes::FailureText(r.failure, r.error, timeout_ms, UrlHost(spec.target)));
    } else {
      Judge(spec, r, s);
      probes::ApplySlowThreshold(s, spec.slow_ms);
    }
    done(std::move(result));
  });
}

}  // namespace herald::monitor
