// StaffAlerter: sends staff alerts (monitor state changes, "monitoring is degraded") to the
// page's AlertTargets through the notification channels (email, webhook, Slack, Teams, ...).
//
// Alerts are written by the engine in the same transaction as the state change they report
// (store::RecordMonitorResults), so a crash cannot lose one. The alerter leases due alerts
// (ClaimDueStaffAlerts), turns each into a notify::Message whose id is the alert id (the
// idempotency key: webhook-id, Message-ID) and sends it on the channel of its target; outcomes are
// recorded in batches (FinishStaffAlerts): delivered, retried with notify::RetryDelay backoff for
// up to three days, or failed. A lease that runs out (crash after sending) sends again with the
// same id.
//
// SendDirect is the path that works without the store: when results cannot be written the engine
// tells staff through it, using the targets it last read (SetTargets). Its outcomes are recorded
// in the store afterwards as best effort, for the alert history.
//
// Thread safety: Start() runs the loop on its own thread; Wake(), SetChannels(), SetTargets() and SendDirect()
// may be called from any thread. Channels answer on their own threads. Tests call Step() with a
// FakeClock and no thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "model/monitor.h"
#include "notify/message.h"
#include "notify/registry.h"
#include "store/monitor_store.h"

namespace herald::monitor {

struct StaffAlerterOptions {
  int batch_size = 100;
  TimeMs lease_ms = 5 * 60 * 1000;                   // resent when no outcome is recorded by then
  TimeMs give_up_after_ms = 3LL * 24 * 3600 * 1000;  // retry window of one alert
  TimeMs poll_ms = 1000;
  std::string public_url;  // link in the messages (the management console or page); may be empty
};

struct StaffAlerterStats {
  std::atomic<std::int64_t> sent{0}, delivered{0}, retried{0}, failed{0}, direct{0};
};

// The message one alert becomes (id = alert id; text and facts carry the evidence).
notify::Message StaffAlertMessage(const model::StaffAlert& alert, const std::string& public_url);
// The destination of a target, shaped as the subscriber a channel sends to.
model::Subscriber SubscriberFor(const model::AlertTarget& target);

class StaffAlerter {
 public:
  StaffAlerter(store::MonitorStore& store, const Clock& clock, const notify::Channels& channels,
               StaffAlerterOptions options = {});
  // Without channels yet: alerts wait in the store until SetChannels gives some.
  StaffAlerter(store::MonitorStore& store, const Clock& clock, StaffAlerterOptions options = {});
  ~StaffAlerter();
  StaffAlerter(const StaffAlerter&) = delete;
  StaffAlerter& operator=(const StaffAlerter&) = delete;

  void Start();
  void Stop();
  void Wake();

  // The channels alerts go out on (the notification runtime's, which may start later than
  // monitoring: while there are none, due alerts stay pending in the store and a direct alert
  // fails). `channels` must outlive the alerter or be replaced before it goes.
  void SetChannels(const notify::Channels* channels);

  // One round: records outcomes that arrived, leases due alerts and sends them. Returns true when
  // it sent something (call again).
  bool Step();
  // Records outcomes that have arrived (also part of Step()).
  void FlushOutcomes();

  // The targets of a page, as last read by the engine (used by SendDirect and to find an alert's
  // target without a store read).
  void SetTargets(const std::string& page_id, std::vector<model::AlertTarget> targets);
  std::vector<model::AlertTarget> TargetsOf(const std::string& page_id) const;

  // Sends `alert` (target_id set) at once without reading or writing the store first.
  void SendDirect(const model::StaffAlert& alert);

  const StaffAlerterStats& stats() const { return stats_; }

 private:
  struct Outcome {
    model::StaffAlert alert;
    bool direct = false;
    int status = 0;
    std::string detail;
    int kind = 0;  // notify::SendOutcome::Kind
    TimeMs retry_after_ms = -1;
  };
  bool Send(const model::StaffAlert& alert, bool direct);
  bool FindTarget(const std::string& page_id, const std::string& target_id, model::AlertTarget* out);
  void Loop();

  store::MonitorStore& store_;
  const Clock& clock_;
  std::atomic<const notify::Channels*> channels_{nullptr};
  StaffAlerterOptions options_;
  StaffAlerterStats stats_;
  std::mt19937_64 rng_;

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  std::map<std::string, std::vector<model::AlertTarget>> targets_;  // by page
  std::vector<Outcome> outcomes_;
  bool wake_ = false;
  std::atomic<bool> running_{false};
  std::thread thread_;
};

}  // namespace herald::monitor
