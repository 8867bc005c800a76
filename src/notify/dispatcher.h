// Dispatcher: turns outbox events into deliveries and sends them, at least once, durably.
//
// Life of an update: the service commits the update and its outbox event together; Wake() (or
// the 1 s poll) makes the dispatcher read the outbox after its durable cursor and record one
// dispatch job per event that may notify. A job streams the page's active subscribers in
// (priority desc, id) order, batch by batch; each batch's deliveries are inserted and the job's
// cursor moved in ONE transaction before anything is sent, so a crash at any point resumes at
// the last batch and loses nobody. Deliveries are inserted leased (next_attempt_at = now +
// lease): if this process dies before recording an outcome, the lease runs out and any instance
// sends again, with the same idempotency key (webhook-id, Message-ID).
//
// Outcomes come back from the channels on the outbound engine's thread and are recorded in
// batches: delivered; retry with exponential backoff and jitter (honouring Retry-After) for about
// three days, then failed; gone (410, hard bounce) quarantines the subscriber, as does failing
// for five days. Per-destination rate limits (Slack 1/s, Discord 5/2 s, ...) delay a message
// instead of sending it; a slow destination only ties up its own in-flight slots.
//
// Thread safety: Start() runs the loop on its own thread; Wake() may be called from any thread.
// Tests call Step() directly with a FakeClock and no thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "notify/composer.h"
#include "notify/registry.h"
#include "store/store.h"

namespace herald::notify {

struct DispatcherOptions {
  std::string owner = "herald";  // this instance's lease name
  std::string public_url = "http://127.0.0.1:8080";
  int batch_size = 500;                              // subscribers per fan-out transaction
  int max_in_flight = 5000;                          // messages handed to channels and not yet answered
  TimeMs lease_ms = 5 * 60 * 1000;                   // a sent message is retried if no outcome is recorded by then
  TimeMs give_up_after_ms = 3LL * 24 * 3600 * 1000;  // retry window of one delivery
  TimeMs disable_after_ms = 5LL * 24 * 3600 * 1000;  // a destination failing this long is disabled
  std::chrono::milliseconds poll{1000};
  // Provider-wide sends per second by channel (SMS provider accounts): 0 = unlimited.
  std::map<model::ChannelKind, int> channel_per_second;
};

// The delay before attempt `attempt + 1` after `attempt` failures (1-based): 5 s, 5 min, 30 min,
// 2 h, 5 h, 10 h, 10 h, 14 h, 20 h (about three days in all, the Standard Webhooks schedule
// stretched), each with +-10% jitter drawn from `rng`.
TimeMs RetryDelay(int attempt, std::mt19937_64& rng);

struct DispatcherStats {
  std::atomic<std::int64_t> sent{0}, delivered{0}, retried{0}, failed{0}, quarantined{0};
  std::atomic<std::int64_t> in_flight{0};
  std::atomic<TimeMs> last_event_latency_ms{0};  // publish to first send of the newest event
};

class Dispatcher {
 public:
  Dispatcher(store::Store& store, const Clock& clock, const Channels& channels, const LinkSigner& links,
             DispatcherOptions options);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Starts two threads: the dispatcher loop (outbox, fan-out, composing and sending) and the
  // recorder, which writes the outcomes that channels report. Recording on its own thread lets a
  // fan-out compose the next batch while the previous batch's results are written (the
  // dispatcher thread was the bottleneck of a million-subscriber fan-out).
  void Start();
  // Waits for both threads; outcomes already reported are recorded first. In-flight messages keep
  // their lease and are resent later (same idempotency key).
  void Stop();
  void Wake();

  // One round: pick up new outbox events, fan out one batch, send due deliveries; when the
  // threads are not started (tests driving Step by hand), also record finished attempts first.
  // Returns true when it did something (call again), false when idle.
  bool Step();
  // Records outcomes that have arrived (the recorder thread's work; also part of Step() when the
  // threads are not started). Not to be called concurrently with itself.
  void FlushOutcomes();

  const DispatcherStats& stats() const { return stats_; }

 private:
  struct Context {
    std::optional<EventContext> event;  // nullopt: the event notifies nobody
    TemplateOverrides overrides;
    // Rendered messages by audience (channel, detail, language, zone, variant, components):
    // a million subscribers share a few dozen renderings. Only when no override uses a
    // per-subscriber variable. Dispatcher thread only.
    bool cacheable = true;
    mutable std::map<std::string, Message> rendered;
  };
  struct Outcome {
    model::Delivery delivery;
    std::string subscriber_id;
    TimeMs subscriber_failing_since = 0;
    SendOutcome result;
    // For telling the owner when the destination is disabled.
    std::string owner_email, address;
    std::shared_ptr<const Context> context;
  };
  // Emails the owner of a webhook or chat destination that was just disabled (best effort: the
  // destination is disabled either way, and staff see it in the API).
  void TellOwner(const Outcome& outcome, TimeMs now);
  struct Delayed {
    TimeMs at = 0;
    model::Delivery delivery;
    model::Subscriber subscriber;
    std::shared_ptr<const Context> context;
  };

  Status ScanOutbox();
  Result<bool> FanOutOneBatch();
  Result<bool> SendDue();
  Result<std::shared_ptr<const Context>> ContextFor(std::int64_t event_id, const std::string& page_id);
  void Send(const model::Delivery& delivery, const model::Subscriber& subscriber,
            const std::shared_ptr<const Context>& context);
  bool Throttled(const model::Subscriber& subscriber, Channel& channel, TimeMs now, TimeMs* retry_at);
  void Loop();
  void RecordLoop();

  store::Store& store_;
  const Clock& clock_;
  const Channels& channels_;
  const LinkSigner& links_;
  DispatcherOptions options_;
  DispatcherStats stats_;
  std::mt19937_64 rng_;  // retry jitter; used by FlushOutcomes only

  std::map<std::int64_t, std::shared_ptr<const Context>> contexts_;  // by event id; dispatcher thread only
  std::vector<Delayed> delayed_;                                     // rate-limited, dispatcher thread only
  std::map<std::string, std::deque<TimeMs>> recent_by_destination_;  // sliding windows
  std::map<model::ChannelKind, std::deque<TimeMs>> recent_by_channel_;
  bool cursor_initialised_ = false;

  std::mutex mu_;                        // guards outcomes_ and wake_
  std::condition_variable cv_;           // wakes the dispatcher loop
  std::condition_variable recorder_cv_;  // wakes the recorder: outcomes arrived or stopping
  std::vector<Outcome> outcomes_;
  bool wake_ = false;
  std::atomic<bool> running_{false};
  std::atomic<bool> recording_{false};
  std::thread thread_;
  std::thread recorder_;
};

}  // namespace herald::notify
