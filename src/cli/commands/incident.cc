// herald incident open|update|resolve|list and herald maintenance schedule: both write incidents
// through IncidentService from the same flags.
#include "cli/commands/incident.h"

#include <boost/json.hpp>
#include <iostream>

#include "statuspage/json.h"
#include "cli/commands/commands.h"
#include "core/text.h"
#include "service/services.h"

namespace herald::cli {

std::string IncidentUrl(const model::Incident& inc, store::Store& store, const config::Config& cfg) {
  std::string base = cfg.public_url.empty() ? "http://" + cfg.listen : cfg.public_url;
  while (base.ends_with('/')) base.pop_back();
  auto page = store.GetPage(inc.page_id);
  const std::string prefix = page && !page->is_default ? "/pages/" + page->slug : "";
  return base + prefix + "/incidents/" + inc.id;
}

int PrintIncident(const model::Incident& inc, store::Store& store, const config::Config& cfg, bool as_json) {
  if (as_json) {
    auto comps = store.ListComponents(inc.page_id);
    std::cout << boost::json::serialize(statuspage::IncidentJson(inc, comps ? *comps : std::vector<model::Component>{}, "",
                                                          statuspage::Audience::kStaff))
              << "\n";
    return 0;
  }
  std::cout << inc.id << "\t" << model::ToString(inc.status) << "\t" << IncidentUrl(inc, store, cfg) << "\n";
  return 0;
}

namespace {

// The flags of `incident` and `maintenance` that set the service's fields, for its messages.
const FlagNames kIncidentFlags = {{"scheduled_for", "--start"},
                                  {"scheduled_until", "--end"},
                                  {"next_update_at", "--next-update"},
                                  {"components", "--component"},
                                  {"component_ids", "--component"},
                                  {"name", "--name"},
                                  {"body", "--body"},
                                  {"status", "--status"},
                                  {"impact", "--impact"},
                                  {"type", "--type"}};

enum class Action { kOpen, kUpdate, kResolve, kSchedule };

struct IncidentOptions {
  CommonOptions common;
  std::string name, status, body, impact, type, next, id, start, end;
  std::vector<std::string> components;
  bool internal = false, quiet = false, as_json = false, manual = false;
};

// Parses "ID_OR_NAME=STATUS".
Result<std::pair<std::string, model::ComponentStatus>> ParseComponentArg(const std::string& arg) {
  size_t eq = arg.rfind('=');
  std::string name = eq == std::string::npos ? arg : arg.substr(0, eq);
  std::string status = eq == std::string::npos ? "major_outage" : arg.substr(eq + 1);
  auto st = model::ParseComponentStatus(status);
  if (!st)
    return Error::Invalid("component",
                          "status must be " + std::string(kComponentStatuses) + ", not \"" + status + "\"");
  return std::pair{name, *st};
}

int RunList(OpenedPage& on, const IncidentOptions&, const Clock&) {
  store::Store& s = *on.opened.store;
  store::IncidentFilter f;
  f.unresolved_only = true;
  auto list = s.ListIncidents(on.page.id, f);
  if (!list) return Fail(list.error());
  std::vector<std::vector<std::string>> rows;
  for (const auto& i : *list)
    rows.push_back({i.id, std::string(model::ToString(i.status)), i.name, IncidentUrl(i, s, on.opened.config)});
  PrintRows(std::cout, {"ID", "STATUS", "NAME", "URL"}, rows);
  return 0;
}

int RunWrite(OpenedPage& on, const IncidentOptions& o, const Clock& clock, Action action) {
  store::Store& s = *on.opened.store;
  const std::string& pid = on.page.id;
  service::IncidentService incidents(service::Deps{s, clock, [] {}});
  service::IncidentInput in;
  if (!o.name.empty()) in.name = o.name;
  if (!o.body.empty()) in.body = o.body;
  in.internal = o.internal;
  if (o.quiet) in.deliver_notifications = false;
  if (!o.status.empty()) {
    in.status = model::ParseIncidentStatus(o.status);
    if (!in.status)
      return Fail(Error::Invalid(
          "status", "unknown status \"" + o.status + "\": use investigating, identified, monitoring or resolved"));
  }
  if (!o.impact.empty()) {
    in.impact = model::ParseImpact(o.impact);
    if (!in.impact)
      return Fail(Error::Invalid("impact", "unknown impact \"" + o.impact + "\": use none, minor, major or critical"));
  }
  if (!o.type.empty()) {
    in.type = model::ParseNoticeType(o.type);
    if (!in.type)
      return Fail(
          Error::Invalid("type", "unknown type \"" + o.type + "\": use outage, security, policy or product_update"));
  }
  if (!o.next.empty()) {
    in.next_update_at = ParseWhen(o.next, clock.Now());
    if (!in.next_update_at)
      return Fail(Error::Invalid("--next-update",
                                 "--next-update must be a time from now such as 30m or 2h, or an "
                                 "ISO 8601 time such as 2026-12-01T15:00:00Z, not \"" +
                                     o.next + "\""));
  }
  const bool is_maintenance = action == Action::kSchedule;
  for (const auto& arg : o.components) {
    auto parsed = is_maintenance ? Result<std::pair<std::string, model::ComponentStatus>>(
                                       std::pair{arg, model::ComponentStatus::kUnderMaintenance})
                                 : ParseComponentArg(arg);
    if (!parsed) return Fail(parsed.error(), kIncidentFlags);
    auto c = FindComponent(s, pid, parsed->first);
    if (!c) return Fail(c.error(), kIncidentFlags);
    if (is_maintenance) {
      if (!in.component_ids) in.component_ids.emplace();
      in.component_ids->push_back(c->id);
    } else {
      in.components[c->id] = parsed->second;
    }
  }
  Result<model::Incident> result = Error::Internal("no command");
  switch (action) {
    case Action::kOpen:
      // Everything given here is public at once: an incident without words tells customers nothing.
      if (!in.body || Trim(*in.body).empty())
        return Fail(Error::Invalid("body",
                                   "an incident is published at once: say what customers notice with --body "
                                   "(Markdown), e.g. --body \"Some requests fail; we are on it.\""));
      result = incidents.Create(pid, in);
      break;
    case Action::kUpdate:
      if (!in.status && !in.body) return Fail(Error::Invalid("body", "an update needs --body or --status"));
      result = incidents.Update(pid, o.id, in);
      break;
    case Action::kResolve:
      in.status = model::IncidentStatus::kResolved;
      if (!in.body) in.body = "This incident has been resolved. Everything is working normally again.";
      result = incidents.Update(pid, o.id, in);
      break;
    case Action::kSchedule:
      in.scheduled_for = ParseWhen(o.start, clock.Now());
      in.scheduled_until = ParseWhen(o.end, clock.Now());
      if (!in.scheduled_for)
        return Fail(Error::Invalid("--start",
                                   "must be a time from now such as 2h or 1d, or an ISO 8601 time like "
                                   "2026-12-01T02:00:00Z"));
      if (!in.scheduled_until)
        return Fail(Error::Invalid("--end",
                                   "must be a time from now such as 4h, or an ISO 8601 time like "
                                   "2026-12-01T04:00:00Z"));
      in.scheduled_auto_transition = !o.manual;
      result = incidents.Create(pid, in);
      break;
  }
  if (!result) return Fail(result.error(), kIncidentFlags);
  return PrintIncident(*result, s, on.opened.config, o.as_json);
}

template <Action kAction>
int Run(OpenedPage& on, const IncidentOptions& o, const Clock& clock) {
  return RunWrite(on, o, clock, kAction);
}

}  // namespace

void AddIncidentCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<IncidentOptions>();
  auto* incident = app.add_subcommand("incident", "Incidents");
  incident->require_subcommand(1);
  auto add_update_opts = [o](CLI::App* c) {
    c->add_option("--status", o->status, "investigating, identified, monitoring, resolved");
    c->add_option("--body", o->body, "What happened, in plain language (Markdown)");
    c->add_option("--component", o->components, "Affected component as NAME_OR_ID[=STATUS]; repeatable");
    c->add_option("--next-update", o->next, "When the next update is promised: 30m, 2h or an ISO 8601 time");
    c->add_flag("--internal", o->internal, "A staff-only note: never shown publicly");
    c->add_flag("--quiet", o->quiet, "Do not notify subscribers of this update");
    c->add_flag("--json", o->as_json, "Print the whole incident as JSON instead of its id, status and URL");
  };
  auto* open = incident->add_subcommand("open", "Open an incident (published at once); prints its id, status and URL");
  AddCommonOptions(open, o->common);
  open->add_option("--name", o->name, "Title")->required();
  open->add_option("--impact", o->impact, "none, minor, major, critical (default: from components)");
  open->add_option("--type", o->type, "outage, security, policy, product_update");
  add_update_opts(open);
  open->callback(Runner(ctx, o, OpenOnPage, Run<Action::kOpen>));
  auto* update = incident->add_subcommand("update", "Post an update to an incident");
  AddCommonOptions(update, o->common);
  update->add_option("id", o->id, "Incident id")->required();
  add_update_opts(update);
  update->callback(Runner(ctx, o, OpenOnPage, Run<Action::kUpdate>));
  auto* resolve = incident->add_subcommand("resolve", "Resolve an incident and restore its components");
  AddCommonOptions(resolve, o->common);
  resolve->add_option("id", o->id, "Incident id")->required();
  resolve->add_option("--body", o->body, "Closing words (default: a plain-language resolution note)");
  resolve->add_flag("--json", o->as_json, "Print the whole incident as JSON");
  resolve->callback(Runner(ctx, o, OpenOnPage, Run<Action::kResolve>));
  auto* list = incident->add_subcommand("list", "List unresolved incidents");
  AddCommonOptions(list, o->common);
  list->callback(Runner(ctx, o, OpenOnPage, RunList));
}

void AddMaintenanceCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<IncidentOptions>();
  auto* maintenance = app.add_subcommand("maintenance", "Scheduled maintenance");
  maintenance->require_subcommand(1);
  auto* schedule = maintenance->add_subcommand("schedule", "Schedule maintenance");
  AddCommonOptions(schedule, o->common);
  schedule->add_option("--name", o->name, "Title")->required();
  schedule->add_option("--start", o->start, "Window start: ISO 8601 or from now, e.g. 2h or 1d")->required();
  schedule->add_option("--end", o->end, "Window end: ISO 8601 or from now, e.g. 4h")->required();
  schedule->add_option("--body", o->body, "What will happen and what customers will notice");
  schedule->add_option("--component", o->components, "Component name or id; repeatable");
  schedule->add_flag("--manual", o->manual, "Do not start and complete it automatically");
  schedule->add_flag("--json", o->as_json, "Print the whole maintenance as JSON");
  schedule->callback(Runner(ctx, o, OpenOnPage, Run<Action::kSchedule>));
}

}  // namespace herald::cli
