#include "cli/monitors_cli.h"

#include <algorithm>
#include <iostream>
#include <set>

#include "cli/common.h"
#include "core/text.h"
#include "core/time.h"
#include "service/monitors.h"

namespace herald::cli {
namespace {

// The flags of `monitor add` that set the service's fields, for its messages.
const FlagNames kAddFlags = {{"interval_seconds", "--interval"},
                             {"timeout_seconds", "--timeout"},
                             {"grace_seconds", "--grace"},
                             {"slow_ms", "--slow"},
                             {"failures_to_down", "--failures"},
                             {"failure_window", "--window"},
                             {"successes_to_up", "--successes"},
                             {"down_status", "--down-status"},
                             {"slow_status", "--slow-status"},
                             {"component_id", "--component"},
                             {"expected_status", "--expect-status"},
                             {"keyword_absent", "--keyword-absent"},
                             {"json_path", "--json-path"},
                             {"json_expected", "--json-expected"},
                             {"record_type", "--record-type"},
                             {"expected_answer", "--expected-answer"},
                             {"dns_server", "--dns-server"},
                             {"expiry_warn_days", "--expiry-warn-days"},
                             {"headers", "--header"}};

// Finds a (non-group) component by id or exact name.
Result<std::string> ResolveComponent(store::Store& store, const std::string& page_id, const std::string& ref,
                                     const std::string& field) {
  auto all = store.ListComponents(page_id);
  if (!all) return all.error();
  for (const auto& c : *all)
    if (!c.is_group && (c.id == ref || c.name == ref)) return c.id;
  return Error::Invalid(field, "no component with id or name \"" + ref + "\" on this page");
}

Result<std::int64_t> Duration(const std::string& text, const std::string& field) {
  auto ms = service::ParseDurationMs(text);
  if (!ms) return Error::Invalid(field, field + " must be a duration such as 30s, 5m or 1h, not \"" + text + "\"");
  return *ms;
}

struct Options {
  std::string db, config, page, id;
  std::string name, kind = "http", target, component, down_status, slow_status, method, body, keyword, json_path,
                    json_expected, record_type, expected_answer, dns_server;
  std::string interval, timeout, slow, grace;
  std::optional<int> failures, window, successes, expiry_warn_days;
  std::vector<std::string> headers, expect_status;
  bool keyword_absent = false, no_follow = false, insecure = false, disabled = false, show_chart = false;
};

service::MonitorDeps Deps(store::Store& store, const Clock& clock) { return service::MonitorDeps{store, clock}; }

int RunAdd(const OpenMonitorEnv& open, const Options& o, const Clock& clock) {
  auto env = open(o.db, o.config);
  if (!env) return Fail(env.error());
  store::Store& store = *env->store;
  auto page = ResolvePage(store, o.page);
  if (!page) return Fail(page.error());
  service::MonitorInput in;
  in.name = o.name;
  in.kind = o.kind;
  if (!o.target.empty()) in.target = o.target;
  if (!o.component.empty()) {
    auto c = ResolveComponent(store, page->id, o.component, "component");
    if (!c) return Fail(c.error());
    in.component_id = *c;
  }
  auto dur = [&](const std::string& text, const char* field, std::optional<std::int64_t>& out) -> Status {
    if (text.empty()) return {};
    auto ms = Duration(text, field);
    if (!ms) return ms.error();
    out = *ms;
    return {};
  };
  std::optional<std::int64_t> slow;
  if (auto st = dur(o.interval, "--interval", in.interval_ms); !st) return Fail(st.error());
  if (auto st = dur(o.timeout, "--timeout", in.timeout_ms); !st) return Fail(st.error());
  if (auto st = dur(o.grace, "--grace", in.grace_ms); !st) return Fail(st.error());
  if (auto st = dur(o.slow, "--slow", slow); !st) return Fail(st.error());
  if (slow) in.slow_ms = static_cast<int>(std::min<std::int64_t>(*slow, 1'000'000'000));
  in.failures_to_down = o.failures;
  in.failure_window = o.window;
  in.successes_to_up = o.successes;
  if (!o.down_status.empty()) in.down_status = o.down_status;
  if (!o.slow_status.empty()) in.slow_status = o.slow_status;
  if (!o.method.empty()) in.method = o.method;
  if (!o.headers.empty()) {
    in.headers.emplace();
    for (const auto& h : o.headers) {
      const size_t colon = h.find(':');
      if (colon == std::string::npos) return Fail(Error::Invalid("header", "--header takes \"Name: value\""));
      in.headers->emplace_back(h.substr(0, colon), std::string(Trim(h.substr(colon + 1))));
    }
  }
  if (!o.body.empty()) in.body = o.body;
  if (!o.expect_status.empty()) in.expected_status = o.expect_status;
  if (!o.keyword.empty()) in.keyword = o.keyword;
  if (o.keyword_absent) in.keyword_absent = true;
  if (!o.json_path.empty()) in.json_path = o.json_path;
  if (!o.json_expected.empty()) in.json_expected = o.json_expected;
  if (o.no_follow) in.follow_redirects = false;
  if (o.insecure) in.verify_tls = false;
  if (!o.record_type.empty()) in.record_type = o.record_type;
  if (!o.expected_answer.empty()) in.expected_answer = o.expected_answer;
  if (!o.dns_server.empty()) in.dns_server = o.dns_server;
  in.expiry_warn_days = o.expiry_warn_days;
  if (o.disabled) in.enabled = false;
  if (o.show_chart) in.show_chart = true;
  service::MonitorService monitors(Deps(store, clock));
  auto out = monitors.Create(page->id, in);
  if (!out) return Fail(out.error(), kAddFlags);
  const auto& m = out->monitor;
  std::cout << m.id << "\t" << model::ToString(m.kind) << "\t" << m.name << "\n";
  if (!out->heartbeat_token.empty()) {
    std::cerr << "Heartbeat token, shown only now. The job calls "
              << "https://YOUR-STATUS-HOST/heartbeat/TOKEN:\n";
    std::cout << out->heartbeat_token << std::endl;
  }
  return 0;
}

std::string Ago(TimeMs t, TimeMs now) {
  if (t == 0) return "never";
  const std::int64_t s = std::max<std::int64_t>(0, (now - t) / 1000);
  if (s < 120) return std::to_string(s) + "s ago";
  if (s < 7200) return std::to_string(s / 60) + "m ago";
  if (s < 172800) return std::to_string(s / 3600) + "h ago";
  return FormatIso8601(t).substr(0, 16) + "Z";
}

int RunList(const OpenMonitorEnv& open, const Options& o, const Clock& clock) {
  auto env = open(o.db, o.config);
  if (!env) return Fail(env.error());
  store::Store& store = *env->store;
  std::string page_id;
  if (!o.page.empty()) {
    auto page = store.GetPage(o.page);
    if (!page) return Fail(page.error());
    page_id = page->id;
  }
  auto list = store.ListMonitors(page_id);
  if (!list) return Fail(list.error());
  const TimeMs now = clock.Now();
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"ID", "NAME", "KIND", "STATE", "LAST CHECK", "LAST HEARTBEAT", "LAST ERROR"});
  for (const auto& m : *list) {
    std::string state(model::ToString(m.state));
    if (!m.enabled) state = "disabled";
    std::string error = m.last_error.empty() ? "-" : m.last_error;
    if (error.size() > 60) error = error.substr(0, 57) + "...";
    for (char& c : error)
      if (c == '\n' || c == '\t') c = ' ';
    // A heartbeat monitor is checked on its schedule like any other; when its job last called is
    // a fact of its own.
    rows.push_back({m.id, m.name, std::string(model::ToString(m.kind)), state, Ago(m.last_check_at, now),
                    m.kind == model::MonitorKind::kHeartbeat ? Ago(m.last_heartbeat_at, now) : "-", error});
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    std::cout << line << "\n";
  }
  if (list->empty()) std::cerr << "no monitors yet: add one with `herald monitor add`\n";
  return 0;
}

int RunRemove(const OpenMonitorEnv& open, const Options& o, const Clock& clock) {
  auto env = open(o.db, o.config);
  if (!env) return Fail(env.error());
  store::Store& store = *env->store;
  std::string page_id;
  if (!o.page.empty()) {
    auto page = store.GetPage(o.page);
    if (!page) return Fail(page.error());
    page_id = page->id;
  }
  auto list = store.ListMonitors(page_id);
  if (!list) return Fail(list.error());
  auto it = std::find_if(list->begin(), list->end(), [&](const model::Monitor& m) { return m.id == o.id; });
  if (it == list->end()) return Fail(Error::NotFound("no monitor with id \"" + o.id + "\""));
  service::MonitorService monitors(Deps(store, clock));
  if (auto st = monitors.Delete(it->page_id, it->id); !st) return Fail(st.error());
  std::cout << "removed " << it->id << " (" << it->name << ")\n";
  return 0;
}

// ---- herald apply -----------------------------------------------------------------------------

// Reads a duration given as whole seconds (integer) or text ("30s", "5m").
Result<std::optional<std::int64_t>> TomlDuration(const toml::table& t, const char* key, const std::string& where) {
  const toml::node* n = t.get(key);
  if (!n) return std::optional<std::int64_t>();
  const std::string field = where + "." + key;
  if (auto i = n->value<std::int64_t>(); i && n->is_integer()) return std::optional<std::int64_t>(*i * 1000);
  if (auto s = n->value<std::string>()) {
    auto ms = Duration(*s, field);
    if (!ms) return ms.error();
    return std::optional<std::int64_t>(*ms);
  }
  return Error::Invalid(field, field + " must be a duration such as \"30s\" or a number of seconds");
}

template <typename T>
Result<std::optional<T>> TomlGet(const toml::table& t, const char* key, const std::string& where, const char* what) {
  const toml::node* n = t.get(key);
  if (!n) return std::optional<T>();
  if constexpr (std::is_same_v<T, std::string>) {
    if (!n->is_string()) return Error::Invalid(where + "." + key, where + "." + key + " must be " + what);
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!n->is_boolean()) return Error::Invalid(where + "." + key, where + "." + key + " must be " + what);
  } else {
    if (!n->is_integer()) return Error::Invalid(where + "." + key, where + "." + key + " must be " + what);
  }
  return std::optional<T>(*n->value<T>());
}

Status CheckKeys(const toml::table& t, const std::set<std::string>& allowed, const std::string& where) {
  for (const auto& [k, v] : t) {
    if (!allowed.count(std::string(k.str())))
      return Error::Invalid(where + "." + std::string(k.str()),
                            where + ": unknown key \"" + std::string(k.str()) + "\"");
  }
  return {};
}

// A [[page.monitor]] table -> MonitorInput (the component by name).
// A component in `pending` (a dry run would create it) leaves component_id unset.
Result<service::MonitorInput> MonitorFromToml(store::Store& store, const std::string& page_id, const toml::table& t,
                                              const std::string& where, const std::set<std::string>& pending) {
  static const std::set<std::string> kKeys = {"name",
                                              "component",
                                              "kind",
                                              "target",
                                              "interval",
                                              "timeout",
                                              "failures_to_down",
                                              "failure_window",
                                              "successes_to_up",
                                              "down_status",
                                              "slow_status",
                                              "enabled",
                                              "show_chart",
                                              "method",
                                              "headers",
                                              "body",
                                              "expected_status",
                                              "keyword",
                                              "keyword_absent",
                                              "json_path",
                                              "json_expected",
                                              "follow_redirects",
                                              "verify_tls",
                                              "slow_ms",
                                              "record_type",
                                              "expected_answer",
                                              "dns_server",
                                              "expiry_warn_days",
                                              "grace"};
  if (auto st = CheckKeys(t, kKeys, where); !st) return st.error();
  service::MonitorInput in;
  auto str = [&](const char* k) { return TomlGet<std::string>(t, k, where, "a string"); };
  auto boolean = [&](const char* k) { return TomlGet<bool>(t, k, where, "true or false"); };
  auto integer = [&](const char* k) -> Result<std::optional<int>> {
    auto v = TomlGet<std::int64_t>(t, k, where, "an integer");
    if (!v) return v.error();
    if (!*v) return std::optional<int>();
    if (**v < -1'000'000'000 || **v > 1'000'000'000)
      return Error::Invalid(where + "." + k, where + "." + k + " is out of range");
    return std::optional<int>(static_cast<int>(**v));
  };
  HERALD_TRY_ASSIGN(in.name, str("name"));
  if (!in.name) return Error::Invalid(where + ".name", where + ".name is required");
  std::optional<std::string> component;
  HERALD_TRY_ASSIGN(component, str("component"));
  if (component && pending.count(*component)) {
    in.component_id.reset();
  } else if (component) {
    auto c = ResolveComponent(store, page_id, *component, where + ".component");
    if (!c) return c.error();
    in.component_id = *c;
  } else {
    in.component_id = "";
  }
  HERALD_TRY_ASSIGN(in.kind, str("kind"));
  HERALD_TRY_ASSIGN(in.target, str("target"));
  HERALD_TRY_ASSIGN(in.interval_ms, TomlDuration(t, "interval", where));
  HERALD_TRY_ASSIGN(in.timeout_ms, TomlDuration(t, "timeout", where));
  HERALD_TRY_ASSIGN(in.grace_ms, TomlDuration(t, "grace", where));
  HERALD_TRY_ASSIGN(in.failures_to_down, integer("failures_to_down"));
  HERALD_TRY_ASSIGN(in.failure_window, integer("failure_window"));
  HERALD_TRY_ASSIGN(in.successes_to_up, integer("successes_to_up"));
  HERALD_TRY_ASSIGN(in.down_status, str("down_status"));
  HERALD_TRY_ASSIGN(in.slow_status, str("slow_status"));
  HERALD_TRY_ASSIGN(in.enabled, boolean("enabled"));
  HERALD_TRY_ASSIGN(in.show_chart, boolean("show_chart"));
  HERALD_TRY_ASSIGN(in.method, str("method"));
  HERALD_TRY_ASSIGN(in.body, str("body"));
  HERALD_TRY_ASSIGN(in.keyword, str("keyword"));
  HERALD_TRY_ASSIGN(in.keyword_absent, boolean("keyword_absent"));
  HERALD_TRY_ASSIGN(in.json_path, str("json_path"));
  HERALD_TRY_ASSIGN(in.json_expected, str("json_expected"));
  HERALD_TRY_ASSIGN(in.follow_redirects, boolean("follow_redirects"));
  HERALD_TRY_ASSIGN(in.verify_tls, boolean("verify_tls"));
  HERALD_TRY_ASSIGN(in.slow_ms, integer("slow_ms"));
  HERALD_TRY_ASSIGN(in.record_type, str("record_type"));
  HERALD_TRY_ASSIGN(in.expected_answer, str("expected_answer"));
  HERALD_TRY_ASSIGN(in.dns_server, str("dns_server"));
  HERALD_TRY_ASSIGN(in.expiry_warn_days, integer("expiry_warn_days"));
  if (const toml::node* h = t.get("headers")) {
    const auto* ht = h->as_table();
    if (!ht) return Error::Invalid(where + ".headers", where + ".headers must be a table of name = \"value\"");
    in.headers.emplace();
    for (const auto& [k, v] : *ht) {
      auto s = v.value<std::string>();
      if (!s || !v.is_string())
        return Error::Invalid(where + ".headers", where + ".headers." + std::string(k.str()) + " must be a string");
      in.headers->emplace_back(std::string(k.str()), *s);
    }
  }
  if (const toml::node* e = t.get("expected_status")) {
    in.expected_status.emplace();
    auto one = [&](const toml::node& n) -> bool {
      if (n.is_integer()) {
        in.expected_status->push_back(std::to_string(*n.value<std::int64_t>()));
        return true;
      }
      if (n.is_string()) {
        in.expected_status->push_back(*n.value<std::string>());
        return true;
      }
      return false;
    };
    bool ok = true;
    if (const auto* arr = e->as_array()) {
      for (const auto& n : *arr) ok = ok && one(n);
    } else {
      ok = one(*e);
    }
    if (!ok)
      return Error::Invalid(where + ".expected_status",
                            where + ".expected_status must be a list such as [\"200-299\", 301]");
  }
  return in;
}

// Same definition: what apply compares (state and timestamps are the engine's).
bool SameDefinition(const model::Monitor& a, const model::Monitor& b) {
  return a.name == b.name && a.component_id == b.component_id && a.kind == b.kind &&
         model::ProbeSpecToJson(a.spec) == model::ProbeSpecToJson(b.spec) && a.interval_ms == b.interval_ms &&
         a.timeout_ms == b.timeout_ms && a.failures_to_down == b.failures_to_down &&
         a.failure_window == b.failure_window && a.successes_to_up == b.successes_to_up &&
         a.down_status == b.down_status && a.slow_status == b.slow_status && a.enabled == b.enabled &&
         a.show_chart == b.show_chart;
}

struct MonitorPlan {
  std::string where;
  std::string existing_id;  // empty: create
  service::MonitorInput in;
};

// Names a change for the lines apply prints: "created monitor ..." or "would create monitor ...".
std::string Change(bool dry_run, const char* verb, const std::string& what, const model::Page& page) {
  return (dry_run ? std::string("would ") + verb : std::string(verb) + "d") + " " + what + " in " + page.slug;
}

struct RulePlan {
  std::string where, component_id;
  service::AutomationRuleInput in;
  std::string component_name;
};

struct TargetPlan {
  std::string where;
  std::string replace_id;  // an existing target of that name that differs
  service::AlertTargetInput in;
};

const toml::array* ArrayOf(const toml::table& t, const char* key, const std::string& where, Status& st) {
  const toml::node* n = t.get(key);
  if (!n) return nullptr;
  const auto* arr = n->as_array();
  if (!arr) st = Error::Invalid(where + "." + key, where + "." + key + " must be a list of tables ([[" + key + "]])");
  return arr;
}

}  // namespace

Status ApplyMonitoring(store::Store& store, const Clock& clock, const model::Page& page, const toml::table& page_table,
                       const std::string& where, bool& changed, std::ostream& out, const ApplyOptions& options) {
  Status shape;
  const toml::array* monitors = ArrayOf(page_table, "monitor", where, shape);
  const toml::array* rules = ArrayOf(page_table, "automation_rule", where, shape);
  const toml::array* targets = ArrayOf(page_table, "alert_target", where, shape);
  if (!shape) return shape;
  if (!monitors && !rules && !targets) return {};
  service::MonitorService service(Deps(store, clock));

  // Plan and validate everything first, so a mistake anywhere writes nothing of this page's
  // monitoring.
  std::vector<MonitorPlan> monitor_plans;
  const bool new_page = page.id.empty();  // a dry run for a page not yet created
  if (monitors) {
    auto existing =
        new_page ? Result<std::vector<model::Monitor>>(std::vector<model::Monitor>{}) : store.ListMonitors(page.id);
    if (!existing) return existing.error();
    std::set<std::string> names;
    int i = 0;
    for (const auto& node : *monitors) {
      const std::string mwhere = where + ".monitor[" + std::to_string(i++) + "]";
      const auto* t = node.as_table();
      if (!t) return Error::Invalid(mwhere, mwhere + " must be a table");
      auto in = MonitorFromToml(store, page.id, *t, mwhere, options.pending_components);
      if (!in) return in.error();
      if (!names.insert(*in->name).second)
        return Error::Invalid(mwhere + ".name", mwhere + ": two monitors are named \"" + *in->name + "\"");
      auto it = std::find_if(existing->begin(), existing->end(),
                             [&](const model::Monitor& m) { return m.name == *in->name; });
      const std::string id = it == existing->end() ? "" : it->id;
      if (new_page) {  // nothing to validate against yet: the keys and their types were checked
        monitor_plans.push_back({mwhere, id, std::move(*in)});
        continue;
      }
      auto preview = service.Preview(page.id, id, *in);
      if (!preview) {
        Error e = preview.error();
        if (e.code == ErrorCode::kInvalid) e.field = mwhere + (e.field.empty() ? "" : "." + e.field);
        return e;
      }
      if (it != existing->end() && in->component_id && SameDefinition(*preview, *it)) continue;
      monitor_plans.push_back({mwhere, id, std::move(*in)});
    }
  }
  std::vector<RulePlan> rule_plans;
  if (rules) {
    auto existing = new_page ? Result<std::vector<model::AutomationRule>>(std::vector<model::AutomationRule>{})
                             : store.ListAutomationRules(page.id);
    if (!existing) return existing.error();
    static const std::set<std::string> kKeys = {"component",   "mode",          "draft_publish_after", "resolve_after",
                                                "flap_window", "incident_name", "incident_body",       "notify"};
    int i = 0;
    for (const auto& node : *rules) {
      const std::string rwhere = where + ".automation_rule[" + std::to_string(i++) + "]";
      const auto* t = node.as_table();
      if (!t) return Error::Invalid(rwhere, rwhere + " must be a table");
      if (auto st = CheckKeys(*t, kKeys, rwhere); !st) return st;
      std::optional<std::string> component;
      HERALD_TRY_ASSIGN(component, TomlGet<std::string>(*t, "component", rwhere, "a string"));
      if (!component) return Error::Invalid(rwhere + ".component", rwhere + ".component is required");
      auto cid = options.pending_components.count(*component)
                     ? Result<std::string>(std::string())
                     : ResolveComponent(store, page.id, *component, rwhere + ".component");
      if (!cid) return cid.error();
      RulePlan plan{rwhere, *cid, {}, *component};
      auto& in = plan.in;
      HERALD_TRY_ASSIGN(in.mode, TomlGet<std::string>(*t, "mode", rwhere, "off, publish or draft"));
      if (in.mode && !model::ParseAutomationMode(*in.mode))
        return Error::Invalid(rwhere + ".mode", rwhere + ".mode must be off, publish or draft");
      HERALD_TRY_ASSIGN(in.draft_publish_after_ms, TomlDuration(*t, "draft_publish_after", rwhere));
      HERALD_TRY_ASSIGN(in.resolve_after_ms, TomlDuration(*t, "resolve_after", rwhere));
      HERALD_TRY_ASSIGN(in.flap_window_ms, TomlDuration(*t, "flap_window", rwhere));
      HERALD_TRY_ASSIGN(in.incident_name, TomlGet<std::string>(*t, "incident_name", rwhere, "a string"));
      HERALD_TRY_ASSIGN(in.incident_body, TomlGet<std::string>(*t, "incident_body", rwhere, "a string"));
      HERALD_TRY_ASSIGN(in.notify, TomlGet<bool>(*t, "notify", rwhere, "true or false"));
      for (auto [v, field] :
           {std::pair{in.draft_publish_after_ms, "draft_publish_after"},
            std::pair{in.resolve_after_ms, "resolve_after"}, std::pair{in.flap_window_ms, "flap_window"}})
        if (v && *v > service::kMaxRuleDelayMs)
          return Error::Invalid(rwhere + "." + field, rwhere + "." + field + " must be at most 7 days");
      auto it = std::find_if(existing->begin(), existing->end(),
                             [&](const model::AutomationRule& r) { return !cid->empty() && r.component_id == *cid; });
      if (it != existing->end()) {
        const auto& r = *it;
        const bool same = (!in.mode || *model::ParseAutomationMode(*in.mode) == r.mode) &&
                          (!in.draft_publish_after_ms || *in.draft_publish_after_ms == r.draft_publish_after_ms) &&
                          (!in.resolve_after_ms || *in.resolve_after_ms == r.resolve_after_ms) &&
                          (!in.flap_window_ms || *in.flap_window_ms == r.flap_window_ms) &&
                          (!in.incident_name || *in.incident_name == r.incident_name) &&
                          (!in.incident_body || *in.incident_body == r.incident_body) &&
                          (!in.notify || *in.notify == r.notify);
        if (same) continue;
      }
      rule_plans.push_back(std::move(plan));
    }
  }
  std::vector<TargetPlan> target_plans;
  if (targets) {
    auto existing = new_page ? Result<std::vector<model::AlertTarget>>(std::vector<model::AlertTarget>{})
                             : store.ListAlertTargets(page.id);
    if (!existing) return existing.error();
    static const std::set<std::string> kKeys = {"name", "channel", "address"};
    int i = 0;
    for (const auto& node : *targets) {
      const std::string twhere = where + ".alert_target[" + std::to_string(i++) + "]";
      const auto* t = node.as_table();
      if (!t) return Error::Invalid(twhere, twhere + " must be a table");
      if (auto st = CheckKeys(*t, kKeys, twhere); !st) return st;
      TargetPlan plan{twhere, "", {}};
      HERALD_TRY_ASSIGN(plan.in.name, TomlGet<std::string>(*t, "name", twhere, "a string"));
      HERALD_TRY_ASSIGN(plan.in.channel, TomlGet<std::string>(*t, "channel", twhere, "a string"));
      HERALD_TRY_ASSIGN(plan.in.address, TomlGet<std::string>(*t, "address", twhere, "a string"));
      if (!plan.in.name) return Error::Invalid(twhere + ".name", twhere + ".name is required");
      if (!plan.in.channel) return Error::Invalid(twhere + ".channel", twhere + ".channel is required");
      if (!plan.in.address) return Error::Invalid(twhere + ".address", twhere + ".address is required");
      auto it = std::find_if(existing->begin(), existing->end(),
                             [&](const model::AlertTarget& a) { return a.name == *plan.in.name; });
      if (it != existing->end()) {
        auto lower = [](std::string s) {
          for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          return s;
        };
        if (model::ToString(it->channel) == lower(*plan.in.channel) &&
            (it->address == *plan.in.address ||
             (it->channel == model::ChannelKind::kEmail && it->address == lower(*plan.in.address))))
          continue;
        plan.replace_id = it->id;
      }
      target_plans.push_back(std::move(plan));
    }
  }

  if (options.dry_run) {
    for (const auto& p : monitor_plans)
      out << Change(true, p.existing_id.empty() ? "create" : "update", "monitor \"" + *p.in.name + "\"", page) << "\n";
    for (const auto& p : rule_plans)
      out << Change(true, "set", "the automation rule of \"" + p.component_name + "\"", page) << "\n";
    for (const auto& p : target_plans)
      out << Change(true, p.replace_id.empty() ? "create" : "replace", "alert target \"" + *p.in.name + "\"", page)
          << "\n";
    if (!monitor_plans.empty() || !rule_plans.empty() || !target_plans.empty()) changed = true;
    return {};
  }
  for (const auto& p : monitor_plans) {
    out << Change(false, p.existing_id.empty() ? "create" : "update", "monitor \"" + *p.in.name + "\"", page) << "\n";
    auto r = p.existing_id.empty() ? service.Create(page.id, p.in) : service.Update(page.id, p.existing_id, p.in);
    if (!r) {
      Error e = r.error();
      if (e.code == ErrorCode::kInvalid) e.field = p.where + (e.field.empty() ? "" : "." + e.field);
      return e;
    }
    changed = true;
    if (!r->heartbeat_token.empty())
      out << "heartbeat token for monitor \"" << r->monitor.name << "\" (shown only now): " << r->heartbeat_token
          << "\n";
  }
  for (const auto& p : rule_plans) {
    out << "set the automation rule of \"" << p.component_name << "\" in " << page.slug << "\n";
    auto r = service.PutRule(page.id, p.component_id, p.in);
    if (!r) {
      Error e = r.error();
      if (e.code == ErrorCode::kInvalid) e.field = p.where + (e.field.empty() ? "" : "." + e.field);
      return e;
    }
    changed = true;
  }
  for (const auto& p : target_plans) {
    out << Change(false, p.replace_id.empty() ? "create" : "replace", "alert target \"" + *p.in.name + "\"", page)
        << "\n";
    // Validate the new address before the old target goes.
    if (!p.replace_id.empty()) {
      auto r = service.CreateTarget(page.id, p.in);
      if (!r) {
        Error e = r.error();
        if (e.code == ErrorCode::kInvalid) e.field = p.where + (e.field.empty() ? "" : "." + e.field);
        return e;
      }
      if (auto st = service.DeleteTarget(page.id, p.replace_id); !st) return st;
      changed = true;
      if (!r->secret.empty())
        out << "signing secret for alert target \"" << r->target.name << "\" (shown only now): " << r->secret << "\n";
      continue;
    }
    auto r = service.CreateTarget(page.id, p.in);
    if (!r) {
      Error e = r.error();
      if (e.code == ErrorCode::kInvalid) e.field = p.where + (e.field.empty() ? "" : "." + e.field);
      return e;
    }
    changed = true;
    if (!r->secret.empty())
      out << "signing secret for alert target \"" << r->target.name << "\" (shown only now): " << r->secret << "\n";
  }
  return {};
}

void AddMonitorCommands(CLI::App& app, OpenMonitorEnv open, const Clock& clock, std::optional<int>& exit_code) {
  auto opts = std::make_shared<Options>();
  auto* mon = app.add_subcommand("monitor", "Monitors: add, list, remove");
  mon->require_subcommand(1);
  auto common = [&](CLI::App* cmd) {
    cmd->add_option("--db", opts->db, "Database URL: sqlite:PATH or postgresql://... (env HERALD_DB)");
    cmd->add_option("--config", opts->config, "TOML configuration file");
    cmd->add_option("--page", opts->page, "Page id or slug (default: the default page)");
  };
  auto run = [open, &clock, &exit_code, opts](int (*fn)(const OpenMonitorEnv&, const Options&, const Clock&)) {
    return [open, &clock, &exit_code, opts, fn] { exit_code = fn(open, *opts, clock); };
  };

  auto* add = mon->add_subcommand("add", "Add a monitor; prints its id (and a heartbeat monitor's token, once)");
  common(add);
  add->add_option("--name", opts->name, "What it checks, e.g. \"API health\"")->required();
  add->add_option("--kind", opts->kind, "http, tcp, dns, tls or heartbeat (default http)");
  add->add_option("--target", opts->target, "http: URL; tcp/tls: host:port; dns: the name to resolve");
  add->add_option("--component", opts->component, "The component it drives (name or id)");
  add->add_option("--interval", opts->interval, "How often, 5s..24h (default 60s)");
  add->add_option("--timeout", opts->timeout, "Per check, 1s..interval (default 10s, or the interval when shorter)");
  add->add_option("--failures", opts->failures, "Failed checks that make it down (N of --window; default 3)");
  add->add_option("--window", opts->window, "Checks looked at for --failures (M, at most 20; default 3)");
  add->add_option("--successes", opts->successes, "Good checks in a row that make it up again (default 2)");
  add->add_option("--down-status", opts->down_status, "Component status when down (default major_outage)");
  add->add_option("--slow-status", opts->slow_status, "Component status when slow (default degraded_performance)");
  add->add_option("--method", opts->method, "http: GET, HEAD, POST, ...");
  add->add_option("--header", opts->headers, "http: \"Name: value\" (repeatable)");
  add->add_option("--body", opts->body, "http: request body");
  add->add_option("--expect-status", opts->expect_status, "http: status or range, e.g. 200-299 (repeatable)");
  add->add_option("--keyword", opts->keyword, "http: the body must contain this");
  add->add_flag("--keyword-absent", opts->keyword_absent, "http: the body must NOT contain --keyword");
  add->add_option("--json-path", opts->json_path, "http: $.path that must exist in a JSON body");
  add->add_option("--json-expected", opts->json_expected, "http: ...and equal this");
  add->add_flag("--no-follow-redirects", opts->no_follow, "http: a redirect is the answer");
  add->add_flag("--insecure", opts->insecure, "http: do not verify the TLS certificate");
  add->add_option("--slow", opts->slow, "Slower than this is degraded, e.g. 2s (default: no threshold)");
  add->add_option("--record-type", opts->record_type, "dns: A, AAAA, CNAME, MX, TXT or NS (default A)");
  add->add_option("--expected-answer", opts->expected_answer, "dns: one answer must equal this");
  add->add_option("--dns-server", opts->dns_server, "dns: ask this server (host:port)");
  add->add_option("--expiry-warn-days", opts->expiry_warn_days, "tls: warn this many days before expiry (14)");
  add->add_option("--grace", opts->grace, "heartbeat: how late a call may be (default 60s)");
  add->add_flag("--disabled", opts->disabled, "Create it paused");
  add->add_flag("--show-chart", opts->show_chart, "Show its response-time chart on the status page");
  add->callback(run(RunAdd));

  auto* list = mon->add_subcommand("list", "List monitors with their state, last check and last error");
  list->add_option("--db", opts->db, "Database URL: sqlite:PATH or postgresql://... (env HERALD_DB)");
  list->add_option("--config", opts->config, "TOML configuration file");
  list->add_option("--page", opts->page, "Only this page (id or slug; default: every page)");
  list->callback(run(RunList));

  auto* remove = mon->add_subcommand("remove", "Remove a monitor with its results");
  remove->add_option("--db", opts->db, "Database URL: sqlite:PATH or postgresql://... (env HERALD_DB)");
  remove->add_option("--config", opts->config, "TOML configuration file");
  remove->add_option("--page", opts->page, "Page id or slug (default: look in every page)");
  remove->add_option("id", opts->id, "Monitor id")->required();
  remove->callback(run(RunRemove));
}

}  // namespace herald::cli
