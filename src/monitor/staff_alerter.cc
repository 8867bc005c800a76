#include "monitor/staff_alerter.h"

#include <boost/json.hpp>

#include "core/log.h"
#include "core/text.h"
#include "core/thread_name.h"
#include "notify/dispatcher.h"

namespace herald::monitor {

namespace {

std::string ImpactOf(const std::string& kind) {
  if (kind == "monitor.down") return "major";
  if (kind == "monitor.degraded" || kind == "monitoring.degraded") return "minor";
  return "none";
}

std::string LabelOf(const std::string& kind) {
  if (kind == "monitor.down") return "Down";
  if (kind == "monitor.degraded") return "Degraded";
  if (kind == "monitor.up") return "Up";
  if (kind == "monitoring.degraded") return "Monitoring degraded";
  return kind;
}

// At most `max` bytes, cut at a UTF-8 character boundary.
std::string Truncate(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

}  // namespace

notify::Message StaffAlertMessage(const model::StaffAlert& alert, const std::string& public_url) {
  notify::Message m;
  m.id = alert.id;
  m.kind = alert.kind;
  m.page_name = "Herald monitoring";
  m.page_url = public_url;
  m.url = public_url;
  m.subject = alert.subject;
  m.text = alert.text;
  m.short_text = Truncate(alert.subject, 140);
  m.impact = ImpactOf(alert.kind);
  m.status_label = LabelOf(alert.kind);
  m.facts = alert.facts;
  m.created_at = alert.created_at;
  std::string html = "<p>";
  for (char c : HtmlEscape(alert.text)) {
    if (c == '\n') html += "<br>";
    html += c;
  }
  html += "</p>";
  if (!alert.facts.empty()) {
    html += "\n<table>";
    for (const auto& [k, v] : alert.facts)
      html += "<tr><th>" + HtmlEscape(k) + "</th><td>" + HtmlEscape(v) + "</td></tr>";
    html += "</table>";
  }
  m.html = std::move(html);
  boost::json::object facts;
  for (const auto& [k, v] : alert.facts) facts[k] = v;
  boost::json::object doc{
      {"id", alert.id},           {"kind", alert.kind}, {"page_id", alert.page_id},  {"monitor_id", alert.monitor_id},
      {"subject", alert.subject}, {"text", alert.text}, {"facts", std::move(facts)}, {"created_at", alert.created_at}};
  m.webhook_json = boost::json::serialize(boost::json::object{{"staff_alert", std::move(doc)}});
  return m;
}

model::Subscriber SubscriberFor(const model::AlertTarget& target) {
  model::Subscriber s;
  s.id = target.id;
  s.page_id = target.page_id;
  s.channel = target.channel;
  s.address = target.address;
  s.secret = target.secret;
  s.state = model::SubscriberState::kActive;
  s.detail = model::DetailLevel::kTechnical;
  s.created_at = target.created_at;
  return s;
}

StaffAlerter::StaffAlerter(store::MonitorStore& store, const Clock& clock, const notify::Channels& channels,
                           StaffAlerterOptions options)
    : StaffAlerter(store, clock, std::move(options)) {
  channels_ = &channels;
}

StaffAlerter::StaffAlerter(store::MonitorStore& store, const Clock& clock, StaffAlerterOptions options)
    : store_(store), clock_(clock), options_(std::move(options)), rng_(std::random_device{}()) {}

void StaffAlerter::SetChannels(const notify::Channels* channels) {
  channels_ = channels;
  Wake();
}

StaffAlerter::~StaffAlerter() { Stop(); }

void StaffAlerter::Start() {
  if (running_.exchange(true)) return;
  thread_ = std::thread([this] {
    SetThreadName("herald-alerts");
    Loop();
  });
}

void StaffAlerter::Stop() {
  if (!running_.exchange(false)) return;
  Wake();
  if (thread_.joinable()) thread_.join();
}

void StaffAlerter::Wake() {
  {
    std::lock_guard lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

void StaffAlerter::Loop() {
  while (running_) {
    for (int i = 0; i < 100 && running_ && Step(); ++i) {
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms),
                 [&] { return wake_ || !running_ || !outcomes_.empty(); });
    wake_ = false;
  }
  FlushOutcomes();
}

void StaffAlerter::SetTargets(const std::string& page_id, std::vector<model::AlertTarget> targets) {
  std::lock_guard lock(mu_);
  targets_[page_id] = std::move(targets);
}

std::vector<model::AlertTarget> StaffAlerter::TargetsOf(const std::string& page_id) const {
  std::lock_guard lock(mu_);
  auto it = targets_.find(page_id);
  return it == targets_.end() ? std::vector<model::AlertTarget>{} : it->second;
}

bool StaffAlerter::FindTarget(const std::string& page_id, const std::string& target_id, model::AlertTarget* out) {
  for (int round = 0; round < 2; ++round) {
    {
      std::lock_guard lock(mu_);
      for (const auto& t : targets_[page_id])
        if (t.id == target_id) {
          *out = t;
          return true;
        }
    }
    if (round == 1) break;
    auto fresh = store_.ListAlertTargets(page_id);  // a target added since the engine last read them
    if (!fresh) return false;
    SetTargets(page_id, std::move(*fresh));
  }
  return false;
}

bool StaffAlerter::Send(const model::StaffAlert& alert, bool direct) {
  model::AlertTarget target;
  const bool found = FindTarget(alert.page_id, alert.target_id, &target);
  const notify::Channels* channels = channels_.load();
  notify::Channel* channel = found && channels ? channels->Find(target.channel) : nullptr;
  if (!channel) {
    Outcome o;
    o.alert = alert;
    o.direct = direct;
    o.kind = static_cast<int>(notify::SendOutcome::Kind::kPermanent);
    o.detail = !found      ? "alert target no longer exists"
               : !channels ? "notifications are not running"
                           : "channel " + std::string(model::ToString(target.channel)) + " is not configured";
    std::lock_guard lock(mu_);
    outcomes_.push_back(std::move(o));
    return false;
  }
  ++stats_.sent;
  if (direct) ++stats_.direct;
  channel->Send(StaffAlertMessage(alert, options_.public_url), SubscriberFor(target),
                [this, alert, direct](notify::SendOutcome r) {
                  Outcome o;
                  o.alert = alert;
                  o.direct = direct;
                  o.kind = static_cast<int>(r.kind);
                  o.status = r.status;
                  o.detail = r.detail;
                  if (r.retry_after) o.retry_after_ms = r.retry_after->count();
                  {
                    std::lock_guard lock(mu_);
                    outcomes_.push_back(std::move(o));
                  }
                  cv_.notify_all();
                });
  return true;
}

void StaffAlerter::SendDirect(const model::StaffAlert& alert) { Send(alert, true); }

void StaffAlerter::FlushOutcomes() {
  std::vector<Outcome> outcomes;
  {
    std::lock_guard lock(mu_);
    outcomes.swap(outcomes_);
  }
  if (outcomes.empty()) return;
  const TimeMs now = clock_.Now();
  std::vector<model::StaffAlert> finished, direct;
  for (auto& o : outcomes) {
    model::StaffAlert a = std::move(o.alert);
    a.attempts += 1;
    a.updated_at = now;
    a.last_status = o.status;
    a.last_error = o.detail;
    using Kind = notify::SendOutcome::Kind;
    switch (static_cast<Kind>(o.kind)) {
      case Kind::kDelivered:
        a.state = model::DeliveryState::kDelivered;
        a.last_error.clear();
        ++stats_.delivered;
        break;
      case Kind::kRetry:
        if (o.direct || now - a.created_at >= options_.give_up_after_ms) {
          // A direct send has no durable retry (the store is what failed); the next outage
          // notice or the recovery tells staff again.
          a.state = model::DeliveryState::kFailed;
          ++stats_.failed;
        } else {
          TimeMs delay = notify::RetryDelay(a.attempts, rng_);
          if (o.retry_after_ms >= 0) delay = std::max(delay, o.retry_after_ms);
          a.state = model::DeliveryState::kRetrying;
          a.next_attempt_at = now + delay;
          ++stats_.retried;
        }
        break;
      case Kind::kPermanent:
      case Kind::kGone:
        a.state = model::DeliveryState::kFailed;
        ++stats_.failed;
        break;
    }
    if (a.state != model::DeliveryState::kDelivered)
      log::Warn("staff alert not delivered", {{"alert", a.id}, {"target", a.target_id}, {"error", a.last_error}});
    (o.direct ? direct : finished).push_back(std::move(a));
  }
  if (!finished.empty()) {
    if (auto st = store_.FinishStaffAlerts(finished); !st.ok())
      log::Warn("staff alert outcomes not recorded (sent again when the lease runs out)",
                {{"error", st.error().message}});
  }
  if (!direct.empty()) {
    // Best effort: the history of direct alerts, if the store takes writes again.
    (void)store_.AddStaffAlerts(direct);
  }
}

bool StaffAlerter::Step() {
  FlushOutcomes();
  if (!channels_.load()) return false;  // due alerts wait in the store for the channels
  const TimeMs now = clock_.Now();
  auto due = store_.ClaimDueStaffAlerts(now, now + options_.lease_ms, options_.batch_size);
  if (!due) {
    log::Warn("cannot claim staff alerts", {{"error", due.error().message}});
    return false;
  }
  for (const auto& a : *due) Send(a, false);
  FlushOutcomes();
  return !due->empty();
}

}  // namespace herald::monitor
