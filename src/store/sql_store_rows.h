// SQL that SqlStore's files share and tests inspect (internal to src/store): the column list and
// the decoder of a subscriber row, defined in sql_store_notify.cc beside the writes that fill it;
// the console's paged queries (sql_store_console.cc), so that a test can ask the engine for their
// plans (EXPLAIN QUERY PLAN) and prove an index serves them.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "model/subscriber.h"
#include "store/console_store.h"
#include "store/sql/connection.h"
#include "store/sql/decoder.h"

namespace herald::store {

// "id, page_id, channel, ...": the columns SubscriberFromSqlRow reads, in its order.
std::string_view SubscriberColumnsSql();
model::Subscriber SubscriberFromSqlRow(const sql::Row& r, sql::Decoder& d);

// The statement ConsoleStore::PageSubscribers runs (limit as the last parameter), with its
// parameters appended to `params`.
std::string PageSubscribersSql(const sql::Dialect& dialect, const std::string& page_id,
                               const SubscriberPageQuery& query, sql::Params& params);
// The WHERE condition and ORDER BY ... LIMIT of ConsoleStore::PageIncidents on incidents `i`,
// with their parameters appended to `params`.
std::pair<std::string, std::string> PageIncidentsSql(const sql::Dialect& dialect, const std::string& page_id,
                                                     const IncidentPageQuery& query, sql::Params& params);

}  // namespace herald::store
