// The `herald` command line: serve, migrate, token, component, incident, maintenance, draft,
// export, apply, subscriber and monitor. Every command that touches data takes --db (or
// HERALD_DB / the config file); only serve and migrate create a database. Errors print one clear
// line on stderr and exit non-zero.
#pragma once

namespace herald::cli {

int Run(int argc, char** argv);

}  // namespace herald::cli
