#include "cli/audit.h"

#include <pwd.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <iostream>

#include "cli/common.h"
#include "model/audit.h"
#include "service/audit_log.h"

namespace herald::cli {
namespace {

// Every command that writes, and what the audit log calls it.
constexpr std::array<AuditedCommand, 18> kAuditedCommands{{
    {"component set", "component.update", "component"},
    {"incident open", "incident.create", ""},
    {"incident update", "incident.update", "id"},
    {"incident resolve", "incident.resolve", "id"},
    {"maintenance schedule", "incident.create", ""},
    {"draft publish", "incident_draft.publish", "id"},
    {"draft discard", "incident_draft.discard", "id"},
    {"apply", "config.apply", "", "--dry-run"},
    {"subscriber import", "subscriber.import", ""},
    {"subscriber add", "subscriber.create", ""},
    {"monitor add", "monitor.create", ""},
    {"monitor remove", "monitor.delete", "id"},
    {"token create", "api_key.create", ""},
    {"token revoke", "api_key.delete", "id"},
    {"user create", "staff_user.create", "--email"},
    {"user disable", "staff_user.disable", "--email"},
    {"user enable", "staff_user.enable", "--email"},
    {"user reset", "staff_user.reset", "--email"},
}};

// Commands that write no data of the log's concern: serving, the schema, reading.
constexpr std::array<std::string_view, 11> kReadOnlyCommands{{
    "serve",
    "migrate",
    "export",
    "component list",
    "incident list",
    "draft list",
    "subscriber export",
    "subscriber list",
    "monitor list",
    "token list",
    "user list",
}};

// An option's value as given, or empty.
std::string OptionValue(const CLI::App& cmd, std::string_view name) {
  const CLI::Option* opt = cmd.get_option_no_throw(std::string(name));
  if (!opt || opt->count() == 0) return "";
  return opt->as<std::string>();
}

// The command line, for people: --db and --config left out (a database URL may carry a password).
std::string Summary(int argc, const char* const* argv) {
  std::string out = "herald";
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--db" || arg == "--config") {
      ++i;  // and its value
      continue;
    }
    if (arg.starts_with("--db=") || arg.starts_with("--config=")) continue;
    const bool quote = arg.empty() || arg.find_first_of(" \t\"'") != std::string_view::npos;
    out += " ";
    out += quote ? "\"" + std::string(arg) + "\"" : std::string(arg);
  }
  return out;
}

}  // namespace

std::optional<AuditedCommand> FindAuditedCommand(std::string_view command) {
  for (const auto& c : kAuditedCommands)
    if (c.command == command) return c;
  return std::nullopt;
}

bool IsReadOnlyCommand(std::string_view command) {
  for (const auto c : kReadOnlyCommands)
    if (c == command) return true;
  return false;
}

std::string ParsedCommand(const CLI::App& app) {
  std::string out;
  for (const CLI::App* cmd = &app;;) {
    const auto subs = cmd->get_subcommands();
    if (subs.empty()) return out;
    cmd = subs.front();
    out += (out.empty() ? "" : " ") + cmd->get_name();
  }
}

std::string OsUserName() {
  for (const char* var : {"USER", "LOGNAME"})
    if (const char* v = std::getenv(var); v && *v) return v;
  if (const passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_name) return pw->pw_name;
  return "uid " + std::to_string(::getuid());
}

void RecordCliWrite(const CLI::App& app, int argc, const char* const* argv, const Clock& clock) {
  const std::string command = ParsedCommand(app);
  const auto audited = FindAuditedCommand(command);
  if (!audited) return;
  const CLI::App* leaf = &app;
  while (!leaf->get_subcommands().empty()) leaf = leaf->get_subcommands().front();
  if (!audited->skip_flag.empty())
    if (const auto* flag = leaf->get_option_no_throw(std::string(audited->skip_flag)); flag && flag->count() > 0)
      return;
  CommonOptions common;
  common.db = OptionValue(*leaf, "--db");
  common.config_file = OptionValue(*leaf, "--config");
  common.page = OptionValue(*leaf, "--page");
  auto opened = OpenConfigured(common);
  auto warn = [](const Error& e) {
    std::cerr << "herald: warning: done, but its audit log entry could not be stored: " << e.message << "\n";
  };
  if (!opened) return warn(opened.error());
  store::Store& store = *opened->store;
  model::AuditEntry e;
  const auto actor = service::AuditActor::Cli(OsUserName());
  e.actor = actor.actor;
  e.actor_name = actor.name;
  e.action = std::string(audited->action);
  e.target_type = e.action.substr(0, e.action.find('.'));
  e.source = "cli";
  e.summary = Summary(argc, argv);
  // The page the command worked on, when it takes one (--page or the default page).
  if (leaf->get_option_no_throw("--page"))
    if (auto page = ResolvePage(store, common.page); page) e.page_id = page->id;
  if (!audited->target.empty()) {
    e.target_id = OptionValue(*leaf, audited->target);
    // A component may be named by its name; the log keeps its id.
    if (e.target_type == "component" && !e.page_id.empty())
      if (auto c = FindComponent(store, e.page_id, e.target_id); c) e.target_id = c->id;
  }
  // A failure is logged (with the whole entry) by Record; the command's exit code stays 0.
  (void)service::AuditLog(store, clock).Record(std::move(e));
}

}  // namespace herald::cli
