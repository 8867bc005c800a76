// `herald monitor ...` (the monitoring part of `herald apply` is service::ApplyService).
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

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cli/common.h"
#include "core/clock.h"
#include "core/result.h"
#include "model/model.h"
#include "store/store.h"

namespace herald::cli {

struct MonitorCliEnv {
  std::unique_ptr<store::Store> store;
};
using OpenMonitorEnv = std::function<Result<MonitorCliEnv>(const CommonOptions& options)>;

// Registers `monitor` on `app`. After app.parse(), a set `exit_code` means one of these commands
// ran: return it from main.
void AddMonitorCommands(CLI::App& app, const OpenMonitorEnv& open, const Clock& clock, std::optional<int>& exit_code);

}  // namespace herald::cli
