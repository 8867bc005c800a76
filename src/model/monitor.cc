#include "model/monitor.h"

#include <boost/json.hpp>

#include "model/enum_table.h"
#include "model/probe_kinds.h"

namespace herald::model {
namespace {

using detail::Find;
using detail::Name;
namespace json = boost::json;

constexpr std::array<std::pair<MonitorState, std::string_view>, 4> kState{{
    {MonitorState::kUnknown, "unknown"},
    {MonitorState::kUp, "up"},
    {MonitorState::kDegraded, "degraded"},
    {MonitorState::kDown, "down"},
}};
constexpr std::array<std::pair<CheckVerdict, std::string_view>, 3> kVerdict{{
    {CheckVerdict::kUp, "up"},
    {CheckVerdict::kSlow, "slow"},
    {CheckVerdict::kDown, "down"},
}};
constexpr std::array<std::pair<AutomationMode, std::string_view>, 3> kMode{{
    {AutomationMode::kOff, "off"},
    {AutomationMode::kPublish, "publish"},
    {AutomationMode::kDraft, "draft"},
}};
constexpr std::array<std::pair<DraftState, std::string_view>, 3> kDraft{{
    {DraftState::kWaiting, "waiting"},
    {DraftState::kPublished, "published"},
    {DraftState::kDiscarded, "discarded"},
}};

std::string Str(const json::object& o, std::string_view key, std::string fallback) {
  if (const auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->as_string());
  return fallback;
}
std::int64_t Int(const json::object& o, std::string_view key, std::int64_t fallback) {
  if (const auto* v = o.if_contains(key); v && v->is_int64()) return v->as_int64();
  if (const auto* v = o.if_contains(key); v && v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
  return fallback;
}
bool Bool(const json::object& o, std::string_view key, bool fallback) {
  if (const auto* v = o.if_contains(key); v && v->is_bool()) return v->as_bool();
  return fallback;
}

}  // namespace

std::string_view ToString(MonitorKind k) {
  for (const auto& d : ProbeKinds())
    if (d.kind == k) return d.wire_name;
  return "";
}
std::string_view ToString(MonitorState s) { return Name(kState, s); }
std::string_view ToString(CheckVerdict v) { return Name(kVerdict, v); }
std::string_view ToString(AutomationMode m) { return Name(kMode, m); }
std::string_view ToString(DraftState s) { return Name(kDraft, s); }
std::optional<MonitorKind> ParseMonitorKind(std::string_view s) {
  for (const auto& d : ProbeKinds())
    if (d.wire_name == s) return d.kind;
  return std::nullopt;
}
std::optional<MonitorState> ParseMonitorState(std::string_view s) { return Find(kState, s); }
std::optional<CheckVerdict> ParseCheckVerdict(std::string_view s) { return Find(kVerdict, s); }
std::optional<AutomationMode> ParseAutomationMode(std::string_view s) { return Find(kMode, s); }
std::optional<DraftState> ParseDraftState(std::string_view s) { return Find(kDraft, s); }

std::string ProbeSpecToJson(const ProbeSpec& s) {
  json::object o;
  o["target"] = s.target;
  o["method"] = s.method;
  json::array headers;
  for (const auto& [k, v] : s.headers) headers.push_back(json::array{json::string(k), json::string(v)});
  o["headers"] = std::move(headers);
  o["body"] = s.body;
  json::array expected;
  for (const auto& [lo, hi] : s.expected_status) expected.push_back(json::array{lo, hi});
  o["expected_status"] = std::move(expected);
  o["keyword"] = s.keyword;
  o["keyword_absent"] = s.keyword_absent;
  o["json_path"] = s.json_path;
  o["json_expected"] = s.json_expected;
  o["follow_redirects"] = s.follow_redirects;
  o["verify_tls"] = s.verify_tls;
  o["slow_ms"] = s.slow_ms;
  o["record_type"] = s.record_type;
  o["expected_answer"] = s.expected_answer;
  o["dns_server"] = s.dns_server;
  o["expiry_warn_days"] = s.expiry_warn_days;
  o["grace_ms"] = s.grace_ms;
  return json::serialize(o);
}

ProbeSpec ProbeSpecFromJson(std::string_view text) {
  ProbeSpec s;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return s;
  const auto& o = v.as_object();
  s.target = Str(o, "target", s.target);
  s.method = Str(o, "method", s.method);
  if (const auto* h = o.if_contains("headers"); h && h->is_array()) {
    for (const auto& pair : h->as_array())
      if (pair.is_array() && pair.as_array().size() == 2 && pair.as_array()[0].is_string() &&
          pair.as_array()[1].is_string())
        s.headers.emplace_back(std::string(pair.as_array()[0].as_string()),
                               std::string(pair.as_array()[1].as_string()));
  }
  s.body = Str(o, "body", s.body);
  if (const auto* e = o.if_contains("expected_status"); e && e->is_array()) {
    s.expected_status.clear();
    for (const auto& range : e->as_array())
      if (range.is_array() && range.as_array().size() == 2 && range.as_array()[0].is_int64() &&
          range.as_array()[1].is_int64())
        s.expected_status.emplace_back(static_cast<int>(range.as_array()[0].as_int64()),
                                       static_cast<int>(range.as_array()[1].as_int64()));
  }
  s.keyword = Str(o, "keyword", s.keyword);
  s.keyword_absent = Bool(o, "keyword_absent", s.keyword_absent);
  s.json_path = Str(o, "json_path", s.json_path);
  s.json_expected = Str(o, "json_expected", s.json_expected);
  s.follow_redirects = Bool(o, "follow_redirects", s.follow_redirects);
  s.verify_tls = Bool(o, "verify_tls", s.verify_tls);
  s.slow_ms = static_cast<int>(Int(o, "slow_ms", s.slow_ms));
  s.record_type = Str(o, "record_type", s.record_type);
  s.expected_answer = Str(o, "expected_answer", s.expected_answer);
  s.dns_server = Str(o, "dns_server", s.dns_server);
  s.expiry_warn_days = static_cast<int>(Int(o, "expiry_warn_days", s.expiry_warn_days));
  s.grace_ms = Int(o, "grace_ms", s.grace_ms);
  return s;
}

}  // namespace herald::model
