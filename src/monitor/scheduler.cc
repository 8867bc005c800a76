#include "monitor/scheduler.h"

#include <algorithm>

namespace herald::monitor {

TimeMs PhaseOf(const std::string& monitor_id, TimeMs interval_ms) {
  // FNV-1a, then a 64-bit finaliser (splitmix) so that similar ids spread evenly.
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : monitor_id) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  const TimeMs interval = std::max<TimeMs>(interval_ms, 1);
  return static_cast<TimeMs>(h % static_cast<std::uint64_t>(interval));
}

namespace {
// The first slot (t = phase mod interval) at or after `at`.
TimeMs SlotAtOrAfter(TimeMs at, TimeMs interval, TimeMs phase) {
  TimeMs base = at - ((at % interval) + interval) % interval;  // floor to a multiple of interval
  TimeMs t = base + phase;
  if (t < at) t += interval;
  return t;
}
}  // namespace

void Scheduler::Push(const std::string& id, Entry& e, TimeMs due) {
  e.due = due;
  e.generation = next_generation_++;
  heap_.push(Item{due, e.generation, id});
}

void Scheduler::Upsert(const std::string& monitor_id, TimeMs interval_ms, TimeMs now) {
  const TimeMs interval = std::max(interval_ms, kMinIntervalMs);
  auto [it, inserted] = entries_.try_emplace(monitor_id);
  Entry& e = it->second;
  if (!inserted && e.interval == interval) return;
  e.interval = interval;
  e.phase = PhaseOf(monitor_id, interval);
  Push(monitor_id, e, SlotAtOrAfter(now, interval, e.phase));
}

void Scheduler::Remove(const std::string& monitor_id) {
  entries_.erase(monitor_id);  // its heap items become stale
  DropStale();
}

void Scheduler::RunAt(const std::string& monitor_id, TimeMs at) {
  auto it = entries_.find(monitor_id);
  if (it == entries_.end() || it->second.due <= at) return;
  Push(monitor_id, it->second, at);
}

void Scheduler::DropStale() {
  while (!heap_.empty()) {
    const Item& top = heap_.top();
    auto it = entries_.find(top.id);
    if (it != entries_.end() && it->second.generation == top.generation) return;
    heap_.pop();
  }
}

std::vector<Scheduler::Due> Scheduler::PopDue(TimeMs now) {
  std::vector<Due> out;
  for (DropStale(); !heap_.empty() && heap_.top().due <= now; DropStale()) {
    Item item = heap_.top();
    heap_.pop();
    Entry& e = entries_.at(item.id);
    out.push_back({item.id, item.due});
    // The next slot strictly after now: after a stall the missed slots are skipped.
    Push(item.id, e, SlotAtOrAfter(now + 1, e.interval, e.phase));
  }
  return out;
}

std::optional<TimeMs> Scheduler::NextDue() {
  DropStale();
  if (heap_.empty()) return std::nullopt;
  return heap_.top().due;
}

}  // namespace herald::monitor
