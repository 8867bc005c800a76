// Services against a real (in-memory SQLite) store and a fake clock: validation refuses bad
// input without writing, incidents drive component status and history, maintenance windows
// open and close on time.
#include "service/services.h"

#include <gtest/gtest.h>

#include "core/time.h"

namespace herald::service {
namespace {

using model::ComponentStatus;
using model::IncidentStatus;

class ServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::OpenStore("sqlite::memory:");
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Migrate().ok());
    PageInput p;
    p.name = "Example";
    auto page = pages().Create(p);
    ASSERT_TRUE(page.ok()) << page.error().message;
    page_id_ = page->id;
    api_ = MakeComponent("API");
    web_ = MakeComponent("Website");
  }
  Deps deps() {
    return Deps{*store_, clock_, [this] { ++changes_; }};
  }
  PageService pages() { return PageService(deps()); }
  ComponentService components() { return ComponentService(deps()); }
  IncidentService incidents() { return IncidentService(deps()); }
  std::string MakeComponent(const std::string& name) {
    ComponentInput in;
    in.name = name;
    auto c = components().Create(page_id_, in, false);
    EXPECT_TRUE(c.ok());
    return c->id;
  }
  ComponentStatus StatusOf(const std::string& id) { return store_->GetComponent(page_id_, id)->status; }
  size_t IncidentCount() { return store_->ListIncidents(page_id_, {})->size(); }

  FakeClock clock_;
  std::unique_ptr<store::Store> store_;
  std::string page_id_, api_, web_;
  int changes_ = 0;
};

TEST_F(ServicesTest, CreateIncidentSetsComponentsImpactAndHistory) {
  IncidentInput in;
  in.name = "API errors";
  in.body = "Some requests fail.";
  in.components[api_] = ComponentStatus::kPartialOutage;
  const TimeMs t0 = clock_.Now();
  auto inc = incidents().Create(page_id_, in);
  ASSERT_TRUE(inc.ok()) << inc.error().message;
  EXPECT_EQ(inc->status, IncidentStatus::kInvestigating);
  EXPECT_EQ(inc->impact, model::Impact::kMajor);
  EXPECT_EQ(inc->started_at, t0);
  ASSERT_EQ(inc->updates.size(), 1u);
  ASSERT_EQ(inc->updates[0].affected_components.size(), 1u);
  EXPECT_EQ(inc->updates[0].affected_components[0].old_status, ComponentStatus::kOperational);
  EXPECT_EQ(StatusOf(api_), ComponentStatus::kPartialOutage);
  auto hist = store_->StatusHistory(page_id_, t0);
  ASSERT_TRUE(hist.ok());
  bool recorded = false;
  for (const auto& h : *hist)
    recorded |= h.component_id == api_ && h.status == ComponentStatus::kPartialOutage && h.at == t0;
  EXPECT_TRUE(recorded);
  auto events = store_->ReadOutbox(0, 100);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->back().kind, "incident.created");
  EXPECT_GT(changes_, 0);
}

// Issue: a fresh database had no default page, so "/" and /api/v2 answered 404 until the
// first page was patched.
TEST_F(ServicesTest, FirstPageIsTheDefaultAndLaterOnesAreNot) {
  EXPECT_TRUE(store_->GetPage(page_id_)->is_default);
  PageInput second;
  second.name = "Internal";
  auto p = pages().Create(second);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_FALSE(p->is_default);
  EXPECT_TRUE(store_->GetPage(page_id_)->is_default);
}

TEST_F(ServicesTest, FirstPageCreatedWithDefaultFalseStaysSo) {
  auto fresh = store::OpenStore("sqlite::memory:");
  ASSERT_TRUE(fresh.ok());
  ASSERT_TRUE((*fresh)->Migrate().ok());
  PageInput in;
  in.name = "Staging";
  in.is_default = false;
  auto p = PageService(Deps{**fresh, clock_, [] {}}).Create(in);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_FALSE(p->is_default);
}

// A hidden component's status never reaches public aggregates: an incident whose impact would
// follow from it alone gets none (the indicator follows incident impact), one that also names a
// visible component takes that one's.
TEST_F(ServicesTest, AHiddenComponentRaisesNoIncidentImpact) {
  ComponentInput hide;
  hide.hidden = true;
  ASSERT_TRUE(components().Update(page_id_, web_, hide).ok());
  IncidentInput in;
  in.name = "Internal runners down";
  in.components[web_] = ComponentStatus::kMajorOutage;
  auto inc = incidents().Create(page_id_, in);
  ASSERT_TRUE(inc.ok()) << inc.error().message;
  EXPECT_EQ(inc->impact, model::Impact::kNone);
  EXPECT_EQ(StatusOf(web_), ComponentStatus::kMajorOutage);  // staff still see it
  in.components[api_] = ComponentStatus::kDegradedPerformance;
  auto both = incidents().Create(page_id_, in);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->impact, model::Impact::kMinor);
}

// Ending a maintenance window does not override an open incident: regression for the component
// shown operational under a "partial outage" banner, and for a window already over at start.
TEST_F(ServicesTest, EndingAMaintenanceReturnsToTheOpenIncidentsStatus) {
  IncidentInput in;
  in.name = "Invoices errors";
  in.components[api_] = ComponentStatus::kPartialOutage;
  auto inc = incidents().Create(page_id_, in);
  ASSERT_TRUE(inc.ok());
  IncidentInput m;
  m.name = "Invoices upgrade";
  m.scheduled_for = clock_.Now() + 15'000;
  m.scheduled_until = clock_.Now() + 35'000;
  m.component_ids = std::vector<std::string>{api_};
  ASSERT_TRUE(incidents().Create(page_id_, m).ok());
  clock_.Advance(16'000);
  ASSERT_EQ(*incidents().RunMaintenanceTransitions(), 1);
  EXPECT_EQ(StatusOf(api_), ComponentStatus::kPartialOutage);  // worse than under_maintenance
  clock_.Advance(20'000);
  ASSERT_EQ(*incidents().RunMaintenanceTransitions(), 1);
  EXPECT_EQ(StatusOf(api_), ComponentStatus::kPartialOutage);
  // A window already over when the transitions next run (a server started after it ended),
  // completed in one go. (A window that has already ended cannot be created any more.)
  m.scheduled_for = clock_.Now() + 1'000;
  m.scheduled_until = clock_.Now() + 2'000;
  ASSERT_TRUE(incidents().Create(page_id_, m).ok());
  clock_.Advance(60'000);
  ASSERT_EQ(*incidents().RunMaintenanceTransitions(), 1);
  EXPECT_EQ(StatusOf(api_), ComponentStatus::kPartialOutage);
  IncidentInput resolve;
  resolve.status = IncidentStatus::kResolved;
  ASSERT_TRUE(incidents().Update(page_id_, inc->id, resolve).ok());
  EXPECT_EQ(StatusOf(api_), ComponentStatus::kOperational);
}

TEST_F(ServicesTest, ResolvingRestoresComponentsAndStampsTimes) {
  IncidentInput in;
  in.name = "Outage";
  in.components[api_] = ComponentStatus::kMajorOutage;
  auto inc = incidents().Create(page_id_, in);
  ASSERT_TRUE(inc.ok());
  clock_.Advance(60'000);
  IncidentInput mon;
  mon.status = IncidentStatus::kMonitoring;
  auto m = incidents().Update(page_id_, inc->id, mon);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->monitoring_at, clock_.Now());
  EXPECT_EQ(StatusOf(api_), ComponentStatus::kMajorOutage);
  clock_.Advance(60'000);
  IncidentInput res;
  res.status = IncidentStatus::kResolved;
  res.body = "Fixed.";
  auto r = incidents().Update(page_id_, inc->id, res);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->resolved_at, clock_.Now());
  EXPECT_EQ(StatusOf(api_), ComponentStatus::kOperational);
  EXPECT_EQ(store_->GetIncident(page_id_, inc->id)->updates.size(), 3u);
}

TEST_F(ServicesTest, InvalidInputNamesTheFieldAndWritesNothing) {
  auto last = *store_->LastOutboxId();
  struct Case {
    IncidentInput in;
    std::string field;
  };
  std::vector<Case> cases;
  {
    IncidentInput in;
    cases.push_back({in, "name"});
  }
  {
    IncidentInput in;
    in.name = "<b>bold</b>";
    cases.push_back({in, "name"});
  }
  {
    IncidentInput in;
    in.name = std::string("bad \xff utf8");
    cases.push_back({in, "name"});
  }
  // A name is one line: a line break would cut the email subject short. "\r" was refused
  // already; "\n" is too.
  for (const char* name : {"Login errors\nfor some customers", "Login errors\rfor some customers"}) {
    IncidentInput in;
    in.name = name;
    cases.push_back({in, "name"});
  }
  {
    IncidentInput in;
    in.name = "x";
    in.components["missing"] = ComponentStatus::kMajorOutage;
    cases.push_back({in, "components"});
  }
  {
    IncidentInput in;
    in.name = "x";
    in.scheduled_for = clock_.Now() + 2000;
    in.scheduled_until = clock_.Now() + 1000;
    cases.push_back({in, "scheduled_until"});
  }
  {
    IncidentInput in;
    in.name = "x";
    in.next_update_at = clock_.Now() - 1;
    cases.push_back({in, "next_update_at"});
  }
  {
    IncidentInput in;
    in.name = "x";
    in.status = IncidentStatus::kInProgress;  // a maintenance status on an incident
    cases.push_back({in, "status"});
  }
  for (const auto& c : cases) {
    auto r = incidents().Create(page_id_, c.in);
    ASSERT_FALSE(r.ok()) << c.field;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
    EXPECT_EQ(r.error().field, c.field);
  }
  EXPECT_EQ(IncidentCount(), 0u);
  EXPECT_EQ(*store_->LastOutboxId(), last);
  EXPECT_EQ(StatusOf(api_), ComponentStatus::kOperational);
}

TEST_F(ServicesTest, MaintenanceOpensAndClosesOnTime) {
  IncidentInput in;
  in.name = "Upgrade";
  in.scheduled_for = clock_.Now() + 3'600'000;
  in.scheduled_until = clock_.Now() + 7'200'000;
  in.component_ids = std::vector<std::string>{api_};
  auto m = incidents().Create(page_id_, in);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->status, IncidentStatus::kScheduled);
  EXPECT_EQ(m->impact, model::Impact::kMaintenance);
  EXPECT_EQ(StatusOf(api_), ComponentStatus::kOperational);  // untouched until the window

  EXPECT_EQ(*incidents().RunMaintenanceTransitions(), 0);
  clock_.Advance(3'600'000);
  EXPECT_EQ(*incidents().RunMaintenanceTransitions(), 1);
  EXPECT_EQ(store_->GetIncident(page_id_, m->id)->status, IncidentStatus::kInProgress);
  EXPECT_EQ(StatusOf(api_), ComponentStatus::kUnderMaintenance);
  EXPECT_EQ(*incidents().RunMaintenanceTransitions(), 0);  // nothing twice

  clock_.Advance(3'600'000);
  EXPECT_EQ(*incidents().RunMaintenanceTransitions(), 1);
  auto done = store_->GetIncident(page_id_, m->id);
  EXPECT_EQ(done->status, IncidentStatus::kCompleted);
  EXPECT_TRUE(done->resolved_at.has_value());
  EXPECT_EQ(StatusOf(api_), ComponentStatus::kOperational);
}

TEST_F(ServicesTest, ManualMaintenanceIsLeftAlone) {
  IncidentInput in;
  in.name = "Manual";
  in.scheduled_for = clock_.Now() + 1000;
  in.scheduled_until = clock_.Now() + 2000;
  in.scheduled_auto_transition = false;
  auto m = incidents().Create(page_id_, in);
  ASSERT_TRUE(m.ok());
  clock_.Advance(5000);
  EXPECT_EQ(*incidents().RunMaintenanceTransitions(), 0);
  EXPECT_EQ(store_->GetIncident(page_id_, m->id)->status, IncidentStatus::kScheduled);
}

TEST_F(ServicesTest, BackfilledIncidentDoesNotTouchCurrentStatus) {
  IncidentInput in;
  in.name = "Last week";
  in.backfilled = true;
  in.status = IncidentStatus::kResolved;
  in.backfill_date = clock_.Now() - 7 * 86'400'000LL;
  in.components[web_] = ComponentStatus::kMajorOutage;
  auto inc = incidents().Create(page_id_, in);
  ASSERT_TRUE(inc.ok()) << inc.error().message;
  EXPECT_EQ(inc->started_at, *in.backfill_date);
  EXPECT_FALSE(inc->updates[0].deliver_notifications);
  EXPECT_EQ(StatusOf(web_), ComponentStatus::kOperational);
}

TEST_F(ServicesTest, InternalNoteIsNeverDelivered) {
  IncidentInput in;
  in.name = "Incident";
  auto inc = incidents().Create(page_id_, in);
  ASSERT_TRUE(inc.ok());
  IncidentInput note;
  note.body = "db01 failed over";
  note.internal = true;
  auto r = incidents().Update(page_id_, inc->id, note);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->updates[0].internal);
  EXPECT_FALSE(r->updates[0].deliver_notifications);
  store::IncidentFilter f;
  f.include_internal_updates = false;
  EXPECT_EQ(store_->ListIncidents(page_id_, f)->front().updates.size(), 1u);
}

TEST_F(ServicesTest, ComponentGroupsAndValidation) {
  ComponentInput g;
  g.name = "Core";
  g.member_ids = std::vector<std::string>{api_, web_};
  auto group = components().Create(page_id_, g, true);
  ASSERT_TRUE(group.ok()) << group.error().message;
  EXPECT_EQ(store_->GetComponent(page_id_, api_)->group_id, group->id);
  ComponentInput bad;
  bad.status = ComponentStatus::kMajorOutage;
  auto r = components().Update(page_id_, group->id, bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "status");
  ComponentInput nested;
  nested.group_id = group->id;
  EXPECT_EQ(components().Update(page_id_, group->id, nested).error().field, "group_id");
}

TEST_F(ServicesTest, PageValidation) {
  PageInput p;
  p.name = "Other";
  p.time_zone = "Mars/Base";
  EXPECT_EQ(pages().Create(p).error().field, "time_zone");
  p.time_zone = "Europe/Berlin";
  p.accent_color = "red;background:url(x)";
  EXPECT_EQ(pages().Create(p).error().field, "accent_color");
  p.accent_color = "#123abc";
  p.slug = "Bad Slug";
  EXPECT_EQ(pages().Create(p).error().field, "slug");
  p.slug.reset();
  auto ok = pages().Create(p);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->slug, "other");
}

TEST_F(ServicesTest, ApiKeysAreStoredHashed) {
  auto k = CreateApiKey(*store_, clock_, "ci", model::Role::kResponder);
  ASSERT_TRUE(k.ok());
  EXPECT_NE(k->key.key_hash, k->secret);
  EXPECT_EQ(k->key.key_hash.find(k->secret), std::string::npos);
  auto found = Authenticate(*store_, k->secret);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->role, model::Role::kResponder);
  EXPECT_EQ(Authenticate(*store_, k->secret + "x").error().code, ErrorCode::kUnauthorized);
  EXPECT_EQ(Authenticate(*store_, "").error().code, ErrorCode::kUnauthorized);
}

}  // namespace
}  // namespace herald::service
