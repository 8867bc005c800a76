#include "service/monitors.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/encoding.h"
#include "core/text.h"
#include "model/probe_kinds.h"
#include "notify/email/email_channel.h"
#include "notify/registry.h"
#include "service/component_status.h"
#include "service/services.h"
#include "service/subscriptions.h"

namespace herald::service {
namespace {

using model::ChannelKind;
using model::ComponentStatus;
using model::MonitorKind;

constexpr size_t kMaxTargetLength = 2048;
constexpr size_t kMaxKeywordLength = 1024;
constexpr size_t kMaxHeaders = 32;

std::string Seconds(std::int64_t ms) {
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

bool ValidHostname(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  if (h.back() == '.') h.remove_suffix(1);
  size_t label = 0;
  for (size_t i = 0; i < h.size(); ++i) {
    const char c = h[i];
    if (c == '.') {
      if (label == 0 || h[i - 1] == '-') return false;
      label = 0;
      continue;
    }
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
    if (label == 0 && c == '-') return false;
    if (++label > 63) return false;
  }
  return label > 0;
}

bool ValidIpv6(std::string_view h) {
  if (h.empty() || h.size() > 45) return false;
  return std::all_of(h.begin(), h.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.'; }) &&
         h.find(':') != std::string_view::npos;
}

std::optional<int> ParsePort(std::string_view s) {
  int port = 0;
  if (s.empty() || s.size() > 5) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), port);
  if (ec != std::errc() || p != s.data() + s.size() || port < 1 || port > 65535) return std::nullopt;
  return port;
}

// "host:port" or "[v6]:port"; when `port_optional`, "host" or "[v6]" alone too.
bool ValidHostPort(std::string_view s, bool port_optional) {
  std::string_view host, port;
  if (s.starts_with("[")) {
    const size_t close = s.find(']');
    if (close == std::string_view::npos) return false;
    host = s.substr(1, close - 1);
    if (!ValidIpv6(host)) return false;
    std::string_view rest = s.substr(close + 1);
    if (rest.empty()) return port_optional;
    if (rest[0] != ':') return false;
    port = rest.substr(1);
  } else {
    const size_t colon = s.rfind(':');
    if (colon == std::string_view::npos) return port_optional && ValidHostname(s);
    if (s.find(':') != colon) return false;  // a bare IPv6 address needs brackets
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
    if (!ValidHostname(host)) return false;
  }
  return ParsePort(port).has_value();
}

// An absolute http(s) URL with a host (and optional port); the rest is the probe's business.
bool ValidHttpUrl(std::string_view url, bool allow_http) {
  const std::string lower = Lower(url.substr(0, 8));
  size_t scheme_len = 0;
  if (lower.starts_with("https://"))
    scheme_len = 8;
  else if (allow_http && lower.starts_with("http://"))
    scheme_len = 7;
  else
    return false;
  if (url.find_first_of(" \t\r\n") != std::string_view::npos || HasControl(url)) return false;
  std::string_view rest = url.substr(scheme_len);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) authority = authority.substr(at + 1);
  return ValidHostPort(authority, true);
}

bool ValidHeaderName(std::string_view name) {
  static constexpr std::string_view kTchar = "!#$%&'*+-.^_`|~";
  return !name.empty() && name.size() <= 128 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kTchar.find(c) != std::string_view::npos;
  });
}

Result<ComponentStatus> ParseFailureStatus(const std::string& field, const std::string& text) {
  auto st = model::ParseComponentStatus(text);
  if (!st || *st == ComponentStatus::kOperational || *st == ComponentStatus::kUnderMaintenance)
    return Error::Invalid(field, field + " must be degraded_performance, partial_outage or major_outage");
  return *st;
}

// Recomputes the status of the component a monitor drives (or drove): the monitor is one of
// its causes. Nothing for no component or one deleted meanwhile.
Status RefreshComponent(const MonitorDeps& deps, const std::string& page_id, const std::string& component_id) {
  if (component_id.empty()) return {};
  auto r = RefreshComponentStatus(Deps{deps.store, deps.clock, deps.on_change}, page_id, component_id);
  if (!r && r.error().code != ErrorCode::kNotFound) return r.error();
  return {};
}

// The checks of one kind-specific field (model::ProbeKindDescriptor::fields says which fields a
// kind takes); normalises the field in `s` where it has a canonical spelling.
Status CheckProbeField(model::ProbeField field, model::ProbeSpec& s) {
  using model::ProbeField;
  switch (field) {
    case ProbeField::kMethod: {
      static const std::vector<std::string> kMethods = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
      for (char& c : s.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (std::find(kMethods.begin(), kMethods.end(), s.method) == kMethods.end())
        return Error::Invalid("method", "method must be GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS");
      return {};
    }
    case ProbeField::kHeaders:
      if (s.headers.size() > kMaxHeaders) return Error::Invalid("headers", "at most 32 headers");
      for (auto& [k, v] : s.headers) {
        k = std::string(Trim(k));
        if (!ValidHeaderName(k))
          return Error::Invalid("headers", "headers: \"" + k.substr(0, 64) + "\" is not a valid header name");
        if (HasControl(v) || v.size() > 8192)
          return Error::Invalid("headers", "headers: the value of " + k + " must be one line of at most 8 KB");
      }
      return {};
    case ProbeField::kBody:
      if (s.body.size() > kMaxBodyLength) return Error::Invalid("body", "body must be at most 64 KB");
      return {};
    case ProbeField::kExpectedStatus:
      if (s.expected_status.empty()) return Error::Invalid("expected_status", "expected_status needs a status");
      for (const auto& [lo, hi] : s.expected_status)
        if (lo < 100 || hi > 599 || lo > hi)
          return Error::Invalid("expected_status", "expected_status ranges must lie within 100-599");
      return {};
    case ProbeField::kKeyword:
      if (s.keyword.size() > kMaxKeywordLength) return Error::Invalid("keyword", "keyword must be at most 1024 bytes");
      return {};
    case ProbeField::kKeywordAbsent:
      if (s.keyword_absent && s.keyword.empty())
        return Error::Invalid("keyword", "keyword_absent needs the keyword that must not appear");
      return {};
    case ProbeField::kJsonPath:
      if (!s.json_path.empty() && (!s.json_path.starts_with("$") || s.json_path.size() > 256))
        return Error::Invalid("json_path", "json_path must start with $, such as $.status or $.checks[0].ok");
      return {};
    case ProbeField::kJsonExpected:
      if (s.json_path.empty() && !s.json_expected.empty())
        return Error::Invalid("json_path", "json_expected needs a json_path to compare");
      if (s.json_expected.size() > kMaxKeywordLength)
        return Error::Invalid("json_expected", "json_expected must be at most 1024 bytes");
      return {};
    case ProbeField::kRecordType: {
      static const std::vector<std::string> kTypes = {"A", "AAAA", "CNAME", "MX", "TXT", "NS"};
      if (std::find(kTypes.begin(), kTypes.end(), s.record_type) == kTypes.end())
        return Error::Invalid("record_type", "record_type must be A, AAAA, CNAME, MX, TXT or NS");
      return {};
    }
    case ProbeField::kExpectedAnswer:
      if (s.expected_answer.size() > kMaxKeywordLength || HasControl(s.expected_answer))
        return Error::Invalid("expected_answer", "expected_answer must be one line of at most 1024 bytes");
      return {};
    case ProbeField::kDnsServer:
      if (!s.dns_server.empty() && !ValidHostPort(s.dns_server, true))
        return Error::Invalid("dns_server",
                              "dns_server must be an address with an optional port, such as "
                              "127.0.0.1:5353 or [::1]:53");
      return {};
    case ProbeField::kExpiryWarnDays:
      if (s.expiry_warn_days < 0 || s.expiry_warn_days > model::kMaxExpiryWarnDays)
        return Error::Invalid("expiry_warn_days",
                              "expiry_warn_days must be between 0 and " + std::to_string(model::kMaxExpiryWarnDays));
      return {};
    case ProbeField::kGraceSeconds:
      if (s.grace_ms < 0 || s.grace_ms > kMaxGraceMs)
        return Error::Invalid("grace_seconds", "grace_seconds must be between 0 and 7 days");
      return {};
    case ProbeField::kFollowRedirects:
    case ProbeField::kVerifyTls:
    case ProbeField::kSlowMs:  // checked for every kind against the timeout, before the kind's fields
      return {};
  }
  return {};
}

std::string ReplacePrefix(Error& e, const std::string& field) {
  if (e.field.empty()) e.field = field;
  return e.field;
}

}  // namespace

std::optional<std::int64_t> ParseDurationMs(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return std::nullopt;
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || n < 0 || n > 10'000'000'000LL) return std::nullopt;
  std::string_view unit = Trim(std::string_view(p, text.data() + text.size() - p));
  std::int64_t mult = 0;
  if (unit.empty() || unit == "s" || unit == "sec" || unit == "secs" || unit == "seconds")
    mult = 1000;
  else if (unit == "ms")
    mult = 1;
  else if (unit == "m" || unit == "min" || unit == "minutes")
    mult = 60'000;
  else if (unit == "h" || unit == "hours")
    mult = 3'600'000;
  else if (unit == "d" || unit == "days")
    mult = 86'400'000;
  else
    return std::nullopt;
  return n * mult;
}

std::string FormatDurationMs(std::int64_t ms) {
  if (ms != 0 && ms % 86'400'000 == 0) return std::to_string(ms / 86'400'000) + "d";
  if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

Result<std::vector<std::pair<int, int>>> ParseStatusRanges(const std::vector<std::string>& texts,
                                                           const std::string& field) {
  if (texts.empty()) return Error::Invalid(field, field + " needs at least one status or range, such as 200-299");
  if (texts.size() > 32) return Error::Invalid(field, field + " takes at most 32 entries");
  std::vector<std::pair<int, int>> out;
  for (const auto& raw : texts) {
    const std::string_view t = Trim(raw);
    auto num = [](std::string_view s) -> std::optional<int> {
      s = Trim(s);
      int v = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
      return v;
    };
    const size_t dash = t.find('-');
    std::optional<int> lo = num(dash == std::string_view::npos ? t : t.substr(0, dash));
    std::optional<int> hi = dash == std::string_view::npos ? lo : num(t.substr(dash + 1));
    if (!lo || !hi || *lo < 100 || *hi > 599 || *lo > *hi)
      return Error::Invalid(field, field + ": \"" + std::string(t.substr(0, 32)) +
                                       "\" is not an HTTP status (100-599) or a range such as 200-299");
    out.emplace_back(*lo, *hi);
  }
  return out;
}

std::vector<std::string> FormatStatusRanges(const std::vector<std::pair<int, int>>& ranges) {
  std::vector<std::string> out;
  for (const auto& [lo, hi] : ranges)
    out.push_back(lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi));
  return out;
}

std::string NewHeartbeatToken() {
  std::string raw(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(raw.size())) != 1) {
    // RandomHex has the same source; fall back to decoding it rather than fail a request.
    const std::string hex = RandomHex(32);
    for (size_t i = 0; i < 32; ++i) raw[i] = static_cast<char>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  }
  return Base64UrlEncode(raw);
}

// ---- monitors -----------------------------------------------------------------------------

Result<model::Monitor> MonitorService::Build(const std::string& page_id, model::Monitor m, const MonitorInput& in,
                                             bool creating) {
  m.page_id = page_id;
  if (creating || in.name) {
    auto v = CheckText("name", in.name.value_or(""), kMaxNameLength, true);
    if (!v) return v.error();
    m.name = *v;
  }
  if (in.kind) {
    auto k = model::ParseMonitorKind(Lower(Trim(*in.kind)));
    if (!k) return Error::Invalid("kind", "kind must be " + model::ProbeKindNames());
    m.kind = *k;
  } else if (creating) {
    return Error::Invalid("kind", "kind is required: " + model::ProbeKindNames());
  }
  if (in.component_id) {
    const std::string cid(Trim(*in.component_id));
    if (!cid.empty()) {
      auto c = deps_.store.GetComponent(page_id, cid);
      if (!c) {
        if (c.error().code == ErrorCode::kNotFound)
          return Error::Invalid("component_id",
                                "component_id: no component \"" + cid.substr(0, 64) + "\" on this page");
        return c.error();
      }
      if (c->is_group)
        return Error::Invalid("component_id", "component_id names a group; a monitor drives one component");
    }
    m.component_id = cid;
  }

  // Timing and thresholds.
  if (in.interval_ms) m.interval_ms = *in.interval_ms;
  if (in.timeout_ms) {
    m.timeout_ms = *in.timeout_ms;
  } else if (creating || m.kind == MonitorKind::kHeartbeat || m.timeout_ms == model::Monitor{}.timeout_ms) {
    // A timeout nobody set is the default, and the default fits the interval (a 5 s interval
    // checks within 5 s); a heartbeat has no check to time out at all. A timeout staff chose
    // that no longer fits a shorter interval is refused below, naming it.
    m.timeout_ms = std::min(model::Monitor{}.timeout_ms, m.interval_ms);
  }
  if (m.interval_ms < kMinIntervalMs || m.interval_ms > kMaxIntervalMs)
    return Error::Invalid("interval_seconds",
                          "interval_seconds must be between 5 seconds and 24 hours, not " + Seconds(m.interval_ms));
  if (m.timeout_ms < kMinTimeoutMs || m.timeout_ms > m.interval_ms) {
    // A shorter interval on an existing monitor may leave the old timeout too long: say which.
    return Error::Invalid("timeout_seconds", "timeout_seconds must be at least 1 second and at most the interval (" +
                                                 Seconds(m.interval_ms) + "), not " + Seconds(m.timeout_ms));
  }
  if (in.failures_to_down) m.failures_to_down = *in.failures_to_down;
  if (in.failure_window) m.failure_window = *in.failure_window;
  if (in.successes_to_up) m.successes_to_up = *in.successes_to_up;
  if (m.failure_window < 1 || m.failure_window > kMaxFailureWindow)
    return Error::Invalid("failure_window", "failure_window must be between 1 and 20 checks");
  if (m.failures_to_down < 1 || m.failures_to_down > m.failure_window)
    return Error::Invalid("failures_to_down", "failures_to_down must be at least 1 and at most failure_window (" +
                                                  std::to_string(m.failure_window) + ")");
  if (m.successes_to_up < 1 || m.successes_to_up > kMaxSuccessesToUp)
    return Error::Invalid("successes_to_up", "successes_to_up must be between 1 and 100");
  if (in.down_status) {
    auto st = ParseFailureStatus("down_status", Lower(Trim(*in.down_status)));
    if (!st) return st.error();
    m.down_status = *st;
  }
  if (in.slow_status) {
    auto st = ParseFailureStatus("slow_status", Lower(Trim(*in.slow_status)));
    if (!st) return st.error();
    m.slow_status = *st;
  }
  if (in.enabled) m.enabled = *in.enabled;
  if (in.show_chart) m.show_chart = *in.show_chart;

  // The probe spec: fields of every kind are kept, so switching kind back and forth loses nothing;
  // only those of the monitor's kind are checked.
  model::ProbeSpec& s = m.spec;
  if (in.target) s.target = std::string(Trim(*in.target));
  if (in.method) s.method = std::string(Trim(*in.method));
  if (in.headers) s.headers = *in.headers;
  if (in.body) s.body = *in.body;
  if (in.expected_status) {
    auto r = ParseStatusRanges(*in.expected_status, "expected_status");
    if (!r) return r.error();
    s.expected_status = *r;
  }
  if (in.keyword) s.keyword = *in.keyword;
  if (in.keyword_absent) s.keyword_absent = *in.keyword_absent;
  if (in.json_path) s.json_path = std::string(Trim(*in.json_path));
  if (in.json_expected) s.json_expected = *in.json_expected;
  if (in.follow_redirects) s.follow_redirects = *in.follow_redirects;
  if (in.verify_tls) s.verify_tls = *in.verify_tls;
  if (in.slow_ms) s.slow_ms = *in.slow_ms;
  if (in.record_type) s.record_type = Lower(Trim(*in.record_type));
  for (char& c : s.record_type) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (in.expected_answer) s.expected_answer = std::string(Trim(*in.expected_answer));
  if (in.dns_server) s.dns_server = std::string(Trim(*in.dns_server));
  if (in.expiry_warn_days) s.expiry_warn_days = *in.expiry_warn_days;
  if (in.grace_ms) s.grace_ms = *in.grace_ms;

  if (s.target.size() > kMaxTargetLength) return Error::Invalid("target", "target must be at most 2048 characters");
  if (!IsValidUtf8(s.target) || HasControl(s.target)) return Error::Invalid("target", "target must be printable text");
  if (s.slow_ms < 0 || (s.slow_ms > 0 && s.slow_ms > m.timeout_ms))
    return Error::Invalid("slow_ms", "slow_ms must be 0 (no threshold) or a time within the timeout (" +
                                         std::to_string(m.timeout_ms) + " ms)");
  const model::ProbeKindDescriptor& kind = model::Describe(m.kind);
  if (kind.target != model::ProbeTarget::kNone && s.target.empty())
    return Error::Invalid("target", "target is required: " + std::string(kind.target_help));
  switch (kind.target) {
    case model::ProbeTarget::kUrl:
      if (!ValidHttpUrl(s.target, true))
        return Error::Invalid("target",
                              "target must be an http:// or https:// URL with a host, such as "
                              "https://api.example.com/health");
      break;
    case model::ProbeTarget::kHostPort:
      if (!ValidHostPort(s.target, false))
        return Error::Invalid("target", "target must be host:port, such as db.example.com:5432 or [2001:db8::1]:443");
      break;
    case model::ProbeTarget::kHostname:
      if (!ValidHostname(s.target))
        return Error::Invalid("target", "target must be a domain name, such as www.example.com");
      break;
    case model::ProbeTarget::kNone: break;
  }
  for (const model::ProbeField field : kind.fields)
    if (auto st = CheckProbeField(field, s); !st) return st.error();
  if (deps_.validate_probe) {
    if (auto st = deps_.validate_probe(m); !st) {
      Error e = st.error();
      if (e.code != ErrorCode::kInvalid) return e;
      ReplacePrefix(e, "target");
      return e;
    }
  }
  return m;
}

Result<model::Monitor> MonitorService::Preview(const std::string& page_id, const std::string& id,
                                               const MonitorInput& in) {
  auto page = deps_.store.GetPage(page_id);
  if (!page) return page.error();
  if (id.empty()) return Build(page->id, model::Monitor{}, in, true);
  auto m = deps_.store.GetMonitor(page->id, id);
  if (!m) return m.error();
  return Build(page->id, std::move(*m), in, false);
}

Result<MonitorOutcome> MonitorService::Save(model::Monitor m, bool new_token) {
  MonitorOutcome out;
  if (new_token) {
    out.heartbeat_token = NewHeartbeatToken();
    m.heartbeat_token_hash = Sha256Hex(out.heartbeat_token);
  }
  if (auto st = deps_.store.SaveMonitor(m); !st) return st.error();
  out.monitor = std::move(m);
  deps_.reload();
  deps_.on_change();
  return out;
}

// Names are unique per page: `herald apply` matches monitors by name, and two "API health" rows
// in a list cannot be told apart.
namespace {
Status CheckNameFree(store::Store& store, const model::Monitor& m) {
  auto all = store.ListMonitors(m.page_id);
  if (!all) return all.error();
  for (const auto& other : *all)
    if (other.id != m.id && other.name == m.name)
      return Error{ErrorCode::kConflict,
                   "there is already a monitor named \"" + m.name + "\" on this page (id " + other.id +
                       "); monitor names are unique per page: pick another name, or change or remove that monitor",
                   "name"};
  return {};
}
}  // namespace

Result<MonitorOutcome> MonitorService::Create(const std::string& page_id, const MonitorInput& in) {
  auto page = deps_.store.GetPage(page_id);
  if (!page) return page.error();
  auto m = Build(page->id, model::Monitor{}, in, true);
  if (!m) return m.error();
  if (auto st = CheckNameFree(deps_.store, *m); !st) return st.error();
  const TimeMs now = deps_.clock.Now();
  m->id = NewId();
  m->created_at = m->updated_at = now;
  m->state = model::MonitorState::kUnknown;
  m->state_since = now;
  const bool heartbeat = m->kind == MonitorKind::kHeartbeat;
  return Save(std::move(*m), heartbeat);
}

Result<MonitorOutcome> MonitorService::Update(const std::string& page_id, const std::string& id,
                                              const MonitorInput& in) {
  auto existing = deps_.store.GetMonitor(page_id, id);
  if (!existing) return existing.error();
  const bool was_enabled = existing->enabled;
  auto m = Build(existing->page_id, *existing, in, false);
  if (!m) return m.error();
  if (m->name != existing->name)
    if (auto st = CheckNameFree(deps_.store, *m); !st) return st.error();
  m->updated_at = deps_.clock.Now();
  // Re-enabled monitors start over: their old state says nothing about now.
  if (m->enabled && !was_enabled) {
    m->state = model::MonitorState::kUnknown;
    m->state_since = m->updated_at;
  }
  const bool new_token = m->kind == MonitorKind::kHeartbeat && m->heartbeat_token_hash.empty();
  if (m->kind != MonitorKind::kHeartbeat) m->heartbeat_token_hash.clear();  // an old URL must stop working
  auto out = Save(std::move(*m), new_token);
  if (!out) return out;
  // A monitor disabled, re-enabled or moved counts (no longer) for the components it drove.
  for (const auto& cid : {existing->component_id, out->monitor.component_id})
    if (auto st = RefreshComponent(deps_, existing->page_id, cid); !st) return st.error();
  return out;
}

Status MonitorService::Delete(const std::string& page_id, const std::string& id) {
  auto existing = deps_.store.GetMonitor(page_id, id);
  if (!existing) return existing.error();
  if (auto st = deps_.store.DeleteMonitor(page_id, id); !st) return st;
  if (auto st = RefreshComponent(deps_, existing->page_id, existing->component_id); !st) return st;
  deps_.reload();
  deps_.on_change();
  return {};
}

Result<MonitorOutcome> MonitorService::RotateToken(const std::string& page_id, const std::string& id) {
  auto m = deps_.store.GetMonitor(page_id, id);
  if (!m) return m.error();
  if (m->kind != MonitorKind::kHeartbeat)
    return Error::Invalid("kind",
                          "only heartbeat monitors have a token; this one is " + std::string(model::ToString(m->kind)));
  m->updated_at = deps_.clock.Now();
  return Save(std::move(*m), true);
}

Result<model::Monitor> MonitorService::Heartbeat(const std::string& token) {
  // Anything that is not a well-formed token cannot match: answer without a database round trip.
  if (token.size() < 16 || token.size() > 128 || !std::all_of(token.begin(), token.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
      }))
    return Error::NotFound("no heartbeat monitor has this token");
  auto m = deps_.store.FindMonitorByHeartbeat(Sha256Hex(token));
  if (!m) return m.error();
  if (!*m || (*m)->kind != MonitorKind::kHeartbeat) return Error::NotFound("no heartbeat monitor has this token");
  const TimeMs now = deps_.clock.Now();
  if (auto st = deps_.store.RecordHeartbeat((*m)->id, now); !st) return st.error();
  (*m)->last_heartbeat_at = now;
  deps_.notify_heartbeat((*m)->id, now);
  return std::move(**m);
}

// ---- automation rules ---------------------------------------------------------------------

Result<std::optional<model::AutomationRule>> MonitorService::FindRule(const std::string& page_id,
                                                                      const std::string& component_id) {
  auto rules = deps_.store.ListAutomationRules(page_id);
  if (!rules) return rules.error();
  for (auto& r : *rules)
    if (r.component_id == component_id) return std::optional<model::AutomationRule>(std::move(r));
  return std::optional<model::AutomationRule>();
}

Result<model::AutomationRule> MonitorService::GetRule(const std::string& page_id, const std::string& component_id) {
  auto r = FindRule(page_id, component_id);
  if (!r) return r.error();
  if (!*r) return Error::NotFound("this component has no automation rule");
  return std::move(**r);
}

Result<model::AutomationRule> MonitorService::PutRule(const std::string& page_id, const std::string& component_id,
                                                      const AutomationRuleInput& in) {
  auto page = deps_.store.GetPage(page_id);
  if (!page) return page.error();
  auto c = deps_.store.GetComponent(page->id, component_id);
  if (!c) return c.error();
  if (c->is_group) return Error::Invalid("component_id", "automation rules belong to components, not groups");
  auto found = FindRule(page->id, component_id);
  if (!found) return found.error();
  model::AutomationRule r;
  if (*found) r = **found;
  r.page_id = page->id;
  r.component_id = c->id;
  if (in.mode) {
    auto mode = model::ParseAutomationMode(Lower(Trim(*in.mode)));
    if (!mode) return Error::Invalid("mode", "mode must be off, publish or draft");
    r.mode = *mode;
  }
  auto delay = [](const char* field, const std::optional<std::int64_t>& v, std::int64_t& out,
                  std::int64_t min) -> Status {
    if (!v) return {};
    if (*v < min || *v > kMaxRuleDelayMs)
      return Error::Invalid(
          field, std::string(field) + " must be between " + std::to_string(min / 1000) + " seconds and 7 days");
    out = *v;
    return {};
  };
  if (auto st = delay("draft_publish_after_seconds", in.draft_publish_after_ms, r.draft_publish_after_ms, 0); !st)
    return st.error();
  if (auto st = delay("resolve_after_seconds", in.resolve_after_ms, r.resolve_after_ms, 0); !st) return st.error();
  if (auto st = delay("flap_window_seconds", in.flap_window_ms, r.flap_window_ms, 0); !st) return st.error();
  if (in.incident_name) {
    auto v = CheckOneLine("incident_name", *in.incident_name, kMaxNameLength, false);
    if (!v) return v.error();
    r.incident_name = *v;
  }
  if (in.incident_body) {
    if (!IsValidUtf8(*in.incident_body)) return Error::Invalid("incident_body", "incident_body must be valid UTF-8");
    if (in.incident_body->size() > kMaxBodyLength)
      return Error::Invalid("incident_body", "incident_body must be at most 64 KB");
    r.incident_body = *in.incident_body;
  }
  if (in.notify) r.notify = *in.notify;
  r.updated_at = deps_.clock.Now();
  if (auto st = deps_.store.SaveAutomationRule(r); !st) return st.error();
  deps_.reload();
  return r;
}

Status MonitorService::DeleteRule(const std::string& page_id, const std::string& component_id) {
  auto found = FindRule(page_id, component_id);
  if (!found) return found.error();
  if (!*found) return Error::NotFound("this component has no automation rule");
  if (auto st = deps_.store.DeleteAutomationRule(page_id, component_id); !st) return st;
  deps_.reload();
  return {};
}

// ---- alert targets ------------------------------------------------------------------------

Result<std::string> MonitorService::NormalizeTargetAddress(ChannelKind kind, const std::string& address) {
  const std::string field = "address";
  if (address.empty()) return Error::Invalid(field, "address is required");
  if (!IsValidUtf8(address) || address.size() > kMaxTargetLength)
    return Error::Invalid(field, "address must be valid UTF-8 of at most 2048 bytes");
  const notify::ChannelDescriptor& kind_facts = notify::Describe(kind);
  const bool url = kind_facts.consent == notify::Consent::kTestMessage;
  if (url && !ValidHttpUrl(address, deps_.allow_http_endpoints))
    return Error::Invalid(field, deps_.allow_http_endpoints ? "address must be an http:// or https:// URL"
                                                            : "address must be an https:// URL");
  const notify::Channels* channels = deps_.channels ? deps_.channels() : nullptr;
  const notify::Channel* channel = channels ? channels->Find(kind) : nullptr;
  if (channel) {
    auto n = channel->NormalizeAddress(address, field);
    if (!n) {
      Error e = n.error();
      if (e.code == ErrorCode::kInvalid) ReplacePrefix(e, field);
      return e;
    }
    return *n;
  }
  if (url) return address;  // the channel's own checks run when the server sends
  return kind_facts.normalize(address, field);
}

Result<AlertTargetOutcome> MonitorService::CreateTarget(const std::string& page_id, const AlertTargetInput& in) {
  auto page = deps_.store.GetPage(page_id);
  if (!page) return page.error();
  auto staff_kind = [](const notify::ChannelDescriptor& d) { return d.staff_alert_target; };
  if (!in.channel) return Error::Invalid("channel", "channel is required: " + notify::KindNames(staff_kind));
  auto kind = model::ParseChannelKind(Lower(Trim(*in.channel)));
  if (!kind || !notify::Describe(*kind).staff_alert_target)
    return Error::Invalid("channel", "channel must be " + notify::KindNames(staff_kind));
  auto address = NormalizeTargetAddress(*kind, std::string(Trim(in.address.value_or(""))));
  if (!address) return address.error();
  model::AlertTarget t;
  if (in.name) {
    auto v = CheckText("name", *in.name, kMaxNameLength, true);
    if (!v) return v.error();
    t.name = *v;
  } else {
    t.name = std::string(model::ToString(*kind)) + ": " + address->substr(0, 200);
  }
  t.id = NewId();
  t.page_id = page->id;
  t.channel = *kind;
  t.address = *address;
  if (*kind == ChannelKind::kWebhook) t.secret = NewSubscriberWebhookSecret();
  t.created_at = deps_.clock.Now();
  if (auto st = deps_.store.SaveAlertTarget(t); !st) return st.error();
  deps_.reload();
  AlertTargetOutcome out;
  out.secret = t.secret;
  out.target = std::move(t);
  return out;
}

Status MonitorService::DeleteTarget(const std::string& page_id, const std::string& id) {
  if (auto st = deps_.store.DeleteAlertTarget(page_id, id); !st) return st;
  deps_.reload();
  return {};
}

// ---- drafts -------------------------------------------------------------------------------

Result<model::IncidentDraft> MonitorService::EditDraft(const std::string& page_id, const std::string& id,
                                                       const DraftInput& in) {
  auto d = deps_.store.GetIncidentDraft(page_id, id);
  if (!d) return d.error();
  if (d->state != model::DraftState::kWaiting)
    return Error{ErrorCode::kConflict,
                 "this draft is " + std::string(model::ToString(d->state)) + "; only waiting drafts change",
                 {}};
  if (in.name) {
    auto v = CheckOneLine("name", *in.name, kMaxNameLength, true);  // it becomes the incident's name
    if (!v) return v.error();
    d->name = *v;
  }
  if (in.body) {
    if (!IsValidUtf8(*in.body)) return Error::Invalid("body", "body must be valid UTF-8");
    if (in.body->size() > kMaxBodyLength) return Error::Invalid("body", "body must be at most 64 KB");
    if (Trim(*in.body).empty()) return Error::Invalid("body", "body must not be empty");
    d->body = *in.body;
  }
  if (in.publish_at) {
    if (*in.publish_at < 0) return Error::Invalid("publish_at", "publish_at must be a time");
    d->publish_at = *in.publish_at;
  }
  d->updated_at = deps_.clock.Now();
  if (auto st = deps_.store.SaveIncidentDraft(*d); !st) return st.error();
  deps_.reload();
  return std::move(*d);
}

Result<model::Incident> MonitorService::Publish(const std::string& page_id, const std::string& id) {
  auto d = deps_.store.GetIncidentDraft(page_id, id);
  if (!d) return d.error();
  return PublishDraft(*d);
}

Result<model::IncidentDraft> MonitorService::Discard(const std::string& page_id, const std::string& id) {
  auto d = deps_.store.GetIncidentDraft(page_id, id);
  if (!d) return d.error();
  if (d->state != model::DraftState::kWaiting)
    return Error{ErrorCode::kConflict, "this draft is " + std::string(model::ToString(d->state)) + " already", {}};
  d->state = model::DraftState::kDiscarded;
  d->updated_at = deps_.clock.Now();
  if (auto st = deps_.store.SaveIncidentDraft(*d); !st) return st.error();
  if (!d->component_id.empty()) {
    auto rule = FindRule(d->page_id, d->component_id);
    if (rule && *rule && (*rule)->open_draft_id == d->id) {
      (*rule)->open_draft_id.clear();
      (*rule)->updated_at = d->updated_at;
      if (auto st = deps_.store.SaveAutomationRule(**rule); !st) return st.error();
    }
  }
  deps_.reload();
  return std::move(*d);
}

Result<model::Incident> MonitorService::PublishDraft(const model::IncidentDraft& draft) {
  // Re-read: a human and the engine may race to publish the same draft.
  auto current = deps_.store.GetIncidentDraft(draft.page_id, draft.id);
  if (!current) return current.error();
  model::IncidentDraft d = std::move(*current);
  if (d.state != model::DraftState::kWaiting)
    return Error{ErrorCode::kConflict, "this draft is " + std::string(model::ToString(d.state)) + " already", {}};
  std::optional<model::AutomationRule> rule;
  if (!d.component_id.empty()) {
    auto r = FindRule(d.page_id, d.component_id);
    if (!r) return r.error();
    rule = std::move(*r);
  }
  IncidentInput in;
  in.name = d.name;
  in.status = model::IncidentStatus::kInvestigating;
  in.impact = d.impact;
  in.body = d.body;
  in.deliver_notifications = rule ? rule->notify : true;
  if (!d.component_id.empty()) {
    auto c = deps_.store.GetComponent(d.page_id, d.component_id);
    if (c) {
      in.components[d.component_id] = d.component_status;
    } else if (c.error().code != ErrorCode::kNotFound) {
      return c.error();
    }  // a component deleted since: the incident is still worth telling
  }
  auto inc = IncidentService(Deps{deps_.store, deps_.clock, deps_.on_change}).Create(d.page_id, in);
  if (!inc) return inc.error();
  d.state = model::DraftState::kPublished;
  d.incident_id = inc->id;
  d.updated_at = deps_.clock.Now();
  if (auto st = deps_.store.SaveIncidentDraft(d); !st) return st.error();
  if (rule) {
    rule->open_incident_id = inc->id;
    if (rule->open_draft_id == d.id || rule->open_draft_id.empty()) rule->open_draft_id.clear();
    rule->updated_at = d.updated_at;
    if (auto st = deps_.store.SaveAutomationRule(*rule); !st) return st.error();
  }
  deps_.reload();
  return inc;
}

}  // namespace herald::service
