// SqlStore's AuditStore methods: the audit log (migration 7). Entries are appended, never
// changed; lists are keyset-paged by (at, id) descending over indexes that end in (at, id), so a
// page costs the same at the millionth entry as at the first.
#include <string>

#include "store/sql_store.h"

namespace herald::store {
namespace {

using sql::Connection;
using sql::Params;
using sql::Row;

constexpr std::string_view kAuditColumns =
    "id, at, actor, actor_name, action, target_type, target_id, page_id, source, summary, changes";

model::AuditEntry AuditFromRow(const Row& r) {
  model::AuditEntry e;
  e.id = r.Int(0);
  e.at = r.Int(1);
  e.actor = r.Text(2);
  e.actor_name = r.Text(3);
  e.action = r.Text(4);
  e.target_type = r.Text(5);
  e.target_id = r.Text(6);
  e.page_id = r.Text(7);
  e.source = r.Text(8);
  e.summary = r.Text(9);
  e.changes_json = r.Text(10);
  return e;
}

}  // namespace

Result<std::int64_t> SqlStore::AppendAudit(const model::AuditEntry& e) {
  if (e.actor.empty()) return Error::Invalid("actor", "an audit entry needs an actor");
  if (e.action.empty()) return Error::Invalid("action", "an audit entry needs an action");
  return Transact<std::int64_t>(Mode::kWrite, [&](Connection& conn) -> Result<std::int64_t> {
    auto rows = conn.Query(
        "INSERT INTO audit_log (at, actor, actor_name, action, target_type, target_id, page_id, source, summary, "
        "changes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        {e.at, e.actor, e.actor_name, e.action, e.target_type, e.target_id, e.page_id, e.source, e.summary,
         e.changes_json});
    if (!rows.ok()) return rows.error();
    if (rows->empty()) return Error::Internal("the audit entry's id was not returned");
    return (*rows)[0].Int(0);
  });
}

Result<std::vector<model::AuditEntry>> SqlStore::ListAudit(const AuditFilter& f) {
  std::string where;
  Params params;
  auto cond = [&](const std::string& sql_with_placeholder, sql::Param value) {
    params.push_back(std::move(value));
    std::string c = sql_with_placeholder;
    // Each condition names its parameter "?" once; numbered here in order.
    c.replace(c.find('?'), 1, "$" + std::to_string(params.size()));
    where += (where.empty() ? " WHERE " : " AND ") + c;
  };
  if (!f.actor.empty()) cond("actor = ?", f.actor);
  if (!f.target_type.empty()) cond("target_type = ?", f.target_type);
  if (!f.target_id.empty()) cond("target_id = ?", f.target_id);
  if (!f.page_id.empty()) cond("page_id = ?", f.page_id);
  if (!f.action_prefix.empty()) {
    // substr, not LIKE: LIKE is case-insensitive on SQLite and treats '_' (common in actions) as
    // a wildcard on both.
    params.emplace_back(static_cast<std::int64_t>(f.action_prefix.size()));
    const std::string len = "$" + std::to_string(params.size());
    cond("substr(action, 1, " + len + ") = ?", f.action_prefix);
  }
  if (f.since) cond("at >= ?", *f.since);
  if (f.until) cond("at < ?", *f.until);
  if (f.before_at) {
    params.emplace_back(*f.before_at);
    const std::string at = "$" + std::to_string(params.size());
    cond("(at < " + at + " OR (at = " + at + " AND id < ?))", f.before_id);
  }
  params.emplace_back(f.limit > 0 ? f.limit : 100);
  const std::string sql = "SELECT " + std::string(kAuditColumns) + " FROM audit_log" + where +
                          " ORDER BY at DESC, id DESC LIMIT $" + std::to_string(params.size());
  return ReadAll(sql, params, AuditFromRow);
}

Result<std::int64_t> SqlStore::PurgeAudit(TimeMs before, int max_rows) {
  if (max_rows <= 0) return std::int64_t{0};
  return WriteOne("DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < $1 ORDER BY at, id LIMIT $2)",
                  {before, max_rows});
}

}  // namespace herald::store
