// Services: the only writers of domain state. Each public method validates its input completely
// (a bad field is an Error naming the field, and nothing is written), computes the change, and
// hands it to one Store write method, which commits the change and its outbox event in one
// transaction. After a successful write the `on_change` callback asks for a new public snapshot.
//
// Thread safety: methods may be called concurrently from worker threads; they hold no state
// besides their references. They block on the store: never call them on an io_context thread.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "model/model.h"
#include "store/store.h"

namespace herald::service {

struct Deps {
  store::Store& store;
  const Clock& clock;
  std::function<void()> on_change = [] {};
};

// Fields are optional so that one struct serves create (unset = default) and update (unset =
// unchanged), as Statuspage's PATCH semantics require.
struct PageInput {
  std::optional<std::string> name, slug, url, hostname, time_zone, logo_url, accent_color;
  std::optional<bool> is_default, is_private;
};

struct ComponentInput {
  std::optional<std::string> name, description, group_id, start_date;
  std::optional<int> position;
  std::optional<model::ComponentStatus> status;
  std::optional<bool> showcase, only_show_if_degraded, hidden;
  std::optional<std::vector<std::string>> member_ids;  // groups only: the components in the group
};

struct IncidentInput {
  std::optional<std::string> name;
  std::optional<model::IncidentStatus> status;
  std::optional<model::Impact> impact;
  std::optional<model::NoticeType> type;
  std::optional<std::string> body;  // Markdown of the new update
  std::optional<bool> deliver_notifications;
  std::optional<TimeMs> next_update_at;                      // promised time of the next update
  bool internal = false;                                     // the new update is a staff-only note
  std::map<std::string, model::ComponentStatus> components;  // component id -> status to set
  std::optional<std::vector<std::string>> component_ids;     // affected components (default status)
  std::optional<TimeMs> scheduled_for, scheduled_until;
  std::optional<bool> scheduled_auto_transition;
  std::optional<bool> backfilled;
  std::optional<TimeMs> backfill_date;  // when a backfilled incident happened
  std::optional<std::string> postmortem_body;
  // Notification-only versions of the new update's body, keyed by detail level ("brief",
  // "technical") or "segment:<label>"; never shown publicly.
  std::map<std::string, std::string> variants;
};

// Validation limits, shared with the API docs.
inline constexpr size_t kMaxNameLength = 255;
inline constexpr size_t kMaxDescriptionLength = 2000;
inline constexpr size_t kMaxBodyLength = 64 * 1024;

class PageService {
 public:
  explicit PageService(Deps deps) : deps_(std::move(deps)) {}
  Result<model::Page> Create(const PageInput& in);
  Result<model::Page> Update(const std::string& page_id, const PageInput& in);

 private:
  Result<model::Page> Apply(model::Page page, const PageInput& in, const char* kind);
  Deps deps_;
};

class ComponentService {
 public:
  explicit ComponentService(Deps deps) : deps_(std::move(deps)) {}
  Result<model::Component> Create(const std::string& page_id, const ComponentInput& in, bool is_group);
  Result<model::Component> Update(const std::string& page_id, const std::string& id, const ComponentInput& in);
  Status Delete(const std::string& page_id, const std::string& id);

 private:
  Result<model::Component> Save(model::Component c, const ComponentInput& in, bool creating);
  Deps deps_;
};

// What an incident write would change, validated and computed but not written.
struct PlannedIncident {
  store::IncidentWrite write;  // what SaveIncident would commit (the incident without updates)
  model::Incident incident;    // the incident after it, with every update, newest first
};

class IncidentService {
 public:
  explicit IncidentService(Deps deps) : deps_(std::move(deps)) {}
  // Create and Update validate exactly as these do and write nothing: the composer's preview
  // (service/preview.h) shows what Create or Update would announce.
  Result<PlannedIncident> PlanCreate(const std::string& page_id, const IncidentInput& in);
  Result<PlannedIncident> PlanUpdate(const std::string& page_id, const std::string& id, const IncidentInput& in);
  Result<model::Incident> Create(const std::string& page_id, const IncidentInput& in);
  // Changes fields and, when a status or body is given, appends an update to the timeline.
  Result<model::Incident> Update(const std::string& page_id, const std::string& id, const IncidentInput& in);
  Status Delete(const std::string& page_id, const std::string& id);
  // Corrects the text or display time of an existing update.
  Result<model::Incident> EditUpdate(const std::string& page_id, const std::string& incident_id,
                                     const std::string& update_id, const std::optional<std::string>& body,
                                     const std::optional<TimeMs>& display_at);
  // Moves scheduled maintenance with automatic transitions into in_progress at its start and
  // completed at its end, setting and restoring component status. Returns how many changed.
  Result<int> RunMaintenanceTransitions();

 private:
  Result<PlannedIncident> Plan(const std::string& page_id, model::Incident incident, const IncidentInput& in,
                               bool creating);
  Result<model::Incident> Commit(PlannedIncident planned);
  Deps deps_;
};

// API keys: the secret is shown once and stored only as its SHA-256 (it is 256 random bits, so
// a fast hash is enough; argon2 is for low-entropy passwords).
struct CreatedKey {
  model::ApiKey key;
  std::string secret;
};
Result<CreatedKey> CreateApiKey(store::ApiStore& store, const Clock& clock, const std::string& name, model::Role role);
Result<model::ApiKey> Authenticate(store::ApiStore& store, const std::string& secret);

// Plain-text fields must be valid UTF-8, within `max` bytes, and carry no HTML markup (it would
// be escaped on output anyway; refusing it tells the author early). Returns the trimmed value.
Result<std::string> CheckText(const std::string& field, const std::string& value, size_t max, bool required);
// CheckText for a one-line field (an incident's name): a line break is refused like any other
// control character ('\r' already is), since the name becomes an email subject and a header line.
Result<std::string> CheckOneLine(const std::string& field, const std::string& value, size_t max, bool required);

}  // namespace herald::service
