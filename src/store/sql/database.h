// Database: connection pooling and transactions on top of sql::Connection, the same for both
// engines. A write transaction runs on the writer pool, a read transaction (a stable snapshot for
// the several queries that build one answer) on the reader pool; the SQLite driver gives the
// writer pool one connection (SQLite has one writer anyway, and serialising in-process avoids
// busy waits), PostgreSQL shares one pool for both. Broken connections are dropped and replaced
// on next use, and a transaction whose BEGIN fails on a broken connection is retried on another
// (nothing has run yet), so a database restart is invisible to callers once the database is back.
//
// Thread safety: all methods are thread-safe. Acquiring a connection waits (bounded) when all are
// in use; connections are created lazily up to the pool's size.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "store/sql/connection.h"

namespace herald::store::sql {

using ConnectionFactory = std::function<Result<std::unique_ptr<Connection>>()>;

class Pool {
 public:
  Pool(ConnectionFactory factory, int size, std::chrono::milliseconds acquire_timeout);

  // A connection on loan; returns itself to the pool (or is dropped if broken) when destroyed.
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_.get(); }
    // Drops the connection instead of returning it (e.g. after an ambiguous failure).
    void Discard();

   private:
    Pool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  Result<Lease> Acquire();

 private:
  void Return(std::unique_ptr<Connection> conn);

  ConnectionFactory factory_;
  const int size_;
  const std::chrono::milliseconds acquire_timeout_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;  // connections in idle_ plus on loan plus being created
};

class Database {
 public:
  enum class Mode { kRead, kWrite };
  using Body = std::function<Status(Connection&)>;

  // `readers` may be the same pool as `writers`.
  Database(Dialect dialect, std::shared_ptr<Pool> writers, std::shared_ptr<Pool> readers)
      : dialect_(dialect), writers_(std::move(writers)), readers_(std::move(readers)) {}

  const Dialect& dialect() const { return dialect_; }

  // Runs `body` in one transaction: commits when it returns ok, rolls back otherwise (and returns
  // its error). When BEGIN fails on a broken connection it is retried on another one; `body`
  // itself runs at most once.
  Status Transact(Mode mode, const Body& body);

 private:
  const Dialect dialect_;
  std::shared_ptr<Pool> writers_;
  std::shared_ptr<Pool> readers_;
};

}  // namespace herald::store::sql
