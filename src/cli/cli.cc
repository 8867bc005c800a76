#include "cli/cli.h"

#include <iostream>

#include "cli/audit.h"
#include "cli/commands/commands.h"

namespace herald::cli {
namespace {

// Every top-level command, in the order `herald --help` lists them. A new command is a file in
// cli/commands/ and a line here.
constexpr AddCommand kCommands[] = {
    AddServeCommand,    AddMigrateCommand,     AddTokenCommand,   AddComponentCommand,
    AddIncidentCommand, AddMaintenanceCommand, AddDraftCommand,   AddExportCommand,
    AddApplyCommand,    AddSubscriberCommand,  AddMonitorCommand, AddUserCommand,
};

}  // namespace

void AddCommands(CLI::App& app, CommandContext& ctx) {
  app.require_subcommand(1);
  app.set_version_flag("--version", "herald 0.1.0");
  for (AddCommand add : kCommands) add(app, ctx);
}

int Run(int argc, char** argv) {
  CLI::App app{"Herald: status pages, incident communication and monitoring in one server.", "herald"};
  CommandContext ctx{SystemClock::Instance(), std::nullopt};
  AddCommands(app, ctx);

  if (auto wrong = CheckSubcommands(app, argc, argv)) {
    std::cerr << "herald: " << *wrong << "\n";
    return 2;
  }
  try {
    app.parse(argc, argv);  // the chosen command runs from its callback
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  const int code = ctx.exit_code.value_or(0);
  // Every write that succeeded is recorded in the audit log, here and nowhere else (cli/audit.h).
  if (code == 0) RecordCliWrite(app, argc, argv, ctx.clock);
  return code;
}

}  // namespace herald::cli
