// herald apply [--dry-run] FILE: prints the plan of service::ApplyService, or applies it.
#include "service/apply.h"

#include <iostream>

#include "cli/commands/commands.h"

namespace herald::cli {
namespace {

struct ApplyOptions {
  CommonOptions common;
  std::string file;
  bool dry_run = false;
};

int RunApply(Configured& c, const ApplyOptions& o, const Clock& clock) {
  auto state = service::ReadDesiredState(o.file);
  if (!state) return Fail(state.error());
  service::ApplyService apply(*c.store, clock);
  auto plan = apply.Plan(std::move(*state));
  if (!plan) return Fail(plan.error());
  if (o.dry_run) {
    for (const auto& change : plan->changes) std::cout << change.Describe(false) << "\n";
    std::cout << (plan->changes.empty()
                      ? "no changes: " + o.file
                      : "dry run, nothing written: applying " + o.file + " would make the changes above")
              << "\n";
    return 0;
  }
  auto made = apply.Apply(*plan, [](const std::string& line) { std::cout << line << "\n"; });
  if (!made) return Fail(made.error());
  std::cout << (*made ? "applied " : "no changes: ") << o.file << "\n";
  return 0;
}

}  // namespace

void AddApplyCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<ApplyOptions>();
  auto* apply =
      app.add_subcommand("apply", "Apply a declarative TOML or YAML file of pages, groups, components and monitors");
  AddCommonOptions(apply, o->common, nullptr);
  apply->add_option("file", o->file, "TOML (.toml) or YAML (.yaml, .yml) file")->required()->check(CLI::ExistingFile);
  apply->add_flag("--dry-run", o->dry_run, "Validate the file and print what would change; write nothing");
  apply->callback(Runner(ctx, o, OpenExisting, RunApply));
}

}  // namespace herald::cli
