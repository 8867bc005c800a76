// AuditStore: the Store role that keeps the audit log (model/audit.h): entries appended by the
// audit service, listed newest first with keyset paging, and purged past the retention.
//
// Thread safety, blocking and errors: as Store (store.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/audit.h"

namespace herald::store {

// Which entries ListAudit returns; every set field must match. Newest first: by `at`, then by id,
// both descending.
struct AuditFilter {
  std::string actor;          // exact: "api_key:k1"
  std::string action_prefix;  // "incident." matches incident.create and incident.update
  std::string target_type;    // with target_id: one object's history
  std::string target_id;
  std::string page_id;
  std::optional<TimeMs> since;  // at >= since
  std::optional<TimeMs> until;  // at < until
  // Keyset cursor: only entries after (older than) this (at, id), i.e. the last of the previous page.
  std::optional<TimeMs> before_at;
  std::int64_t before_id = 0;
  int limit = 100;
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;

  // Appends `entry` (its id is assigned); returns the id. kInvalid for an empty actor or action.
  virtual Result<std::int64_t> AppendAudit(const model::AuditEntry& entry) = 0;
  virtual Result<std::vector<model::AuditEntry>> ListAudit(const AuditFilter& filter) = 0;
  // Deletes up to `max_rows` of the entries older than `before` (oldest first, so that a long
  // purge runs as short transactions); returns how many it deleted.
  virtual Result<std::int64_t> PurgeAudit(TimeMs before, int max_rows) = 0;
};

}  // namespace herald::store
