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
#include "model/monitor.h"
#include "model/subscriber.h"

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

struct SubscriberFilter {
  std::optional<model::SubscriberState> state;
  std::optional<model::ChannelKind> channel;
  std::string segment;   // empty: any
  std::string after_id;  // keyset pagination: ids greater than this, in id order
  int limit = 100;
};

// Counts of deliveries by channel and state, for one incident or one event.
struct DeliveryCount {
  model::ChannelKind channel = model::ChannelKind::kEmail;
  model::DeliveryState state = model::DeliveryState::kPending;
  std::int64_t count = 0;
};

// The outcome of one attempt, applied by FinishAttempts.
struct AttemptRecord {
  std::string delivery_id;
  model::DeliveryState state = model::DeliveryState::kDelivered;  // delivered, retrying or failed
  TimeMs next_attempt_at = 0;                                     // retrying only
  int status = 0;
  std::string error;
  TimeMs at = 0;
  // Subscriber health: a success clears failing_since; a failure sets it when unset; `quarantine`
  // moves the subscriber to kQuarantined (410, hard bounce, failing for days).
  std::string subscriber_id;
  bool quarantine = false;
  bool subscriber_was_failing = true;  // false lets a success skip the health write
};

// What one attempt's outcome means for its subscriber's health: a success clears failing_since;
// a failure sets it when unset (and records the error); a quarantine also moves the subscriber to
// kQuarantined (410, hard bounce, failing for days).
struct SubscriberHealth {
  enum class Change { kRecovered, kFailing, kQuarantined };
  std::string subscriber_id;
  Change change = Change::kFailing;
  std::string error;
  TimeMs at = 0;
};

// The health change an attempt implies; nullopt when there is none (a success of a subscriber
// that was not failing).
inline std::optional<SubscriberHealth> HealthAfter(const AttemptRecord& a) {
  using C = SubscriberHealth::Change;
  if (a.subscriber_id.empty()) return std::nullopt;
  if (a.state == model::DeliveryState::kDelivered) {
    if (!a.subscriber_was_failing) return std::nullopt;
    return SubscriberHealth{a.subscriber_id, C::kRecovered, "", a.at};
  }
  return SubscriberHealth{a.subscriber_id, a.quarantine ? C::kQuarantined : C::kFailing, a.error, a.at};
}

// One batch of a fan-out, recorded once its messages have been answered: the deliveries it
// created, each carrying the outcome of its first attempt when known (state delivered, retrying
// or failed, attempts 1) or still pending and leased when not; the subscriber health those
// outcomes imply; and the job's cursor, moved from the batch's start (`from_*`) to `job`'s.
struct DispatchBatch {
  model::DispatchJob job;  // the job after this batch: cursor, done, lease_until, updated_at
  bool from_has_cursor = false;
  int from_priority = 0;
  std::string from_id;
  std::vector<model::Delivery> deliveries;  // added to the job's `matched`
  std::vector<SubscriberHealth> health;
};

// One round of monitoring results, applied atomically by RecordMonitorResults: the raw samples,
// their minute and day rollups (added to existing buckets), the monitors whose confirmed state
// or bookkeeping changed, and the staff alerts those changes raise. If it fails nothing is
// written and the engine keeps each monitor's last confirmed state.
struct MonitorResultsWrite {
  std::vector<model::MonitorSample> samples;
  std::vector<model::MonitorRollup> rollups;  // increments, merged into stored buckets
  // Monitors whose state, state_since, last_check_at, last_heartbeat_at or last_error changed
  // (only those columns are written: the definition may have been edited meanwhile).
  std::vector<model::Monitor> monitors;
  std::vector<model::StaffAlert> alerts;  // inserted; an existing id is left alone
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

  // Settings: small durable key/values (the signing secret, VAPID keys, the dispatcher's outbox
  // cursor). InitSetting stores `value` unless the key exists and returns the stored value, so
  // instances racing on first start agree on one secret.
  virtual Result<std::optional<std::string>> GetSetting(const std::string& key) = 0;
  virtual Result<std::string> InitSetting(const std::string& key, const std::string& value, TimeMs now) = 0;
  virtual Status PutSetting(const std::string& key, const std::string& value, TimeMs now) = 0;  // upsert

  // Subscribers. SaveSubscriber upserts by id; kConflict when another subscriber of the page has
  // the same channel and address.
  virtual Status SaveSubscriber(const model::Subscriber& subscriber) = 0;
  virtual Result<model::Subscriber> GetSubscriber(const std::string& page_id, const std::string& id) = 0;
  virtual Result<std::optional<model::Subscriber>> FindSubscriber(const std::string& page_id,
                                                                  model::ChannelKind channel,
                                                                  const std::string& address) = 0;
  virtual Result<std::vector<model::Subscriber>> ListSubscribers(const std::string& page_id,
                                                                 const SubscriberFilter& filter) = 0;
  virtual Result<std::int64_t> CountSubscribers(const std::string& page_id) = 0;
  virtual Status DeleteSubscriber(const std::string& page_id, const std::string& id) = 0;
  // Inserts many subscribers in one transaction (CSV import); an existing (page, channel,
  // address) is updated in place unless it is unsubscribed. Returns how many rows were written.
  virtual Result<std::int64_t> ImportSubscribers(const std::vector<model::Subscriber>& subscribers) = 0;
  // Forgets subscribers still pending confirmation that were created before `created_before`.
  virtual Result<std::int64_t> PurgePendingSubscribers(TimeMs created_before) = 0;
  // Active subscribers of a page after the cursor, in (priority desc, id) order: the fan-out's
  // stream. No cursor (has_cursor false) starts at the top.
  virtual Result<std::vector<model::Subscriber>> StreamSubscribers(const std::string& page_id, bool has_cursor,
                                                                   int cursor_priority, const std::string& cursor_id,
                                                                   int limit) = 0;

  // Dispatch. CreateDispatchJobs records jobs for new events and moves the dispatcher's outbox
  // cursor (setting `cursor_key`) to `outbox_cursor` in one transaction; an existing job is kept.
  virtual Status CreateDispatchJobs(const std::vector<model::DispatchJob>& jobs, const std::string& cursor_key,
                                    std::int64_t outbox_cursor) = 0;
  // Takes an unfinished job whose lease is free or expired, leasing it to `owner` until
  // `lease_until`. nullopt when there is none.
  virtual Result<std::optional<model::DispatchJob>> ClaimDispatchJob(const std::string& owner, TimeMs now,
                                                                     TimeMs lease_until) = 0;
  // Records one batch of the fan-out in one transaction: moves the job's cursor from the batch's
  // start to its end (with done, lease and the count of deliveries), inserts the deliveries (an
  // existing id is left alone) and applies the subscriber health. Fails with kConflict, writing
  // nothing, when the job's lease was lost to another owner or its cursor is no longer at the
  // batch's start (another instance moved it, or the batch was already recorded).
  virtual Status CommitDispatchBatch(const DispatchBatch& batch) = 0;
  // Leases due deliveries (state pending or retrying, next_attempt_at <= now), highest priority
  // first, by moving their next_attempt_at to `lease_until`; concurrent callers get disjoint sets.
  virtual Result<std::vector<model::Delivery>> ClaimDueDeliveries(TimeMs now, TimeMs lease_until, int limit) = 0;
  // Applies attempt outcomes (delivery state and subscriber health) in one transaction.
  virtual Status FinishAttempts(const std::vector<AttemptRecord>& records) = 0;
  virtual Result<std::vector<DeliveryCount>> CountDeliveries(const std::string& page_id,
                                                             const std::string& incident_id) = 0;
  virtual Result<std::vector<model::Delivery>> ListDeliveries(const std::string& page_id,
                                                              const std::string& subscriber_id, int limit) = 0;
  virtual Result<model::OutboxEvent> GetOutboxEvent(std::int64_t id) = 0;

  // Staff overrides of notification templates.
  virtual Result<std::vector<model::TemplateOverride>> ListTemplates(const std::string& page_id) = 0;
  virtual Status SaveTemplate(const model::TemplateOverride& t) = 0;
  virtual Status DeleteTemplate(const std::string& page_id, const std::string& key) = 0;

  // Monitors. SaveMonitor upserts the definition by id (kNotFound when the page or the component
  // is missing); ListMonitors with an empty page_id lists every page's, ordered by page, name, id.
  // DeleteMonitor removes its samples and rollups too.
  virtual Status SaveMonitor(const model::Monitor& monitor) = 0;
  virtual Result<model::Monitor> GetMonitor(const std::string& page_id, const std::string& id) = 0;
  virtual Result<std::vector<model::Monitor>> ListMonitors(const std::string& page_id) = 0;
  virtual Status DeleteMonitor(const std::string& page_id, const std::string& id) = 0;
  // The heartbeat monitor whose token hashes to `token_hash`, if any.
  virtual Result<std::optional<model::Monitor>> FindMonitorByHeartbeat(const std::string& token_hash) = 0;
  // Records that a heartbeat monitor's job called at `at` (sets last_heartbeat_at).
  virtual Status RecordHeartbeat(const std::string& monitor_id, TimeMs at) = 0;
  virtual Status RecordMonitorResults(const MonitorResultsWrite& write) = 0;
  // A monitor's raw samples at or after `since`, newest first, at most `limit`.
  virtual Result<std::vector<model::MonitorSample>> ListMonitorSamples(const std::string& monitor_id, TimeMs since,
                                                                       int limit) = 0;
  // Rollups of granularity 'm' or 'd' with bucket_start >= since, for one monitor (monitor_id
  // set) or every monitor of a page (monitor_id empty), ordered by monitor id then bucket.
  virtual Result<std::vector<model::MonitorRollup>> ListMonitorRollups(const std::string& page_id,
                                                                       const std::string& monitor_id, char granularity,
                                                                       TimeMs since) = 0;
  // Deletes samples older than `samples_before`, minute rollups older than `minutes_before` and
  // day rollups older than `days_before`. Returns the number of rows deleted.
  virtual Result<std::int64_t> PruneMonitorData(TimeMs samples_before, TimeMs minutes_before, TimeMs days_before) = 0;

  // Automation rules, one per component (upsert by page and component).
  virtual Result<std::vector<model::AutomationRule>> ListAutomationRules(const std::string& page_id) = 0;
  virtual Status SaveAutomationRule(const model::AutomationRule& rule) = 0;
  virtual Status DeleteAutomationRule(const std::string& page_id, const std::string& component_id) = 0;

  // Incident drafts prepared by automation (upsert by id). ListIncidentDrafts with an empty
  // page_id lists every page's; `waiting_only` keeps state kWaiting. Newest first.
  virtual Status SaveIncidentDraft(const model::IncidentDraft& draft) = 0;
  virtual Result<model::IncidentDraft> GetIncidentDraft(const std::string& page_id, const std::string& id) = 0;
  virtual Result<std::vector<model::IncidentDraft>> ListIncidentDrafts(const std::string& page_id,
                                                                       bool waiting_only) = 0;

  // Staff alert targets (upsert by id) and the alerts sent to them.
  virtual Status SaveAlertTarget(const model::AlertTarget& target) = 0;
  virtual Result<std::vector<model::AlertTarget>> ListAlertTargets(const std::string& page_id) = 0;
  virtual Status DeleteAlertTarget(const std::string& page_id, const std::string& id) = 0;
  // Inserts alerts outside a results write ("monitoring degraded" when results cannot be written
  // is attempted this way too); an existing id is left alone.
  virtual Status AddStaffAlerts(const std::vector<model::StaffAlert>& alerts) = 0;
  // Leases due alerts (pending or retrying, next_attempt_at <= now) oldest first by moving
  // next_attempt_at to `lease_until`; concurrent callers get disjoint sets.
  virtual Result<std::vector<model::StaffAlert>> ClaimDueStaffAlerts(TimeMs now, TimeMs lease_until, int limit) = 0;
  // Writes state, attempts, next_attempt_at, updated_at, last_status, last_error of each alert.
  virtual Status FinishStaffAlerts(const std::vector<model::StaffAlert>& alerts) = 0;
  // Newest first, for the API.
  virtual Result<std::vector<model::StaffAlert>> ListStaffAlerts(const std::string& page_id, int limit) = 0;

  // Idempotency-Key records. PutIdempotency fails with kConflict when the key exists.
  virtual Result<std::optional<model::IdempotencyRecord>> GetIdempotency(const std::string& key) = 0;
  virtual Status PutIdempotency(const model::IdempotencyRecord& record) = 0;
  virtual Status PurgeIdempotency(TimeMs older_than) = 0;
};

// Opens a store from a URL: "sqlite:PATH" (created if missing; "sqlite::memory:" for tests) or
// "postgresql://..." / "postgres://...". Does not migrate.
Result<std::unique_ptr<Store>> OpenStore(const std::string& url);

}  // namespace herald::store
