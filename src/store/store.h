// Store: the only way Herald reads and writes durable state. Two backends implement it, SQLite
// (embedded default) and PostgreSQL (scale-out); store_contract_test.cc runs the same suite on
// both. Every write method is one transaction: the domain change and its outbox event commit
// together or not at all, so nothing accepted is lost and nothing half-done is visible.
//
// Thread safety: all methods may be called from any thread concurrently; implementations
// serialise or pool connections internally. Methods block (disk, network): call them from a
// worker thread, never from an io_context thread.
//
// Errors: kNotFound when an addressed row is missing, kConflict on a duplicate unique value,
// kUnavailable when the database cannot be reached (callers answer 503 and retry later; the
// store reconnects by itself), kInternal otherwise.
#pragma once

#include <memory>
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

class Store {
 public:
  virtual ~Store() = default;

  // Creates or upgrades the schema to the newest version. Idempotent.
  virtual Status Migrate() = 0;
  // Cheap round trip to the database; kUnavailable when it is unreachable.
  virtual Status Ping() = 0;
  virtual std::string BackendName() const = 0;  // "sqlite" or "postgresql"

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

  // API keys, found by the SHA-256 of the presented secret.
  virtual Status SaveApiKey(const model::ApiKey& key) = 0;
  virtual Result<model::ApiKey> FindApiKeyByHash(const std::string& key_hash) = 0;
  virtual Result<std::vector<model::ApiKey>> ListApiKeys() = 0;
  virtual Status DeleteApiKey(const std::string& id) = 0;

  // Idempotency-Key records. PutIdempotency fails with kConflict when the key exists.
  virtual Result<std::optional<model::IdempotencyRecord>> GetIdempotency(const std::string& key) = 0;
  virtual Status PutIdempotency(const model::IdempotencyRecord& record) = 0;
  virtual Status PurgeIdempotency(TimeMs older_than) = 0;
};

// Opens a store from a URL: "sqlite:PATH" (created if missing; "sqlite::memory:" for tests) or
// "postgresql://..." / "postgres://...". Does not migrate.
Result<std::unique_ptr<Store>> OpenStore(const std::string& url);

}  // namespace herald::store
