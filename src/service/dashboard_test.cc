// The console dashboard against a real (in-memory SQLite) store and a fake clock: the promised
// next update counts down and turns overdue, maintenance is split into active and the next
// week's, monitors show when down or flapping, drafts waiting appear, and the overall status is
// the page's.
#include "service/dashboard.h"

#include <gtest/gtest.h>

#include "service/services.h"
#include "service/subscriptions_testing.h"

namespace herald::service {
namespace {

using model::ComponentStatus;
using model::IncidentStatus;

constexpr TimeMs kMin = 60'000;

// The subscription tests' fixture: an in-memory SQLite store, a fake clock, a page with the
// components API, Website and a hidden one.
class DashboardTest : public testing::SubscriptionFixture {
 protected:
  Deps deps() {
    return Deps{*store_, clock_, [] {}};
  }
  IncidentService incidents() { return IncidentService(deps()); }
  Dashboard Load() {
    auto d = LoadDashboard(*store_, clock_, page_id_);
    EXPECT_TRUE(d.ok()) << d.error().message;
    return d.ok() ? *d : Dashboard{};
  }
  std::string Maintenance(const std::string& name, TimeMs from, TimeMs until,
                          std::optional<IncidentStatus> status = std::nullopt) {
    IncidentInput in;
    in.name = name;
    in.scheduled_for = from;
    in.scheduled_until = until;
    in.status = status;
    auto m = incidents().Create(page_id_, in);
    EXPECT_TRUE(m.ok()) << m.error().message;
    return m.ok() ? m->id : "";
  }
};

TEST_F(DashboardTest, NextUpdateCountsDownThenIsOverdue) {
  IncidentInput in;
  in.name = "Login failures";
  in.body = "Looking into it.";
  in.components[api_] = ComponentStatus::kMajorOutage;
  in.next_update_at = clock_.Now() + 12 * kMin;
  auto inc = incidents().Create(page_id_, in);
  ASSERT_TRUE(inc.ok());
  IncidentInput note;  // an internal note makes no promise and breaks none
  note.body = "DB failover started";
  note.internal = true;
  ASSERT_TRUE(incidents().Update(page_id_, inc->id, note).ok());

  auto d = Load();
  ASSERT_EQ(d.open_incidents.size(), 1u);
  EXPECT_EQ(d.open_incidents[0].incident.id, inc->id);
  ASSERT_TRUE(d.open_incidents[0].next_update_at);
  EXPECT_FALSE(d.open_incidents[0].next_update_overdue);
  EXPECT_EQ(NextUpdateLabel(*d.open_incidents[0].next_update_at, d.now), "due in 12 min");
  EXPECT_EQ(d.overall.indicator, "critical");

  clock_.Advance(15 * kMin);
  d = Load();
  EXPECT_TRUE(d.open_incidents[0].next_update_overdue);
  EXPECT_EQ(NextUpdateLabel(*d.open_incidents[0].next_update_at, d.now), "overdue by 3 min");

  IncidentInput resolve;
  resolve.status = IncidentStatus::kResolved;
  ASSERT_TRUE(incidents().Update(page_id_, inc->id, resolve).ok());
  d = Load();
  EXPECT_TRUE(d.open_incidents.empty());
  EXPECT_EQ(d.overall.indicator, "none");
}

TEST_F(DashboardTest, NextUpdateLabels) {
  const TimeMs now = 1'000'000'000;
  EXPECT_EQ(NextUpdateLabel(now + 30'000, now), "due in 1 min");
  EXPECT_EQ(NextUpdateLabel(now + 125 * kMin, now), "due in 2 h 5 min");
  EXPECT_EQ(NextUpdateLabel(now + 120 * kMin, now), "due in 2 h");
  EXPECT_EQ(NextUpdateLabel(now, now), "due now");
  EXPECT_EQ(NextUpdateLabel(now - 59'000, now), "due now");
  EXPECT_EQ(NextUpdateLabel(now - kMin, now), "overdue by 1 min");
}

TEST_F(DashboardTest, MaintenanceActiveAndWithinAWeekSoonestFirst) {
  const TimeMs now = clock_.Now();
  const auto active = Maintenance("DB upgrade", now - 10 * kMin, now + 50 * kMin, IncidentStatus::kInProgress);
  const auto soon = Maintenance("Network", now + 60 * kMin, now + 120 * kMin);
  const auto later = Maintenance("Storage", now + 6 * 24 * 60 * kMin, now + 6 * 24 * 60 * kMin + 60 * kMin);
  Maintenance("Far away", now + 8 * 24 * 60 * kMin, now + 8 * 24 * 60 * kMin + 60 * kMin);
  auto d = Load();
  ASSERT_EQ(d.active_maintenance.size(), 1u);
  EXPECT_EQ(d.active_maintenance[0].id, active);
  ASSERT_EQ(d.upcoming_maintenance.size(), 2u);
  EXPECT_EQ(d.upcoming_maintenance[0].id, soon);
  EXPECT_EQ(d.upcoming_maintenance[1].id, later);
  EXPECT_TRUE(d.open_incidents.empty()) << "maintenance is not an incident";
  EXPECT_EQ(d.overall.indicator, "maintenance");
}

TEST_F(DashboardTest, MonitorsDownOrFlappingAndDraftsWaiting) {
  const TimeMs now = clock_.Now();
  auto monitor = [&](const std::string& id, model::MonitorState state) {
    model::Monitor m;
    m.id = id;
    m.page_id = page_id_;
    m.name = "Monitor " + id;
    m.spec.target = "https://example.com/";
    m.state = state;
    m.created_at = now;
    EXPECT_TRUE(store_->SaveMonitor(m).ok());
  };
  monitor("down", model::MonitorState::kDown);
  monitor("flappy", model::MonitorState::kUp);
  monitor("steady", model::MonitorState::kUp);
  store::MonitorResultsWrite w;
  using V = model::CheckVerdict;
  const V flips[] = {V::kUp, V::kDown, V::kUp, V::kDown, V::kUp};  // 4 flips within the hour
  for (int i = 0; i < 5; ++i) {
    model::MonitorSample s;
    s.monitor_id = "flappy";
    s.at = now - 50 * kMin + i * kMin;
    s.verdict = flips[i];
    w.samples.push_back(s);
    s.monitor_id = "steady";
    s.verdict = i == 2 ? V::kDown : V::kUp;  // one blip: 2 flips, not flapping
    w.samples.push_back(s);
  }
  ASSERT_TRUE(store_->RecordMonitorResults(w).ok());

  model::IncidentDraft draft;
  draft.id = "d1";
  draft.page_id = page_id_;
  draft.name = "API is down";
  draft.publish_at = now + 10 * kMin;
  draft.created_at = now;
  ASSERT_TRUE(store_->SaveIncidentDraft(draft).ok());
  draft.id = "d2";
  draft.state = model::DraftState::kDiscarded;
  ASSERT_TRUE(store_->SaveIncidentDraft(draft).ok());

  auto d = Load();
  std::map<std::string, const DashboardMonitor*> shown;
  for (const auto& m : d.monitors) shown[m.monitor.id] = &m;
  ASSERT_EQ(shown.size(), 2u);
  ASSERT_TRUE(shown.count("down"));
  EXPECT_FALSE(shown["down"]->flapping);
  ASSERT_TRUE(shown.count("flappy"));
  EXPECT_TRUE(shown["flappy"]->flapping);
  EXPECT_EQ(shown["flappy"]->flips, 4);
  ASSERT_EQ(d.drafts.size(), 1u);
  EXPECT_EQ(d.drafts[0].id, "d1");

  clock_.Advance(60 * kMin);  // the flips are more than an hour old now
  d = Load();
  ASSERT_EQ(d.monitors.size(), 1u);
  EXPECT_EQ(d.monitors[0].monitor.id, "down");
}

// The live console stream refetches when the digest changes: it must change with what the
// dashboard shows (a new incident, a promise turning overdue, a monitor going down) and stay the
// same while nothing shown changes.
TEST_F(DashboardTest, DigestChangesWithWhatTheDashboardShows) {
  const std::string empty = DashboardDigest(Load());
  clock_.Advance(10 * kMin);
  EXPECT_EQ(DashboardDigest(Load()), empty) << "time passing alone changes nothing shown";

  IncidentInput in;
  in.name = "Login failures";
  in.body = "Looking into it.";
  in.next_update_at = clock_.Now() + 2 * kMin;
  auto inc = incidents().Create(page_id_, in);
  ASSERT_TRUE(inc.ok());
  const std::string one = DashboardDigest(Load());
  EXPECT_NE(one, empty);
  clock_.Advance(5 * kMin);
  const std::string overdue = DashboardDigest(Load());
  EXPECT_NE(overdue, one) << "due in 2 min became overdue";
  EXPECT_EQ(DashboardDigest(Load()), overdue);

  model::Monitor m;
  m.id = "m1";
  m.page_id = page_id_;
  m.name = "API";
  m.spec.target = "https://example.com/";
  m.state = model::MonitorState::kUp;
  ASSERT_TRUE(store_->SaveMonitor(m).ok());
  EXPECT_EQ(DashboardDigest(Load()), overdue) << "an up monitor is not on the dashboard";
  m.id = "m2";  // (SaveMonitor keeps the engine's state columns of an existing monitor)
  m.state = model::MonitorState::kDown;
  ASSERT_TRUE(store_->SaveMonitor(m).ok());
  EXPECT_NE(DashboardDigest(Load()), overdue);
}

}  // namespace
}  // namespace herald::service
