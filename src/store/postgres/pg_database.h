// The PostgreSQL driver (libpq): a pool of connections shared by reads and writes, parameterised
// statements only (PQexecParams), and bounded waits everywhere so that a database outage turns
// into kUnavailable errors instead of hung threads: connect_timeout, TCP keepalives and a
// statement_timeout (unless the URL sets its own). Broken connections are replaced on next use.
//
// Thread safety: the returned Database is thread-safe.
#pragma once

#include <memory>
#include <string>

#include "store/sql/database.h"

namespace herald::store::postgres {

// `url` is a libpq connection URI ("postgresql://user@host:port/db?options=..."). Checks its
// syntax (kInvalid) but does not connect: Herald starts, and answers from its snapshot, even
// while the database is down.
Result<std::unique_ptr<sql::Database>> OpenDatabase(const std::string& url, int pool_size = 4);

// One unpooled connection, for tools and tests (e.g. creating a test schema).
Result<std::unique_ptr<sql::Connection>> Connect(const std::string& url);

}  // namespace herald::store::postgres
