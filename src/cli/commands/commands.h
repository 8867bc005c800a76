// The top-level `herald` commands, one file (or one file per group) under cli/commands/. Each
// registers its CLI11 subcommand on `app` with a callback that runs the command during parse and
// leaves its exit code in `ctx`. cli.cc lists them once, in the order `herald --help` shows.
// Not thread-safe (a command line runs once).
#pragma once

#include <CLI/CLI.hpp>

#include "cli/common.h"

namespace herald::cli {

using AddCommand = void (*)(CLI::App& app, CommandContext& ctx);

void AddServeCommand(CLI::App& app, CommandContext& ctx);        // serve.cc
void AddMigrateCommand(CLI::App& app, CommandContext& ctx);      // migrate.cc
void AddTokenCommand(CLI::App& app, CommandContext& ctx);        // token.cc
void AddComponentCommand(CLI::App& app, CommandContext& ctx);    // component.cc
void AddIncidentCommand(CLI::App& app, CommandContext& ctx);     // incident.cc
void AddMaintenanceCommand(CLI::App& app, CommandContext& ctx);  // incident.cc
void AddDraftCommand(CLI::App& app, CommandContext& ctx);        // draft.cc
void AddExportCommand(CLI::App& app, CommandContext& ctx);       // export.cc
void AddApplyCommand(CLI::App& app, CommandContext& ctx);        // apply.cc
void AddSubscriberCommand(CLI::App& app, CommandContext& ctx);   // subscriber.cc
void AddMonitorCommand(CLI::App& app, CommandContext& ctx);      // monitor.cc
void AddUserCommand(CLI::App& app, CommandContext& ctx);         // user.cc

}  // namespace herald::cli
