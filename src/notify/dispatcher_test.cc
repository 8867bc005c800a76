#include "notify/dispatcher.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "core/text.h"
#include "core/time.h"
#include "service/services.h"
#include "store/fault_store_testing.h"

namespace herald::notify {
namespace {

using model::ChannelKind;
using Outcome = SendOutcome::Kind;

// A channel that records every message and answers with a scripted outcome, at once or when
// the test releases it (to simulate messages still in flight when the process dies).
class FakeChannel : public Channel {
 public:
  explicit FakeChannel(ChannelKind kind, RateLimit limit = {}) : kind_(kind), limit_(limit) {}
  ChannelKind Kind() const override { return kind_; }
  Result<std::string> NormalizeAddress(std::string_view a, const std::string&) const override { return std::string(a); }
  RateLimit DestinationLimit() const override { return limit_; }
  void Send(const Message& m, const model::Subscriber& to, std::function<void(SendOutcome)> done) override {
    std::lock_guard lock(mu);  // the dispatcher's thread calls Send while a test may read
    sent.push_back({m, to.id});
    SendOutcome o;
    o.kind = next.empty() ? Outcome::kDelivered : next.front();
    if (!next.empty()) next.erase(next.begin());
    if (hold) {
      held.push_back(std::move(done));
    } else {
      done(o);
    }
  }
  struct Sent {
    Message message;
    std::string subscriber_id;
  };
  std::vector<Sent> sent;
  std::vector<Outcome> next;  // outcomes for the next sends; delivered when empty
  bool hold = false;
  std::vector<std::function<void(SendOutcome)>> held;
  std::mutex mu;  // guards sent and held when the dispatcher runs its own threads

 private:
  ChannelKind kind_;
  RateLimit limit_;
};

class DispatcherTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("herald_dispatch_" + RandomHex(6));
    auto s = store::OpenStore("sqlite:" + (dir_ / "h.db").string());
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Migrate().ok());
    clock_.Set(*ParseIso8601Ms("2026-03-02T12:00:00Z"));
    service::PageService pages({*store_, clock_});
    service::PageInput pin;
    pin.name = "Acme";
    pin.slug = "acme";
    pin.is_default = true;
    pin.time_zone = "Europe/Berlin";
    page_id_ = pages.Create(pin)->id;
    service::ComponentService comps({*store_, clock_});
    service::ComponentInput api;
    api.name = "API";
    api_id_ = comps.Create(page_id_, api, false)->id;
    service::ComponentInput web;
    web.name = "Website";
    web_id_ = comps.Create(page_id_, web, false)->id;
    auto email = std::make_unique<FakeChannel>(ChannelKind::kEmail);
    auto hook = std::make_unique<FakeChannel>(ChannelKind::kSlack, RateLimit{1, std::chrono::milliseconds(1000)});
    email_ = email.get();
    slack_ = hook.get();
    channels_.Add(std::move(email));
    channels_.Add(std::move(hook));
  }
  void TearDown() override {
    dispatcher_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Advance(std::chrono::milliseconds d) { clock_.Advance(d.count()); }
  static std::optional<TimeMs> ParseIso8601Ms(const char* s) { return ParseIso8601(s); }

  std::unique_ptr<Dispatcher> MakeDispatcher(std::string owner = "a", int batch = 500) {
    DispatcherOptions o;
    o.owner = std::move(owner);
    o.batch_size = batch;
    o.public_url = "https://status.acme.test";
    return std::make_unique<Dispatcher>(*store_, clock_, channels_, links_, o);
  }

  model::Subscriber Sub(std::string id, ChannelKind ch = ChannelKind::kEmail, int priority = 0) {
    model::Subscriber s;
    s.id = std::move(id);
    s.page_id = page_id_;
    s.channel = ch;
    s.address = s.id + "@example.com";
    s.state = model::SubscriberState::kActive;
    s.priority = priority;
    s.created_at = clock_.Now();
    s.updated_at = clock_.Now();
    EXPECT_TRUE(store_->SaveSubscriber(s).ok());
    return s;
  }

  std::string OpenIncident(std::vector<std::string> component_ids, model::Impact impact = model::Impact::kMajor) {
    service::IncidentService incidents({*store_, clock_});
    service::IncidentInput in;
    in.name = "Login errors";
    in.body = "We are looking into failed logins.";
    in.impact = impact;
    in.status = model::IncidentStatus::kInvestigating;
    in.component_ids = std::move(component_ids);
    in.variants["technical"] = "OAuth token endpoint returns 502 since 11:52 UTC.";
    in.variants["segment:enterprise"] = "Your account manager will call you.";
    auto inc = incidents.Create(page_id_, in);
    EXPECT_TRUE(inc.ok()) << inc.error().message;
    return inc.ok() ? inc->id : "";
  }

  void RunUntilIdle(Dispatcher& d) {
    for (int i = 0; i < 100 && d.Step(); ++i) {
    }
    d.FlushOutcomes();
  }

  std::map<std::string, int> StateCounts(const std::string& incident_id) {
    std::map<std::string, int> out;
    auto counts = store_->CountDeliveries(page_id_, incident_id);
    EXPECT_TRUE(counts.ok()) << counts.error().message;
    if (!counts.ok()) return out;
    for (const auto& c : *counts) out[std::string(model::ToString(c.state))] += static_cast<int>(c.count);
    return out;
  }

  // Polls `done` every 10 ms for up to 10 s (for the tests that start the dispatcher's threads).
  template <typename F>
  static bool WaitFor(F done) {
    for (int i = 0; i < 1000 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return done();
  }

  // Subscribers a, b and c, the dispatcher running its threads, and one incident whose three
  // emails are sent and held unanswered. Returns the incident's id.
  std::string StartWithThreeHeldEmails() {
    email_->hold = true;
    Sub("a");
    Sub("b");
    Sub("c");
    dispatcher_ = MakeDispatcher();
    dispatcher_->Step();  // the first start begins after existing history
    dispatcher_->Start();
    std::string inc = OpenIncident({api_id_});
    dispatcher_->Wake();
    EXPECT_TRUE(WaitFor([&] {
      std::lock_guard lock(email_->mu);
      return email_->held.size() == 3;
    }));
    return inc;
  }

  static SendOutcome Delivered() {
    SendOutcome o;
    o.kind = SendOutcome::Kind::kDelivered;
    o.status = 250;
    return o;
  }
  // Up to n held answers, oldest first, taken from the channel.
  std::vector<std::function<void(SendOutcome)>> TakeHeld(size_t n) {
    std::vector<std::function<void(SendOutcome)>> out;
    std::lock_guard lock(email_->mu);
    while (out.size() < n && !email_->held.empty()) {
      out.push_back(std::move(email_->held.front()));
      email_->held.erase(email_->held.begin());
    }
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  FakeClock clock_;
  Channels channels_;
  FakeChannel* email_ = nullptr;
  FakeChannel* slack_ = nullptr;
  LinkSigner links_{"secret", "https://status.acme.test"};
  std::string page_id_, api_id_, web_id_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(DispatcherTest, HistoryBeforeFirstStartIsNotResent) {
  Sub("s1");
  OpenIncident({api_id_});
  auto d = MakeDispatcher();
  RunUntilIdle(*d);
  EXPECT_TRUE(email_->sent.empty());
}

TEST_F(DispatcherTest, FansOutByPriorityToMatchingSubscribersOnly) {
  auto d = MakeDispatcher("a", 2);
  RunUntilIdle(*d);  // initialise the cursor
  Sub("low");
  Sub("high", ChannelKind::kEmail, 10);
  auto api_only = Sub("api-only");
  api_only.component_ids = {api_id_};
  ASSERT_TRUE(store_->SaveSubscriber(api_only).ok());
  auto web_only = Sub("web-only");
  web_only.component_ids = {web_id_};
  ASSERT_TRUE(store_->SaveSubscriber(web_only).ok());
  auto no_incidents = Sub("maint-only");
  no_incidents.event_types = model::kWantMaintenance;
  ASSERT_TRUE(store_->SaveSubscriber(no_incidents).ok());
  auto pending = Sub("pending");
  pending.state = model::SubscriberState::kPending;
  ASSERT_TRUE(store_->SaveSubscriber(pending).ok());

  const auto incident = OpenIncident({api_id_});
  RunUntilIdle(*d);
  std::vector<std::string> who;
  for (const auto& s : email_->sent) who.push_back(s.subscriber_id);
  EXPECT_EQ(who, (std::vector<std::string>{"high", "api-only", "low"}));
  ASSERT_FALSE(email_->sent.empty());
  const auto& m = email_->sent.front().message;
  EXPECT_EQ(m.kind, "incident.created");
  EXPECT_EQ(m.subject, "Investigating: Login errors");
  EXPECT_NE(m.text.find("We are looking into failed logins."), std::string::npos) << m.text;
  EXPECT_NE(m.text.find("Affected: API"), std::string::npos) << m.text;
  EXPECT_EQ(m.url, "https://status.acme.test/incidents/" + incident + ".html");
  EXPECT_EQ(m.id.rfind("msg_", 0), 0u);
  EXPECT_NE(m.unsubscribe_url.find("/subscriptions/unsubscribe?token="), std::string::npos);
  EXPECT_EQ(StateCounts(incident)["delivered"], 3);
}

TEST_F(DispatcherTest, SubscribersGetTheVariantThatFitsThem) {
  auto d = MakeDispatcher();
  RunUntilIdle(*d);
  auto tech = Sub("tech");
  tech.detail = model::DetailLevel::kTechnical;
  ASSERT_TRUE(store_->SaveSubscriber(tech).ok());
  auto ent = Sub("ent");
  ent.segment = "enterprise";
  ent.detail = model::DetailLevel::kTechnical;
  ASSERT_TRUE(store_->SaveSubscriber(ent).ok());
  Sub("plain");
  OpenIncident({api_id_});
  RunUntilIdle(*d);
  std::map<std::string, std::string> text;
  for (const auto& s : email_->sent) text[s.subscriber_id] = s.message.text;
  EXPECT_NE(text["tech"].find("OAuth token endpoint returns 502"), std::string::npos) << text["tech"];
  EXPECT_NE(text["tech"].find("Incident ID"), std::string::npos) << "technical template";
  EXPECT_NE(text["ent"].find("account manager"), std::string::npos) << "segment beats detail";
  EXPECT_NE(text["plain"].find("looking into failed logins"), std::string::npos);
  EXPECT_EQ(text["plain"].find("OAuth"), std::string::npos);
}

TEST_F(DispatcherTest, RetriesWithBackoffThenDeliversWithTheSameId) {
  auto d = MakeDispatcher();
  RunUntilIdle(*d);
  Sub("s1");
  email_->next = {Outcome::kRetry, Outcome::kRetry};
  const auto incident = OpenIncident({});
  RunUntilIdle(*d);
  ASSERT_EQ(email_->sent.size(), 1u);
  EXPECT_EQ(StateCounts(incident)["retrying"], 1);
  Advance(std::chrono::seconds(3));
  RunUntilIdle(*d);
  EXPECT_EQ(email_->sent.size(), 1u) << "first retry comes after about 5 s";
  Advance(std::chrono::seconds(3));
  RunUntilIdle(*d);
  ASSERT_EQ(email_->sent.size(), 2u);
  Advance(std::chrono::minutes(6));
  RunUntilIdle(*d);
  ASSERT_EQ(email_->sent.size(), 3u);
  EXPECT_EQ(email_->sent[0].message.id, email_->sent[2].message.id);
  EXPECT_EQ(StateCounts(incident)["delivered"], 1);
  auto history = store_->ListDeliveries(page_id_, "s1", 10);
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ(history->front().attempts, 3);
}

TEST_F(DispatcherTest, GoneQuarantinesAndGivingUpFails) {
  auto d = MakeDispatcher();
  RunUntilIdle(*d);
  Sub("gone");
  email_->next = {Outcome::kGone};
  OpenIncident({});
  RunUntilIdle(*d);
  EXPECT_EQ(store_->GetSubscriber(page_id_, "gone")->state, model::SubscriberState::kQuarantined);
  // A later incident skips the quarantined subscriber.
  email_->sent.clear();
  OpenIncident({});
  RunUntilIdle(*d);
  EXPECT_TRUE(email_->sent.empty());
}

TEST_F(DispatcherTest, ADestinationFailingForDaysIsDisabled) {
  auto d = MakeDispatcher();
  RunUntilIdle(*d);
  Sub("dead");
  email_->next.assign(40, Outcome::kRetry);
  const auto incident = OpenIncident({});
  for (int hour = 0; hour < 24 * 6; ++hour) {
    RunUntilIdle(*d);
    Advance(std::chrono::hours(1));
  }
  EXPECT_EQ(StateCounts(incident)["failed"], 1);
  EXPECT_LE(email_->sent.size(), 12u) << "backoff, not a retry storm";
  EXPECT_GE(email_->sent.size(), 8u);
}

TEST_F(DispatcherTest, TheOwnerOfADisabledDestinationIsTold) {
  auto d = MakeDispatcher();
  RunUntilIdle(*d);
  auto hook = Sub("hook", ChannelKind::kSlack);
  hook.address = "https://hooks.slack.com/services/T/B/x";
  hook.owner_email = "owner@example.com";
  ASSERT_TRUE(store_->SaveSubscriber(hook).ok());
  slack_->next = {Outcome::kGone};
  OpenIncident({});
  RunUntilIdle(*d);
  EXPECT_EQ(store_->GetSubscriber(page_id_, "hook")->state, model::SubscriberState::kQuarantined);
  ASSERT_EQ(email_->sent.size(), 1u);
  const auto& told = email_->sent.front().message;
  EXPECT_EQ(told.kind, "subscription.disabled");
  EXPECT_NE(told.text.find("https://hooks.slack.com/services/T/B/x"), std::string::npos) << told.text;
  EXPECT_NE(told.subject.find("Acme"), std::string::npos);
}

TEST_F(DispatcherTest, QuietHoursDelayNonCriticalMessages) {
  auto d = MakeDispatcher();
  RunUntilIdle(*d);
  auto s = Sub("sleeper");
  s.time_zone = "UTC";
  s.quiet_start_minute = 11 * 60;  // 11:00-13:00 UTC; the clock says 12:00 UTC
  s.quiet_end_minute = 13 * 60;
  ASSERT_TRUE(store_->SaveSubscriber(s).ok());
  OpenIncident({}, model::Impact::kMinor);
  RunUntilIdle(*d);
  EXPECT_TRUE(email_->sent.empty());
  OpenIncident({}, model::Impact::kCritical);
  RunUntilIdle(*d);
  EXPECT_EQ(email_->sent.size(), 1u) << "critical ignores quiet hours";
  Advance(std::chrono::minutes(61));
  RunUntilIdle(*d);
  EXPECT_EQ(email_->sent.size(), 2u);
}

TEST_F(DispatcherTest, PerDestinationRateLimitDelaysInsteadOfDropping) {
  auto d = MakeDispatcher();
  RunUntilIdle(*d);
  Sub("chat", ChannelKind::kSlack);
  OpenIncident({});
  OpenIncident({});
  RunUntilIdle(*d);
  EXPECT_EQ(slack_->sent.size(), 1u);
  Advance(std::chrono::milliseconds(1001));
  RunUntilIdle(*d);
  EXPECT_EQ(slack_->sent.size(), 2u);
}

TEST_F(DispatcherTest, ComponentChangesGoToMachineChannelsOnly) {
  auto d = MakeDispatcher();
  RunUntilIdle(*d);
  Sub("person");
  Sub("chat", ChannelKind::kSlack);
  service::ComponentService comps({*store_, clock_});
  service::ComponentInput in;
  in.status = model::ComponentStatus::kPartialOutage;
  ASSERT_TRUE(comps.Update(page_id_, api_id_, in).ok());
  service::ComponentInput rename;
  rename.name = "Public API";
  ASSERT_TRUE(comps.Update(page_id_, api_id_, rename).ok());  // no status change: no message
  RunUntilIdle(*d);
  EXPECT_TRUE(email_->sent.empty());
  ASSERT_EQ(slack_->sent.size(), 1u);
  EXPECT_EQ(slack_->sent[0].message.subject, "API: Partial outage");
  EXPECT_NE(slack_->sent[0].message.webhook_json.find("\"old_status\":\"operational\""), std::string::npos);
}

// Regression (defects issue, item 10): monitoring then resolved in quick succession, both
// posted before the dispatcher composes anything. Each subscriber hears "monitoring" once and
// "resolved" once, each message describing its own update: status, newest update and component
// statuses as of that update (the webhook document as much as the email).
TEST_F(DispatcherTest, EachMessageDescribesTheUpdateItAnnouncesNotTheIncidentNow) {
  auto hook_channel = std::make_unique<FakeChannel>(ChannelKind::kWebhook);
  FakeChannel* hook = hook_channel.get();
  channels_.Add(std::move(hook_channel));
  auto d = MakeDispatcher();
  RunUntilIdle(*d);
  Sub("person");
  Sub("machine", ChannelKind::kWebhook);
  const std::string incident = OpenIncident({api_id_});
  RunUntilIdle(*d);
  email_->sent.clear();
  hook->sent.clear();

  service::IncidentService incidents({*store_, clock_});
  Advance(std::chrono::minutes(5));
  service::IncidentInput monitoring;
  monitoring.status = model::IncidentStatus::kMonitoring;
  monitoring.body = "A fix is out; we are watching error rates.";
  monitoring.components[api_id_] = model::ComponentStatus::kDegradedPerformance;
  ASSERT_TRUE(incidents.Update(page_id_, incident, monitoring).ok());
  Advance(std::chrono::minutes(1));
  service::IncidentInput resolved;
  resolved.status = model::IncidentStatus::kResolved;
  resolved.body = "Error rates are back to normal.";
  ASSERT_TRUE(incidents.Update(page_id_, incident, resolved).ok());
  RunUntilIdle(*d);

  for (FakeChannel* channel : {email_, hook}) {
    SCOPED_TRACE(model::ToString(channel->Kind()));
    ASSERT_EQ(channel->sent.size(), 2u);
    struct Expected {
      const char* status;
      const char* label;
      const char* newest_body;
      const char* api_status;
      const char* indicator;
    };
    const Expected expected[] = {
        // Still open then: the page shows the incident's (major) impact.
        {"monitoring", "Monitoring", "A fix is out; we are watching error rates.", "degraded_performance", "major"},
        {"resolved", "Resolved", "Error rates are back to normal.", "operational", "none"}};
    for (size_t i = 0; i < 2; ++i) {
      const Message& m = channel->sent[i].message;
      SCOPED_TRACE(expected[i].status);
      EXPECT_EQ(m.status_label, expected[i].label);
      EXPECT_EQ(m.subject, std::string(expected[i].label) + ": Login errors");
      EXPECT_NE(m.text.find(expected[i].newest_body), std::string::npos) << m.text;
      const auto doc = boost::json::parse(m.webhook_json);
      const auto& inc = doc.at("incident");
      EXPECT_EQ(inc.at("status").as_string(), expected[i].status);
      EXPECT_EQ(inc.at("incident_updates").as_array().at(0).at("status").as_string(), expected[i].status);
      EXPECT_EQ(inc.at("incident_updates").as_array().at(0).at("body").as_string(), expected[i].newest_body);
      EXPECT_EQ(inc.at("resolved_at").is_null(), i == 0);
      EXPECT_EQ(inc.at("components").as_array().at(0).at("status").as_string(), expected[i].api_status);
      EXPECT_EQ(doc.at("page").at("status_indicator").as_string(), expected[i].indicator);
    }
  }
}

// A process dies with messages in flight and a fan-out half done: a second instance finishes
// the job after the lease runs out, and everybody gets the update, duplicates keeping their id.
TEST_F(DispatcherTest, CrashMidFanOutLosesNobody) {
  for (int i = 0; i < 7; ++i) Sub("s" + std::to_string(i));
  {
    auto first = MakeDispatcher("first", 3);
    RunUntilIdle(*first);
  }
  const auto incident = OpenIncident({});
  std::set<std::string> ids_first;
  {
    auto first = MakeDispatcher("first", 3);
    email_->hold = true;         // answers never come back: the process "dies" below
    ASSERT_TRUE(first->Step());  // one batch of three fanned out and sent
    for (const auto& s : email_->sent) ids_first.insert(s.message.id);
    email_->held.clear();
  }
  EXPECT_EQ(email_->sent.size(), 3u);
  email_->hold = false;
  auto second = MakeDispatcher("second", 3);
  RunUntilIdle(*second);
  EXPECT_EQ(email_->sent.size(), 3u) << "the first instance's lease still holds";
  Advance(std::chrono::minutes(6));
  RunUntilIdle(*second);
  std::set<std::string> got;
  for (const auto& s : email_->sent) got.insert(s.subscriber_id);
  EXPECT_EQ(got.size(), 7u);
  EXPECT_EQ(StateCounts(incident)["delivered"], 7);
  std::map<std::string, std::set<std::string>> ids_by_subscriber;
  for (const auto& s : email_->sent) ids_by_subscriber[s.subscriber_id].insert(s.message.id);
  for (const auto& [sub, ids] : ids_by_subscriber) EXPECT_EQ(ids.size(), 1u) << sub << ": a resend keeps its id";
  EXPECT_EQ(email_->sent.size(), 10u) << "the three in flight at the crash were sent again";
}

// Instances sharing a database claim jobs under their own names by default, so a job is fanned
// out by one of them: a second dispatcher finds the job leased and sends nothing. Regression:
// every instance used the owner "herald", renewed each other's lease and all sent everything.
TEST_F(DispatcherTest, TwoInstancesWithDefaultOwnersDoNotBothFanOut) {
  EXPECT_NE(DispatcherOptions{}.owner, DispatcherOptions{}.owner);
  EXPECT_NE(DispatcherOptions{}.owner.find(":" + std::to_string(::getpid()) + ":"), std::string::npos);
  for (int i = 0; i < 6; ++i) Sub("s" + std::to_string(i));
  auto make = [&] {
    DispatcherOptions o;  // the default owner
    o.batch_size = 3;
    o.public_url = "https://status.acme.test";
    return std::make_unique<Dispatcher>(*store_, clock_, channels_, links_, o);
  };
  auto one = make(), two = make();
  RunUntilIdle(*one);
  RunUntilIdle(*two);
  const auto incident = OpenIncident({});
  email_->hold = true;
  ASSERT_TRUE(one->Step());  // the first batch of three, unanswered for now
  RunUntilIdle(*two);
  EXPECT_EQ(email_->sent.size(), 3u) << "the other instance ran the same fan-out";
  email_->hold = false;
  for (auto& done : TakeHeld(3)) done(Delivered());
  RunUntilIdle(*one);
  RunUntilIdle(*two);
  std::map<std::string, int> messages;
  for (const auto& m : email_->sent) ++messages[m.subscriber_id];
  EXPECT_EQ(messages.size(), 6u);
  for (const auto& [sub, n] : messages) EXPECT_EQ(n, 1) << sub;
  EXPECT_EQ(StateCounts(incident)["delivered"], 6);
  EXPECT_EQ(one->stats().resent.load() + two->stats().resent.load(), 0);
}

// A batch sent by an instance whose lease ran out before it could record it is sent again by
// the instance that took the job over: the first instance counts its messages as resent, not
// as delivered.
TEST_F(DispatcherTest, ABatchSentAfterTheLeaseWasLostCountsAsResent) {
  for (int i = 0; i < 3; ++i) Sub("s" + std::to_string(i));
  auto first = MakeDispatcher("first", 3);
  RunUntilIdle(*first);
  const auto incident = OpenIncident({});
  email_->hold = true;
  ASSERT_TRUE(first->Step());  // sent; the answers are slow
  Advance(std::chrono::minutes(6));
  email_->hold = false;
  auto second = MakeDispatcher("second", 3);
  RunUntilIdle(*second);  // the lease ran out: the second takes the job and records it
  EXPECT_EQ(StateCounts(incident)["delivered"], 3);
  for (auto& done : TakeHeld(3)) done(Delivered());
  first->FlushOutcomes(true);  // too late: the job moved on
  EXPECT_EQ(first->stats().resent.load(), 3);
  EXPECT_EQ(first->stats().delivered.load(), 0);
  EXPECT_EQ(second->stats().delivered.load(), 3);
}

// A batch recorded with its answers is part of the durable cursor: after a crash only the
// unrecorded batch is sent again, not the whole fan-out.
TEST_F(DispatcherTest, CrashAfterABatchWasRecordedResendsOnlyTheUnrecordedOne) {
  for (int i = 0; i < 7; ++i) Sub("s" + std::to_string(i));
  {
    auto first = MakeDispatcher("first", 3);
    RunUntilIdle(*first);
  }
  const auto incident = OpenIncident({});
  {
    auto first = MakeDispatcher("first", 3);
    ASSERT_TRUE(first->Step());  // batch 1: sent and answered
    first->FlushOutcomes();      // ... and recorded
    EXPECT_EQ(StateCounts(incident)["delivered"], 3);
    email_->hold = true;
    ASSERT_TRUE(first->Step());  // batch 2: sent, never answered: the process "dies"
    email_->held.clear();
  }
  EXPECT_EQ(email_->sent.size(), 6u);
  email_->hold = false;
  Advance(std::chrono::minutes(6));
  auto second = MakeDispatcher("second", 3);
  RunUntilIdle(*second);
  std::map<std::string, int> messages;
  for (const auto& s : email_->sent) ++messages[s.subscriber_id];
  EXPECT_EQ(messages.size(), 7u);
  EXPECT_EQ(email_->sent.size(), 10u) << "batch 2 again and batch 3; batch 1 was recorded";
  for (const auto& s : email_->sent)
    EXPECT_EQ(messages[s.subscriber_id], s.subscriber_id <= "s2"   ? 1
                                         : s.subscriber_id <= "s5" ? 2
                                                                   : 1)
        << s.subscriber_id;
  EXPECT_EQ(StateCounts(incident)["delivered"], 7);
}

// A batch the database refuses to record (it went away after the messages left) is kept and
// recorded, in order, once the database is back: nobody is resent, nobody left unrecorded.
TEST_F(DispatcherTest, ABatchTheDatabaseRefusedIsRecordedWhenItIsBack) {
  for (int i = 0; i < 5; ++i) Sub("s" + std::to_string(i));
  store::testing::FaultStore flaky(*store_);
  DispatcherOptions o;
  o.owner = "a";
  o.batch_size = 2;
  o.public_url = "https://status.acme.test";
  Dispatcher d(flaky, clock_, channels_, links_, o);
  RunUntilIdle(d);
  const auto incident = OpenIncident({});
  flaky.Fail("CommitDispatchBatch");
  RunUntilIdle(d);
  EXPECT_EQ(email_->sent.size(), 5u) << "sending does not wait for recording (up to 64 batches)";
  EXPECT_TRUE(StateCounts(incident).empty());
  flaky.Heal("CommitDispatchBatch");
  RunUntilIdle(d);
  EXPECT_EQ(StateCounts(incident)["delivered"], 5) << "the three batches, in order, with their outcomes";
  EXPECT_EQ(email_->sent.size(), 5u) << "nobody sent twice";
  auto job_done = store_->ClaimDispatchJob("other", clock_.Now() + 3600000, clock_.Now() + 3700000);
  ASSERT_TRUE(job_done.ok());
  EXPECT_FALSE(job_done->has_value()) << "the job is recorded as done";
}

// With its threads started, a batch is written once, when its answers are in or when it is due
// (one answer missing: that delivery is recorded pending and updated when its answer comes).
TEST_F(DispatcherTest, RunningThreadsWriteABatchWhenAnsweredOrDue) {
  const std::string inc = StartWithThreeHeldEmails();
  SendOutcome ok;
  ok.kind = Outcome::kDelivered;
  for (auto& done : TakeHeld(2)) done(ok);
  EXPECT_TRUE(StateCounts(inc).empty()) << "nothing written while an answer is missing and the batch is not due";
  Advance(std::chrono::seconds(2));
  EXPECT_TRUE(WaitFor([&] {
    auto c = StateCounts(inc);
    return c["delivered"] == 2 && c["pending"] == 1;
  }));
  for (auto& done : TakeHeld(1)) done(ok);
  EXPECT_TRUE(WaitFor([&] { return StateCounts(inc)["delivered"] == 3; }));
  dispatcher_->Stop();
  EXPECT_EQ(StateCounts(inc)["pending"], 0);
}

// Stop() records every batch sent: the answered deliveries with their outcome, the others pending
// and leased, so that only those are sent again once the lease runs out.
TEST_F(DispatcherTest, StopRecordsSentBatchesSoOnlyUnansweredAreResent) {
  const std::string inc = StartWithThreeHeldEmails();
  auto held = TakeHeld(3);
  ASSERT_EQ(held.size(), 3u);
  SendOutcome ok;
  ok.kind = Outcome::kDelivered;
  held.front()(ok);  // the other two never answer
  dispatcher_->Stop();
  auto c = StateCounts(inc);
  EXPECT_EQ(c["delivered"], 1);
  EXPECT_EQ(c["pending"], 2);
  email_->hold = false;
  Advance(std::chrono::minutes(6));
  auto again = MakeDispatcher();
  RunUntilIdle(*again);
  EXPECT_EQ(email_->sent.size(), 5u) << "the two unanswered, once more";
  EXPECT_EQ(StateCounts(inc)["delivered"], 3);
}

// At max_in_flight the fan-out waits; the answer that makes room wakes it (the poll here is an
// hour, so nothing else could).
TEST_F(DispatcherTest, AtMaxInFlightTheFanOutResumesWhenAnAnswerMakesRoom) {
  email_->hold = true;
  for (const char* id : {"a", "b", "c", "d", "e"}) Sub(id);
  DispatcherOptions o;
  o.owner = "a";
  o.batch_size = 2;
  o.max_in_flight = 3;
  o.poll = std::chrono::hours(1);
  o.public_url = "https://status.acme.test";
  dispatcher_ = std::make_unique<Dispatcher>(*store_, clock_, channels_, links_, o);
  dispatcher_->Step();  // the first start begins after existing history
  dispatcher_->Start();
  const std::string inc = OpenIncident({api_id_});
  dispatcher_->Wake();
  auto sent = [&] {
    std::lock_guard lock(email_->mu);
    return email_->sent.size();
  };
  // Two batches of two: the second starts with one in flight under the limit and overshoots it.
  ASSERT_TRUE(WaitFor([&] { return sent() == 4; }));
  SendOutcome ok;
  ok.kind = Outcome::kDelivered;
  for (auto& done : TakeHeld(2)) done(ok);  // 4 -> 2 in flight: under the limit again
  EXPECT_TRUE(WaitFor([&] { return sent() == 5; })) << "the last subscriber waited for the poll";
  for (auto& done : TakeHeld(3)) done(ok);
  EXPECT_TRUE(WaitFor([&] { return StateCounts(inc)["delivered"] == 5; }));
  dispatcher_->Stop();
}

TEST(RetryDelay, FollowsTheScheduleWithJitter) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 50; ++i) {
    const auto first = RetryDelay(1, rng);
    EXPECT_GE(first, 4500);
    EXPECT_LE(first, 5500);
  }
  TimeMs total = 0;
  for (int a = 1; a <= 9; ++a) total += RetryDelay(a, rng);
  EXPECT_GT(total, 2LL * 24 * 3600 * 1000);
  EXPECT_LT(total, 4LL * 24 * 3600 * 1000);
}

}  // namespace
}  // namespace herald::notify
