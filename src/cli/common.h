// What every `herald` subcommand shares: the common options (--db, --config, --page) and how
// they open the configuration and the database, how errors are printed (in the words of the flags
// the user typed), which page a command means, when a database may be created, how times are
// read, what a mistyped command probably meant, and how lists are printed.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "core/result.h"
#include "core/time.h"
#include "model/model.h"
#include "store/store.h"

namespace herald::cli {

// What a command's callback gets: the clock, and where the command that ran leaves its exit code
// (cli::Run returns it after parsing).
struct CommandContext {
  const Clock& clock;
  std::optional<int> exit_code;
};

// --db, --config and --page: the options of every command that touches data, defined here once.
struct CommonOptions {
  std::string db;
  std::string config_file;
  std::string page;  // id or slug; empty: the default page
};
inline constexpr const char* kPageHelp = "Page id or slug (default: the default page)";

// Adds --db and --config to `cmd`, and --page described as `page_help` unless that is null.
void AddCommonOptions(CLI::App* cmd, CommonOptions& options, const char* page_help = kPageHelp);

// The configuration: the --config file, then the environment, then --db.
Result<config::Config> ResolveConfig(const CommonOptions& options);

// The store at `url`, its schema created or upgraded.
Result<std::unique_ptr<store::Store>> OpenMigrated(const std::string& url);

// The configuration (JSON logs set from it) and its migrated store. Only with `create` (serve,
// migrate) may a new SQLite file be made: see RequireExistingDatabase.
struct Configured {
  config::Config config;
  std::unique_ptr<store::Store> store;
};
Result<Configured> OpenConfigured(const CommonOptions& options, bool create = false);

// API field name -> the flag that sets it, e.g. {"scheduled_until", "--end"}.
using FlagNames = std::map<std::string, std::string>;

// Prints "herald: FIELD: MESSAGE" on stderr, with API field names replaced by `flags`; returns
// the exit code (2 for bad input, 1 otherwise).
int Fail(const Error& e, const FlagNames& flags = {});

// The page named by id or slug, or the default page (else the first) when `page` is empty.
Result<model::Page> ResolvePage(store::Store& store, const std::string& page);

// The five component statuses, for messages.
inline constexpr const char* kComponentStatuses =
    "operational, degraded_performance, partial_outage, major_outage or under_maintenance";

// OpenConfigured, then the page --page names (ResolvePage).
struct OpenedPage {
  Configured opened;
  model::Page page;
};
Result<OpenedPage> OpenOnPage(const CommonOptions& options);

// The callback of a command: opens what `open` gives for the options' `common` (Configured,
// OpenedPage), runs `run` with it and leaves the exit code in `ctx`; a failure to open is printed
// and exits non-zero.
template <typename Options, typename Open, typename Run>
std::function<void()> Runner(CommandContext& ctx, std::shared_ptr<Options> options, Open open, Run run) {
  return [&ctx, options, open, run] {
    auto opened = open(options->common);
    ctx.exit_code = opened ? run(*opened, *options, ctx.clock) : Fail(opened.error());
  };
}
inline Result<Configured> OpenExisting(const CommonOptions& options) { return OpenConfigured(options); }

// A component or group of the page, by id or exact name.
Result<model::Component> FindComponent(store::Store& store, const std::string& page_id, const std::string& ref);

// Commands other than `serve` and `migrate` work on an existing database: a missing SQLite file
// is an error naming --db and HERALD_DB (a mistyped or forgotten --db would otherwise create an
// empty ./herald.db and report "there is no page yet").
Status RequireExistingDatabase(const std::string& url);

// A time given as ISO 8601 ("2026-12-01T15:00:00Z") or as a duration from now ("30m", "2h",
// "1d", optionally "+30m" or "in 30m").
std::optional<TimeMs> ParseWhen(const std::string& text, TimeMs now);

// Before CLI11 parses: the first word that names no subcommand where one is required, as an
// error message with the closest commands ("did you mean ...?").
std::optional<std::string> CheckSubcommands(const CLI::App& app, int argc, const char* const* argv);

// Rows under a header row, columns separated by tabs (one line per row, for people and `cut`).
void PrintRows(std::ostream& out, const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows);

}  // namespace herald::cli
