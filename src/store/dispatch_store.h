// DispatchStore: the Store role that carries notifications to subscribers: the durable fan-out
// (dispatch jobs with their cursor, the subscriber stream they walk), the deliveries and their
// attempts, and the staff's overrides of the templates messages are rendered with. The
// Dispatcher is its main user; the management API reads delivery counts and edits templates.
//
// Thread safety, blocking and errors: as Store (store.h). Claims lease rows so that concurrent
// callers (other threads, other instances sharing PostgreSQL) get disjoint work.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/model.h"
#include "model/subscriber.h"

namespace herald::store {

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

class DispatchStore {
 public:
  virtual ~DispatchStore() = default;

  // Active subscribers of a page after the cursor, in (priority desc, id) order: the fan-out's
  // stream. No cursor (has_cursor false) starts at the top.
  virtual Result<std::vector<model::Subscriber>> StreamSubscribers(const std::string& page_id, bool has_cursor,
                                                                   int cursor_priority, const std::string& cursor_id,
                                                                   int limit) = 0;
  // CreateDispatchJobs records jobs for new events and moves the dispatcher's outbox cursor
  // (setting `cursor_key`) to `outbox_cursor` in one transaction; an existing job is kept.
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

  // Staff overrides of notification templates.
  virtual Result<std::vector<model::TemplateOverride>> ListTemplates(const std::string& page_id) = 0;
  virtual Status SaveTemplate(const model::TemplateOverride& t) = 0;
  virtual Status DeleteTemplate(const std::string& page_id, const std::string& key) = 0;
};

}  // namespace herald::store
