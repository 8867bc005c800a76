// Automation: what a component's confirmed failure means for its customers, by the component's
// AutomationRule (no rule, or mode off: the component status follows its monitors and nothing
// else happens).
//
//   failure (status leaves operational)
//     publish: open an incident (plain language from the rule's Mustache templates or the
//              defaults, impact from the status, status investigating, the component at its
//              status, notifications as rule.notify says);
//     draft:   save an IncidentDraft that a human may publish, edit or discard, and publish it
//              ourselves (the injected publish function) at publish_at;
//   recovery (status back to operational)
//     a waiting draft is discarded (customers are not told about a blip); an open incident gets
//     a "monitoring" update, and after resolve_after_ms of continued health it is resolved;
//   flapping: a failure while our incident is open (also in its quiet period), or within
//     flap_window_ms after we resolved it, joins that incident (an update back to investigating)
//     instead of opening another.
//   joining: when the rule would publish (mode publish, or a draft falling due) while an
//     unresolved incident someone else opened already lists the component, the rule posts its
//     text into that incident as an update (the component at the failing status, the incident's
//     status unchanged, notifications as rule.notify says) instead of a second incident, and
//     from then on treats it as its own (monitoring on recovery, resolved after the quiet
//     period). A draft that joins is marked published with that incident's id.
//
// State lives in the rule (open_incident_id, open_draft_id, recovered_at) and is saved with
// SaveAutomationRule after every step, so a restarted engine continues where the last one
// stopped. A resolved incident stays in open_incident_id until its flap window has passed (that
// is how a later failure finds it); whether it is resolved is read from the incident itself.
//
// Thread safety: not synchronised; the engine calls it from its own thread. Blocks on the store.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "model/model.h"
#include "model/monitor.h"
#include "service/services.h"
#include "store/store.h"

namespace herald::monitor {

using PublishDraftFn = std::function<Result<model::Incident>(const model::IncidentDraft&)>;

// What the engine knows about the failure, for the templates ({{component}}, {{monitor}},
// {{status}}, {{error}}, {{since}}).
struct FailureFacts {
  std::string component_name;
  std::string monitor_id;
  std::string monitor_name;
  std::string error;
  TimeMs since = 0;  // when the status changed
  // A hidden component is never public: its failures open no incident and no draft (staff
  // alerts still tell staff); its recovery still closes what was opened before it was hidden.
  bool component_hidden = false;
};

// Plain-language texts; exposed for tests and the API's previews.
std::string DefaultIncidentName(model::ComponentStatus status);
std::string DefaultIncidentBody(model::ComponentStatus status);
// "14:02 UTC"
std::string ClockTimeUtc(TimeMs t);
// "15:02 CET": the time of day in the page's zone, as the page shows times (UTC when the zone is
// empty or unknown), for "since ..." in automatic incidents.
std::string ClockTimeIn(TimeMs t, const std::string& zone);

class Automation {
 public:
  Automation(const service::Deps& deps, PublishDraftFn publish_draft);

  // Reads every page's rules (and what their open drafts and incidents are doing). Called at
  // start and on each engine reload; keeps nothing the store does not also have.
  Status Load();

  // The component's computed status changed (or, at start, is `status`): act on it. The engine
  // does not call this while a maintenance window covers the component.
  void OnComponentStatus(const std::string& page_id, const std::string& component_id, model::ComponentStatus status,
                         const FailureFacts& facts);

  // Timers: publishes drafts that are due, resolves incidents after their quiet period, closes
  // flap windows. Cheap when nothing is due (no store access).
  void Tick();

  // Actions taken, for tests and metrics.
  struct Stats {
    int incidents_opened = 0, drafts_created = 0, drafts_published = 0, drafts_discarded = 0;
    int monitoring_updates = 0, resolved = 0, rejoined = 0, joined = 0, errors = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  std::string PageZone(const std::string& page_id) const;
  struct Entry {
    model::AutomationRule rule;
    TimeMs draft_publish_at = 0;  // of open_draft_id
    bool resolved = false;        // open_incident_id is closed; kept until the flap window ends
    TimeMs resolved_at = 0;
    std::map<std::string, std::string> vars;  // template variables of the failure
    model::ComponentStatus status = model::ComponentStatus::kOperational;
  };
  static std::string Key(const std::string& page_id, const std::string& component_id) {
    return page_id + "/" + component_id;
  }
  // Re-reads one rule (staff may have edited it) into entries_, keeping the in-memory extras.
  Entry* Refresh(const std::string& page_id, const std::string& component_id);
  void LoadExtras(Entry& e);
  bool Save(Entry& e);
  void Failure(Entry& e, model::ComponentStatus status);
  // The newest unresolved incident (not maintenance) that lists the component, if any.
  Result<std::optional<model::Incident>> OpenIncidentOn(const std::string& page_id, const std::string& component_id);
  // Posts `body` into `inc` with the component at `status` and adopts it as the rule's incident.
  bool Join(Entry& e, const model::Incident& inc, model::ComponentStatus status, const std::string& body);
  void Recovery(Entry& e);
  // Follows a draft a human may have published or discarded. Returns false if it still waits.
  bool SettleDraft(Entry& e);
  void PublishDue(Entry& e);
  void ResolveDue(Entry& e);
  std::string Render(const std::string& tmpl, const std::string& fallback, const Entry& e) const;

  service::Deps deps_;
  service::IncidentService incidents_;
  PublishDraftFn publish_draft_;
  std::map<std::string, Entry> entries_;  // by Key(page, component)
  Stats stats_;
};

}  // namespace herald::monitor
