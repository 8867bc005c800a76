// Scheduler: when each monitor's next check is due. A min-heap of due times; every monitor runs
// every `interval_ms` at a fixed phase within the interval taken from a hash of its id, so
// 10,000 monitors at 30 s start about 333 checks each second instead of 10,000 at once, and a
// restart keeps every monitor's phase (the phase is relative to the epoch, not to the start).
//
// Pure: no clock, no threads. The engine asks PopDue(now) for what is due and starts those
// checks; a monitor that is popped is rescheduled at once for its next slot (missed slots, after
// a stall, are skipped rather than run in a burst). Whether a check is still running is the
// engine's business: it skips a due monitor whose previous check has not finished.
//
// Thread safety: not synchronised; one owner thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "core/clock.h"

namespace herald::monitor {

inline constexpr TimeMs kMinIntervalMs = 5'000;

// The monitor's phase within its interval: a deterministic offset in [0, interval_ms).
TimeMs PhaseOf(const std::string& monitor_id, TimeMs interval_ms);

class Scheduler {
 public:
  struct Due {
    std::string monitor_id;
    TimeMs due_at = 0;  // when it should have started (for the lag statistic)
  };

  // Adds a monitor or changes its interval (clamped to >= kMinIntervalMs). The first check is
  // due at the first slot at or after `now`. An existing monitor with the same interval keeps
  // its schedule.
  void Upsert(const std::string& monitor_id, TimeMs interval_ms, TimeMs now);
  void Remove(const std::string& monitor_id);
  // Makes the monitor due at `at` (e.g. now: a heartbeat arrived); it returns to its phase after.
  void RunAt(const std::string& monitor_id, TimeMs at);
  bool Contains(const std::string& monitor_id) const { return entries_.count(monitor_id) > 0; }

  // Every monitor due at or before `now`, each rescheduled for its next slot after `now`.
  std::vector<Due> PopDue(TimeMs now);
  // The earliest due time, if any monitor is scheduled.
  std::optional<TimeMs> NextDue();
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    TimeMs interval = 0;
    TimeMs phase = 0;
    TimeMs due = 0;
    std::uint64_t generation = 0;  // heap items of older generations are stale
  };
  struct Item {
    TimeMs due;
    std::uint64_t generation;
    std::string id;
    bool operator>(const Item& o) const { return due > o.due; }
  };
  void Push(const std::string& id, Entry& e, TimeMs due);
  void DropStale();

  std::map<std::string, Entry> entries_;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> heap_;
  std::uint64_t next_generation_ = 1;
};

}  // namespace herald::monitor
