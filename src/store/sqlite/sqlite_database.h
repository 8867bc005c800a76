// The SQLite driver: opens a Herald database file in WAL mode with foreign keys on, and wraps it
// in a sql::Database with one writer connection (write transactions start with BEGIN IMMEDIATE and
// are serialised in-process, so writers never spin on SQLITE_BUSY) and a few reader connections
// that read concurrently with the writer thanks to WAL. synchronous=NORMAL: in WAL mode a commit
// survives a process crash (kill -9); only an OS crash or power loss may drop the last commits.
//
// Thread safety: the returned Database is thread-safe.
#pragma once

#include <memory>
#include <string>

#include "store/sql/database.h"

namespace herald::store::sqlite {

// `path` is a file name (its directory is created if missing) or ":memory:" (one shared
// connection; for tests). Opens one connection eagerly so that a bad path fails here.
Result<std::unique_ptr<sql::Database>> OpenDatabase(const std::string& path);

}  // namespace herald::store::sqlite
