// `herald monitor ...` and the monitoring part of `herald apply`.
//
//   herald monitor add --name N --kind http --target URL [--page P] [--component C]
//                      [--interval 30s] [--timeout 10s] [--failures N] [--window M] [--successes K]
//                      [--down-status S] [--slow-status S] [--method M] [--header 'Name: value']...
//                      [--expect-status 200-299]... [--keyword K [--keyword-absent]] [--json-path P]
//                      [--json-expected V] [--no-follow-redirects] [--insecure] [--slow 2s]
//                      [--record-type A] [--expected-answer X] [--dns-server H:P]
//                      [--expiry-warn-days D] [--grace 5m] [--disabled] [--show-chart]
//                      prints the id; a heartbeat monitor's token alone on the last line (once)
//   herald monitor list [--page P]       a table: id, name, kind, state, last check, last error
//   herald monitor remove ID             its samples and rollups go too
//
// The commands run from CLI11 callbacks during parse and store their exit code; errors print one
// line on stderr, exit non-zero and change nothing. Not thread-safe (a command line runs once).
#pragma once

#include <toml++/toml.h>

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "model/model.h"
#include "store/store.h"

namespace herald::cli {

struct MonitorCliEnv {
  std::unique_ptr<store::Store> store;
};
using OpenMonitorEnv = std::function<Result<MonitorCliEnv>(const std::string& db, const std::string& config_file)>;

// Registers `monitor` on `app`. After app.parse(), a set `exit_code` means one of these commands
// ran: return it from main.
void AddMonitorCommands(CLI::App& app, OpenMonitorEnv open, const Clock& clock, std::optional<int>& exit_code);

// `herald apply`: the [[page.monitor]], [[page.automation_rule]] and [[page.alert_target]]
// tables of one [[page]] (`page_table`, reported as `where`), after its components exist.
// Matched by name within the page (rules by their component's name), so applying the same file
// twice changes nothing; every monitor is validated before any is written. Sets `changed` when
// something was written; heartbeat tokens and webhook secrets of new entries go to `out` (shown
// once). Nothing declared is deleted.
//
// Each change is a line on `out` ("created monitor \"API health\" in acme"). With `dry_run` the
// same validation runs and the lines say "would create ..."; nothing is written. In a dry run
// `page.id` is empty for a page that does not exist yet, and `pending_components` names the
// components the run would create (monitors and rules may refer to them).
struct ApplyOptions {
  bool dry_run = false;
  std::set<std::string> pending_components;
};
Status ApplyMonitoring(store::Store& store, const Clock& clock, const model::Page& page, const toml::table& page_table,
                       const std::string& where, bool& changed, std::ostream& out, const ApplyOptions& options = {});

}  // namespace herald::cli
