// herald migrate: creates the database or upgrades its schema.
#include <iostream>

#include "cli/commands/commands.h"

namespace herald::cli {

void AddMigrateCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<CommonOptions>();
  auto* migrate = app.add_subcommand("migrate", "Create or upgrade the database schema");
  AddCommonOptions(migrate, *o, nullptr);
  migrate->callback([o, &ctx] {
    auto opened = OpenConfigured(*o, /*create=*/true);
    if (!opened) {
      ctx.exit_code = Fail(opened.error());
      return;
    }
    std::cout << "database schema is up to date (" << opened->store->BackendName() << ")\n";
    ctx.exit_code = 0;
  });
}

}  // namespace herald::cli
