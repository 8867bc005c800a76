// The backends the Store contract suites run on (test-only). SQLite always. PostgreSQL when
// HERALD_TEST_PG_URL names a server (scripts/test.sh starts one and sets it), and in CI (CI set
// and not "false"), where a missing URL then fails the PostgreSQL tests: a CI image without
// PostgreSQL must not go green with half the coverage. Elsewhere, without a URL, the PostgreSQL
// tests are not instantiated (rather than skipped).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace herald::store {

enum class Backend { kSqlite, kPostgres };

inline std::string BackendLabel(const testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "SQLite" : "PostgreSQL";
}

// The server's URL, or empty.
inline std::string PgTestUrl() {
  const char* url = std::getenv("HERALD_TEST_PG_URL");
  return url ? url : "";
}

inline bool InCi() {
  const char* ci = std::getenv("CI");
  return ci && *ci && std::string(ci) != "false" && std::string(ci) != "0";
}

// `with_sqlite` false: suites that only make sense on a server (connections to lose, ...).
inline std::vector<Backend> ContractBackends(bool with_sqlite = true) {
  std::vector<Backend> out;
  if (with_sqlite) out.push_back(Backend::kSqlite);
  if (!PgTestUrl().empty() || InCi()) out.push_back(Backend::kPostgres);
  return out;
}

}  // namespace herald::store
