// AuditLog: the audit log's service. Records who wrote what, when and from where (one
// model::AuditEntry per write through the management API, the CLI or the console), lists the log
// with filters and keyset paging, exports it as CSV, and purges entries past the retention.
//
// Recording happens after the write it describes has committed, from one place per entry point
// (AdminApi's dispatch, the CLI's dispatch, the console's), not inside the write's transaction:
// the services' Store writes would each need an audit row parameter, and one missed would be a
// gap. So Record never fails or delays the write: an entry that cannot be stored is logged (with
// everything it would have said) and counted (record_failures(), herald_audit_record_failures_total
// in /metrics) for an operator to act on. A process killed between the write's commit and the
// record loses that one entry; nothing else is lost.
//
// Thread safety: all methods may be called concurrently; they block on the store (worker threads).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "model/audit.h"
#include "model/model.h"
#include "store/audit_store.h"

namespace herald::service {

// Who wrote, as the audit log names them: `actor` is "<kind>:<id>".
struct AuditActor {
  std::string actor;
  std::string name;
  static AuditActor ApiKey(const model::ApiKey& key) { return {"api_key:" + key.id, key.name}; }
  static AuditActor User(const std::string& user_id, const std::string& email) { return {"user:" + user_id, email}; }
  static AuditActor Cli(const std::string& os_user) { return {"cli:" + os_user, ""}; }
};

// A list request, as the API receives it: every set field must match.
struct AuditQuery {
  std::string actor;          // "api_key:k1"
  std::string action_prefix;  // "incident."
  std::string target_type, target_id;
  std::string page_id;
  std::optional<TimeMs> since, until;
  std::string cursor;  // the previous page's next_cursor; empty: the newest entries
  int limit = 50;
};

struct AuditPage {
  std::vector<model::AuditEntry> entries;
  std::string next_cursor;  // empty on the last page
};

class AuditLog {
 public:
  static constexpr int kMaxLimit = 500;
  static constexpr int kDefaultRetentionDays = 365;

  AuditLog(store::AuditStore& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Records a write that has happened; stamps `at` with the clock when it is 0 and cuts the
  // summary to 300 bytes (on a character boundary). A failure is
  // logged and counted, and returned only so that tests can see it: callers go on regardless.
  Status Record(model::AuditEntry entry);
  // The console's one call for its writes (actor "user:<id>"); `source` is the client's address.
  Status RecordUserWrite(const std::string& user_id, const std::string& email, std::string action,
                         std::string target_type, std::string target_id, std::string page_id, std::string source,
                         std::string summary, std::string changes_json = "");

  // Newest first. kInvalid (naming the field) for a limit outside 1..kMaxLimit, a malformed
  // cursor or since >= until.
  Result<AuditPage> List(const AuditQuery& query);
  // Every entry `query` matches (its limit and cursor ignored), newest first, as CSV with a
  // header row; streamed to `sink` in chunks (a false return stops it).
  Status ExportCsv(AuditQuery query, const std::function<bool(std::string_view)>& sink);
  // Deletes the entries older than `retention_days` before now, in batches; returns how many.
  Result<std::int64_t> Purge(int retention_days);

  std::uint64_t record_failures() const { return record_failures_.load(); }

 private:
  Result<store::AuditFilter> Filter(const AuditQuery& query) const;

  store::AuditStore& store_;
  const Clock& clock_;
  std::atomic<std::uint64_t> record_failures_{0};
};

// The CSV header ExportCsv writes.
inline constexpr std::string_view kAuditCsvHeader =
    "id,time,actor,actor_name,action,target_type,target_id,page_id,source,summary,changes";

// The text fields that differ between two JSON documents of the same object (both objects with
// the same "id"), as AuditEntry::changes_json: [{"field","before","after"}], where a field is a
// path such as "name" or "incident_updates[u1].body" (array elements with an "id" are named by
// it). Only strings present in both count, times ("..._at") are left out, and the list and each
// value are capped so that one entry stays small. Empty when nothing comparable changed.
std::string TextChanges(std::string_view before_json, std::string_view after_json);

}  // namespace herald::service
