#include <string_view>

#include "store/postgres/pg_database.h"
#include "store/sql_store.h"
#include "store/sqlite/sqlite_database.h"
#include "store/store.h"

namespace herald::store {

Result<std::unique_ptr<Store>> OpenStore(const std::string& url) {
  const std::string_view u = url;
  std::unique_ptr<sql::Database> db;
  if (u.starts_with("sqlite:")) {
    auto r = sqlite::OpenDatabase(std::string(u.substr(7)));
    if (!r.ok()) return r.error();
    db = std::move(*r);
  } else if (u.starts_with("postgresql://") || u.starts_with("postgres://")) {
    auto r = postgres::OpenDatabase(url);
    if (!r.ok()) return r.error();
    db = std::move(*r);
  } else {
    return Error::Invalid(
        "url", "unsupported store URL; use sqlite:PATH, sqlite::memory:, postgresql://... or postgres://...");
  }
  return std::unique_ptr<Store>(std::make_unique<SqlStore>(std::move(db)));
}

}  // namespace herald::store
