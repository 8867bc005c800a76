// The backends the Store contract suites run on (test-only): SQLite and PostgreSQL, always. The
// PostgreSQL instances need HERALD_TEST_PG_URL (scripts/test.sh starts a server and sets it) and
// fail without it: a machine or CI image without PostgreSQL must not go green with half the
// coverage. They are instantiated unconditionally because ctest lists the tests when the binary is
// built, where the URL is not set yet.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace herald::store {

enum class Backend { kSqlite, kPostgres };

inline std::string BackendLabel(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "SQLite" : "PostgreSQL";
}

// The server's URL, or empty.
inline std::string PgTestUrl() {
  const char* url = std::getenv("HERALD_TEST_PG_URL");
  return url ? url : "";
}

// `with_sqlite` false: suites that only make sense on a server (connections to lose, ...).
inline std::vector<Backend> ContractBackends(bool with_sqlite = true) {
  std::vector<Backend> out;
  if (with_sqlite) out.push_back(Backend::kSqlite);
  out.push_back(Backend::kPostgres);
  return out;
}

}  // namespace herald::store
