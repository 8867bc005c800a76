// The `herald` command line: serve, migrate, token, page, component, incident, maintenance,
// export and apply. Every command that touches data takes --db (or HERALD_DB / the config
// file). Errors print one clear line on stderr and exit non-zero.
#pragma once

namespace herald::cli {

int Run(int argc, char** argv);

}  // namespace herald::cli
