#include "store/sql/database.h"

#include <utility>

namespace herald::store::sql {

Pool::Pool(ConnectionFactory factory, int size, std::chrono::milliseconds acquire_timeout)
    : factory_(std::move(factory)), size_(size), acquire_timeout_(acquire_timeout) {}

Pool::Lease::~Lease() {
  if (conn_) pool_->Return(std::move(conn_));
}

void Pool::Lease::Discard() {
  if (!conn_) return;
  conn_.reset();
  std::lock_guard lock(pool_->mu_);
  --pool_->open_;
  pool_->cv_.notify_one();
}

Result<Pool::Lease> Pool::Acquire() {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, acquire_timeout_, [&] { return !idle_.empty() || open_ < size_; })) {
    return Error::Unavailable("timed out waiting for a free database connection");
  }
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(conn));
  }
  // Connect outside the lock: it may take seconds, and others may return connections meanwhile.
  ++open_;
  lock.unlock();
  auto conn = factory_();
  if (!conn.ok()) {
    lock.lock();
    --open_;
    cv_.notify_one();
    return conn.error();
  }
  return Lease(this, std::move(*conn));
}

void Pool::Return(std::unique_ptr<Connection> conn) {
  std::lock_guard lock(mu_);
  if (conn->Broken()) {
    --open_;
  } else {
    idle_.push_back(std::move(conn));
  }
  cv_.notify_one();
}

namespace {
constexpr int kMaxBeginAttempts = 8;
}  // namespace

Status Database::Transact(Mode mode, const Body& body) {
  Pool& pool = mode == Mode::kWrite ? *writers_ : *readers_;
  const std::string_view begin = mode == Mode::kWrite ? dialect_.begin_write : dialect_.begin_read;
  for (int attempt = 0;; ++attempt) {
    auto lease = pool.Acquire();
    if (!lease.ok()) return lease.error();
    Connection& conn = **lease;
    if (auto st = conn.Exec(begin); !st.ok()) {
      // An idle pooled connection may have died with a database restart: nothing ran yet, so a
      // retry is safe. Several idle connections may be dead at once, hence a few attempts; each
      // drops its dead connection, and a fresh connect that fails ends the loop in Acquire.
      if (conn.Broken() && attempt < kMaxBeginAttempts) continue;
      return st.error();
    }
    Status st = body(conn);
    if (st.ok()) {
      if (auto c = conn.Exec("COMMIT"); !c.ok()) {
        (void)conn.Exec("ROLLBACK");
        return c.error();
      }
      return st;
    }
    if (auto r = conn.Exec("ROLLBACK"); !r.ok()) lease->Discard();
    return st;
  }
}

}  // namespace herald::store::sql
