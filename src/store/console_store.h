// ConsoleStore: the Store role behind the operator console's screens and their API: lists that
// page by index (keyset: "the rows after this one", never OFFSET) through a million subscribers
// and ten thousand incidents, and the bounded counts of the dashboard. Every query here is served
// by an index of migration 8 ("console_indexes"), so its cost is the page asked for, not the
// page's size.
//
// Keyset paging is stable under concurrent inserts: a row inserted before the cursor is not
// seen, one inserted after it is seen once, and no row is skipped or repeated.
//
// Thread safety, blocking and errors: as Store (store.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/model.h"
#include "model/subscriber.h"

namespace herald::store {

// Subscribers of a page in (address, id) order, compared byte by byte (addresses are stored
// normalised: lower-case email, E.164 phone numbers, URLs).
struct SubscriberPageQuery {
  std::optional<model::SubscriberState> state;
  std::optional<model::ChannelKind> channel;
  std::optional<std::string> segment;  // exact label; "" selects those without one
  std::string address_prefix;          // only addresses starting with it (empty: all)
  // The position to continue after (the last row of the previous page).
  bool has_after = false;
  std::string after_address;
  std::string after_id;
  int limit = 50;
};

// Incidents and maintenance of a page newest first: by COALESCE(scheduled_for, started_at)
// descending, then id descending (the order of StatusStore::ListIncidents, with the id as the
// unique tie-breaker).
struct IncidentPageQuery {
  std::optional<bool> maintenance;  // true: only scheduled maintenance; false: only incidents
  std::optional<model::IncidentStatus> status;
  bool include_internal_updates = true;
  bool has_after = false;
  TimeMs after_key = 0;  // COALESCE(scheduled_for, started_at) of the last row of the previous page
  std::string after_id;
  // With has_after: the rows before (newer than) the position instead, the nearest `limit` of
  // them, still returned newest first (a "Newer" link: the first row of the page shown).
  bool newer = false;
  int limit = 50;
};

// The sort key IncidentPageQuery pages by.
inline TimeMs IncidentSortKey(const model::Incident& i) { return i.scheduled_for.value_or(i.started_at); }

// Delivery health of one page, for the dashboard.
struct DeliveryHealth {
  std::int64_t failed = 0;               // deliveries that failed for good since the time asked
  std::int64_t quarantined = 0;          // subscribers in state quarantined
  std::int64_t pending_deliveries = 0;   // deliveries not sent yet (pending or retrying)
  std::int64_t fanouts_in_progress = 0;  // dispatch jobs not done (subscribers still to match)
};

// How often a monitor's checks flipped between failing ("down") and not failing since a time.
struct MonitorFlips {
  std::string monitor_id;
  int flips = 0;
};

class ConsoleStore {
 public:
  virtual ~ConsoleStore() = default;

  // At most `query.limit` subscribers after the query's position (kInvalid when the limit is
  // not 1..1001).
  virtual Result<std::vector<model::Subscriber>> PageSubscribers(const std::string& page_id,
                                                                 const SubscriberPageQuery& query) = 0;
  // At most `query.limit` incidents after the query's position, each with its components and
  // updates (newest first), as ListIncidents returns them (kInvalid when the limit is not
  // 1..1001).
  virtual Result<std::vector<model::Incident>> PageIncidents(const std::string& page_id,
                                                             const IncidentPageQuery& query) = 0;
  // Failed deliveries updated at or after `failed_since`, and the other counts of DeliveryHealth.
  virtual Result<DeliveryHealth> CountDeliveryHealth(const std::string& page_id, TimeMs failed_since) = 0;
  // The page's monitors whose raw samples at or after `since` flipped between down and not down
  // at least `min_flips` times, most flips first.
  virtual Result<std::vector<MonitorFlips>> ListMonitorFlips(const std::string& page_id, TimeMs since,
                                                             int min_flips) = 0;
  // The languages of the page's active subscribers, sorted (one index step per language).
  virtual Result<std::vector<std::string>> ListSubscriberLanguages(const std::string& page_id) = 0;
};

}  // namespace herald::store
