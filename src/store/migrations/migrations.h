// Herald's schema, as an ordered list of migrations. Each is applied once, in a transaction, and
// recorded in schema_migrations; never edit a released migration, add a new one. The SQL is
// written to run on both SQLite and PostgreSQL; the one dialect difference, an auto-assigned
// BIGINT key, is written {{ID_PK}} and replaced by Dialect::id_primary_key.
//
// Conventions: times are BIGINT epoch milliseconds, booleans INTEGER 0/1, absent values NULL,
// enums their wire names as TEXT.
//
// Thread safety: immutable data.
#pragma once

#include <span>
#include <string_view>

namespace herald::store::migrations {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

std::span<const Migration> All();

}  // namespace herald::store::migrations
