// herald component set|list.
#include <iostream>

#include "cli/commands/commands.h"
#include "service/services.h"

namespace herald::cli {
namespace {

struct ComponentOptions {
  CommonOptions common;
  std::string component, status;
};

int RunList(OpenedPage& on, const ComponentOptions&, const Clock&) {
  auto all = on.opened.store->ListComponents(on.page.id);
  if (!all) return Fail(all.error());
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : *all)
    rows.push_back({c.id, c.is_group ? "group" : std::string(model::ToString(c.status)), c.name});
  PrintRows(std::cout, {"ID", "STATUS", "NAME"}, rows);
  return 0;
}

int RunSet(OpenedPage& on, const ComponentOptions& o, const Clock& clock) {
  store::Store& s = *on.opened.store;
  auto c = FindComponent(s, on.page.id, o.component);
  if (!c) return Fail(c.error());
  auto st = model::ParseComponentStatus(o.status);
  if (!st) return Fail(Error::Invalid("status", "unknown status \"" + o.status + "\": use " + kComponentStatuses));
  service::ComponentInput in;
  in.status = *st;
  auto r = service::ComponentService(service::Deps{s, clock, [] {}}).Update(on.page.id, c->id, in);
  if (!r) return Fail(r.error());
  std::cout << r->name << " is now " << model::ToString(r->status) << "\n";
  return 0;
}

}  // namespace

void AddComponentCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<ComponentOptions>();
  auto* component = app.add_subcommand("component", "Components");
  component->require_subcommand(1);
  auto* set = component->add_subcommand("set", "Set a component's status");
  AddCommonOptions(set, o->common);
  set->add_option("component", o->component, "Component id or name")->required();
  set->add_option("status", o->status, kComponentStatuses)->required();
  set->callback(Runner(ctx, o, OpenOnPage, RunSet));
  auto* list = component->add_subcommand("list", "List components");
  AddCommonOptions(list, o->common);
  list->callback(Runner(ctx, o, OpenOnPage, RunList));
}

}  // namespace herald::cli
