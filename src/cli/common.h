// What every `herald` subcommand shares: how errors are printed (in the words of the flags the
// user typed), which page a command means, when a database may be created, how times are read,
// what a mistyped command probably meant, and how lists are printed.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "model/model.h"
#include "store/store.h"

namespace herald::cli {

// API field name -> the flag that sets it, e.g. {"scheduled_until", "--end"}.
using FlagNames = std::map<std::string, std::string>;

// Prints "herald: FIELD: MESSAGE" on stderr, with API field names replaced by `flags`; returns
// the exit code (2 for bad input, 1 otherwise).
int Fail(const Error& e, const FlagNames& flags = {});

// The page named by id or slug, or the default page (else the first) when `page` is empty.
Result<model::Page> ResolvePage(store::Store& store, const std::string& page);

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
