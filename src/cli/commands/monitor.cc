#include "cli/commands/monitor.h"

#include <algorithm>
#include <iostream>
#include <set>

#include "cli/commands/commands.h"
#include "core/text.h"
#include "core/time.h"
#include "model/probe_kinds.h"
#include "service/apply.h"
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

using service::FindMonitoredComponent;
using service::ParseDuration;

struct Options {
  CommonOptions common;
  std::string id;
  std::string name, kind = "http", target, component, down_status, slow_status, method, body, keyword, json_path,
                    json_expected, record_type, expected_answer, dns_server;
  std::string interval, timeout, slow, grace;
  std::optional<int> failures, window, successes, expiry_warn_days;
  std::vector<std::string> headers, expect_status;
  bool keyword_absent = false, no_follow = false, insecure = false, disabled = false, show_chart = false;
};

service::MonitorDeps Deps(store::Store& store, const Clock& clock) { return service::MonitorDeps{store, clock}; }

int RunAdd(const OpenMonitorEnv& open, const Options& o, const Clock& clock) {
  auto env = open(o.common);
  if (!env) return Fail(env.error());
  store::Store& store = *env->store;
  auto page = ResolvePage(store, o.common.page);
  if (!page) return Fail(page.error());
  service::MonitorInput in;
  in.name = o.name;
  in.kind = o.kind;
  if (!o.target.empty()) in.target = o.target;
  if (!o.component.empty()) {
    auto c = FindMonitoredComponent(store, page->id, o.component, "component");
    if (!c) return Fail(c.error());
    in.component_id = *c;
  }
  auto dur = [&](const std::string& text, const char* field, std::optional<std::int64_t>& out) -> Status {
    if (text.empty()) return {};
    auto ms = ParseDuration(text, field);
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

// The monitors of the page `page` names (id or slug), or of every page when it is empty.
Result<std::vector<model::Monitor>> MonitorsOf(store::Store& store, const std::string& page) {
  if (page.empty()) return store.ListMonitors("");
  auto p = store.GetPage(page);
  if (!p) return p.error();
  return store.ListMonitors(p->id);
}

int RunList(const OpenMonitorEnv& open, const Options& o, const Clock& clock) {
  auto env = open(o.common);
  if (!env) return Fail(env.error());
  store::Store& store = *env->store;
  auto list = MonitorsOf(store, o.common.page);
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
  auto env = open(o.common);
  if (!env) return Fail(env.error());
  store::Store& store = *env->store;
  auto list = MonitorsOf(store, o.common.page);
  if (!list) return Fail(list.error());
  auto it = std::find_if(list->begin(), list->end(), [&](const model::Monitor& m) { return m.id == o.id; });
  if (it == list->end()) return Fail(Error::NotFound("no monitor with id \"" + o.id + "\""));
  service::MonitorService monitors(Deps(store, clock));
  if (auto st = monitors.Delete(it->page_id, it->id); !st) return Fail(st.error());
  std::cout << "removed " << it->id << " (" << it->name << ")\n";
  return 0;
}

}  // namespace

void AddMonitorCommands(CLI::App& app, const OpenMonitorEnv& open, const Clock& clock, std::optional<int>& exit_code) {
  auto opts = std::make_shared<Options>();
  auto* mon = app.add_subcommand("monitor", "Monitors: add, list, remove");
  mon->require_subcommand(1);
  auto run = [open, &clock, &exit_code, opts](int (*fn)(const OpenMonitorEnv&, const Options&, const Clock&)) {
    return [open, &clock, &exit_code, opts, fn] { exit_code = fn(open, *opts, clock); };
  };

  auto* add = mon->add_subcommand("add", "Add a monitor; prints its id (and a heartbeat monitor's token, once)");
  AddCommonOptions(add, opts->common);
  add->add_option("--name", opts->name, "What it checks, e.g. \"API health\"")->required();
  add->add_option("--kind", opts->kind, model::ProbeKindNames() + " (default http)");
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
  AddCommonOptions(list, opts->common, "Only this page (id or slug; default: every page)");
  list->callback(run(RunList));

  auto* remove = mon->add_subcommand("remove", "Remove a monitor with its results");
  AddCommonOptions(remove, opts->common, "Page id or slug (default: look in every page)");
  remove->add_option("id", opts->id, "Monitor id")->required();
  remove->callback(run(RunRemove));
}

void AddMonitorCommand(CLI::App& app, CommandContext& ctx) {
  AddMonitorCommands(
      app,
      [](const CommonOptions& options) -> Result<MonitorCliEnv> {
        auto opened = OpenConfigured(options);
        if (!opened) return opened.error();
        MonitorCliEnv env;
        env.store = std::move(opened->store);
        return env;
      },
      ctx.clock, ctx.exit_code);
}

}  // namespace herald::cli
