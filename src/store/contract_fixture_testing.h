// A fresh, migrated store per test on the backend a contract suite is instantiated with (test-only):
// SQLite in a temporary file, PostgreSQL in a new schema of HERALD_TEST_PG_URL's server (dropped
// afterwards). Fails, never skips, when PostgreSQL is not configured (contract_backends_testing.h).
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

class FreshStoreContract : public testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgres) {
      pg_base_ = PgTestUrl();
      ASSERT_FALSE(pg_base_.empty()) << "HERALD_TEST_PG_URL is not set: in CI the PostgreSQL contract tests must run "
                                        "(scripts/test.sh starts a server and sets it)";
    }
    const std::string name = "herald_test_" + RandomHex(8);
    if (GetParam() == Backend::kSqlite) {
      dir_ = std::filesystem::temp_directory_path() / name;
      url_ = "sqlite:" + (dir_ / "herald.db").string();
    } else {
      auto admin = postgres::Connect(pg_base_);
      ASSERT_TRUE(admin.ok()) << admin.error().message;
      ASSERT_TRUE((*admin)->ExecScript("CREATE SCHEMA " + name).ok());
      schema_ = name;
      url_ = pg_base_ + (pg_base_.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + name;
    }
    auto s = OpenStore(url_);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    auto st = store_->Migrate();
    ASSERT_TRUE(st.ok()) << st.error().message;
  }

  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    if (!schema_.empty())
      if (auto admin = postgres::Connect(pg_base_); admin.ok())
        (void)(*admin)->ExecScript("DROP SCHEMA " + schema_ + " CASCADE");
  }

  std::filesystem::path dir_;
  std::string pg_base_, url_, schema_;
  std::unique_ptr<Store> store_;
};

}  // namespace herald::store
