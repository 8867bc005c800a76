// `herald apply` as a service: a declarative file of pages, groups, components, monitors,
// automation rules and alert targets (TOML, or the same keys in YAML) is read into a desired
// state, compared with the store into a plan (the changes, validated as far as possible without
// writing), and then the plan is applied. Pages are matched by slug, components, groups, monitors
// and alert targets by name within their page and automation rules by their component's name, so
// applying the same state twice changes nothing. Nothing that is not declared is deleted.
//
//   [[page]]                      slug, name, url, time_zone, logo_url, accent_color, hostname,
//     [[page.component]]          default, private; component: name, group, description, ...
//     [[page.monitor]]            the API's monitor keys, `component` by name, durations as text
//     [[page.automation_rule]]    component, mode, draft_publish_after, ...
//     [[page.alert_target]]       name, channel, address
//
// The CLI prints the plan (`herald apply --dry-run`) or applies it; the API can do the same.
// Errors name the key path (`page[0].monitor[1].target`). Not thread-safe: one ApplyService per
// run.
#pragma once

#include <toml++/toml.h>

#include <functional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace herald::service {

// The declarations as read. The keys and value types of the file, its pages and components are
// checked (an unknown key there stops the run before anything is read from the store); those of
// monitors, rules and alert targets when their page is planned.
struct DesiredState {
  toml::table root;
};

// Reads a .toml, .yaml or .yml file; errors name the file and line.
Result<DesiredState> ReadDesiredState(const std::string& file);
// The same from text in TOML or (`yaml`) YAML; `name` stands for the file in messages.
Result<DesiredState> ParseDesiredState(const std::string& text, bool yaml, const std::string& name);

// One change that applying makes: "created component \"API\" in acme" once made, "would create
// component \"API\" in acme" in a plan.
struct ApplyChange {
  enum class Action { kCreate, kUpdate, kReplace, kSet };
  Action action = Action::kCreate;
  std::string what;  // "page acme", "group \"Core\"", "monitor \"API health\"", ...
  std::string page;  // the slug of the page it is in; empty for a page itself
  std::string Describe(bool made) const;
};

struct ApplyPlan {
  DesiredState state;
  std::vector<ApplyChange> changes;  // in the order Apply makes them; empty: nothing to do
};

// What the file and `herald monitor add` share: a (non-group) component of the page by id or exact
// name, and a duration such as "30s" in milliseconds; errors name `field`.
Result<std::string> FindMonitoredComponent(store::Store& store, const std::string& page_id, const std::string& ref,
                                           const std::string& field);
Result<std::int64_t> ParseDuration(const std::string& text, const std::string& field);

class ApplyService {
 public:
  ApplyService(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // The changes applying `state` would make; writes nothing. Every key and value is checked, and
  // monitors of existing pages are validated as the monitor service would; a monitor of a page
  // that does not exist yet is validated when it is applied.
  Result<ApplyPlan> Plan(DesiredState state);

  // Applies `plan` page by page: the page, its groups and components, then its monitors, rules
  // and alert targets, validated again against what was just written before any of them is
  // written (a new component's id exists only now). `out` gets each change's line as it is made
  // (ApplyChange::Describe) and the secrets that are shown once: a new heartbeat monitor's token, a
  // new webhook alert target's signing secret. Returns the number of changes made. An error
  // stops the run; what was written before it stays.
  Result<size_t> Apply(const ApplyPlan& plan, const std::function<void(const std::string& line)>& out);

 private:
  class Run;
  store::Store& store_;
  const Clock& clock_;
};

}  // namespace herald::service
