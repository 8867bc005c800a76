// Dispatcher: turns outbox events into deliveries and sends them, at least once, durably.
//
// Life of an update: the service commits the update and its outbox event together; Wake() (or
// the 1 s poll) makes the dispatcher read the outbox after its durable cursor and record one
// dispatch job per event that may notify. A job streams the page's active subscribers in
// (priority desc, id) order, batch by batch, and sends each batch at once. A batch is written
// ONCE, when its answers are in (or after kRecordWithin, with the unanswered ones pending and
// leased): its deliveries with their outcomes, and the job's durable cursor moved past it, in
// one transaction. The durable cursor thus only ever covers recorded deliveries: after a crash
// the fan-out resumes there and sends the unrecorded batches again, with the same idempotency
// key (webhook-id, Message-ID), so nobody is lost and a duplicate is recognisable. Writing each
// delivery once instead of inserting it before sending and updating it after halved the
// database work of a fan-out (docs/PERFORMANCE.md). A delivery recorded as pending whose answer
// comes later is updated; if none comes, its lease runs out and any instance sends it again.
//
// Outcomes: delivered; retry with exponential backoff and jitter (honouring Retry-After) for
// about three days, then failed; gone (410, hard bounce) quarantines the subscriber, as does
// failing for five days. Per-destination rate limits (Slack 1/s, Discord 5/2 s, ...) delay a message
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
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "notify/composer.h"
#include "notify/registry.h"
#include "store/store.h"

namespace herald::notify {

// A lease owner name unique to this process: "host:pid:random". Every instance sharing a
// database must claim jobs under its own name: a claim by the owner of a live lease renews it,
// so instances sharing one name would all run the same fan-out.
std::string UniqueLeaseOwner();

struct DispatcherOptions {
  std::string owner = UniqueLeaseOwner();  // this instance's lease name
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
  // Messages of a fan-out batch this instance sent but could not record because another instance
  // had taken the job (its lease ran out): that instance sends them again, so these were resends.
  // They are not counted as delivered.
  std::atomic<std::int64_t> resent{0};
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
  // recorder, which writes batches and the outcomes that channels report. Recording on its own
  // thread lets a fan-out compose the next batch while the previous batch's results are written.
  void Start();
  // Waits for both threads; every batch sent and every outcome already reported is recorded
  // first. Messages still in flight are recorded pending, keep their lease and are resent later
  // (same idempotency key).
  void Stop();
  void Wake();

  // One round: pick up new outbox events, fan out one batch, send due deliveries; when the
  // threads are not started (tests driving Step by hand), also record what is ready first.
  // Returns true when it did something (call again), false when idle.
  bool Step();
  // Records the batches that are ready (answered, or older than kRecordWithin; with `all`, every
  // batch) and the outcomes that have arrived: the recorder thread's work, also part of Step()
  // when the threads are not started. Not to be called concurrently with itself.
  void FlushOutcomes(bool all = false);

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
  struct Batch;
  struct Outcome {
    // The fan-out batch the delivery belongs to while that batch is unrecorded; null for retries.
    std::shared_ptr<Batch> batch;
    size_t slot = 0;  // index in batch->write.deliveries
    // What classifying the outcome needs of the delivery (not all of it: one Outcome is built per
    // message, a million per fan-out).
    std::string delivery_id;
    TimeMs delivery_created_at = 0;
    int delivery_attempts = 0;
    std::string subscriber_id;
    TimeMs subscriber_failing_since = 0;
    SendOutcome result;
    // For telling the owner when the destination is disabled (address only when there is one).
    std::string owner_email, address;
    std::shared_ptr<const Context> context;
  };
  // A fan-out batch from its sending until the recorder writes it. Answers fill `answers` until
  // the recorder takes the batch; later ones update the written rows like a retry's.
  struct Batch {
    store::DispatchBatch write;                   // deliveries pending and leased until answered
    std::vector<std::optional<Outcome>> answers;  // by delivery index; guarded by mu_
    size_t outstanding = 0;                       // sent and not answered; guarded by mu_
    TimeMs record_by = 0;                         // written then, answered or not
    bool taken = false;                           // guarded by mu_
    std::vector<Outcome> tell_owner;              // quarantined with an owner to tell; recorder only
    bool prepared = false;                        // answers applied to write; recorder only
    size_t sent = 0;                              // messages sent (not delayed by quiet hours)
    std::int64_t delivered = 0;                   // counted in stats_.delivered by PrepareBatch
  };
  // Where this instance's fan-out of one job has got to, ahead of the durable cursor by the
  // batches not yet recorded. Dispatcher thread only.
  struct Position {
    bool has_cursor = false;
    int priority = 0;
    std::string id;
    bool done = false;
    std::int64_t matched = 0;
  };
  // Emails the owner of a webhook or chat destination that was just disabled (best effort: the
  // destination is disabled either way, and staff see it in the API).
  void TellOwner(const Outcome& outcome, TimeMs now);
  struct Delayed {
    TimeMs at = 0;
    model::Delivery delivery;
    model::Subscriber subscriber;
    std::shared_ptr<const Context> context;
    std::shared_ptr<Batch> batch;
    size_t slot = 0;
  };

  Status ScanOutbox();
  Result<bool> FanOutOneBatch();
  Result<bool> SendDue();
  Result<std::shared_ptr<const Context>> ContextFor(std::int64_t event_id, const std::string& page_id);
  void Send(const model::Delivery& delivery, const model::Subscriber& subscriber,
            const std::shared_ptr<const Context>& context, std::shared_ptr<Batch> batch = nullptr, size_t slot = 0);
  // Hands an outcome to the recorder: into its batch while that is unrecorded, else to outcomes_.
  // `from_channel`: the answer of a message counted in flight.
  void Report(Outcome outcome, bool from_channel);
  // The attempt record an outcome makes (state, next attempt, health), counted in stats_.
  store::AttemptRecord Classify(const Outcome& outcome, TimeMs now);
  // Fills a taken batch's deliveries with their answers and health; once per batch.
  void PrepareBatch(Batch& batch, TimeMs now);
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
  std::map<std::int64_t, Position> positions_;  // by event id
  // Send's buffers for the rendering-cache key and the segment variant's name (no temporary
  // strings per message); dispatcher thread only.
  std::string key_, segment_key_;

  std::mutex mu_;                               // guards outcomes_, batches_, reset_positions_, wake_
  std::condition_variable cv_;                  // wakes the dispatcher loop
  std::condition_variable recorder_cv_;         // wakes the recorder: outcomes arrived or stopping
  std::vector<Outcome> outcomes_;               // answers of deliveries already written
  std::deque<std::shared_ptr<Batch>> batches_;  // sent, not yet taken by the recorder; fan-out order
  // Jobs whose Position must go: finished, or their recorded cursor moved by another instance.
  std::vector<std::int64_t> reset_positions_;
  std::atomic<int> unrecorded_batches_{0};        // sent and not yet written (back-pressure)
  std::deque<std::shared_ptr<Batch>> unwritten_;  // taken, write failed (database away); recorder only
  std::vector<Outcome> late_;                     // outcomes waiting behind unwritten_; recorder only
  bool wake_ = false;
  std::atomic<bool> running_{false};
  std::atomic<bool> recording_{false};
  std::thread thread_;
  std::thread recorder_;
};

}  // namespace herald::notify
