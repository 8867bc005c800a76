// StatusStore: the Store role that holds what the status page shows: pages, components and their
// status history, incidents and scheduled maintenance with their timelines, and the outbox of
// events that every change appends. Services, the snapshot publisher and the notification
// composer read and write through it.
//
// Thread safety, blocking and errors: as Store (store.h). Every write is one transaction; the
// writes that take a model::OutboxEvent append it in that same transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/model.h"

namespace herald::store {

struct IncidentFilter {
  std::optional<bool> maintenance;  // true: only scheduled maintenance; false: only incidents
  bool unresolved_only = false;     // only those not resolved/postmortem/completed
  bool include_internal_updates = true;
  int limit = 0;  // 0: no limit; newest (by started_at / scheduled_for) first
  int offset = 0;
};

// One write, applied atomically by SaveIncident. The service computes it; the store applies it.
struct IncidentWrite {
  model::Incident incident;                         // upserted (by id), without updates
  std::vector<model::IncidentUpdate> new_updates;   // appended to the timeline
  std::vector<model::StatusChange> status_changes;  // component statuses set and recorded in history
  model::OutboxEvent event;
};

class StatusStore {
 public:
  virtual ~StatusStore() = default;

  // Pages.
  virtual Result<std::vector<model::Page>> ListPages() = 0;
  virtual Result<model::Page> GetPage(const std::string& id_or_slug) = 0;
  virtual Status SavePage(const model::Page& page, const model::OutboxEvent& event) = 0;  // upsert by id

  // Components and groups. ListComponents returns them ordered by position, then name.
  virtual Result<std::vector<model::Component>> ListComponents(const std::string& page_id) = 0;
  virtual Result<model::Component> GetComponent(const std::string& page_id, const std::string& id) = 0;
  // Upserts the component; when `change` is set, records it in the status history too.
  virtual Status SaveComponent(const model::Component& component, const std::optional<model::StatusChange>& change,
                               const model::OutboxEvent& event) = 0;
  // Deletes the component (a group's members become ungrouped) and its history.
  virtual Status DeleteComponent(const std::string& page_id, const std::string& id,
                                 const model::OutboxEvent& event) = 0;
  // Status changes of the page's components at or after `since`, oldest first, plus for each
  // component the last change before `since` (so the status at `since` is known).
  virtual Result<std::vector<model::StatusChange>> StatusHistory(const std::string& page_id, TimeMs since) = 0;

  // Incidents and scheduled maintenance, each with its components and its updates (newest first).
  virtual Result<std::vector<model::Incident>> ListIncidents(const std::string& page_id,
                                                             const IncidentFilter& filter) = 0;
  virtual Result<model::Incident> GetIncident(const std::string& page_id, const std::string& id) = 0;
  virtual Status SaveIncident(const IncidentWrite& write) = 0;
  virtual Status DeleteIncident(const std::string& page_id, const std::string& id, const model::OutboxEvent& event) = 0;
  // Edits one update's body/display time (Statuspage allows correcting an update's text).
  virtual Status SaveIncidentUpdate(const model::IncidentUpdate& update, const model::OutboxEvent& event) = 0;

  // Outbox: events with id > after_id, oldest first, at most `limit`.
  virtual Result<std::vector<model::OutboxEvent>> ReadOutbox(std::int64_t after_id, int limit) = 0;
  virtual Result<std::int64_t> LastOutboxId() = 0;
  virtual Result<model::OutboxEvent> GetOutboxEvent(std::int64_t id) = 0;
};

}  // namespace herald::store
