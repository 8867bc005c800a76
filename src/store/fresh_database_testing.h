// FreshDatabase (test-only): a new, empty, migrated store on one contract backend, removed again
// when the object goes: a SQLite file in its own temporary directory, or a PostgreSQL schema of
// its own in the server named by HERALD_TEST_PG_URL (contract_backends_testing.h says when that
// runs). For contract suites that need nothing but a store; it fails (never skips) when the
// backend cannot be reached.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "core/text.h"
#include "store/contract_backends_testing.h"
#include "store/postgres/pg_database.h"
#include "store/store.h"

namespace herald::store {

class FreshDatabase {
 public:
  FreshDatabase() = default;
  FreshDatabase(const FreshDatabase&) = delete;
  FreshDatabase& operator=(const FreshDatabase&) = delete;
  ~FreshDatabase() {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    if (!schema_.empty())
      if (auto admin = postgres::Connect(pg_base_); admin.ok())
        (void)(*admin)->ExecScript("DROP SCHEMA " + schema_ + " CASCADE");
  }

  // Creates and migrates the database; a gtest failure (and a null store) when it cannot.
  void Open(Backend backend) {
    const std::string name = "herald_test_" + RandomHex(8);
    std::string url;
    if (backend == Backend::kSqlite) {
      dir_ = std::filesystem::temp_directory_path() / name;
      url = "sqlite:" + (dir_ / "herald.db").string();
    } else {
      pg_base_ = PgTestUrl();
      ASSERT_FALSE(pg_base_.empty()) << "HERALD_TEST_PG_URL is not set: in CI the PostgreSQL contract tests must "
                                        "run (scripts/test.sh starts a server and sets it)";
      auto admin = postgres::Connect(pg_base_);
      ASSERT_TRUE(admin.ok()) << admin.error().message;
      ASSERT_TRUE((*admin)->ExecScript("CREATE SCHEMA " + name).ok());
      schema_ = name;
      url = pg_base_ + (pg_base_.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + name;
    }
    auto s = OpenStore(url);
    ASSERT_TRUE(s.ok()) << s.error().message;
    ASSERT_TRUE((*s)->Migrate().ok());
    store_ = std::move(*s);
  }

  Store& store() { return *store_; }
  explicit operator bool() const { return store_ != nullptr; }

 private:
  std::filesystem::path dir_;
  std::string pg_base_, schema_;
  std::unique_ptr<Store> store_;
};

}  // namespace herald::store
