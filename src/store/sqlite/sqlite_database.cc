#include "store/sqlite/sqlite_database.h"

#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <string_view>
#include <system_error>
#include <unordered_map>

namespace herald::store::sqlite {
namespace {

constexpr sql::Dialect kDialect{
    .name = "sqlite",
    .begin_write = "BEGIN IMMEDIATE",
    .begin_read = "BEGIN",
    .id_primary_key = "INTEGER PRIMARY KEY AUTOINCREMENT",
    .outbox_lock = "",
    .skip_locked = "",
    .migration_lock = "",
    .bytewise = "",
};
constexpr int kBusyTimeoutMs = 5000;
constexpr int kReaders = 2;

Error MapError(sqlite3* db, int rc, std::string_view what) {
  const int ext = db ? sqlite3_extended_errcode(db) : rc;
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (ext) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY: return {ErrorCode::kConflict, std::move(msg), {}};
    case SQLITE_CONSTRAINT_FOREIGNKEY: return {ErrorCode::kNotFound, "a referenced row is missing (" + msg + ")", {}};
    default: break;
  }
  switch (ext & 0xff) {
    case SQLITE_CONSTRAINT: return {ErrorCode::kInvalid, std::move(msg), {}};
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY: return Error::Unavailable(std::move(msg));
    default: return Error::Internal(std::move(msg));
  }
}

class SqliteConnection final : public sql::Connection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Result<std::int64_t> Exec(std::string_view sql, const sql::Params& params) override {
    std::int64_t changes = 0;
    auto st = Run(sql, params, nullptr, &changes);
    if (!st.ok()) return st.error();
    return changes;
  }

  Result<sql::Rows> Query(std::string_view sql, const sql::Params& params) override {
    sql::Rows rows;
    auto st = Run(sql, params, &rows, nullptr);
    if (!st.ok()) return st.error();
    return rows;
  }

  Status ExecScript(std::string_view sql) override {
    std::string s(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
    if (err) sqlite3_free(err);
    if (rc != SQLITE_OK) return MapError(db_, rc, "sqlite script");
    return {};
  }

  bool Broken() const override { return false; }  // a local file handle does not go away

 private:
  // Prepared statements are cached per connection: Herald runs a small fixed set of queries.
  Result<sqlite3_stmt*> Prepare(std::string_view sql) {
    auto it = cache_.find(std::string(sql));
    if (it != cache_.end()) return it->second;
    // "$N" (PostgreSQL style) becomes "?N", whose parameter index is N itself, so binding needs
    // no name lookup (SQLite's lookups are linear: quadratic on 1,400-parameter batch inserts).
    std::string text(sql);
    bool quoted = false;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\'') quoted = !quoted;
      if (!quoted && text[i] == '$' && i + 1 < text.size() && text[i + 1] >= '0' && text[i + 1] <= '9') text[i] = '?';
    }
    sqlite3_stmt* stmt = nullptr;
    int rc =
        sqlite3_prepare_v3(db_, text.data(), static_cast<int>(text.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return MapError(db_, rc, "sqlite prepare");
    cache_.emplace(std::string(sql), stmt);
    return stmt;
  }

  Status Run(std::string_view sql, const sql::Params& params, sql::Rows* rows, std::int64_t* changes) {
    auto prepared = Prepare(sql);
    if (!prepared.ok()) return prepared.error();
    sqlite3_stmt* stmt = *prepared;
    // Resets on every exit path so that the cached statement holds no locks or bindings.
    struct Reset {
      sqlite3_stmt* s;
      ~Reset() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } reset{stmt};

    // Parameter N is "?N" (see Prepare): its index is N. Parameters the statement does not use
    // are skipped; ones it uses but were not given stay NULL.
    const size_t count = static_cast<size_t>(sqlite3_bind_parameter_count(stmt));
    for (size_t i = 1; i <= std::min(count, params.size()); ++i) {
      const int idx = static_cast<int>(i);
      const auto& v = params[i - 1].value();
      int rc = SQLITE_OK;
      if (const auto* n = std::get_if<std::int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, idx, *n);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        rc = sqlite3_bind_text(stmt, idx, s->data(), static_cast<int>(s->size()), SQLITE_STATIC);
      } else {
        rc = sqlite3_bind_null(stmt, idx);
      }
      if (rc != SQLITE_OK) return MapError(db_, rc, "sqlite bind");
    }

    const int columns = sqlite3_column_count(stmt);
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return MapError(db_, rc, "sqlite");
      if (!rows) continue;
      std::vector<std::optional<std::string>> cells;
      cells.reserve(columns);
      for (int c = 0; c < columns; ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
          cells.emplace_back(std::nullopt);
        } else {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          cells.emplace_back(std::string(text ? text : "", sqlite3_column_bytes(stmt, c)));
        }
      }
      rows->emplace_back(std::move(cells));
    }
    if (changes) *changes = sqlite3_changes64(db_);
    return {};
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

Result<std::unique_ptr<sql::Connection>> Connect(const std::string& path) {
  sqlite3* db = nullptr;
  // NOMUTEX: a connection is used by one thread at a time (the pool hands it out exclusively),
  // so SQLite's per-call connection mutex is pure cost (a lock and unlock around every step,
  // bind and column read).
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error e = MapError(db, rc, "cannot open SQLite database " + path);
    sqlite3_close_v2(db);
    return e;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  auto conn = std::make_unique<SqliteConnection>(db);
  // cache_size: 32 MB of page cache per connection instead of SQLite's 2 MB, and checkpoints
  // every 32 MB of WAL instead of 4 MB: a million-subscriber fan-out writes two rows' worth of
  // pages per delivery, and re-reading evicted index pages plus frequent checkpoints (each with
  // its fsyncs) cost ~20% of its throughput (docs/PERFORMANCE.md). The cache fills only as pages
  // are used.
  if (auto st = conn->ExecScript(
          "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; "
          "PRAGMA cache_size=-32768; PRAGMA wal_autocheckpoint=8192;");
      !st.ok()) {
    return st.error();
  }
  return std::unique_ptr<sql::Connection>(std::move(conn));
}

}  // namespace

Result<std::unique_ptr<sql::Database>> OpenDatabase(const std::string& path) {
  if (path.empty()) return Error::Invalid("url", "sqlite: needs a file path, e.g. sqlite:/var/lib/herald/herald.db");
  const bool memory = path == ":memory:";
  if (!memory) {
    const auto dir = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!dir.empty()) std::filesystem::create_directories(dir, ec);
    if (ec) return Error::Unavailable("cannot create directory " + dir.string() + ": " + ec.message());
  }
  auto factory = [path]() { return Connect(path); };
  constexpr auto kAcquireTimeout = std::chrono::seconds(30);
  auto writers = std::make_shared<sql::Pool>(factory, 1, kAcquireTimeout);
  // An in-memory database lives in its one connection, so readers must share it.
  auto readers = memory ? writers : std::make_shared<sql::Pool>(factory, kReaders, kAcquireTimeout);
  auto db = std::make_unique<sql::Database>(kDialect, writers, readers);
  // Fail now, not on first use, when the file cannot be opened.
  if (auto st = db->Transact(sql::Database::Mode::kRead, [](sql::Connection&) { return Status(); }); !st.ok()) {
    return st.error();
  }
  return db;
}

}  // namespace herald::store::sqlite
