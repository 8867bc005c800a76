#include "notify/dispatcher.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "core/log.h"
#include "core/text.h"
#include "core/thread_name.h"
#include "core/time.h"

namespace herald::notify {
namespace {

constexpr char kCursorKey[] = "notify.outbox_cursor";
constexpr int kOutboxBatch = 200;
// The recorder writes outcomes in batches of up to this many, waiting at most kRecordGather for a
// batch to fill.
constexpr size_t kRecordBatch = 512;
constexpr auto kRecordGather = std::chrono::milliseconds(10);
// A fan-out batch is written at the latest this long after it was sent, answered or not (a slow
// destination answers within its 15 s timeout; its delivery is recorded pending meanwhile).
constexpr TimeMs kRecordWithin = 1000;
// The fan-out waits while this many batches are sent and not yet written: it bounds memory and
// how much a crash sends twice.
constexpr int kMaxUnrecordedBatches = 64;

constexpr TimeMs kSecond = 1000;
constexpr TimeMs kMinute = 60 * kSecond;
constexpr TimeMs kHour = 60 * kMinute;
constexpr TimeMs kSchedule[] = {5 * kSecond, 5 * kMinute, 30 * kMinute, 2 * kHour, 5 * kHour,
                                10 * kHour,  10 * kHour,  14 * kHour,   20 * kHour};

// Minutes after midnight of `now` in `zone`.
int MinuteOfDay(TimeMs now, const std::string& zone) {
  const std::string hm = FormatInZone(now, zone, "%H:%M");
  int h = 0, m = 0;
  std::from_chars(hm.data(), hm.data() + 2, h);
  std::from_chars(hm.data() + 3, hm.data() + 5, m);
  return h * 60 + m;
}

// When the subscriber's quiet hours end, if `now` falls inside them; 0 otherwise.
TimeMs QuietUntil(const model::Subscriber& s, const std::string& page_zone, TimeMs now) {
  if (!s.quiet_start_minute || !s.quiet_end_minute || *s.quiet_start_minute == *s.quiet_end_minute) return 0;
  const int start = *s.quiet_start_minute, end = *s.quiet_end_minute;
  const int cur = MinuteOfDay(now, s.time_zone.empty() ? page_zone : s.time_zone);
  const bool inside = start < end ? (cur >= start && cur < end) : (cur >= start || cur < end);
  if (!inside) return 0;
  const int wait = ((end - cur) % 1440 + 1440) % 1440;
  return now + wait * kMinute;
}

}  // namespace

std::string UniqueLeaseOwner() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof host, "herald");
  // The random part keeps two processes apart that share host name and pid (containers).
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + RandomHex(4);
}

TimeMs RetryDelay(int attempt, std::mt19937_64& rng) {
  const int n = static_cast<int>(std::size(kSchedule));
  const TimeMs base = kSchedule[std::clamp(attempt, 1, n) - 1];
  std::uniform_int_distribution<TimeMs> jitter(-base / 10, base / 10);
  return base + jitter(rng);
}

Dispatcher::Dispatcher(store::Store& store, const Clock& clock, const Channels& channels, const LinkSigner& links,
                       DispatcherOptions options)
    : store_(store),
      clock_(clock),
      channels_(channels),
      links_(links),
      options_(std::move(options)),
      rng_(std::random_device{}()) {}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() {
  if (running_.exchange(true)) return;
  recording_ = true;
  recorder_ = std::thread([this] {
    SetThreadName("herald-record");
    RecordLoop();
  });
  thread_ = std::thread([this] {
    SetThreadName("herald-dispatch");
    Loop();
  });
}

void Dispatcher::Stop() {
  if (!running_.exchange(false)) return;
  Wake();
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard lock(mu_);
    recording_ = false;
  }
  recorder_cv_.notify_one();
  if (recorder_.joinable()) recorder_.join();
}

void Dispatcher::Wake() {
  {
    std::lock_guard lock(mu_);
    wake_ = true;
  }
  cv_.notify_one();
}

void Dispatcher::Loop() {
  while (running_) {
    bool busy = false;
    try {
      busy = Step();
    } catch (const std::exception& e) {
      log::Error("dispatcher step failed", {{"error", e.what()}});
    }
    std::unique_lock lock(mu_);
    if (busy && running_) continue;
    cv_.wait_for(lock, options_.poll, [&] { return wake_ || !running_; });
    wake_ = false;
  }
}

void Dispatcher::RecordLoop() {
  for (;;) {
    bool stopping = false;
    {
      std::unique_lock lock(mu_);
      auto front_ready = [&] {
        return !batches_.empty() && (batches_.front()->outstanding == 0 || batches_.front()->record_by <= clock_.Now());
      };
      // Wakes for a batch answered in full or outcomes arriving; the timeout catches a batch
      // reaching its record_by (checked every 100 ms while batches are out) and retries, once
      // per poll, writes the database refused.
      while (outcomes_.empty() && !front_ready() && recording_) {
        const auto wait = !batches_.empty() ? std::chrono::milliseconds(100) : options_.poll;
        if (recorder_cv_.wait_for(lock, wait) == std::cv_status::timeout) break;
      }
      stopping = !recording_;
      // Late answers alone: give a busy sender a moment to report more, for one transaction.
      if (!stopping && !front_ready() && !outcomes_.empty())
        recorder_cv_.wait_for(lock, kRecordGather, [&] { return outcomes_.size() >= kRecordBatch || !recording_; });
    }
    try {
      FlushOutcomes(stopping);
    } catch (const std::exception& e) {
      log::Error("recording delivery outcomes failed", {{"error", e.what()}});
    }
    if (stopping) return;
  }
}

bool Dispatcher::Step() {
  if (!recording_) FlushOutcomes();
  bool did = false;
  if (auto st = ScanOutbox(); !st.ok()) {
    log::Warn("dispatcher cannot read the outbox", {{"error", st.error().message}});
    return false;
  }
  if (stats_.in_flight < options_.max_in_flight) {
    auto fanned = FanOutOneBatch();
    if (!fanned.ok()) {
      log::Warn("dispatcher fan-out failed", {{"error", fanned.error().message}});
    } else {
      did |= *fanned;
    }
  }
  if (stats_.in_flight < options_.max_in_flight) {
    auto sent = SendDue();
    if (!sent.ok()) {
      log::Warn("dispatcher cannot claim due deliveries", {{"error", sent.error().message}});
    } else {
      did |= *sent;
    }
  }
  // Rate-limited messages whose slot has come.
  const TimeMs now = clock_.Now();
  std::vector<Delayed> ready;
  std::erase_if(delayed_, [&](Delayed& d) {
    if (d.at > now) return false;
    ready.push_back(std::move(d));
    return true;
  });
  for (auto& d : ready) {
    Send(d.delivery, d.subscriber, d.context, std::move(d.batch), d.slot);
    did = true;
  }
  return did;
}

Status Dispatcher::ScanOutbox() {
  if (!cursor_initialised_) {
    // On first start, history is not news: begin after the newest event.
    auto last = store_.LastOutboxId();
    if (!last.ok()) return last.error();
    auto init = store_.InitSetting(kCursorKey, std::to_string(*last), clock_.Now());
    if (!init.ok()) return init.error();
    cursor_initialised_ = true;
  }
  auto cursor_text = store_.GetSetting(kCursorKey);
  if (!cursor_text.ok()) return cursor_text.error();
  std::int64_t cursor = 0;
  if (*cursor_text) std::from_chars((*cursor_text)->data(), (*cursor_text)->data() + (*cursor_text)->size(), cursor);
  auto events = store_.ReadOutbox(cursor, kOutboxBatch);
  if (!events.ok()) return events.error();
  if (events->empty()) return {};
  std::vector<model::DispatchJob> jobs;
  for (const auto& e : *events) {
    if (e.kind != "incident.created" && e.kind != "incident.updated" && e.kind != "component.updated") continue;
    model::DispatchJob j;
    j.event_id = e.id;
    j.page_id = e.page_id;
    j.created_at = e.created_at;
    j.updated_at = clock_.Now();
    jobs.push_back(std::move(j));
  }
  return store_.CreateDispatchJobs(jobs, kCursorKey, events->back().id);
}

Result<std::shared_ptr<const Dispatcher::Context>> Dispatcher::ContextFor(std::int64_t event_id,
                                                                          const std::string& page_id) {
  if (auto it = contexts_.find(event_id); it != contexts_.end()) return it->second;
  auto event = store_.GetOutboxEvent(event_id);
  if (!event.ok()) return event.error();
  auto loaded = LoadEventContext(store_, *event, options_.public_url);
  if (!loaded.ok()) return loaded.error();
  auto ctx = std::make_shared<Context>();
  ctx->event = std::move(*loaded);
  auto templates = store_.ListTemplates(page_id);
  if (!templates.ok()) return templates.error();
  for (const auto& t : *templates) {
    ctx->overrides[t.key] = t.body;
    if (t.body.find("_url") != std::string::npos || t.body.find("address") != std::string::npos) ctx->cacheable = false;
  }
  if (contexts_.size() > 64) contexts_.clear();  // a handful of events are live at a time
  contexts_[event_id] = ctx;
  return std::shared_ptr<const Context>(ctx);
}

Result<bool> Dispatcher::FanOutOneBatch() {
  {
    std::lock_guard lock(mu_);
    for (auto id : reset_positions_) positions_.erase(id);
    reset_positions_.clear();
  }
  // The recorder is behind (or the database refuses writes): it wakes us when it catches up.
  if (unrecorded_batches_ >= kMaxUnrecordedBatches) return false;
  const TimeMs now = clock_.Now();
  auto claimed = store_.ClaimDispatchJob(options_.owner, now, now + options_.lease_ms);
  if (!claimed.ok()) return claimed.error();
  if (!*claimed) return false;
  model::DispatchJob job = **claimed;
  auto [pos_it, fresh] = positions_.try_emplace(job.event_id);
  Position& pos = pos_it->second;
  if (fresh) pos = {job.has_cursor, job.cursor_priority, job.cursor_id, false, job.matched};
  // Fanned out in full, its last batches not yet recorded: the recorder wakes us when they are.
  if (pos.done) return false;
  auto ctx = ContextFor(job.event_id, job.page_id);
  if (!ctx.ok()) return ctx.error();
  std::vector<model::Subscriber> batch;
  // A small first batch gets the first (highest-priority) messages out sooner.
  const int limit = pos.has_cursor ? options_.batch_size : std::min(options_.batch_size, 50);
  if ((*ctx)->event) {
    auto streamed = store_.StreamSubscribers(job.page_id, pos.has_cursor, pos.priority, pos.id, limit);
    if (!streamed.ok()) return streamed.error();
    batch = std::move(*streamed);
  }
  std::vector<model::Delivery> deliveries;
  std::vector<const model::Subscriber*> send_now;
  const auto& ev = (*ctx)->event;
  for (const auto& s : batch) {
    if (!Matches(*ev, s) || !channels_.Find(s.channel)) continue;
    model::Delivery d;
    d.id = DeliveryId(job.event_id, s.id);
    d.event_id = job.event_id;
    d.page_id = job.page_id;
    d.subscriber_id = s.id;
    d.incident_id = ev->incident ? ev->incident->id : "";
    d.channel = s.channel;
    d.priority = s.priority;
    d.created_at = now;
    d.updated_at = now;
    const TimeMs quiet = ev->critical ? 0 : QuietUntil(s, ev->page.time_zone, now);
    d.next_attempt_at = quiet ? quiet : now + options_.lease_ms;
    deliveries.push_back(std::move(d));
    if (!quiet) send_now.push_back(&s);
  }
  auto b = std::make_shared<Batch>();
  b->write.from_has_cursor = pos.has_cursor;
  b->write.from_priority = pos.priority;
  b->write.from_id = pos.id;
  if (!batch.empty()) {
    pos.has_cursor = true;
    pos.priority = batch.back().priority;
    pos.id = batch.back().id;
  }
  pos.matched += static_cast<std::int64_t>(deliveries.size());
  pos.done = static_cast<int>(batch.size()) < limit;
  job.has_cursor = pos.has_cursor;
  job.cursor_priority = pos.priority;
  job.cursor_id = pos.id;
  job.done = pos.done;
  job.updated_at = now;
  job.lease_until = now + options_.lease_ms;
  const bool finished_empty = pos.done && pos.matched == 0;
  const std::int64_t event_id = job.event_id;
  b->write.job = std::move(job);
  b->write.deliveries = std::move(deliveries);
  b->answers.resize(b->write.deliveries.size());
  b->outstanding = send_now.size();  // before sending: answers may come back at once
  b->sent = send_now.size();
  b->record_by = now + kRecordWithin;
  ++unrecorded_batches_;
  // Send first, then hand the batch to the recorder, which may change its deliveries once it has
  // it. Deliveries and send_now are in the same order.
  size_t di = 0;
  for (const auto* s : send_now) {
    while (b->write.deliveries[di].subscriber_id != s->id) ++di;
    Send(b->write.deliveries[di], *s, *ctx, b, di);
  }
  {
    std::lock_guard lock(mu_);
    batches_.push_back(std::move(b));
  }
  recorder_cv_.notify_one();
  if (finished_empty) contexts_.erase(event_id);
  return true;
}

Result<bool> Dispatcher::SendDue() {
  const TimeMs now = clock_.Now();
  const int room = options_.max_in_flight - static_cast<int>(stats_.in_flight);
  auto due = store_.ClaimDueDeliveries(now, now + options_.lease_ms, std::min(room, options_.batch_size));
  if (!due.ok()) return due.error();
  for (const auto& d : *due) {
    auto s = store_.GetSubscriber(d.page_id, d.subscriber_id);
    auto ctx = ContextFor(d.event_id, d.page_id);
    const bool gone = (!s.ok() && s.error().code == ErrorCode::kNotFound) ||
                      (s.ok() && s->state != model::SubscriberState::kActive) || (ctx.ok() && !(*ctx)->event);
    if (gone) {
      // Unsubscribed or deleted since, or the event no longer notifies: close the delivery.
      store::AttemptRecord r{d.id, model::DeliveryState::kFailed, 0, 0, "subscriber no longer active", now, "", false};
      if (auto st = store_.FinishAttempts({r}); !st.ok()) return st.error();
      continue;
    }
    if (!s.ok()) return s.error();
    if (!ctx.ok()) return ctx.error();
    Send(d, *s, *ctx);
  }
  return !due->empty();
}

bool Dispatcher::Throttled(const model::Subscriber& s, Channel& channel, TimeMs now, TimeMs* retry_at) {
  auto check = [&](std::deque<TimeMs>& window, int count, TimeMs span) {
    while (!window.empty() && window.front() <= now - span) window.pop_front();
    if (static_cast<int>(window.size()) < count) return false;
    *retry_at = std::max(*retry_at, window.front() + span);
    return true;
  };
  *retry_at = 0;
  const auto limit = channel.DestinationLimit();
  if (limit.count > 0 && check(recent_by_destination_[s.address], limit.count, limit.window.count())) return true;
  if (auto it = options_.channel_per_second.find(s.channel); it != options_.channel_per_second.end() && it->second > 0)
    if (check(recent_by_channel_[s.channel], it->second, kSecond)) return true;
  if (limit.count > 0) recent_by_destination_[s.address].push_back(now);
  if (auto it = options_.channel_per_second.find(s.channel); it != options_.channel_per_second.end() && it->second > 0)
    recent_by_channel_[s.channel].push_back(now);
  if (recent_by_destination_.size() > 100000) recent_by_destination_.clear();  // bounded memory
  return false;
}

void Dispatcher::Send(const model::Delivery& delivery, const model::Subscriber& subscriber,
                      const std::shared_ptr<const Context>& context, std::shared_ptr<Batch> batch, size_t slot) {
  Channel* channel = channels_.Find(subscriber.channel);
  if (!channel || !context->event) return;  // stays leased; closed on the next claim
  const TimeMs now = clock_.Now();
  TimeMs retry_at = 0;
  if (Throttled(subscriber, *channel, now, &retry_at)) {
    delayed_.push_back({retry_at, delivery, subscriber, context, std::move(batch), slot});
    return;
  }
  // Channels read the message only during Send (channel.h), so a cached rendering is sent in
  // place with this delivery's id and links: no copy of its bodies per subscriber.
  Message* cached = nullptr;
  Result<Message> composed = Error::Internal("not rendered");
  std::string& key = key_;  // built in a reused buffer: no temporaries per message
  if (context->cacheable) {
    const auto& up = context->event->update;
    // "channel|variant|language|zone|component,component,", variant being the segment's
    // ("segment:enterprise") when the update has one, else the detail level.
    key.assign(model::ToString(subscriber.channel)).append(1, '|');
    bool segment_variant = false;
    if (up && !subscriber.segment.empty()) {
      segment_key_.assign("segment:").append(subscriber.segment);
      segment_variant = up->variants.contains(segment_key_);
    }
    if (segment_variant) {
      key.append(segment_key_);
    } else {
      key.append(model::ToString(subscriber.detail));
    }
    key.append(1, '|').append(subscriber.language).append(1, '|').append(subscriber.time_zone).append(1, '|');
    for (const auto& c : subscriber.component_ids) key.append(c).append(1, ',');
    if (auto it = context->rendered.find(key); it != context->rendered.end()) {
      cached = &it->second;
      cached->id = delivery.id;
      if (channel->ShowsManageLink()) {
        cached->manage_url = links_.ManageUrl(subscriber.id);
      } else {
        cached->manage_url.clear();  // not read by this channel (no HMAC for it per message)
      }
      cached->unsubscribe_url = links_.UnsubscribeUrl(subscriber.id);
    }
  }
  if (!cached) {
    composed = Compose(*context->event, subscriber, context->overrides, links_, delivery.id);
    if (composed.ok() && context->cacheable && context->rendered.size() < 10000)
      cached = &context->rendered.emplace(key, std::move(*composed)).first->second;
  }
  Outcome pending{std::move(batch),
                  slot,
                  delivery.id,
                  delivery.created_at,
                  delivery.attempts,
                  subscriber.id,
                  subscriber.failing_since,
                  {},
                  subscriber.owner_email,
                  subscriber.owner_email.empty() ? std::string() : subscriber.address,
                  context};
  const Message* message = cached ? cached : composed.ok() ? &*composed : nullptr;
  if (!message) {
    pending.result.kind = SendOutcome::Kind::kPermanent;
    pending.result.detail = "template error: " + composed.error().message;
    Report(std::move(pending), false);
    return;
  }
  if (delivery.attempts == 0 && stats_.sent == 0) {
    stats_.last_event_latency_ms = now - context->event->event.created_at;
  }
  ++stats_.in_flight;
  ++stats_.sent;
  channel->Send(*message, subscriber, [this, pending = std::move(pending)](SendOutcome result) mutable {
    pending.result = std::move(result);
    Report(std::move(pending), true);
  });
}

void Dispatcher::Report(Outcome o, bool from_channel) {
  bool room_freed = false, wake_recorder = false;
  {
    std::lock_guard lock(mu_);
    if (from_channel) {
      // The dispatcher waits only when it is idle or has max_in_flight messages out: wake it when
      // this answer makes room again, i.e. once, as the count drops below max_in_flight (answers
      // count down by one; only the dispatcher counts up). Waking it for every answer while a
      // batch's overshoot drains made it re-read the outbox hundreds of times per batch.
      room_freed = stats_.in_flight.fetch_sub(1) == options_.max_in_flight;
      if (room_freed) wake_ = true;
    }
    if (o.batch && !o.batch->taken) {
      // Break the batch -> answer -> batch cycle before storing the answer in its batch.
      std::shared_ptr<Batch> batch = std::move(o.batch);
      const size_t slot = o.slot;
      batch->answers[slot] = std::move(o);
      // A batch answered in full is ready to be written.
      wake_recorder = --batch->outstanding == 0;
    } else {
      o.batch.reset();
      outcomes_.push_back(std::move(o));
      // The recorder sleeps until the first outcome, then gathers a batch (see RecordLoop): waking
      // it for each of thousands of answers per second would cost a context switch each.
      wake_recorder = outcomes_.size() == 1 || outcomes_.size() == kRecordBatch;
    }
  }
  if (wake_recorder) recorder_cv_.notify_one();
  if (room_freed) cv_.notify_one();
}

store::AttemptRecord Dispatcher::Classify(const Outcome& o, TimeMs now) {
  store::AttemptRecord r;
  r.delivery_id = o.delivery_id;
  r.subscriber_id = o.subscriber_id;
  r.subscriber_was_failing = o.subscriber_failing_since != 0;
  r.status = o.result.status;
  r.error = o.result.detail;
  r.at = now;
  using K = SendOutcome::Kind;
  switch (o.result.kind) {
    case K::kDelivered:
      r.state = model::DeliveryState::kDelivered;
      ++stats_.delivered;
      break;
    case K::kGone:
      r.state = model::DeliveryState::kFailed;
      r.quarantine = true;
      ++stats_.failed;
      ++stats_.quarantined;
      break;
    case K::kPermanent:
      r.state = model::DeliveryState::kFailed;
      ++stats_.failed;
      break;
    case K::kRetry: {
      const bool expired = now - o.delivery_created_at >= options_.give_up_after_ms;
      const bool dead =
          o.subscriber_failing_since != 0 && now - o.subscriber_failing_since >= options_.disable_after_ms;
      if (expired || dead) {
        r.state = model::DeliveryState::kFailed;
        r.quarantine = dead;
        if (dead) {
          r.error += " (failing for 5 days: disabled)";
          ++stats_.quarantined;
        }
        ++stats_.failed;
      } else {
        r.state = model::DeliveryState::kRetrying;
        TimeMs delay = RetryDelay(o.delivery_attempts + 1, rng_);
        if (o.result.retry_after) delay = std::max<TimeMs>(delay, o.result.retry_after->count());
        r.next_attempt_at = now + delay;
        ++stats_.retried;
      }
      break;
    }
  }
  return r;
}

void Dispatcher::PrepareBatch(Batch& b, TimeMs now) {
  for (size_t i = 0; i < b.answers.size(); ++i) {
    if (!b.answers[i]) continue;  // unanswered: recorded pending, leased
    const Outcome& o = *b.answers[i];
    const store::AttemptRecord r = Classify(o, now);
    if (r.state == model::DeliveryState::kDelivered) ++b.delivered;
    model::Delivery& d = b.write.deliveries[i];
    d.state = r.state;
    d.attempts = 1;
    d.next_attempt_at = r.next_attempt_at;
    d.updated_at = now;
    d.last_status = r.status;
    d.last_error = r.error;
    if (auto health = store::HealthAfter(r)) b.write.health.push_back(std::move(*health));
    if (r.quarantine && !o.owner_email.empty()) b.tell_owner.push_back(o);
  }
  b.answers.clear();
  b.prepared = true;
}

void Dispatcher::FlushOutcomes(bool all) {
  {
    std::lock_guard lock(mu_);
    const TimeMs now = clock_.Now();
    while (!batches_.empty()) {
      auto& front = batches_.front();
      if (!all && front->outstanding > 0 && front->record_by > now) break;
      front->taken = true;
      unwritten_.push_back(std::move(front));
      batches_.pop_front();
    }
    std::move(outcomes_.begin(), outcomes_.end(), std::back_inserter(late_));
    outcomes_.clear();
  }
  const TimeMs now = clock_.Now();
  const bool fan_out_paused = unrecorded_batches_ >= kMaxUnrecordedBatches;
  bool finished_job = false;
  // Batches in fan-out order: each moves its job's cursor from where the previous one left it.
  while (!unwritten_.empty()) {
    Batch& b = *unwritten_.front();
    if (!b.prepared) PrepareBatch(b, now);
    auto st = store_.CommitDispatchBatch(b.write);
    if (!st.ok() && st.error().code != ErrorCode::kConflict) {
      // Kept, and written before anything after it once the database answers again; the
      // fan-out pauses at kMaxUnrecordedBatches meanwhile.
      log::Warn("dispatcher cannot record a fan-out batch", {{"error", st.error().message}});
      return;
    }
    if (!st.ok()) {
      // Another instance has the job now (our lease ran out) and resumes at the recorded cursor:
      // it sends this batch again, with the same ids. Start over from the cursor if it comes back.
      log::Warn("fan-out batch not recorded: the job moved to another instance",
                {{"event", std::to_string(b.write.job.event_id)}});
      stats_.delivered -= b.delivered;
      stats_.resent += static_cast<std::int64_t>(b.sent);
    } else {
      for (const auto& o : b.tell_owner) TellOwner(o, now);
    }
    if (!st.ok() || b.write.job.done) {
      std::lock_guard lock(mu_);
      reset_positions_.push_back(b.write.job.event_id);
      finished_job = true;
    }
    unwritten_.pop_front();
    --unrecorded_batches_;
  }
  if (finished_job || (fan_out_paused && unrecorded_batches_ < kMaxUnrecordedBatches)) Wake();
  std::vector<Outcome> done;
  done.swap(late_);
  if (done.empty()) return;
  std::vector<store::AttemptRecord> records;
  records.reserve(done.size());
  for (const auto& o : done) records.push_back(Classify(o, now));
  if (auto st = store_.FinishAttempts(records); !st.ok()) {
    // Not recorded: the deliveries keep their lease and are sent again when it runs out (same
    // idempotency key), so nothing is lost; only a duplicate is possible.
    log::Warn("dispatcher cannot record outcomes", {{"error", st.error().message}});
    return;
  }
  for (size_t i = 0; i < done.size(); ++i)
    if (records[i].quarantine && !done[i].owner_email.empty()) TellOwner(done[i], now);
}

void Dispatcher::TellOwner(const Outcome& o, TimeMs now) {
  Channel* email = channels_.Find(model::ChannelKind::kEmail);
  if (!email || !o.context || !o.context->event) return;
  const auto& ev = *o.context->event;
  model::Subscriber owner;
  owner.id = o.subscriber_id;
  owner.page_id = ev.page.id;
  owner.channel = model::ChannelKind::kEmail;
  owner.address = o.owner_email;
  owner.state = model::SubscriberState::kActive;
  TemplateVars extra;
  extra["failing_since"] = FormatInZone(o.subscriber_failing_since ? o.subscriber_failing_since : now,
                                        ev.page.time_zone, "%a %d %b %Y, %H:%M %Z");
  extra["last_error"] = o.result.detail;
  extra["address"] = o.address;
  auto message = ComposeSystemMessage("disabled", ev.page, ev.page_url, owner, o.context->overrides, extra,
                                      "disabled_" + o.subscriber_id, now);
  if (!message.ok()) return;
  log::Info("destination disabled; telling its owner", {{"subscriber", o.subscriber_id}});
  email->Send(*message, owner, [id = o.subscriber_id](SendOutcome r) {
    if (r.kind != SendOutcome::Kind::kDelivered)
      log::Warn("could not tell the owner of a disabled destination", {{"subscriber", id}, {"error", r.detail}});
  });
}

}  // namespace herald::notify
