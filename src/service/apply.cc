#include "service/apply.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "service/monitors.h"
#include "service/services.h"

namespace herald::service {

std::string ApplyChange::Describe(bool made) const {
  static constexpr const char* kVerbs[] = {"create", "update", "replace", "set"};
  static constexpr const char* kDone[] = {"created", "updated", "replaced", "set"};
  const auto i = static_cast<size_t>(action);
  return (made ? std::string(kDone[i]) : std::string("would ") + kVerbs[i]) + " " + what +
         (page.empty() ? "" : " in " + page);
}

Result<std::string> FindMonitoredComponent(store::Store& store, const std::string& page_id, const std::string& ref,
                                           const std::string& field) {
  auto all = store.ListComponents(page_id);
  if (!all) return all.error();
  for (const auto& c : *all)
    if (!c.is_group && (c.id == ref || c.name == ref)) return c.id;
  return Error::Invalid(field, "no component with id or name \"" + ref + "\" on this page");
}

Result<std::int64_t> ParseDuration(const std::string& text, const std::string& field) {
  auto ms = ParseDurationMs(text);
  if (!ms) return Error::Invalid(field, field + " must be a duration such as 30s, 5m or 1h, not \"" + text + "\"");
  return *ms;
}

namespace {

// Where a walk over the declarations reports: in a plan (`dry_run`) the changes it would make, in
// a run the changes as they are made and the secrets shown once.
struct Sink {
  bool dry_run = true;
  std::function<void(ApplyChange)> change;
  std::function<void(const std::string&)> secret;
  size_t changes = 0;
  void Change(ApplyChange::Action action, std::string what, const model::Page& page) {
    Change(action, std::move(what), page.slug);
  }
  void Change(ApplyChange::Action action, std::string what, std::string page = "") {
    ++changes;
    change(ApplyChange{action, std::move(what), std::move(page)});
  }
};

// YAML files carry the same keys as the TOML form; they are converted to a TOML table so that
// one code path applies both. Quoted scalars stay strings; plain ones become integers or
// booleans when they read as such.
Result<toml::table> YamlToToml(const YAML::Node& n, const std::string& where);

Result<std::unique_ptr<toml::node>> YamlValue(const YAML::Node& n, const std::string& where) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      auto t = YamlToToml(n, where);
      if (!t) return t.error();
      return std::unique_ptr<toml::node>(std::make_unique<toml::table>(std::move(*t)));
    }
    case YAML::NodeType::Sequence: {
      auto a = std::make_unique<toml::array>();
      for (const auto& item : n) {
        auto v = YamlValue(item, where + "[]");
        if (!v) return v.error();
        if (auto* tbl = (*v)->as_table())
          a->push_back(std::move(*tbl));
        else if (auto* arr = (*v)->as_array())
          a->push_back(std::move(*arr));
        else if (auto* str = (*v)->as_string())
          a->push_back(str->get());
        else if (auto* i = (*v)->as_integer())
          a->push_back(i->get());
        else if (auto* b = (*v)->as_boolean())
          a->push_back(b->get());
      }
      return std::unique_ptr<toml::node>(std::move(a));
    }
    case YAML::NodeType::Scalar: {
      if (n.Tag() != "!") {  // plain (unquoted) scalar
        long long i;
        bool b;
        if (YAML::convert<long long>::decode(n, i))
          return std::unique_ptr<toml::node>(std::make_unique<toml::value<int64_t>>(i));
        if (YAML::convert<bool>::decode(n, b))
          return std::unique_ptr<toml::node>(std::make_unique<toml::value<bool>>(b));
      }
      return std::unique_ptr<toml::node>(std::make_unique<toml::value<std::string>>(n.Scalar()));
    }
    default: return Error::Invalid(where, where + " has no value");
  }
}

Result<toml::table> YamlToToml(const YAML::Node& n, const std::string& where) {
  toml::table t;
  for (const auto& kv : n) {
    const std::string key = kv.first.Scalar();
    auto v = YamlValue(kv.second, where + "." + key);
    if (!v) return v.error();
    if (auto* tbl = (*v)->as_table())
      t.insert(key, std::move(*tbl));
    else if (auto* arr = (*v)->as_array())
      t.insert(key, std::move(*arr));
    else if (auto* str = (*v)->as_string())
      t.insert(key, str->get());
    else if (auto* i = (*v)->as_integer())
      t.insert(key, i->get());
    else if (auto* b = (*v)->as_boolean())
      t.insert(key, b->get());
  }
  return t;
}

Result<toml::table> ParseTable(const std::string& text, bool yaml, const std::string& name) {
  if (yaml) {
    try {
      YAML::Node root = YAML::Load(text);
      if (!root.IsMap()) return Error::Invalid("file", name + ": the top level must be a mapping with a `page` list");
      return YamlToToml(root, "file");
    } catch (const YAML::Exception& e) {
      return Error::Invalid("file", name + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
  }
  try {
    return toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    return Error::Invalid("file",
                          name + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
}

// Keys a table may have and the TOML type of each ('s' string, 'b' boolean, 'i' integer, 'a' array
// of tables); anything else stops the run, naming its path, before anything is written.
using KeyKinds = std::map<std::string, char>;
Status CheckTable(const toml::table& t, const KeyKinds& kinds, const std::string& where) {
  for (const auto& [k, v] : t) {
    const std::string key(k.str());
    const std::string path = where.empty() ? key : where + "." + key;
    auto it = kinds.find(key);
    if (it == kinds.end()) {
      std::string known;
      for (const auto& [name, kind] : kinds) known += (known.empty() ? "" : ", ") + name;
      return Error::Invalid(
          path, "unknown key \"" + key + "\"" + (where.empty() ? "" : " in " + where) + "; the keys here are " + known);
    }
    const bool ok = it->second == 's'   ? v.is_string()
                    : it->second == 'b' ? v.is_boolean()
                    : it->second == 'i' ? v.is_integer()
                                        : v.is_array();
    if (!ok)
      return Error::Invalid(path, path + " must be " +
                                      (it->second == 's'   ? "a string"
                                       : it->second == 'b' ? "true or false"
                                       : it->second == 'i' ? "a whole number"
                                                           : "a list of tables ([[" + key + "]])"));
  }
  return {};
}

const KeyKinds kPageKeys = {{"slug", 's'},        {"name", 's'},         {"url", 's'},      {"time_zone", 's'},
                            {"logo_url", 's'},    {"accent_color", 's'}, {"hostname", 's'}, {"default", 'b'},
                            {"private", 'b'},     {"component", 'a'},    {"monitor", 'a'},  {"automation_rule", 'a'},
                            {"alert_target", 'a'}};
const KeyKinds kComponentKeys = {
    {"name", 's'},     {"group", 's'},  {"description", 's'},           {"position", 'i'},
    {"showcase", 'b'}, {"hidden", 'b'}, {"only_show_if_degraded", 'b'}, {"start_date", 's'}};

// Finds a (non-group) component by id or exact name.
// A bad value named by the service (`target`) is reported where it is in the file
// (`page[0].monitor[1].target`).
Error At(const std::string& where, Error e) {
  if (e.code == ErrorCode::kInvalid) e.field = where + (e.field.empty() ? "" : "." + e.field);
  return e;
}

MonitorDeps MonitorDepsOf(store::Store& store, const Clock& clock) { return MonitorDeps{store, clock}; }

// Reads a duration given as whole seconds (integer) or text ("30s", "5m").
Result<std::optional<std::int64_t>> TomlDuration(const toml::table& t, const char* key, const std::string& where) {
  const toml::node* n = t.get(key);
  if (!n) return std::optional<std::int64_t>();
  const std::string field = where + "." + key;
  if (auto i = n->value<std::int64_t>(); i && n->is_integer()) return std::optional<std::int64_t>(*i * 1000);
  if (auto s = n->value<std::string>()) {
    auto ms = ParseDuration(*s, field);
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
Result<MonitorInput> MonitorFromToml(store::Store& store, const std::string& page_id, const toml::table& t,
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
  MonitorInput in;
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
    auto c = FindMonitoredComponent(store, page_id, *component, where + ".component");
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
  MonitorInput in;
};

struct RulePlan {
  std::string where, component_id;
  AutomationRuleInput in;
  std::string component_name;
};

struct TargetPlan {
  std::string where;
  std::string replace_id;  // an existing target of that name that differs
  AlertTargetInput in;
};

const toml::array* ArrayOf(const toml::table& t, const char* key, const std::string& where, Status& st) {
  const toml::node* n = t.get(key);
  if (!n) return nullptr;
  const auto* arr = n->as_array();
  if (!arr) st = Error::Invalid(where + "." + key, where + "." + key + " must be a list of tables ([[" + key + "]])");
  return arr;
}

// The [[page.monitor]], [[page.automation_rule]] and [[page.alert_target]] tables of one [[page]]
// (`page_table`, reported as `where`), after its components exist (or, in a plan, with
// `pending` naming the components the run would create: monitors and rules may refer to them).
// Every entry is validated before any is written.
Status ApplyMonitoring(store::Store& store, const Clock& clock, const model::Page& page, const toml::table& page_table,
                       const std::string& where, Sink& sink, const std::set<std::string>& pending) {
  Status shape;
  const toml::array* monitors = ArrayOf(page_table, "monitor", where, shape);
  const toml::array* rules = ArrayOf(page_table, "automation_rule", where, shape);
  const toml::array* targets = ArrayOf(page_table, "alert_target", where, shape);
  if (!shape) return shape;
  if (!monitors && !rules && !targets) return {};
  MonitorService service(MonitorDepsOf(store, clock));

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
      auto in = MonitorFromToml(store, page.id, *t, mwhere, pending);
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
      if (!preview) return At(mwhere, preview.error());
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
      auto cid = pending.count(*component) ? Result<std::string>(std::string())
                                           : FindMonitoredComponent(store, page.id, *component, rwhere + ".component");
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
        if (v && *v > kMaxRuleDelayMs)
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

  using Action = ApplyChange::Action;
  if (sink.dry_run) {
    for (const auto& p : monitor_plans)
      sink.Change(p.existing_id.empty() ? Action::kCreate : Action::kUpdate, "monitor \"" + *p.in.name + "\"", page);
    for (const auto& p : rule_plans)
      sink.Change(Action::kSet, "the automation rule of \"" + p.component_name + "\"", page);
    for (const auto& p : target_plans)
      sink.Change(p.replace_id.empty() ? Action::kCreate : Action::kReplace, "alert target \"" + *p.in.name + "\"",
                  page);
    return {};
  }
  for (const auto& p : monitor_plans) {
    sink.Change(p.existing_id.empty() ? Action::kCreate : Action::kUpdate, "monitor \"" + *p.in.name + "\"", page);
    auto r = p.existing_id.empty() ? service.Create(page.id, p.in) : service.Update(page.id, p.existing_id, p.in);
    if (!r) return At(p.where, r.error());
    if (!r->heartbeat_token.empty())
      sink.secret("heartbeat token for monitor \"" + r->monitor.name + "\" (shown only now): " + r->heartbeat_token);
  }
  for (const auto& p : rule_plans) {
    sink.Change(Action::kSet, "the automation rule of \"" + p.component_name + "\"", page);
    auto r = service.PutRule(page.id, p.component_id, p.in);
    if (!r) return At(p.where, r.error());
  }
  for (const auto& p : target_plans) {
    sink.Change(p.replace_id.empty() ? Action::kCreate : Action::kReplace, "alert target \"" + *p.in.name + "\"", page);
    // The new target first: its address is validated before the old target goes.
    auto r = service.CreateTarget(page.id, p.in);
    if (!r) return At(p.where, r.error());
    if (!p.replace_id.empty())
      if (auto st = service.DeleteTarget(page.id, p.replace_id); !st) return st;
    if (!r->secret.empty())
      sink.secret("signing secret for alert target \"" + r->target.name + "\" (shown only now): " + r->secret);
  }
  return {};
}

// Walks the declarations page by page; in a plan (sink.dry_run) nothing is written.
Status Walk(store::Store& store, const Clock& clock, const toml::table& t, Sink& sink) {
  const auto* pages = t["page"].as_array();
  service::Deps deps{store, clock, [] {}};
  PageService page_service(deps);
  ComponentService components(deps);
  using Action = ApplyChange::Action;
  const bool dry_run = sink.dry_run;
  int pi = 0;
  for (const auto& node : *pages) {
    const auto* pt = node.as_table();
    const std::string where = "page[" + std::to_string(pi++) + "]";
    auto str = [&](const toml::table& tbl, const char* k) -> std::optional<std::string> {
      return tbl[k].value<std::string>();
    };
    PageInput in;
    in.slug = str(*pt, "slug");
    if (!in.slug) return Error::Invalid(where + ".slug", where + ".slug is required");
    in.name = str(*pt, "name");
    in.url = str(*pt, "url");
    in.time_zone = str(*pt, "time_zone");
    in.logo_url = str(*pt, "logo_url");
    in.accent_color = str(*pt, "accent_color");
    in.hostname = str(*pt, "hostname");
    in.is_default = (*pt)["default"].value<bool>();
    in.is_private = (*pt)["private"].value<bool>();
    auto existing = store.GetPage(*in.slug);
    model::Page page;  // page.id stays empty in a dry run for a page that does not exist yet
    if (existing) {
      const auto& p = *existing;
      bool same = (!in.name || *in.name == p.name) && (!in.url || *in.url == p.url) &&
                  (!in.time_zone || *in.time_zone == p.time_zone) && (!in.logo_url || *in.logo_url == p.logo_url) &&
                  (!in.accent_color || *in.accent_color == p.accent_color) &&
                  (!in.hostname || *in.hostname == p.hostname) && (!in.is_default || *in.is_default == p.is_default) &&
                  (!in.is_private || *in.is_private == p.is_private);
      page = p;
      if (!same) {
        if (!dry_run) {
          auto r = page_service.Update(p.id, in);
          if (!r) return Error::Invalid(where + "." + r.error().field, r.error().message);
          page = *r;
        }
        sink.Change(Action::kUpdate, "page " + p.slug);
      }
    } else if (existing.error().code == ErrorCode::kNotFound) {
      if (!in.name) return Error::Invalid(where + ".name", where + ".name is required");
      if (!dry_run) {
        auto r = page_service.Create(in);
        if (!r) return Error::Invalid(where + "." + r.error().field, r.error().message);
        page = *r;
      } else {
        page.slug = *in.slug;
      }
      sink.Change(Action::kCreate, "page " + *in.slug);
    } else {
      return existing.error();
    }
    const auto* comps = (*pt)["component"].as_array();
    int ci = 0;
    const toml::array no_components;
    std::set<std::string> pending;  // components and groups a dry run would create
    for (const auto& cnode : comps ? *comps : no_components) {
      const auto* ct = cnode.as_table();
      const std::string cwhere = where + ".component[" + std::to_string(ci++) + "]";
      auto name = str(*ct, "name");
      if (!name) return Error::Invalid(cwhere + ".name", cwhere + ".name is required");
      std::vector<model::Component> none;
      auto all = page.id.empty() ? Result<std::vector<model::Component>>(none) : store.ListComponents(page.id);
      if (!all) return all.error();
      std::string group_id;
      if (auto group = str(*ct, "group")) {
        auto it = std::find_if(all->begin(), all->end(), [&](const auto& c) { return c.is_group && c.name == *group; });
        if (it != all->end()) {
          group_id = it->id;
        } else if (!pending.count("group:" + *group)) {
          if (!dry_run) {
            ComponentInput g;
            g.name = *group;
            auto r = components.Create(page.id, g, true);
            if (!r) return Error::Invalid(cwhere + ".group", r.error().message);
            group_id = r->id;
          } else {
            pending.insert("group:" + *group);
          }
          sink.Change(Action::kCreate, "group \"" + *group + "\"", page);
        }
      }
      ComponentInput ci_in;
      ci_in.name = name;
      ci_in.description = str(*ct, "description");
      ci_in.group_id = group_id;
      ci_in.position = (*ct)["position"].value<int>();
      ci_in.showcase = (*ct)["showcase"].value<bool>();
      ci_in.hidden = (*ct)["hidden"].value<bool>();
      ci_in.only_show_if_degraded = (*ct)["only_show_if_degraded"].value<bool>();
      ci_in.start_date = str(*ct, "start_date");
      auto it = std::find_if(all->begin(), all->end(), [&](const auto& c) { return !c.is_group && c.name == *name; });
      if (it == all->end()) {
        if (!dry_run) {
          auto r = components.Create(page.id, ci_in, false);
          if (!r) return Error::Invalid(cwhere + "." + r.error().field, r.error().message);
        }
        pending.insert(*name);
        sink.Change(Action::kCreate, "component \"" + *name + "\"", page);
      } else {
        const auto& c = *it;
        const bool group_pending = str(*ct, "group") && group_id.empty();
        bool same =
            c.group_id == group_id && !group_pending && (!ci_in.description || *ci_in.description == c.description) &&
            (!ci_in.position || *ci_in.position == c.position) && (!ci_in.showcase || *ci_in.showcase == c.showcase) &&
            (!ci_in.hidden || *ci_in.hidden == c.hidden) &&
            (!ci_in.only_show_if_degraded || *ci_in.only_show_if_degraded == c.only_show_if_degraded) &&
            (!ci_in.start_date || ci_in.start_date == c.start_date);
        if (!same) {
          if (!dry_run) {
            auto r = components.Update(page.id, c.id, ci_in);
            if (!r) return Error::Invalid(cwhere + "." + r.error().field, r.error().message);
          }
          sink.Change(Action::kUpdate, "component \"" + *name + "\"", page);
        }
      }
    }
    if (!dry_run) pending.clear();  // written: monitors and rules find the components by name
    if (auto st = ApplyMonitoring(store, clock, page, *pt, where, sink, pending); !st) return st;
  }
  return {};
}

}  // namespace

Result<DesiredState> ParseDesiredState(const std::string& text, bool yaml, const std::string& name) {
  auto parsed = ParseTable(text, yaml, name);
  if (!parsed) return parsed.error();
  toml::table& t = *parsed;
  if (auto st = CheckTable(t, {{"page", 'a'}}, ""); !st) return st.error();
  auto* pages = t["page"].as_array();
  if (!pages) return Error::Invalid("page", "the file must declare at least one [[page]]");
  // Every table's keys first, so that a typo anywhere writes nothing at all.
  for (size_t pi = 0; pi < pages->size(); ++pi) {
    const std::string where = "page[" + std::to_string(pi) + "]";
    auto* pt = (*pages)[pi].as_table();
    if (!pt) return Error::Invalid(where, where + " must be a table");
    if (auto st = CheckTable(*pt, kPageKeys, where); !st) return st.error();
    if (auto* comps = (*pt)["component"].as_array())
      for (size_t ci = 0; ci < comps->size(); ++ci) {
        const std::string cwhere = where + ".component[" + std::to_string(ci) + "]";
        auto* ct = (*comps)[ci].as_table();
        if (!ct) return Error::Invalid(cwhere, cwhere + " must be a table");
        if (auto st = CheckTable(*ct, kComponentKeys, cwhere); !st) return st.error();
      }
  }
  return DesiredState{std::move(t)};
}

Result<DesiredState> ReadDesiredState(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return Error::Invalid("file", "cannot read " + file);
  return ParseDesiredState(text.str(), file.ends_with(".yaml") || file.ends_with(".yml"), file);
}

Result<ApplyPlan> ApplyService::Plan(DesiredState state) {
  ApplyPlan plan;
  Sink sink;
  sink.change = [&](ApplyChange c) { plan.changes.push_back(std::move(c)); };
  sink.secret = [](const std::string&) {};
  if (auto st = Walk(store_, clock_, state.root, sink); !st) return st.error();
  plan.state = std::move(state);
  return plan;
}

Result<size_t> ApplyService::Apply(const ApplyPlan& plan, const std::function<void(const std::string& line)>& out) {
  Sink sink;
  sink.dry_run = false;
  sink.change = [&](const ApplyChange& c) { out(c.Describe(true)); };
  sink.secret = out;
  if (auto st = Walk(store_, clock_, plan.state.root, sink); !st) return st.error();
  return sink.changes;
}

}  // namespace herald::service
