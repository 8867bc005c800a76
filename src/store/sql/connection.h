// A minimal SQL connection abstraction shared by the SQLite and PostgreSQL drivers, so that
// SqlStore holds the only copy of Herald's queries. Statements use PostgreSQL-style positional
// parameters ($1, $2, ...) which both engines accept; values travel as text, 64-bit integers or
// NULL, and results come back fully materialised as text cells (small result sets are the norm
// here, and it keeps rows valid after the statement is gone).
//
// Thread safety: a Connection is used by one thread at a time; Database (database.h) hands
// connections out from a pool. Dialect is immutable plain data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"

namespace herald::store::sql {

// One bound parameter. Implicit constructors keep call sites short: conn.Exec(sql, {id, 42, true}).
class Param {
 public:
  using Value = std::variant<std::monostate, std::int64_t, std::string>;

  Param() = default;                                 // NULL
  Param(std::nullopt_t) {}                           // NOLINT(google-explicit-constructor)
  Param(std::string s) : v_(std::move(s)) {}         // NOLINT(google-explicit-constructor)
  Param(std::string_view s) : v_(std::string(s)) {}  // NOLINT(google-explicit-constructor)
  Param(const char* s) : v_(std::string(s)) {}       // NOLINT(google-explicit-constructor)
  Param(std::int64_t i) : v_(i) {}                   // NOLINT(google-explicit-constructor)
  Param(int i) : v_(std::int64_t{i}) {}              // NOLINT(google-explicit-constructor)
  Param(bool b) : v_(std::int64_t{b ? 1 : 0}) {}     // NOLINT(google-explicit-constructor)
  Param(const std::optional<std::int64_t>& i) {      // NOLINT(google-explicit-constructor)
    if (i) v_ = *i;
  }
  Param(const std::optional<std::string>& s) {  // NOLINT(google-explicit-constructor)
    if (s) v_ = *s;
  }

  bool is_null() const { return v_.index() == 0; }
  const Value& value() const { return v_; }

 private:
  Value v_;
};

using Params = std::vector<Param>;

// One result row: cells as text (NULL as nullopt). Accessors are lenient about NULL (empty / 0)
// because the schema's NOT NULL constraints already guarantee presence where it matters.
class Row {
 public:
  explicit Row(std::vector<std::optional<std::string>> cells) : cells_(std::move(cells)) {}

  size_t size() const { return cells_.size(); }
  bool IsNull(size_t i) const { return !cells_.at(i).has_value(); }
  const std::string& Text(size_t i) const;
  // Moves the cell's text out (empty for NULL); the cell reads empty afterwards.
  std::string TakeText(size_t i) {
    std::string out;
    if (auto& c = cells_.at(i)) out.swap(*c);
    return out;
  }
  std::int64_t Int(size_t i) const;
  bool Bool(size_t i) const { return Int(i) != 0; }
  std::optional<std::string> OptText(size_t i) const { return cells_.at(i); }
  std::optional<std::int64_t> OptInt(size_t i) const;

 private:
  std::vector<std::optional<std::string>> cells_;
};

using Rows = std::vector<Row>;

// The few places where the two engines' SQL differs, kept in one struct.
struct Dialect {
  std::string_view name;            // "sqlite" or "postgresql"
  std::string_view begin_write;     // starts a write transaction
  std::string_view begin_read;      // starts a read-only transaction with a stable snapshot
  std::string_view id_primary_key;  // replaces {{ID_PK}} in migrations: an auto-assigned BIGINT key
  // Run inside a write transaction before taking an outbox id, so that outbox ids become visible
  // in increasing order (PostgreSQL assigns identity values before commit; without this lock a
  // reader could pass an id whose transaction commits later). Empty when writers are serial.
  std::string_view outbox_lock;
  // Appended to a SELECT that claims rows for work ("FOR UPDATE SKIP LOCKED" on PostgreSQL, so
  // that instances sharing the database take disjoint rows); empty where writers are serial.
  std::string_view skip_locked;
  // Run inside the migration transaction so that concurrent instances migrate one at a time.
  std::string_view migration_lock;
  // Makes a text column compare byte by byte, whatever the database's collation: replaces
  // {{BYTEWISE}} in migrations and follows text in ORDER BY and keyset conditions (console
  // lists), so that an index and the query agree on one order on both engines (SQLite's default
  // collation is already bytewise: empty there).
  std::string_view bytewise = "";
};

class Connection {
 public:
  virtual ~Connection() = default;

  // Runs one statement; returns the number of rows it changed.
  virtual Result<std::int64_t> Exec(std::string_view sql, const Params& params = {}) = 0;
  // Runs one statement and returns its rows.
  virtual Result<Rows> Query(std::string_view sql, const Params& params = {}) = 0;
  // Runs several ';'-separated statements without parameters (migrations).
  virtual Status ExecScript(std::string_view sql) = 0;
  // True when the connection can no longer be used (the pool then drops and replaces it).
  virtual bool Broken() const = 0;
};

}  // namespace herald::store::sql
