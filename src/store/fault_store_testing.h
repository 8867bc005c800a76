// FaultStore (tests only): a StoreWrapper that fails chosen Store methods by name, as a database
// that has gone away (kUnavailable) or a full disk would, and counts the calls of every method.
// Tests use it instead of breaking a real database (renaming tables, killing servers) to reach
// the paths that handle storage errors:
//
//   store::testing::FaultStore store(*real);
//   store.Fail("RecordMonitorResults");            // every call fails until Heal
//   store.Fail("PutSetting", Error::Unavailable("database or disk is full"));
//   store.FailAll();                               // the database is down
//   store.HealAll();                               // and back
//   EXPECT_EQ(store.Calls("ListMonitors"), 2);
//
// A failed call does not reach the wrapped store. Method names are those of store.h
// ("ListPages", "CommitDispatchBatch"); BackendName never fails.
//
// Thread safety: every method may be called from any thread, also while other threads use the
// store (tests toggle faults while a publisher or engine thread runs).
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "store/store_wrapper.h"

namespace herald::store::testing {

class FaultStore final : public StoreWrapper {
 public:
  explicit FaultStore(Store& target) : StoreWrapper(target) {}

  static Error Unreachable() { return Error::Unavailable("database is unreachable (test)"); }

  // Every later call of `method` fails with `error` until Heal(method) or HealAll().
  void Fail(std::string_view method, Error error = Unreachable()) { Set(method, std::move(error), -1); }
  // Only the next `times` calls of `method` fail.
  void FailNext(std::string_view method, int times, Error error = Unreachable()) {
    if (times > 0) Set(method, std::move(error), times);
  }
  // Every method fails until HealAll(): the database is down.
  void FailAll(Error error = Unreachable()) {
    std::lock_guard lock(mu_);
    all_ = std::move(error);
  }
  void Heal(std::string_view method) {
    std::lock_guard lock(mu_);
    if (auto it = faults_.find(method); it != faults_.end()) faults_.erase(it);
  }
  void HealAll() {
    std::lock_guard lock(mu_);
    faults_.clear();
    all_.reset();
  }

  // How often `method` was called so far, failed calls included.
  int Calls(std::string_view method) const {
    std::lock_guard lock(mu_);
    auto it = calls_.find(method);
    return it == calls_.end() ? 0 : it->second;
  }
  // How many calls of `method` this store failed.
  int Failures(std::string_view method) const {
    std::lock_guard lock(mu_);
    auto it = failures_.find(method);
    return it == failures_.end() ? 0 : it->second;
  }

 protected:
  Status OnCall(std::string_view method) override {
    std::lock_guard lock(mu_);
    ++Counter(calls_, method);
    std::optional<Error> error = all_;
    if (auto it = faults_.find(method); !error && it != faults_.end()) {
      error = it->second.error;
      if (it->second.remaining > 0 && --it->second.remaining == 0) faults_.erase(it);
    }
    if (!error) return {};
    ++Counter(failures_, method);
    return *error;
  }

 private:
  struct Fault {
    Error error;
    int remaining = -1;  // calls left to fail; -1: until healed
  };
  using Counts = std::map<std::string, int, std::less<>>;

  static int& Counter(Counts& counts, std::string_view method) {
    auto it = counts.find(method);
    if (it == counts.end()) it = counts.emplace(std::string(method), 0).first;
    return it->second;
  }
  void Set(std::string_view method, Error error, int times) {
    std::lock_guard lock(mu_);
    faults_.insert_or_assign(std::string(method), Fault{std::move(error), times});
  }

  mutable std::mutex mu_;  // guards everything below
  std::map<std::string, Fault, std::less<>> faults_;
  std::optional<Error> all_;
  Counts calls_;
  Counts failures_;
};

}  // namespace herald::store::testing
