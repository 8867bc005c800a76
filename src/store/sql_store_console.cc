// SqlStore: the console's paged lists and dashboard counts (ConsoleStore; see console_store.h for
// the contracts). Every statement here is served by an index of migration 8; the keyset
// conditions are written as a range on the index's first ordered column ("k <= cursor") plus a
// residual test for the rows equal to the cursor, which both engines turn into an index seek
// (an OR of the two cases, or a row-value comparison on an expression, is not always one).
#include <algorithm>
#include <string>

#include "store/sql/decoder.h"
#include "store/sql/query.h"
#include "store/sql_store.h"
#include "store/sql_store_rows.h"

namespace herald::store {
namespace {

using sql::Connection;
using sql::Params;
using sql::Row;

constexpr int kMaxPageLimit = 1001;  // the API's 1000 plus the row that tells whether more follow

// "$N" for the parameter just appended.
std::string Last(const Params& params) { return "$" + std::to_string(params.size()); }

// The smallest string above every string that starts with `prefix`, bytewise: the prefix followed
// by U+10FFFF, the largest code point (valid UTF-8, which PostgreSQL requires of text).
std::string PrefixEnd(const std::string& prefix) { return prefix + "\xF4\x8F\xBF\xBF"; }

Status CheckLimit(int limit) {
  if (limit < 1 || limit > kMaxPageLimit) return Error::Invalid("limit", "limit must be between 1 and 1000");
  return {};
}

}  // namespace

std::string PageSubscribersSql(const sql::Dialect& dialect, const std::string& page_id, const SubscriberPageQuery& q,
                               Params& params) {
  const std::string address = "address" + std::string(dialect.bytewise);
  const std::string id = "id" + std::string(dialect.bytewise);
  params.emplace_back(page_id);
  std::string sql = "SELECT " + std::string(SubscriberColumnsSql()) + " FROM subscribers WHERE page_id = $1";
  if (q.state) {
    params.emplace_back(model::ToString(*q.state));
    sql += " AND state = " + Last(params);
  }
  if (q.channel) {
    params.emplace_back(model::ToString(*q.channel));
    sql += " AND channel = " + Last(params);
  }
  if (q.segment) {
    params.emplace_back(*q.segment);
    sql += " AND segment = " + Last(params);
  }
  if (!q.address_prefix.empty()) {
    params.emplace_back(q.address_prefix);
    sql += " AND " + address + " >= " + Last(params);
    params.emplace_back(PrefixEnd(q.address_prefix));
    sql += " AND " + address + " < " + Last(params);
  }
  if (q.has_after) {
    params.emplace_back(q.after_address);
    const std::string a = Last(params);
    params.emplace_back(q.after_id);
    sql += " AND " + address + " >= " + a + " AND (" + address + " > " + a + " OR " + id + " > " + Last(params) + ")";
  }
  params.emplace_back(q.limit);
  sql += " ORDER BY " + address + ", " + id + " LIMIT " + Last(params);
  return sql;
}

std::pair<std::string, std::string> PageIncidentsSql(const sql::Dialect& dialect, const std::string& page_id,
                                                     const IncidentPageQuery& q, Params& params) {
  // The expression of incidents_console_order, as written there.
  const std::string key = "COALESCE(i.scheduled_for, i.started_at)";
  const std::string id = "i.id" + std::string(dialect.bytewise);
  params.emplace_back(page_id);
  std::string where = "i.page_id = $1";
  if (q.maintenance) where += *q.maintenance ? " AND i.scheduled_for IS NOT NULL" : " AND i.scheduled_for IS NULL";
  if (q.status) {
    params.emplace_back(model::ToString(*q.status));
    where += " AND i.status = " + Last(params);
  }
  const bool newer = q.has_after && q.newer;
  if (q.has_after) {
    params.emplace_back(q.after_key);
    const std::string k = Last(params);
    params.emplace_back(q.after_id);
    const char* cmp = newer ? ">" : "<";
    where += " AND " + key + (newer ? " >= " : " <= ") + k + " AND (" + key + " " + cmp + " " + k + " OR " + id + " " +
             cmp + " " + Last(params) + ")";
  }
  params.emplace_back(q.limit);
  // Newer rows are the nearest ones above the position: read upwards, reversed by the caller.
  const std::string dir = newer ? " ASC" : " DESC";
  return {where, " ORDER BY " + key + dir + ", " + id + dir + " LIMIT " + Last(params)};
}

Result<std::vector<model::Subscriber>> SqlStore::PageSubscribers(const std::string& page_id,
                                                                 const SubscriberPageQuery& query) {
  if (auto st = CheckLimit(query.limit); !st) return st.error();
  Params params;
  const std::string sql = PageSubscribersSql(db_->dialect(), page_id, query, params);
  return ReadAll(sql, params, SubscriberFromSqlRow);
}

Result<std::vector<model::Incident>> SqlStore::PageIncidents(const std::string& page_id,
                                                             const IncidentPageQuery& query) {
  if (auto st = CheckLimit(query.limit); !st) return st.error();
  Params params;
  const auto [where, order_limit] = PageIncidentsSql(db_->dialect(), page_id, query, params);
  auto list = Transact<std::vector<model::Incident>>(Mode::kRead, [&](Connection& conn) {
    return LoadIncidents(conn, where, order_limit, params, query.include_internal_updates);
  });
  if (list && query.has_after && query.newer) std::reverse(list->begin(), list->end());
  return list;
}

Result<DeliveryHealth> SqlStore::CountDeliveryHealth(const std::string& page_id, TimeMs failed_since) {
  return Transact<DeliveryHealth>(Mode::kRead, [&](Connection& conn) -> Result<DeliveryHealth> {
    DeliveryHealth h;
    // Each count reads one index: deliveries_console_failed, subscribers_dispatch,
    // deliveries_console_open, dispatch_jobs_open.
    struct Count {
      std::string_view sql;
      Params params;
      std::int64_t* out;
    };
    const Count counts[] = {
        {"SELECT COUNT(*) FROM deliveries WHERE page_id = $1 AND state = 'failed' AND updated_at >= $2",
         {page_id, failed_since},
         &h.failed},
        {"SELECT COUNT(*) FROM subscribers WHERE page_id = $1 AND state = 'quarantined'", {page_id}, &h.quarantined},
        {"SELECT COUNT(*) FROM deliveries WHERE page_id = $1 AND state IN ('pending', 'retrying')",
         {page_id},
         &h.pending_deliveries},
        {"SELECT COUNT(*) FROM dispatch_jobs WHERE done = 0 AND page_id = $1", {page_id}, &h.fanouts_in_progress},
    };
    for (const auto& c : counts) {
      auto n = sql::QueryFirst(conn, c.sql, c.params, [](const Row& r) { return r.Int(0); });
      if (!n.ok()) return n.error();
      *c.out = n->value_or(0);
    }
    return h;
  });
}

Result<std::vector<MonitorFlips>> SqlStore::ListMonitorFlips(const std::string& page_id, TimeMs since, int min_flips) {
  // LAG over each monitor's samples in time order (monitor_samples_monitor); a flip is a sample
  // whose "down" differs from the one before it.
  return ReadAll(
      "SELECT monitor_id, SUM(flip) AS flips FROM ("
      " SELECT s.monitor_id, CASE WHEN (s.verdict = 'down') <> (LAG(s.verdict) OVER (PARTITION BY s.monitor_id "
      "ORDER BY s.at) = 'down') THEN 1 ELSE 0 END AS flip"
      " FROM monitor_samples s JOIN monitors m ON m.id = s.monitor_id WHERE m.page_id = $1 AND s.at >= $2) t "
      "GROUP BY monitor_id HAVING SUM(flip) >= $3 ORDER BY flips DESC, monitor_id",
      {page_id, since, min_flips}, [](const Row& r) {
        return MonitorFlips{r.Text(0), static_cast<int>(r.Int(1))};
      });
}

Result<std::vector<std::string>> SqlStore::ListSubscriberLanguages(const std::string& page_id) {
  // A loose index scan of subscribers_console_language: each step jumps to the next language, so
  // a million subscribers in three languages cost three index seeks, not a million rows.
  return ReadAll(
      "WITH RECURSIVE langs (language) AS ("
      " SELECT MIN(language) FROM subscribers WHERE page_id = $1 AND state = 'active'"
      " UNION ALL"
      " SELECT (SELECT MIN(s.language) FROM subscribers s WHERE s.page_id = $1 AND s.state = 'active' AND "
      "s.language > l.language) FROM langs l WHERE l.language IS NOT NULL)"
      " SELECT language FROM langs WHERE language IS NOT NULL",
      {page_id}, [](const Row& r) { return r.Text(0); });
}

}  // namespace herald::store
