#include "api/monitors_api.h"

#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <set>

#include "api/access.h"
#include "api/request_body.h"
#include "api/routes.h"
#include "core/time.h"
#include "http/errors.h"
#include "model/probe_kinds.h"
#include "model/secret_mask.h"
#include "statuspage/json.h"

namespace herald::api {
namespace json = boost::json;
using http::Request;
using http::Response;
using model::MonitorKind;
using model::Permission;

namespace {

constexpr TimeMs kRollupWindowMs = 24LL * 3600 * 1000;

// JSON as json::serialize writes it, except floating-point numbers: plain decimals rounded to
// the microsecond ("0.033", "41.0"), where Boost.JSON writes "3.3E-2", which scripts and people
// reading timings in milliseconds should not have to decode.
void SerializePlain(const json::value& v, std::string& out) {
  switch (v.kind()) {
    case json::kind::double_: {
      const double d = v.get_double();
      if (!std::isfinite(d)) {
        out += "null";
        return;
      }
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.3f", d);
      std::string_view text(buf);
      while (text.back() == '0' && text[text.size() - 2] != '.') text.remove_suffix(1);  // keeps "41.0"
      out += text == "-0.0" ? "0.0" : text;
      return;
    }
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& x : v.get_array()) {
        if (!first) out += ',';
        first = false;
        SerializePlain(x, out);
      }
      out += ']';
      return;
    }
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ',';
        first = false;
        out += json::serialize(kv.key());
        out += ':';
        SerializePlain(kv.value(), out);
      }
      out += '}';
      return;
    }
    default: out += json::serialize(v); return;
  }
}

Response Json(int status, const json::value& v) {
  std::string body;
  SerializePlain(v, body);
  return http::JsonResponse(status, std::move(body));
}

Response NoContent() {
  Response r;
  r.status = 204;
  return r;
}

bool IsRead(const Request& req) { return req.method == "GET" || req.method == "HEAD"; }

json::value Time(TimeMs t) { return t ? json::value(FormatIso8601(t)) : json::value(nullptr); }
json::value OrNull(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }
std::int64_t Secs(std::int64_t ms) { return ms / 1000; }

// Whole seconds -> milliseconds; nullopt when absent.
Result<std::optional<std::int64_t>> GetSecondsMs(const json::object& o, std::string_view field) {
  auto v = GetInt(o, field);
  if (!v) return v.error();
  if (!*v) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(static_cast<std::int64_t>(**v) * 1000);
}

// {"Name": "value", ...} or [{"name": "Name", "value": "value"}, ...] or [["Name", "value"], ...].
Result<std::optional<std::vector<std::pair<std::string, std::string>>>> GetHeaders(const json::object& o) {
  using Out = std::optional<std::vector<std::pair<std::string, std::string>>>;
  const json::value* v = o.if_contains("headers");
  if (!v || v->is_null()) return Out();
  const Error bad = Error::Invalid("headers", "headers must be an object of header name to value");
  std::vector<std::pair<std::string, std::string>> out;
  if (v->is_object()) {
    for (const auto& [k, val] : v->as_object()) {
      if (!val.is_string()) return bad;
      out.emplace_back(std::string(k), std::string(val.as_string()));
    }
    return Out(std::move(out));
  }
  if (!v->is_array()) return bad;
  for (const auto& item : v->as_array()) {
    if (item.is_object()) {
      const auto* n = item.as_object().if_contains("name");
      const auto* val = item.as_object().if_contains("value");
      if (!n || !val || !n->is_string() || !val->is_string()) return bad;
      out.emplace_back(std::string(n->as_string()), std::string(val->as_string()));
    } else if (item.is_array() && item.as_array().size() == 2 && item.as_array()[0].is_string() &&
               item.as_array()[1].is_string()) {
      out.emplace_back(std::string(item.as_array()[0].as_string()), std::string(item.as_array()[1].as_string()));
    } else {
      return bad;
    }
  }
  return Out(std::move(out));
}

// ["200-299", 301] or "200-299" or 200.
Result<std::optional<std::vector<std::string>>> GetStatusList(const json::object& o) {
  using Out = std::optional<std::vector<std::string>>;
  const json::value* v = o.if_contains("expected_status");
  if (!v || v->is_null()) return Out();
  const Error bad = Error::Invalid("expected_status",
                                   "expected_status must be a list of statuses and ranges, such as [\"200-299\", 301]");
  auto one = [](const json::value& x) -> std::optional<std::string> {
    if (x.is_string()) return std::string(x.as_string());
    if (x.is_int64()) return std::to_string(x.as_int64());
    if (x.is_uint64()) return std::to_string(x.as_uint64());
    return std::nullopt;
  };
  std::vector<std::string> out;
  if (v->is_array()) {
    for (const auto& x : v->as_array()) {
      auto s = one(x);
      if (!s) return bad;
      out.push_back(*s);
    }
  } else if (auto s = one(*v)) {
    // A form body's "200-299,301" or one status.
    std::string text = *s;
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t comma = text.find(',', pos);
      if (comma == std::string::npos) comma = text.size();
      out.push_back(text.substr(pos, comma - pos));
      pos = comma + 1;
    }
  } else {
    return bad;
  }
  return Out(std::move(out));
}

json::object RuleJson(const model::AutomationRule& r) {
  return {{"page_id", r.page_id},
          {"component_id", r.component_id},
          {"mode", model::ToString(r.mode)},
          {"draft_publish_after_seconds", Secs(r.draft_publish_after_ms)},
          {"incident_name", r.incident_name},
          {"incident_body", r.incident_body},
          {"notify", r.notify},
          {"resolve_after_seconds", Secs(r.resolve_after_ms)},
          {"flap_window_seconds", Secs(r.flap_window_ms)},
          {"open_incident_id", OrNull(r.open_incident_id)},
          {"open_draft_id", OrNull(r.open_draft_id)},
          {"recovered_at", Time(r.recovered_at)},
          {"updated_at", Time(r.updated_at)}};
}

// An alert target as `key` may see it (model::VisibleAddress: URLs masked below admin).
json::object TargetJson(const model::AlertTarget& t, bool reveal_secrets) {
  return {{"id", t.id},
          {"page_id", t.page_id},
          {"name", t.name},
          {"channel", model::ToString(t.channel)},
          {"address", model::VisibleAddress(t, reveal_secrets)},
          {"created_at", Time(t.created_at)}};
}

}  // namespace

json::object DraftJson(const model::IncidentDraft& d) {
  return {{"id", d.id},
          {"page_id", d.page_id},
          {"component_id", OrNull(d.component_id)},
          {"monitor_id", OrNull(d.monitor_id)},
          {"name", d.name},
          {"body", d.body},
          {"impact", model::ToString(d.impact)},
          {"component_status", model::ToString(d.component_status)},
          {"state", model::ToString(d.state)},
          {"publish_at", Time(d.publish_at)},
          {"incident_id", OrNull(d.incident_id)},
          {"created_at", Time(d.created_at)},
          {"updated_at", Time(d.updated_at)}};
}

namespace {

// Below admin the monitor's target (a URL that may carry a token) is masked in the text too.
json::object StaffAlertJson(const model::StaffAlert& a, bool reveal_secrets) {
  json::object facts;
  std::string text = a.text;
  for (const auto& [k, v] : a.facts) {
    if (reveal_secrets || k != "Target" || v.empty()) {
      facts[k] = v;
      continue;
    }
    const std::string masked = model::MaskUrl(v, false);
    facts[k] = masked;
    for (size_t at = text.find(v); at != std::string::npos; at = text.find(v, at + masked.size()))
      text.replace(at, v.size(), masked);
  }
  return {{"id", a.id},
          {"target_id", a.target_id},
          {"monitor_id", OrNull(a.monitor_id)},
          {"kind", a.kind},
          {"subject", a.subject},
          {"text", std::move(text)},
          {"facts", std::move(facts)},
          {"state", model::ToString(a.state)},
          {"attempts", a.attempts},
          {"last_status", a.last_status},
          {"last_error", a.last_error},
          {"next_attempt_at", a.state == model::DeliveryState::kRetrying ? Time(a.next_attempt_at) : nullptr},
          {"created_at", Time(a.created_at)},
          {"updated_at", Time(a.updated_at)}};
}

json::object TimingsJson(const model::CheckTimings& t) {
  return {{"dns_ms", t.dns_ms},
          {"connect_ms", t.connect_ms},
          {"tls_ms", t.tls_ms},
          {"first_byte_ms", t.first_byte_ms},
          {"total_ms", t.total_ms}};
}

// ?page=N&per_page=M (Statuspage's list paging): the slice of `n` items to show.
struct Slice {
  size_t begin = 0, end = 0;
};
Result<Slice> Paginate(const Request& req, size_t n) {
  auto q = ParseForm(req.query);
  if (!q) return q.error();
  std::optional<int> per, pg;
  HERALD_TRY_ASSIGN(per, GetInt(*q, "per_page"));
  HERALD_TRY_ASSIGN(pg, GetInt(*q, "page"));
  if (per && (*per < 1 || *per > 1000)) return Error::Invalid("per_page", "per_page must be between 1 and 1000");
  if (pg && *pg < 1) return Error::Invalid("page", "page must be 1 or more");
  const size_t size = per ? static_cast<size_t>(*per) : 100;
  const size_t first = pg ? static_cast<size_t>(*pg - 1) * size : 0;
  Slice s;
  s.begin = std::min(first, n);
  s.end = std::min(n, s.begin + size);
  return s;
}

Result<int> QueryLimit(const Request& req, int def, int max) {
  auto q = ParseForm(req.query);
  if (!q) return q.error();
  std::optional<int> limit;
  HERALD_TRY_ASSIGN(limit, GetInt(*q, "limit"));
  if (!limit) return def;
  if (*limit < 1 || *limit > max) return Error::Invalid("limit", "limit must be between 1 and " + std::to_string(max));
  return *limit;
}

}  // namespace

json::object MonitorJson(const model::Monitor& monitor, bool reveal_secrets) {
  // Below admin: the target's credentials, header values and body masked (model::WithSecretsMasked).
  const model::Monitor m = reveal_secrets ? monitor : model::WithSecretsMasked(monitor);
  json::object o{{"id", m.id},
                 {"page_id", m.page_id},
                 {"component_id", OrNull(m.component_id)},
                 {"name", m.name},
                 {"kind", model::ToString(m.kind)},
                 {"target", m.spec.target},
                 {"interval_seconds", Secs(m.interval_ms)},
                 {"timeout_seconds", Secs(m.timeout_ms)},
                 {"failures_to_down", m.failures_to_down},
                 {"failure_window", m.failure_window},
                 {"successes_to_up", m.successes_to_up},
                 {"down_status", model::ToString(m.down_status)},
                 {"slow_status", model::ToString(m.slow_status)},
                 {"enabled", m.enabled},
                 {"show_chart", m.show_chart}};
  const model::ProbeSpec& s = m.spec;
  for (const model::ProbeField field : model::Describe(m.kind).fields) {
    const std::string_view name = model::ToString(field);
    switch (field) {
      case model::ProbeField::kMethod: o[name] = s.method; break;
      case model::ProbeField::kHeaders: {
        json::object headers;
        for (const auto& [k, v] : s.headers) headers[k] = v;
        o[name] = std::move(headers);
        break;
      }
      case model::ProbeField::kBody: o[name] = s.body; break;
      case model::ProbeField::kExpectedStatus: {
        json::array statuses;
        for (const auto& text : service::FormatStatusRanges(s.expected_status)) statuses.emplace_back(text);
        o[name] = std::move(statuses);
        break;
      }
      case model::ProbeField::kKeyword: o[name] = s.keyword; break;
      case model::ProbeField::kKeywordAbsent: o[name] = s.keyword_absent; break;
      case model::ProbeField::kJsonPath: o[name] = s.json_path; break;
      case model::ProbeField::kJsonExpected: o[name] = s.json_expected; break;
      case model::ProbeField::kFollowRedirects: o[name] = s.follow_redirects; break;
      case model::ProbeField::kVerifyTls: o[name] = s.verify_tls; break;
      case model::ProbeField::kRecordType: o[name] = s.record_type; break;
      case model::ProbeField::kExpectedAnswer: o[name] = s.expected_answer; break;
      case model::ProbeField::kDnsServer: o[name] = s.dns_server; break;
      case model::ProbeField::kExpiryWarnDays: o[name] = s.expiry_warn_days; break;
      case model::ProbeField::kSlowMs: o[name] = s.slow_ms; break;
      case model::ProbeField::kGraceSeconds: o[name] = Secs(s.grace_ms); break;
    }
  }
  o["state"] = model::ToString(m.state);
  o["state_since"] = Time(m.state_since);
  o["last_check_at"] = Time(m.last_check_at);
  if (m.kind == MonitorKind::kHeartbeat) o["last_heartbeat_at"] = Time(m.last_heartbeat_at);
  o["last_error"] = m.last_error;
  o["created_at"] = Time(m.created_at);
  o["updated_at"] = Time(m.updated_at);
  return o;
}

Result<service::MonitorInput> ParseMonitorInput(const json::object& body) {
  json::object o = Unwrap(body, "monitor");
  service::MonitorInput in;
  HERALD_TRY_ASSIGN(in.name, GetString(o, "name"));
  HERALD_TRY_ASSIGN(in.component_id, GetString(o, "component_id"));
  // Explicit null clears the component.
  if (const auto* v = o.if_contains("component_id"); v && v->is_null()) in.component_id = "";
  HERALD_TRY_ASSIGN(in.kind, GetString(o, "kind"));
  HERALD_TRY_ASSIGN(in.target, GetString(o, "target"));
  HERALD_TRY_ASSIGN(in.interval_ms, GetSecondsMs(o, "interval_seconds"));
  HERALD_TRY_ASSIGN(in.timeout_ms, GetSecondsMs(o, "timeout_seconds"));
  HERALD_TRY_ASSIGN(in.failures_to_down, GetInt(o, "failures_to_down"));
  HERALD_TRY_ASSIGN(in.failure_window, GetInt(o, "failure_window"));
  HERALD_TRY_ASSIGN(in.successes_to_up, GetInt(o, "successes_to_up"));
  HERALD_TRY_ASSIGN(in.down_status, GetString(o, "down_status"));
  HERALD_TRY_ASSIGN(in.slow_status, GetString(o, "slow_status"));
  HERALD_TRY_ASSIGN(in.enabled, GetBool(o, "enabled"));
  HERALD_TRY_ASSIGN(in.show_chart, GetBool(o, "show_chart"));
  HERALD_TRY_ASSIGN(in.method, GetString(o, "method"));
  HERALD_TRY_ASSIGN(in.headers, GetHeaders(o));
  HERALD_TRY_ASSIGN(in.body, GetString(o, "body"));
  HERALD_TRY_ASSIGN(in.expected_status, GetStatusList(o));
  HERALD_TRY_ASSIGN(in.keyword, GetString(o, "keyword"));
  HERALD_TRY_ASSIGN(in.keyword_absent, GetBool(o, "keyword_absent"));
  HERALD_TRY_ASSIGN(in.json_path, GetString(o, "json_path"));
  HERALD_TRY_ASSIGN(in.json_expected, GetString(o, "json_expected"));
  HERALD_TRY_ASSIGN(in.follow_redirects, GetBool(o, "follow_redirects"));
  HERALD_TRY_ASSIGN(in.verify_tls, GetBool(o, "verify_tls"));
  HERALD_TRY_ASSIGN(in.slow_ms, GetInt(o, "slow_ms"));
  HERALD_TRY_ASSIGN(in.record_type, GetString(o, "record_type"));
  HERALD_TRY_ASSIGN(in.expected_answer, GetString(o, "expected_answer"));
  HERALD_TRY_ASSIGN(in.dns_server, GetString(o, "dns_server"));
  HERALD_TRY_ASSIGN(in.expiry_warn_days, GetInt(o, "expiry_warn_days"));
  HERALD_TRY_ASSIGN(in.grace_ms, GetSecondsMs(o, "grace_seconds"));
  return in;
}

bool MonitorsApi::Owns(const std::vector<std::string>& seg) {
  if (seg.size() < 4 || seg[0] != "v1" || seg[1] != "pages") return false;
  static const std::set<std::string> kCollections = {"monitors", "automation_rules", "alert_targets", "incident_drafts",
                                                     "staff_alerts"};
  return kCollections.count(seg[3]) > 0;
}

Result<Response> MonitorsApi::Route(const Request& req, const model::ApiKey& key, const model::Page& page,
                                    const std::vector<std::string>& seg) {
  const std::string& coll = seg[3];
  if (coll == "monitors") return Monitors(req, key, page, seg);
  if (coll == "automation_rules") return Rules(req, key, page, seg);
  if (coll == "alert_targets") return Targets(req, key, page, seg);
  if (coll == "incident_drafts") return Drafts(req, key, page, seg);
  if (coll == "staff_alerts" && seg.size() == 4) {
    if (!IsRead(req)) return MethodNotAllowed(seg);
    return StaffAlerts(req, key, page);
  }
  return Error::NotFound("no such endpoint: " + req.path);
}

Result<Response> MonitorsApi::Monitors(const Request& req, const model::ApiKey& key, const model::Page& page,
                                       const std::vector<std::string>& seg) {
  const bool admin = model::Allows(key.role, Permission::kReadSecrets);
  auto created = [&](int status, const service::MonitorOutcome& out) {
    json::object o = MonitorJson(out.monitor, true);
    if (!out.heartbeat_token.empty()) {
      o["heartbeat_token"] = out.heartbeat_token;
      o["heartbeat_url"] = deps_.public_url + "/heartbeat/" + out.heartbeat_token;
    }
    return Json(status, o);
  };
  if (seg.size() == 4) {
    if (IsRead(req)) {
      auto q = ParseForm(req.query);
      if (!q) return q.error();
      std::optional<std::string> state, component;
      HERALD_TRY_ASSIGN(state, GetString(*q, "state"));
      HERALD_TRY_ASSIGN(component, GetString(*q, "component_id"));
      if (state && !model::ParseMonitorState(*state))
        return Error::Invalid("state", "state must be unknown, up, degraded or down");
      auto list = deps_.store.ListMonitors(page.id);
      if (!list) return list.error();
      std::vector<const model::Monitor*> kept;
      for (const auto& m : *list)
        if ((!state || model::ToString(m.state) == *state) && (!component || m.component_id == *component))
          kept.push_back(&m);
      auto slice = Paginate(req, kept.size());
      if (!slice) return slice.error();
      json::array arr;
      for (size_t i = slice->begin; i < slice->end; ++i) arr.push_back(MonitorJson(*kept[i], admin));
      Response r = Json(200, arr);
      r.Set("X-Total-Count", std::to_string(kept.size()));
      return r;
    }
    if (req.method == "POST") {
      if (auto st = Require(key, Permission::kManageMonitors); !st) return st.error();
      auto body = ParseBody(req.Header("content-type"), req.body);
      if (!body) return body.error();
      auto in = ParseMonitorInput(*body);
      if (!in) return in.error();
      auto out = deps_.monitors.Create(page.id, *in);
      if (!out) return out.error();
      return created(201, *out);
    }
    return MethodNotAllowed(seg);
  }
  const std::string& id = seg[4];
  if (seg.size() == 5) {
    if (IsRead(req)) {
      auto m = deps_.store.GetMonitor(page.id, id);
      if (!m) return m.error();
      return Json(200, MonitorJson(*m, admin));
    }
    if (req.method == "PATCH" || req.method == "PUT") {
      if (auto st = Require(key, Permission::kManageMonitors); !st) return st.error();
      auto body = ParseBody(req.Header("content-type"), req.body);
      if (!body) return body.error();
      auto in = ParseMonitorInput(*body);
      if (!in) return in.error();
      auto out = deps_.monitors.Update(page.id, id, *in);
      if (!out) return out.error();
      return created(200, *out);
    }
    if (req.method == "DELETE") {
      if (auto st = Require(key, Permission::kManageMonitors); !st) return st.error();
      if (auto st = deps_.monitors.Delete(page.id, id); !st) return st.error();
      return NoContent();
    }
    return MethodNotAllowed(seg);
  }
  if (seg.size() == 6 && seg[5] == "rotate_token") {
    if (req.method != "POST") return MethodNotAllowed(seg);
    if (auto st = Require(key, Permission::kManageMonitors); !st) return st.error();
    auto out = deps_.monitors.RotateToken(page.id, id);
    if (!out) return out.error();
    return created(200, *out);
  }
  if (seg.size() == 6 && seg[5] == "results") {
    if (!IsRead(req)) return MethodNotAllowed(seg);
    auto limit = QueryLimit(req, 100, 1000);
    if (!limit) return limit.error();
    auto m = deps_.store.GetMonitor(page.id, id);
    if (!m) return m.error();
    auto samples = deps_.store.ListMonitorSamples(m->id, 0, *limit);
    if (!samples) return samples.error();
    auto rollups = deps_.store.ListMonitorRollups(page.id, m->id, 'm', deps_.clock.Now() - kRollupWindowMs);
    if (!rollups) return rollups.error();
    json::array sarr;
    for (const auto& s : *samples)
      sarr.push_back({{"at", Time(s.at)},
                      {"verdict", model::ToString(s.verdict)},
                      {"status_code", s.status_code},
                      {"timings", TimingsJson(s.timings)},
                      {"error", s.error},
                      {"evidence", s.evidence}});
    json::array rarr;
    for (const auto& r : *rollups)
      rarr.push_back({{"bucket_start", Time(r.bucket_start)},
                      {"checks", r.checks},
                      {"up", r.up},
                      {"slow", r.slow},
                      {"down", r.down},
                      {"avg_latency_ms", r.answered ? r.latency_sum_ms / static_cast<double>(r.answered) : 0.0},
                      {"max_latency_ms", r.latency_max_ms}});
    json::object o{{"monitor_id", m->id},
                   {"state", model::ToString(m->state)},
                   {"state_since", Time(m->state_since)},
                   {"last_check_at", Time(m->last_check_at)},
                   {"last_error", m->last_error},
                   {"samples", std::move(sarr)},
                   {"minutes", std::move(rarr)}};
    if (m->kind == MonitorKind::kHeartbeat) o["last_heartbeat_at"] = Time(m->last_heartbeat_at);
    return Json(200, o);
  }
  return Error::NotFound("no such endpoint: " + req.path);
}

Result<Response> MonitorsApi::Rules(const Request& req, const model::ApiKey& key, const model::Page& page,
                                    const std::vector<std::string>& seg) {
  if (seg.size() == 4) {
    if (!IsRead(req)) return MethodNotAllowed(seg);
    auto list = deps_.store.ListAutomationRules(page.id);
    if (!list) return list.error();
    json::array arr;
    for (const auto& r : *list) arr.push_back(RuleJson(r));
    return Json(200, arr);
  }
  if (seg.size() != 5) return Error::NotFound("no such endpoint: " + req.path);
  const std::string& cid = seg[4];
  if (IsRead(req)) {
    auto r = deps_.monitors.GetRule(page.id, cid);
    if (!r) return r.error();
    return Json(200, RuleJson(*r));
  }
  if (req.method == "PUT" || req.method == "PATCH") {
    if (auto st = Require(key, Permission::kManageMonitors); !st) return st.error();
    auto body = ParseBody(req.Header("content-type"), req.body);
    if (!body) return body.error();
    json::object o = Unwrap(*body, "automation_rule");
    service::AutomationRuleInput in;
    HERALD_TRY_ASSIGN(in.mode, GetString(o, "mode"));
    HERALD_TRY_ASSIGN(in.draft_publish_after_ms, GetSecondsMs(o, "draft_publish_after_seconds"));
    HERALD_TRY_ASSIGN(in.resolve_after_ms, GetSecondsMs(o, "resolve_after_seconds"));
    HERALD_TRY_ASSIGN(in.flap_window_ms, GetSecondsMs(o, "flap_window_seconds"));
    HERALD_TRY_ASSIGN(in.incident_name, GetString(o, "incident_name"));
    HERALD_TRY_ASSIGN(in.incident_body, GetString(o, "incident_body"));
    HERALD_TRY_ASSIGN(in.notify, GetBool(o, "notify"));
    auto r = deps_.monitors.PutRule(page.id, cid, in);
    if (!r) return r.error();
    return Json(200, RuleJson(*r));
  }
  if (req.method == "DELETE") {
    if (auto st = Require(key, Permission::kManageMonitors); !st) return st.error();
    if (auto st = deps_.monitors.DeleteRule(page.id, cid); !st) return st.error();
    return NoContent();
  }
  return MethodNotAllowed(seg);
}

Result<Response> MonitorsApi::Targets(const Request& req, const model::ApiKey& key, const model::Page& page,
                                      const std::vector<std::string>& seg) {
  if (seg.size() == 4) {
    if (IsRead(req)) {
      auto list = deps_.store.ListAlertTargets(page.id);
      if (!list) return list.error();
      json::array arr;
      for (const auto& t : *list) arr.push_back(TargetJson(t, model::Allows(key.role, Permission::kReadSecrets)));
      return Json(200, arr);
    }
    if (req.method == "POST") {
      if (auto st = Require(key, Permission::kManageMonitors); !st) return st.error();
      auto body = ParseBody(req.Header("content-type"), req.body);
      if (!body) return body.error();
      json::object o = Unwrap(*body, "alert_target");
      service::AlertTargetInput in;
      HERALD_TRY_ASSIGN(in.name, GetString(o, "name"));
      HERALD_TRY_ASSIGN(in.channel, GetString(o, "channel"));
      HERALD_TRY_ASSIGN(in.address, GetString(o, "address"));
      auto out = deps_.monitors.CreateTarget(page.id, in);
      if (!out) return out.error();
      json::object j = TargetJson(out->target, true);
      if (!out->secret.empty()) j["secret"] = out->secret;
      return Json(201, j);
    }
    return MethodNotAllowed(seg);
  }
  if (seg.size() != 5) return Error::NotFound("no such endpoint: " + req.path);
  if (req.method == "DELETE") {
    if (auto st = Require(key, Permission::kManageMonitors); !st) return st.error();
    if (auto st = deps_.monitors.DeleteTarget(page.id, seg[4]); !st) return st.error();
    return NoContent();
  }
  if (IsRead(req)) {
    auto list = deps_.store.ListAlertTargets(page.id);
    if (!list) return list.error();
    for (const auto& t : *list)
      if (t.id == seg[4]) return Json(200, TargetJson(t, model::Allows(key.role, Permission::kReadSecrets)));
    return Error::NotFound("alert target not found");
  }
  return MethodNotAllowed(seg);
}

Result<Response> MonitorsApi::Drafts(const Request& req, const model::ApiKey& key, const model::Page& page,
                                     const std::vector<std::string>& seg) {
  if (seg.size() == 4) {
    if (!IsRead(req)) return MethodNotAllowed(seg);
    auto q = ParseForm(req.query);
    if (!q) return q.error();
    std::optional<std::string> state;
    HERALD_TRY_ASSIGN(state, GetString(*q, "state"));
    if (state && !model::ParseDraftState(*state))
      return Error::Invalid("state", "state must be waiting, published or discarded");
    auto list = deps_.store.ListIncidentDrafts(page.id, state && *state == "waiting");
    if (!list) return list.error();
    std::vector<const model::IncidentDraft*> kept;
    for (const auto& d : *list)
      if (!state || model::ToString(d.state) == *state) kept.push_back(&d);
    auto slice = Paginate(req, kept.size());
    if (!slice) return slice.error();
    json::array arr;
    for (size_t i = slice->begin; i < slice->end; ++i) arr.push_back(DraftJson(*kept[i]));
    Response r = Json(200, arr);
    r.Set("X-Total-Count", std::to_string(kept.size()));
    return r;
  }
  const std::string& id = seg[4];
  if (seg.size() == 5) {
    if (IsRead(req)) {
      auto d = deps_.store.GetIncidentDraft(page.id, id);
      if (!d) return d.error();
      return Json(200, DraftJson(*d));
    }
    if (req.method == "PATCH" || req.method == "PUT") {
      if (auto st = Require(key, Permission::kPublishIncident); !st) return st.error();
      auto body = ParseBody(req.Header("content-type"), req.body);
      if (!body) return body.error();
      json::object o = Unwrap(*body, "incident_draft");
      service::DraftInput in;
      HERALD_TRY_ASSIGN(in.name, GetString(o, "name"));
      HERALD_TRY_ASSIGN(in.body, GetString(o, "body"));
      HERALD_TRY_ASSIGN(in.publish_at, GetTime(o, "publish_at"));
      auto d = deps_.monitors.EditDraft(page.id, id, in);
      if (!d) return d.error();
      return Json(200, DraftJson(*d));
    }
    return MethodNotAllowed(seg);
  }
  if (seg.size() == 6 && (seg[5] == "publish" || seg[5] == "discard")) {
    if (req.method != "POST") return MethodNotAllowed(seg);
    if (auto st = Require(key, Permission::kPublishIncident); !st) return st.error();
    if (seg[5] == "discard") {
      auto d = deps_.monitors.Discard(page.id, id);
      if (!d) return d.error();
      return Json(200, DraftJson(*d));
    }
    auto inc = deps_.monitors.Publish(page.id, id);
    if (!inc) return inc.error();
    auto all = deps_.store.ListComponents(page.id);
    if (!all) return all.error();
    return Json(201, statuspage::IncidentJson(*inc, *all, deps_.public_url, statuspage::Audience::kStaff));
  }
  return Error::NotFound("no such endpoint: " + req.path);
}

Result<Response> MonitorsApi::StaffAlerts(const Request& req, const model::ApiKey& key, const model::Page& page) {
  auto limit = QueryLimit(req, 50, 500);
  if (!limit) return limit.error();
  auto list = deps_.store.ListStaffAlerts(page.id, *limit);
  if (!list) return list.error();
  json::array arr;
  for (const auto& a : *list) arr.push_back(StaffAlertJson(a, model::Allows(key.role, Permission::kReadSecrets)));
  return Json(200, arr);
}

}  // namespace herald::api
