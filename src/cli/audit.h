// The command line's part of the audit log: after a command that writes has succeeded, cli::Run
// records it here, once for every command (not in each one): actor "cli:<$USER>", source "cli",
// the action from kAuditedCommands, the target from the command's id argument, and the command
// line as the summary (without --db and --config, whose values may hold passwords).
//
// A new command that writes adds a line to the table in audit.cc; audit_test.cc fails while a
// command is in neither that table nor the list of commands that only read.
//
// Not thread-safe (a command line runs once).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace herald::cli {

struct AuditedCommand {
  std::string_view command;         // "incident update": the subcommand names from the top
  std::string_view action;          // "incident.update"
  std::string_view target;          // the positional argument holding the target's id or name; empty: none
  std::string_view skip_flag = {};  // a flag under which the command writes nothing ("--dry-run")
};

// The audited command `command` is, or nullopt when it only reads.
std::optional<AuditedCommand> FindAuditedCommand(std::string_view command);
// Whether `command` is known to write nothing (serve, migrate, export, lists).
bool IsReadOnlyCommand(std::string_view command);

// The subcommand chain `app` parsed, as "incident update"; empty when none ran.
std::string ParsedCommand(const CLI::App& app);

// Records the command `app` parsed from `argv` when it writes; a failure to record is printed as a
// warning (the write has happened: the exit code stays 0).
void RecordCliWrite(const CLI::App& app, int argc, const char* const* argv, const Clock& clock);

// The name the audit log gives the person at the terminal: $USER, else $LOGNAME, else the name
// of the process's user id, else "uid <n>".
std::string OsUserName();

}  // namespace herald::cli
