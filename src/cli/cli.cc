#include "cli/cli.h"

#include <iostream>

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

int Run(int argc, char** argv) {
  CLI::App app{"Herald: status pages, incident communication and monitoring in one server.", "herald"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "herald 0.1.0");
  CommandContext ctx{SystemClock::Instance(), std::nullopt};
  for (AddCommand add : kCommands) add(app, ctx);

  if (auto wrong = CheckSubcommands(app, argc, argv)) {
    std::cerr << "herald: " << *wrong << "\n";
    return 2;
  }
  try {
    app.parse(argc, argv);  // the chosen command runs from its callback
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return ctx.exit_code.value_or(0);
}

}  // namespace herald::cli
