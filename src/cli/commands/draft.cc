// herald draft list|publish|discard: what automation rules in draft mode prepared, for a human to
// publish or discard.
#include <iostream>

#include "cli/commands/commands.h"
#include "cli/commands/incident.h"
#include "core/time.h"
#include "service/monitors.h"

namespace herald::cli {
namespace {

struct DraftOptions {
  CommonOptions common;
  std::string id;
  bool all = false;
};

int RunList(OpenedPage& on, const DraftOptions& o, const Clock&) {
  store::Store& s = *on.opened.store;
  auto drafts = s.ListIncidentDrafts(on.page.id, !o.all);
  if (!drafts) return Fail(drafts.error());
  auto comps = s.ListComponents(on.page.id);
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : *drafts) {
    std::string component = d.component_id;
    if (comps)
      for (const auto& c : *comps)
        if (c.id == d.component_id) component = c.name;
    rows.push_back({d.id, std::string(model::ToString(d.state)),
                    d.state == model::DraftState::kWaiting ? FormatIso8601(d.publish_at)
                                                           : (d.incident_id.empty() ? "-" : d.incident_id),
                    component.empty() ? "-" : component, d.name});
  }
  PrintRows(std::cout, {"ID", "STATE", "PUBLISHES AT / INCIDENT", "COMPONENT", "NAME"}, rows);
  if (drafts->empty()) std::cerr << (o.all ? "no drafts\n" : "no drafts waiting (--all shows the others)\n");
  return 0;
}

int RunPublish(OpenedPage& on, const DraftOptions& o, const Clock& clock) {
  service::MonitorService monitors(service::MonitorDeps{*on.opened.store, clock});
  auto inc = monitors.Publish(on.page.id, o.id);
  if (!inc) return Fail(inc.error());
  return PrintIncident(*inc, *on.opened.store, on.opened.config, false);
}

int RunDiscard(OpenedPage& on, const DraftOptions& o, const Clock& clock) {
  service::MonitorService monitors(service::MonitorDeps{*on.opened.store, clock});
  auto d = monitors.Discard(on.page.id, o.id);
  if (!d) return Fail(d.error());
  std::cout << "discarded " << d->id << " (\"" << d->name << "\"): nothing was published\n";
  return 0;
}

}  // namespace

void AddDraftCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<DraftOptions>();
  auto* draft = app.add_subcommand("draft", "Incident drafts prepared by automation rules in draft mode");
  draft->require_subcommand(1);
  auto* list = draft->add_subcommand("list", "List drafts waiting to be published (and when they publish)");
  AddCommonOptions(list, o->common);
  list->add_flag("--all", o->all, "Also the published and discarded ones");
  list->callback(Runner(ctx, o, OpenOnPage, RunList));
  auto* publish = draft->add_subcommand("publish", "Publish a draft now as an incident");
  AddCommonOptions(publish, o->common);
  publish->add_option("id", o->id, "Draft id")->required();
  publish->callback(Runner(ctx, o, OpenOnPage, RunPublish));
  auto* discard = draft->add_subcommand("discard", "Discard a draft: nothing is published");
  AddCommonOptions(discard, o->common);
  discard->add_option("id", o->id, "Draft id")->required();
  discard->callback(Runner(ctx, o, OpenOnPage, RunDiscard));
}

}  // namespace herald::cli
