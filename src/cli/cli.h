// The `herald` command line: serve, migrate, token, component, incident, maintenance, draft,
// export, apply, subscriber and monitor. Every command that touches data takes --db (or
// HERALD_DB / the config file); only serve and migrate create a database. Errors print one clear
// line on stderr and exit non-zero.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/common.h"

namespace herald::cli {

int Run(int argc, char** argv);
// Every `herald` command on `app` (what Run parses with), for tests that walk the command tree.
void AddCommands(CLI::App& app, CommandContext& ctx);

}  // namespace herald::cli
