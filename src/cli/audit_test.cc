// The command line's audit table against the command tree: a command that is neither recorded
// nor known to only read fails here by name, so a new write command cannot skip the audit log.
#include "cli/audit.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>

#include "cli/cli.h"

namespace herald::cli {
namespace {

void Leaves(const CLI::App& cmd, const std::string& path, std::vector<std::string>& out) {
  const auto subs = cmd.get_subcommands([](const CLI::App*) { return true; });
  if (subs.empty()) {
    out.push_back(path);
    return;
  }
  for (const CLI::App* sub : subs) Leaves(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), out);
}

TEST(CliAudit, EveryCommandIsRecordedOrKnownToOnlyRead) {
  CLI::App app;
  CommandContext ctx{SystemClock::Instance(), std::nullopt};
  AddCommands(app, ctx);
  std::vector<std::string> leaves;
  Leaves(app, "", leaves);
  ASSERT_GT(leaves.size(), 20u);
  for (const auto& command : leaves) {
    const bool audited = FindAuditedCommand(command).has_value();
    EXPECT_NE(audited, IsReadOnlyCommand(command))
        << "herald " << command
        << (audited ? " is in both lists of cli/audit.cc"
                    : " is in neither list of cli/audit.cc: add it to kAuditedCommands if it writes");
  }
}

TEST(CliAudit, ParsedCommandNamesTheSubcommandChain) {
  CLI::App app;
  CommandContext ctx{SystemClock::Instance(), std::nullopt};
  AddCommands(app, ctx);
  // Parsing runs the command: one that fails at once (no such database) leaves the chain set.
  const char* argv[] = {"herald", "incident", "resolve", "abc", "--db", "sqlite:/nonexistent/dir/x.db"};
  app.parse(6, argv);
  EXPECT_EQ(ParsedCommand(app), "incident resolve");
  EXPECT_NE(ctx.exit_code.value_or(0), 0);
}

TEST(CliAudit, OsUserNameComesFromTheEnvironmentFirst) {
  const char* saved = std::getenv("USER");
  const std::string user = saved ? saved : "";
  setenv("USER", "alice", 1);
  EXPECT_EQ(OsUserName(), "alice");
  unsetenv("USER");
  EXPECT_FALSE(OsUserName().empty());
  if (saved) setenv("USER", user.c_str(), 1);
}

}  // namespace
}  // namespace herald::cli
