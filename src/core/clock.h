// Clock: the one source of "now" for everything in Herald. Passed in through constructors so
// tests use FakeClock and never sleep. Times are Unix epoch milliseconds (UTC) throughout.
// SystemClock and FakeClock are thread-safe.
#pragma once

#include <atomic>
#include <cstdint>

namespace herald {

using TimeMs = std::int64_t;  // milliseconds since the Unix epoch, UTC

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeMs Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimeMs Now() const override;
  static SystemClock& Instance();
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimeMs start = 1767225600000) : now_(start) {}  // 2026-01-01T00:00:00Z
  TimeMs Now() const override { return now_.load(); }
  void Set(TimeMs t) { now_.store(t); }
  void Advance(TimeMs delta) { now_.fetch_add(delta); }

 private:
  std::atomic<TimeMs> now_;
};

}  // namespace herald
