// The Store contract, run against every backend: SQLite (a temporary file) and PostgreSQL (a
// fresh schema per test in the server named by HERALD_TEST_PG_URL; see contract_backends_testing.h
// for when it runs).
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "core/text.h"
#include "store/contract_backends_testing.h"
#include "store/postgres/pg_database.h"
#include "store/store.h"

namespace herald::store {
namespace {

using model::ComponentStatus;
using model::IncidentStatus;

model::OutboxEvent Event(std::string kind, std::string subject = "s1", std::string page = "p1") {
  return {0, std::move(page), std::move(kind), std::move(subject), R"({"k":"v"})", 1000};
}

model::Page MakePage(std::string id, std::string slug) {
  model::Page p;
  p.id = std::move(id);
  p.slug = std::move(slug);
  p.name = "Acme Status";
  p.created_at = 100;
  p.updated_at = 100;
  return p;
}

model::Component MakeComponent(std::string id, std::string page_id = "p1", int position = 0) {
  model::Component c;
  c.id = std::move(id);
  c.page_id = std::move(page_id);
  c.name = "Component " + c.id;
  c.position = position;
  c.created_at = 200;
  c.updated_at = 200;
  return c;
}

model::Incident MakeIncident(std::string id, TimeMs started_at, std::string page_id = "p1") {
  model::Incident i;
  i.id = std::move(id);
  i.page_id = std::move(page_id);
  i.name = "Incident " + i.id;
  i.created_at = started_at;
  i.updated_at = started_at;
  i.started_at = started_at;
  return i;
}

model::IncidentUpdate MakeUpdate(std::string id, std::string incident_id, TimeMs display_at, TimeMs created_at) {
  model::IncidentUpdate u;
  u.id = std::move(id);
  u.incident_id = std::move(incident_id);
  u.body = "Update " + u.id;
  u.display_at = display_at;
  u.created_at = created_at;
  u.updated_at = created_at;
  return u;
}

std::vector<std::string> Ids(const auto& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(i.id);
  return out;
}

class StoreContract : public testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgres) {
      pg_base_ = PgTestUrl();
      ASSERT_FALSE(pg_base_.empty()) << "HERALD_TEST_PG_URL is not set: in CI the PostgreSQL contract tests must run "
                                        "(scripts/test.sh starts a server and sets it)";
    }
    url_ = FreshUrl();
    ASSERT_FALSE(url_.empty());
    Reopen();
    ASSERT_TRUE(store_->Migrate().ok());
    ASSERT_TRUE(store_->SavePage(MakePage("p1", "acme"), Event("page.created", "p1")).ok());
  }

  // The URL of a new, empty database: a file in a not yet existing directory (the store creates
  // it), or a new PostgreSQL schema selected through the URL's options. Removed in TearDown.
  std::string FreshUrl() {
    const std::string name = "herald_test_" + RandomHex(8);
    if (GetParam() == Backend::kSqlite) {
      if (dir_.empty()) dir_ = std::filesystem::temp_directory_path() / name;
      return "sqlite:" + (dir_ / name / "herald.db").string();
    }
    auto admin = postgres::Connect(pg_base_);
    EXPECT_TRUE(admin.ok()) << admin.error().message;
    if (!admin.ok() || !(*admin)->ExecScript("CREATE SCHEMA " + name).ok()) return "";
    schemas_.push_back(name);
    // application_name lets a test find (and terminate) exactly this store's connections.
    return pg_base_ + (pg_base_.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + name +
           "&application_name=" + name;
  }

  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    if (!schemas_.empty()) {
      auto admin = postgres::Connect(pg_base_);
      for (const auto& schema : schemas_) {
        if (admin.ok()) (void)(*admin)->ExecScript("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }

  void Reopen() {
    store_.reset();
    auto s = OpenStore(url_);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
  }

  std::vector<model::OutboxEvent> Outbox() {
    auto r = store_->ReadOutbox(0, 0);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<model::OutboxEvent>{};
  }

  std::filesystem::path dir_;
  std::string pg_base_, url_;
  std::vector<std::string> schemas_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreContract, MigrateIsIdempotentAndPingWorks) {
  EXPECT_TRUE(store_->Migrate().ok());
  EXPECT_TRUE(store_->Migrate().ok());
  EXPECT_TRUE(store_->Ping().ok());
  EXPECT_EQ(store_->BackendName(), GetParam() == Backend::kSqlite ? "sqlite" : "postgresql");
  Reopen();
  EXPECT_TRUE(store_->Migrate().ok());
  EXPECT_TRUE(store_->GetPage("p1").ok());
}

TEST_P(StoreContract, PageRoundTripsEveryField) {
  model::Page p = MakePage("p2", "zürich-ops");
  p.name = "Zürich Ops — 状態 ✅ \"quoted\" 'single'";
  p.url = "https://example.com/";
  p.hostname = "status.example.com";
  p.time_zone = "Europe/Zurich";
  p.logo_url = "https://example.com/logo.svg";
  p.accent_color = "#ff0000";
  p.is_default = true;
  p.is_private = true;
  p.created_at = 1767225600123;
  p.updated_at = 1767225600456;
  ASSERT_TRUE(store_->SavePage(p, Event("page.created", "p2", "p2")).ok());
  for (const std::string key : {"p2", "zürich-ops"}) {
    auto got = store_->GetPage(key);
    ASSERT_TRUE(got.ok()) << key;
    EXPECT_EQ(got->id, "p2");
    EXPECT_EQ(got->slug, p.slug);
    EXPECT_EQ(got->name, p.name);
    EXPECT_EQ(got->url, p.url);
    EXPECT_EQ(got->hostname, p.hostname);
    EXPECT_EQ(got->time_zone, p.time_zone);
    EXPECT_EQ(got->logo_url, p.logo_url);
    EXPECT_EQ(got->accent_color, p.accent_color);
    EXPECT_TRUE(got->is_default);
    EXPECT_TRUE(got->is_private);
    EXPECT_EQ(got->created_at, p.created_at);
    EXPECT_EQ(got->updated_at, p.updated_at);
  }
  // Upsert: changes apply, created_at is kept.
  p.name = "Renamed";
  p.is_private = false;
  p.created_at = 5;
  p.updated_at = 1767225700000;
  ASSERT_TRUE(store_->SavePage(p, Event("page.updated", "p2", "p2")).ok());
  auto got = store_->GetPage("p2");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "Renamed");
  EXPECT_FALSE(got->is_private);
  EXPECT_EQ(got->created_at, 1767225600123);
  EXPECT_EQ(got->updated_at, 1767225700000);

  auto pages = store_->ListPages();
  ASSERT_TRUE(pages.ok());
  EXPECT_EQ(Ids(*pages), (std::vector<std::string>{"p1", "p2"}));
  EXPECT_EQ(store_->GetPage("nope").error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContract, PageUniqueSlugAndHostname) {
  auto dup = store_->SavePage(MakePage("p2", "acme"), Event("page.created"));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
  model::Page a = MakePage("p2", "a"), b = MakePage("p3", "b");
  a.hostname = b.hostname = "status.example.com";
  ASSERT_TRUE(store_->SavePage(a, Event("page.created")).ok());
  auto st = store_->SavePage(b, Event("page.created"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kConflict);
  // Empty host names do not collide.
  ASSERT_TRUE(store_->SavePage(MakePage("p4", "c"), Event("page.created")).ok());
}

TEST_P(StoreContract, ComponentRoundTripsEveryFieldAndOrders) {
  model::Component g = MakeComponent("g1", "p1", 1);
  g.is_group = true;
  g.name = "Infrastructure";
  ASSERT_TRUE(store_->SaveComponent(g, std::nullopt, Event("component.created", "g1")).ok());

  model::Component c = MakeComponent("c1", "p1", 2);
  c.group_id = "g1";
  c.name = "API — Ωmega 🚀";
  c.description = "Line one\nline two; DROP TABLE components; --";
  c.status = ComponentStatus::kPartialOutage;
  c.showcase = false;
  c.only_show_if_degraded = true;
  c.hidden = true;
  c.start_date = "2025-12-01";
  c.created_at = 1767225600001;
  c.updated_at = 1767225600002;
  ASSERT_TRUE(store_->SaveComponent(c, std::nullopt, Event("component.created", "c1")).ok());
  auto got = store_->GetComponent("p1", "c1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->page_id, "p1");
  EXPECT_EQ(got->group_id, "g1");
  EXPECT_FALSE(got->is_group);
  EXPECT_EQ(got->name, c.name);
  EXPECT_EQ(got->description, c.description);
  EXPECT_EQ(got->position, 2);
  EXPECT_EQ(got->status, ComponentStatus::kPartialOutage);
  EXPECT_FALSE(got->showcase);
  EXPECT_TRUE(got->only_show_if_degraded);
  EXPECT_TRUE(got->hidden);
  EXPECT_EQ(got->start_date, "2025-12-01");
  EXPECT_EQ(got->created_at, c.created_at);
  EXPECT_EQ(got->updated_at, c.updated_at);
  auto group = store_->GetComponent("p1", "g1");
  ASSERT_TRUE(group.ok());
  EXPECT_TRUE(group->is_group);
  EXPECT_EQ(group->group_id, "");
  EXPECT_EQ(group->start_date, std::nullopt);

  // Ordering: position, then name.
  model::Component b = MakeComponent("c2", "p1", 2);
  b.name = "Access";  // after "API ..." at the same position: names compare bytewise on every backend
  ASSERT_TRUE(store_->SaveComponent(b, std::nullopt, Event("component.created")).ok());
  ASSERT_TRUE(store_->SaveComponent(MakeComponent("c0", "p1", 0), std::nullopt, Event("component.created")).ok());
  auto list = store_->ListComponents("p1");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Ids(*list), (std::vector<std::string>{"c0", "g1", "c1", "c2"}));
  EXPECT_TRUE(store_->ListComponents("other")->empty());

  // Upsert changes fields.
  c.status = ComponentStatus::kOperational;
  c.start_date.reset();
  ASSERT_TRUE(store_->SaveComponent(c, std::nullopt, Event("component.updated")).ok());
  got = store_->GetComponent("p1", "c1");
  EXPECT_EQ(got->status, ComponentStatus::kOperational);
  EXPECT_EQ(got->start_date, std::nullopt);
}

TEST_P(StoreContract, ComponentNotFoundAndWrongPage) {
  EXPECT_EQ(store_->GetComponent("p1", "nope").error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(store_->SaveComponent(MakeComponent("c1"), std::nullopt, Event("component.created")).ok());
  ASSERT_TRUE(store_->SavePage(MakePage("p2", "other"), Event("page.created")).ok());
  EXPECT_EQ(store_->GetComponent("p2", "c1").error().code, ErrorCode::kNotFound);
  // The same id on another page does not move the component.
  auto st = store_->SaveComponent(MakeComponent("c1", "p2"), std::nullopt, Event("component.created"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kConflict);
  // A component of a missing page, or in a missing group, is refused.
  EXPECT_FALSE(store_->SaveComponent(MakeComponent("c9", "missing"), std::nullopt, Event("component.created")).ok());
  auto orphan = MakeComponent("c8");
  orphan.group_id = "missing";
  EXPECT_FALSE(store_->SaveComponent(orphan, std::nullopt, Event("component.created")).ok());
  EXPECT_EQ(store_->DeleteComponent("p1", "nope", Event("component.deleted")).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->DeleteComponent("p2", "c1", Event("component.deleted")).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContract, DeleteGroupUngroupsMembersAndDropsHistory) {
  auto g = MakeComponent("g1");
  g.is_group = true;
  ASSERT_TRUE(
      store_->SaveComponent(g, model::StatusChange{"g1", ComponentStatus::kMajorOutage, 10}, Event("component.created"))
          .ok());
  auto m = MakeComponent("m1");
  m.group_id = "g1";
  ASSERT_TRUE(store_->SaveComponent(m, std::nullopt, Event("component.created")).ok());
  const auto before = Outbox().size();
  ASSERT_TRUE(store_->DeleteComponent("p1", "g1", Event("component.deleted", "g1")).ok());
  EXPECT_EQ(store_->GetComponent("p1", "g1").error().code, ErrorCode::kNotFound);
  auto member = store_->GetComponent("p1", "m1");
  ASSERT_TRUE(member.ok());
  EXPECT_EQ(member->group_id, "");
  EXPECT_TRUE(store_->StatusHistory("p1", 0)->empty());
  auto events = Outbox();
  ASSERT_EQ(events.size(), before + 1);
  EXPECT_EQ(events.back().kind, "component.deleted");
}

TEST_P(StoreContract, StatusHistoryIncludesLastChangeBeforeSince) {
  for (auto id : {"a", "b", "c"}) {
    ASSERT_TRUE(store_->SaveComponent(MakeComponent(id), std::nullopt, Event("component.created")).ok());
  }
  auto change = [&](const char* id, ComponentStatus s, TimeMs at) {
    auto c = MakeComponent(id);
    c.status = s;
    ASSERT_TRUE(store_->SaveComponent(c, model::StatusChange{id, s, at}, Event("component.updated")).ok());
  };
  change("a", ComponentStatus::kDegradedPerformance, 10);
  change("a", ComponentStatus::kMajorOutage, 20);
  change("a", ComponentStatus::kPartialOutage, 30);
  change("a", ComponentStatus::kOperational, 40);
  change("b", ComponentStatus::kUnderMaintenance, 5);
  // Another page's component never shows up.
  ASSERT_TRUE(store_->SavePage(MakePage("p2", "other"), Event("page.created")).ok());
  auto x = MakeComponent("x", "p2");
  ASSERT_TRUE(
      store_->SaveComponent(x, model::StatusChange{"x", ComponentStatus::kMajorOutage, 35}, Event("component.created"))
          .ok());

  auto h = store_->StatusHistory("p1", 25);
  ASSERT_TRUE(h.ok());
  std::vector<std::tuple<std::string, ComponentStatus, TimeMs>> got;
  for (const auto& c : *h) got.emplace_back(c.component_id, c.status, c.at);
  EXPECT_EQ(got, (std::vector<std::tuple<std::string, ComponentStatus, TimeMs>>{
                     {"b", ComponentStatus::kUnderMaintenance, 5},
                     {"a", ComponentStatus::kMajorOutage, 20},
                     {"a", ComponentStatus::kPartialOutage, 30},
                     {"a", ComponentStatus::kOperational, 40},
                 }));
  EXPECT_EQ(store_->StatusHistory("p1", 0)->size(), 5u);
  EXPECT_EQ(store_->StatusHistory("p1", 1000)->size(), 2u);  // the last of a and of b
  EXPECT_TRUE(store_->StatusHistory("nope", 0)->empty());
}

TEST_P(StoreContract, IncidentRoundTripsEveryField) {
  ASSERT_TRUE(store_->SaveComponent(MakeComponent("c1"), std::nullopt, Event("component.created")).ok());
  ASSERT_TRUE(store_->SaveComponent(MakeComponent("c2"), std::nullopt, Event("component.created")).ok());
  IncidentWrite w;
  auto& i = w.incident;
  i = MakeIncident("i1", 1767225600000);
  i.name = "Datenbank langsam — 数据库 🐢";
  i.type = model::NoticeType::kSecurity;
  i.impact = model::Impact::kCritical;
  i.status = IncidentStatus::kMonitoring;
  i.created_at = 1767225600001;
  i.updated_at = 1767225600002;
  i.monitoring_at = 1767225600003;
  i.resolved_at = 1767225600004;
  i.scheduled_for = 1767225600005;
  i.scheduled_until = 1767225600006;
  i.scheduled_auto_transition = false;
  i.backfilled = true;
  i.postmortem_body = "# Root cause\n\n*Markdown* <b>not html</b>";
  i.components = {{"c2", ComponentStatus::kMajorOutage, ComponentStatus::kOperational},
                  {"c1", ComponentStatus::kDegradedPerformance, ComponentStatus::kPartialOutage}};
  auto u = MakeUpdate("u1", "i1", 1767225600010, 1767225600011);
  u.status = IncidentStatus::kMonitoring;
  u.body = "Wir beobachten — 我们正在监控";
  u.updated_at = 1767225600012;
  u.deliver_notifications = false;
  u.next_update_at = 1767225600013;
  u.internal = true;
  u.affected_components = {{"c1", ComponentStatus::kPartialOutage, ComponentStatus::kOperational}};
  w.new_updates = {u};
  w.event = Event("incident.created", "i1");
  ASSERT_TRUE(store_->SaveIncident(w).ok());

  auto got = store_->GetIncident("p1", "i1");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got->page_id, "p1");
  EXPECT_EQ(got->name, i.name);
  EXPECT_EQ(got->type, model::NoticeType::kSecurity);
  EXPECT_EQ(got->impact, model::Impact::kCritical);
  EXPECT_EQ(got->status, IncidentStatus::kMonitoring);
  EXPECT_EQ(got->created_at, i.created_at);
  EXPECT_EQ(got->updated_at, i.updated_at);
  EXPECT_EQ(got->started_at, i.started_at);
  EXPECT_EQ(got->monitoring_at, i.monitoring_at);
  EXPECT_EQ(got->resolved_at, i.resolved_at);
  EXPECT_EQ(got->scheduled_for, i.scheduled_for);
  EXPECT_EQ(got->scheduled_until, i.scheduled_until);
  EXPECT_FALSE(got->scheduled_auto_transition);
  EXPECT_TRUE(got->backfilled);
  EXPECT_EQ(got->postmortem_body, i.postmortem_body);
  ASSERT_EQ(got->components.size(), 2u);
  EXPECT_EQ(got->components[0].component_id, "c2");  // order kept
  EXPECT_EQ(got->components[0].new_status, ComponentStatus::kMajorOutage);
  EXPECT_EQ(got->components[0].old_status, ComponentStatus::kOperational);
  EXPECT_EQ(got->components[1].component_id, "c1");
  EXPECT_EQ(got->components[1].new_status, ComponentStatus::kDegradedPerformance);
  EXPECT_EQ(got->components[1].old_status, ComponentStatus::kPartialOutage);
  ASSERT_EQ(got->updates.size(), 1u);
  const auto& gu = got->updates[0];
  EXPECT_EQ(gu.id, "u1");
  EXPECT_EQ(gu.incident_id, "i1");
  EXPECT_EQ(gu.status, IncidentStatus::kMonitoring);
  EXPECT_EQ(gu.body, u.body);
  EXPECT_EQ(gu.display_at, u.display_at);
  EXPECT_EQ(gu.created_at, u.created_at);
  EXPECT_EQ(gu.updated_at, u.updated_at);
  EXPECT_FALSE(gu.deliver_notifications);
  EXPECT_EQ(gu.next_update_at, u.next_update_at);
  EXPECT_TRUE(gu.internal);
  ASSERT_EQ(gu.affected_components.size(), 1u);
  EXPECT_EQ(gu.affected_components[0].component_id, "c1");
  EXPECT_EQ(gu.affected_components[0].new_status, ComponentStatus::kPartialOutage);
  EXPECT_EQ(gu.affected_components[0].old_status, ComponentStatus::kOperational);

  // Second write: optionals cleared, components replaced, a new update appended (with its
  // incident_id left empty: the store fills it in).
  IncidentWrite w2;
  w2.incident = MakeIncident("i1", 1767225600000);
  w2.incident.status = IncidentStatus::kResolved;
  w2.incident.components = {{"c1", ComponentStatus::kOperational, ComponentStatus::kDegradedPerformance}};
  w2.new_updates = {MakeUpdate("u2", "", 1767225600020, 1767225600021)};
  w2.event = Event("incident.updated", "i1");
  ASSERT_TRUE(store_->SaveIncident(w2).ok());
  got = store_->GetIncident("p1", "i1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, IncidentStatus::kResolved);
  EXPECT_EQ(got->created_at, i.created_at);  // kept
  EXPECT_EQ(got->monitoring_at, std::nullopt);
  EXPECT_EQ(got->scheduled_for, std::nullopt);
  ASSERT_EQ(got->components.size(), 1u);
  EXPECT_EQ(got->components[0].component_id, "c1");
  EXPECT_EQ(Ids(got->updates), (std::vector<std::string>{"u2", "u1"}));
  EXPECT_EQ(got->updates[0].incident_id, "i1");
  EXPECT_TRUE(got->updates[0].affected_components.empty());
}

TEST_P(StoreContract, UpdatesNewestFirstByDisplayThenCreated) {
  IncidentWrite w;
  w.incident = MakeIncident("i1", 1000);
  w.new_updates = {MakeUpdate("early", "i1", 100, 500), MakeUpdate("late", "i1", 300, 100),
                   MakeUpdate("tie-old", "i1", 200, 150), MakeUpdate("tie-new", "i1", 200, 160)};
  w.event = Event("incident.created");
  ASSERT_TRUE(store_->SaveIncident(w).ok());
  auto got = store_->GetIncident("p1", "i1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(Ids(got->updates), (std::vector<std::string>{"late", "tie-new", "tie-old", "early"}));
}

TEST_P(StoreContract, ListIncidentsFiltersAndOrders) {
  auto save = [&](model::Incident i, std::vector<model::IncidentUpdate> updates = {}) {
    IncidentWrite w;
    w.incident = std::move(i);
    w.new_updates = std::move(updates);
    w.event = Event("incident.created", w.incident.id);
    ASSERT_TRUE(store_->SaveIncident(w).ok()) << w.incident.id;
  };
  auto open = MakeIncident("open", 3000);
  auto pub = MakeUpdate("pub", "open", 3000, 3000);
  auto note = MakeUpdate("note", "open", 3100, 3100);
  note.internal = true;
  save(open, {pub, note});
  auto resolved = MakeIncident("resolved", 2000);
  resolved.status = IncidentStatus::kResolved;
  save(resolved);
  auto postmortem = MakeIncident("postmortem", 1000);
  postmortem.status = IncidentStatus::kPostmortem;
  save(postmortem);
  // Maintenance is ordered by its window start, not when it was created.
  auto maint = MakeIncident("maint", 500);
  maint.status = IncidentStatus::kScheduled;
  maint.scheduled_for = 5000;
  maint.scheduled_until = 6000;
  save(maint);
  auto done = MakeIncident("done", 400);
  done.status = IncidentStatus::kCompleted;
  done.scheduled_for = 2500;
  save(done);
  ASSERT_TRUE(store_->SavePage(MakePage("p2", "other"), Event("page.created")).ok());
  save(MakeIncident("elsewhere", 9999, "p2"));

  // Designated initialisers would trip -Wmissing-field-initializers on GCC; build filters here.
  auto filter = [](std::optional<bool> maintenance, bool unresolved_only, int limit = 0, int offset = 0,
                   bool include_internal_updates = true) {
    IncidentFilter f;
    f.maintenance = maintenance;
    f.unresolved_only = unresolved_only;
    f.limit = limit;
    f.offset = offset;
    f.include_internal_updates = include_internal_updates;
    return f;
  };
  auto list = [&](IncidentFilter f) {
    auto r = store_->ListIncidents("p1", f);
    EXPECT_TRUE(r.ok());
    return r.ok() ? Ids(*r) : std::vector<std::string>{};
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(list(filter(std::nullopt, false)), (V{"maint", "open", "done", "resolved", "postmortem"}));
  EXPECT_EQ(list(filter(true, false)), (V{"maint", "done"}));
  EXPECT_EQ(list(filter(false, false)), (V{"open", "resolved", "postmortem"}));
  EXPECT_EQ(list(filter(std::nullopt, true)), (V{"maint", "open"}));
  EXPECT_EQ(list(filter(false, true)), (V{"open"}));
  EXPECT_EQ(list(filter(std::nullopt, false, 2)), (V{"maint", "open"}));
  EXPECT_EQ(list(filter(std::nullopt, false, 2, 2)), (V{"done", "resolved"}));
  EXPECT_EQ(list(filter(std::nullopt, false, 0, 3)), (V{"resolved", "postmortem"}));
  EXPECT_EQ(list(filter(std::nullopt, false, 0, 10)), V{});

  auto with_internal = store_->ListIncidents("p1", filter(false, false, 1));
  ASSERT_TRUE(with_internal.ok());
  ASSERT_EQ(with_internal->size(), 1u);
  EXPECT_EQ(Ids(with_internal->front().updates), (V{"note", "pub"}));
  auto public_only = store_->ListIncidents("p1", filter(false, false, 1, 0, false));
  ASSERT_TRUE(public_only.ok());
  EXPECT_EQ(Ids(public_only->front().updates), (V{"pub"}));
  EXPECT_TRUE(store_->ListIncidents("nope", {})->empty());
  EXPECT_EQ(store_->GetIncident("p2", "open").error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContract, SaveIncidentAppliesStatusChangesAndOutboxTogether) {
  ASSERT_TRUE(store_->SaveComponent(MakeComponent("c1"), std::nullopt, Event("component.created")).ok());
  ASSERT_TRUE(store_->SaveComponent(MakeComponent("c2"), std::nullopt, Event("component.created")).ok());
  IncidentWrite w;
  w.incident = MakeIncident("i1", 1000);
  w.incident.components = {{"c1", ComponentStatus::kMajorOutage, ComponentStatus::kOperational}};
  w.new_updates = {MakeUpdate("u1", "i1", 1000, 1000)};
  w.status_changes = {{"c2", ComponentStatus::kDegradedPerformance, 1000},
                      {"c1", ComponentStatus::kMajorOutage, 1000},
                      {"c1", ComponentStatus::kPartialOutage, 1001}};
  w.event = Event("incident.created", "i1");
  w.event.payload_json = R"({"name":"Ünïcødé","n":[1,2,3]})";
  w.event.created_at = 1234;
  ASSERT_TRUE(store_->SaveIncident(w).ok());
  EXPECT_EQ(store_->GetComponent("p1", "c1")->status, ComponentStatus::kPartialOutage);
  EXPECT_EQ(store_->GetComponent("p1", "c1")->updated_at, 1001);
  EXPECT_EQ(store_->GetComponent("p1", "c2")->status, ComponentStatus::kDegradedPerformance);
  EXPECT_EQ(store_->StatusHistory("p1", 0)->size(), 3u);
  auto events = Outbox();
  ASSERT_FALSE(events.empty());
  const auto& e = events.back();
  EXPECT_EQ(e.kind, "incident.created");
  EXPECT_EQ(e.page_id, "p1");
  EXPECT_EQ(e.subject_id, "i1");
  EXPECT_EQ(e.payload_json, w.event.payload_json);
  EXPECT_EQ(e.created_at, 1234);
}

TEST_P(StoreContract, FailedSaveIncidentLeavesNothingWritten) {
  ASSERT_TRUE(store_->SaveComponent(MakeComponent("c1"), std::nullopt, Event("component.created")).ok());
  IncidentWrite original;
  original.incident = MakeIncident("i0", 500);
  original.new_updates = {MakeUpdate("u0", "i0", 500, 500)};
  original.event = Event("incident.created", "i0");
  ASSERT_TRUE(store_->SaveIncident(original).ok());
  const auto outbox_before = Outbox().size();

  auto write = [&](const std::string& id) {
    IncidentWrite w;
    w.incident = MakeIncident(id, 1000);
    w.incident.components = {{"c1", ComponentStatus::kMajorOutage, ComponentStatus::kOperational}};
    w.new_updates = {MakeUpdate(id + "-u", id, 1000, 1000)};
    w.status_changes = {{"c1", ComponentStatus::kMajorOutage, 1000}};
    w.event = Event("incident.created", id);
    return w;
  };
  auto check_untouched = [&] {
    EXPECT_EQ(store_->GetIncident("p1", "i1").error().code, ErrorCode::kNotFound);
    EXPECT_EQ(store_->GetComponent("p1", "c1")->status, ComponentStatus::kOperational);
    EXPECT_TRUE(store_->StatusHistory("p1", 0)->empty());
    EXPECT_EQ(Outbox().size(), outbox_before);
    auto i0 = store_->GetIncident("p1", "i0");
    ASSERT_TRUE(i0.ok());
    EXPECT_EQ(i0->name, "Incident i0");
    EXPECT_EQ(Ids(i0->updates), (std::vector<std::string>{"u0"}));
  };

  // The outbox event (written last) violates a constraint.
  auto bad_event = write("i1");
  bad_event.event.kind = "";
  auto st = store_->SaveIncident(bad_event);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalid);
  check_untouched();

  // A status change for a component that does not exist.
  auto bad_change = write("i1");
  bad_change.status_changes.push_back({"ghost", ComponentStatus::kMajorOutage, 1000});
  st = store_->SaveIncident(bad_change);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kNotFound);
  check_untouched();

  // An update id that is already taken.
  auto dup_update = write("i1");
  dup_update.new_updates.push_back(MakeUpdate("u0", "i1", 1000, 1000));
  st = store_->SaveIncident(dup_update);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kConflict);
  check_untouched();

  // A failed edit of an existing incident keeps the old version.
  auto edit = write("i0");
  edit.incident.name = "changed";
  edit.event.kind = "";
  ASSERT_FALSE(store_->SaveIncident(edit).ok());
  check_untouched();

  // Incidents of a missing page are refused.
  auto orphan = write("i1");
  orphan.incident.page_id = "missing";
  orphan.status_changes.clear();
  EXPECT_FALSE(store_->SaveIncident(orphan).ok());
  check_untouched();
}

TEST_P(StoreContract, DeleteIncidentAndEditUpdate) {
  ASSERT_TRUE(store_->SaveComponent(MakeComponent("c1"), std::nullopt, Event("component.created")).ok());
  IncidentWrite w;
  w.incident = MakeIncident("i1", 1000);
  w.incident.components = {{"c1", ComponentStatus::kMajorOutage, ComponentStatus::kOperational}};
  w.new_updates = {MakeUpdate("u1", "i1", 1000, 1000), MakeUpdate("u2", "i1", 2000, 2000)};
  w.event = Event("incident.created", "i1");
  ASSERT_TRUE(store_->SaveIncident(w).ok());

  auto edited = MakeUpdate("u1", "i1", 3000, 1000);
  edited.body = "Corrected text — korrigiert";
  edited.updated_at = 3500;
  edited.next_update_at = 4000;
  ASSERT_TRUE(store_->SaveIncidentUpdate(edited, Event("incident.updated", "i1")).ok());
  auto got = store_->GetIncident("p1", "i1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(Ids(got->updates), (std::vector<std::string>{"u1", "u2"}));  // moved by its display time
  EXPECT_EQ(got->updates[0].body, "Corrected text — korrigiert");
  EXPECT_EQ(got->updates[0].updated_at, 3500);
  EXPECT_EQ(got->updates[0].next_update_at, 4000);
  EXPECT_EQ(got->updates[0].created_at, 1000);
  EXPECT_EQ(store_->SaveIncidentUpdate(MakeUpdate("nope", "i1", 1, 1), Event("incident.updated")).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(store_->SaveIncidentUpdate(MakeUpdate("u1", "other", 1, 1), Event("incident.updated")).error().code,
            ErrorCode::kNotFound);

  const auto before = Outbox().size();
  EXPECT_EQ(store_->DeleteIncident("p2", "i1", Event("incident.deleted")).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(store_->DeleteIncident("p1", "i1", Event("incident.deleted", "i1")).ok());
  EXPECT_EQ(store_->GetIncident("p1", "i1").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->DeleteIncident("p1", "i1", Event("incident.deleted")).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Outbox().size(), before + 1);
  // The update ids are free again, and the component is untouched.
  ASSERT_TRUE(store_->SaveIncident(w).ok());
  EXPECT_TRUE(store_->GetComponent("p1", "c1").ok());
}

TEST_P(StoreContract, OutboxIdsIncreaseAndPage) {
  const auto base = Outbox().size();  // the page creation in SetUp
  ASSERT_EQ(base, 1u);
  for (int n = 0; n < 5; ++n) {
    ASSERT_TRUE(store_->SavePage(MakePage("p1", "acme"), Event("page.updated", std::to_string(n))).ok());
  }
  auto all = Outbox();
  ASSERT_EQ(all.size(), 6u);
  for (size_t n = 1; n < all.size(); ++n) EXPECT_GT(all[n].id, all[n - 1].id);
  EXPECT_EQ(all[3].subject_id, "2");
  auto last = store_->LastOutboxId();
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, all.back().id);
  auto page = store_->ReadOutbox(all[1].id, 2);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ(page->at(0).id, all[2].id);
  EXPECT_EQ(page->at(1).id, all[3].id);
  EXPECT_TRUE(store_->ReadOutbox(all.back().id, 10)->empty());
}

TEST_P(StoreContract, ApiKeys) {
  model::ApiKey k{"k1", "deploy bot — ünïcode", model::Role::kResponder, Sha256Hex("secret-1"), 1767225600000};
  ASSERT_TRUE(store_->SaveApiKey(k).ok());
  ASSERT_TRUE(store_->SaveApiKey({"k2", "admin", model::Role::kAdmin, Sha256Hex("secret-2"), 1767225600001}).ok());
  auto found = store_->FindApiKeyByHash(Sha256Hex("secret-1"));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id, "k1");
  EXPECT_EQ(found->name, k.name);
  EXPECT_EQ(found->role, model::Role::kResponder);
  EXPECT_EQ(found->key_hash, k.key_hash);
  EXPECT_EQ(found->created_at, k.created_at);
  EXPECT_EQ(store_->FindApiKeyByHash(Sha256Hex("wrong")).error().code, ErrorCode::kNotFound);

  auto dup = store_->SaveApiKey({"k3", "copy", model::Role::kViewer, Sha256Hex("secret-1"), 0});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);

  k.role = model::Role::kViewer;  // upsert by id
  ASSERT_TRUE(store_->SaveApiKey(k).ok());
  auto list = store_->ListApiKeys();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Ids(*list), (std::vector<std::string>{"k1", "k2"}));
  EXPECT_EQ(list->front().role, model::Role::kViewer);

  ASSERT_TRUE(store_->DeleteApiKey("k1").ok());
  EXPECT_EQ(store_->DeleteApiKey("k1").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->FindApiKeyByHash(Sha256Hex("secret-1")).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->ListApiKeys()->size(), 1u);
}

TEST_P(StoreContract, IdempotencyRecords) {
  auto none = store_->GetIdempotency("k1:abc");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  model::IdempotencyRecord r{"k1:abc", "hash-1", 201, R"({"id":"i1","name":"Ωmega"})", 1000};
  ASSERT_TRUE(store_->PutIdempotency(r).ok());
  auto got = store_->GetIdempotency("k1:abc");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->key, r.key);
  EXPECT_EQ((*got)->request_hash, r.request_hash);
  EXPECT_EQ((*got)->status, 201);
  EXPECT_EQ((*got)->response_body, r.response_body);
  EXPECT_EQ((*got)->created_at, 1000);
  auto again = store_->PutIdempotency({"k1:abc", "hash-2", 200, "{}", 2000});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ((*store_->GetIdempotency("k1:abc"))->request_hash, "hash-1");

  ASSERT_TRUE(store_->PutIdempotency({"k1:new", "h", 200, "{}", 5000}).ok());
  ASSERT_TRUE(store_->PurgeIdempotency(1001).ok());
  EXPECT_FALSE(store_->GetIdempotency("k1:abc")->has_value());
  EXPECT_TRUE(store_->GetIdempotency("k1:new")->has_value());
}

TEST_P(StoreContract, DataSurvivesReopen) {
  ASSERT_TRUE(store_->SaveComponent(MakeComponent("c1"), std::nullopt, Event("component.created")).ok());
  IncidentWrite w;
  w.incident = MakeIncident("i1", 1000);
  w.new_updates = {MakeUpdate("u1", "i1", 1000, 1000)};
  w.status_changes = {{"c1", ComponentStatus::kMajorOutage, 1000}};
  w.event = Event("incident.created", "i1");
  ASSERT_TRUE(store_->SaveIncident(w).ok());
  const auto last = *store_->LastOutboxId();
  Reopen();
  ASSERT_TRUE(store_->Migrate().ok());
  auto got = store_->GetIncident("p1", "i1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->updates.size(), 1u);
  EXPECT_EQ(store_->GetComponent("p1", "c1")->status, ComponentStatus::kMajorOutage);
  EXPECT_EQ(*store_->LastOutboxId(), last);
  // Ids keep increasing after a restart.
  ASSERT_TRUE(store_->SavePage(MakePage("p1", "acme"), Event("page.updated")).ok());
  EXPECT_GT(*store_->LastOutboxId(), last);
}

// Several writers at once lose nothing, and a reader following the outbox meanwhile sees every
// event exactly once, in id order (ids become visible in increasing order).
TEST_P(StoreContract, ConcurrentWritersLoseNothing) {
  constexpr int kThreads = 6, kPerThread = 25;
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_TRUE(
        store_->SaveComponent(MakeComponent("c" + std::to_string(t)), std::nullopt, Event("component.created")).ok());
  }
  const std::int64_t start = *store_->LastOutboxId();
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::vector<std::int64_t> seen;
  std::thread follower([&] {
    std::int64_t after = start;
    for (;;) {
      const bool last_round = done.load();
      auto batch = store_->ReadOutbox(after, 50);
      if (!batch.ok()) {
        ++failures;
        return;
      }
      for (const auto& e : *batch) {
        seen.push_back(e.id);
        after = e.id;
      }
      if (last_round && batch->empty()) return;
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int n = 0; n < kPerThread; ++n) {
        const std::string id = "t" + std::to_string(t) + "-" + std::to_string(n);
        IncidentWrite w;
        w.incident = MakeIncident(id, 1000 + n);
        w.new_updates = {MakeUpdate(id + "-u", id, 1000 + n, 1000 + n)};
        // Every writer also touches a shared component, in varying order, to provoke lock waits.
        w.status_changes = {{"c" + std::to_string(t), ComponentStatus::kMajorOutage, 1000 + n},
                            {"c0", n % 2 ? ComponentStatus::kMajorOutage : ComponentStatus::kOperational, 1000 + n}};
        w.event = Event("incident.created", id);
        auto st = store_->SaveIncident(w);
        if (!st.ok()) {
          ADD_FAILURE() << st.error().message;
          ++failures;
        }
      }
    });
  }
  for (auto& w : writers) w.join();
  done = true;
  follower.join();
  ASSERT_EQ(failures.load(), 0);
  EXPECT_EQ(store_->ListIncidents("p1", {})->size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(store_->StatusHistory("p1", 0)->size(), static_cast<size_t>(2 * kThreads * kPerThread));
  auto all = store_->ReadOutbox(start, 0);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), static_cast<size_t>(kThreads * kPerThread));
  std::vector<std::int64_t> ids;
  for (const auto& e : *all) ids.push_back(e.id);
  EXPECT_EQ(seen, ids);  // nothing skipped, nothing twice, in order
}

TEST_P(StoreContract, ConcurrentMigrationsOfAFreshDatabase) {
  const std::string url = FreshUrl();
  std::vector<std::unique_ptr<Store>> stores;
  for (int n = 0; n < 4; ++n) {
    auto s = OpenStore(url);
    ASSERT_TRUE(s.ok()) << s.error().message;
    stores.push_back(std::move(*s));
  }
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (auto& s : stores) {
    threads.emplace_back([&s, &failures] {
      if (auto st = s->Migrate(); !st.ok()) {
        ADD_FAILURE() << st.error().message;
        ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_TRUE(stores[0]->SavePage(MakePage("p1", "acme"), Event("page.created")).ok());
  EXPECT_EQ(stores[3]->GetPage("acme")->id, "p1");
}

// kill -9 of a process in the middle of a stream of writes loses nothing it saw committed.
TEST_P(StoreContract, KilledWriterLosesNothingCommitted) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    auto s = OpenStore(url_);
    if (!s.ok()) _exit(2);
    for (int n = 0; n < 100000; ++n) {
      IncidentWrite w;
      w.incident = MakeIncident("k" + std::to_string(n), 1000 + n);
      w.new_updates = {MakeUpdate("k" + std::to_string(n) + "-u", "", 1000 + n, 1000 + n)};
      w.event = Event("incident.created", w.incident.id);
      if (!(*s)->SaveIncident(w).ok()) _exit(3);
      if (write(fds[1], &n, sizeof n) != sizeof n) _exit(4);  // acknowledged only once committed
    }
    _exit(0);
  }
  close(fds[1]);
  int acknowledged = -1, n = 0;
  while (acknowledged < 50 && read(fds[0], &n, sizeof n) == sizeof n) acknowledged = n;
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  // Acknowledgements that were in the pipe when the child died were committed too.
  while (read(fds[0], &n, sizeof n) == sizeof n) acknowledged = n;
  close(fds[0]);
  ASSERT_GE(acknowledged, 50) << "the writer process failed early, status " << status;
  Reopen();
  for (int k = 0; k <= acknowledged; ++k) {
    auto got = store_->GetIncident("p1", "k" + std::to_string(k));
    ASSERT_TRUE(got.ok()) << "lost committed incident k" << k;
    EXPECT_EQ(got->updates.size(), 1u);
  }
}

// What only a database server can do to its clients: instantiated for PostgreSQL only (SQLite has
// no server connection to lose).
class ServerStoreContract : public StoreContract {};
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ServerStoreContract);  // no server outside CI without a URL
INSTANTIATE_TEST_SUITE_P(Backends, ServerStoreContract, testing::ValuesIn(ContractBackends(/*with_sqlite=*/false)),
                         BackendLabel);

TEST_P(ServerStoreContract, ReconnectsAfterConnectionsAreKilled) {
  // Fill the pool with several connections.
  std::vector<std::thread> threads;
  for (int n = 0; n < 4; ++n) threads.emplace_back([&] { (void)store_->ListIncidents("p1", {}); });
  for (auto& t : threads) t.join();
  auto admin = postgres::Connect(pg_base_);
  ASSERT_TRUE(admin.ok());
  auto killed = (*admin)->Query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                                {schemas_.front()});
  ASSERT_TRUE(killed.ok()) << killed.error().message;
  ASSERT_FALSE(killed->empty());
  // Every idle connection is dead now; callers must not notice.
  for (int n = 0; n < 6; ++n) {
    auto pages = store_->ListPages();
    ASSERT_TRUE(pages.ok()) << pages.error().message;
    EXPECT_EQ(pages->size(), 1u);
  }
  EXPECT_TRUE(store_->SavePage(MakePage("p1", "acme"), Event("page.updated")).ok());
  EXPECT_TRUE(store_->Ping().ok());
}

// --- notifications -----------------------------------------------------------------------------

model::Subscriber MakeSubscriber(std::string id, std::string address, int priority = 0) {
  model::Subscriber s;
  s.id = std::move(id);
  s.page_id = "p1";
  s.address = std::move(address);
  s.state = model::SubscriberState::kActive;
  s.priority = priority;
  s.created_at = 500;
  s.updated_at = 500;
  return s;
}

model::Delivery MakeDelivery(std::string id, std::int64_t event_id, std::string subscriber_id, TimeMs next,
                             int priority = 0) {
  model::Delivery d;
  d.id = std::move(id);
  d.event_id = event_id;
  d.page_id = "p1";
  d.subscriber_id = std::move(subscriber_id);
  d.incident_id = "i1";
  d.priority = priority;
  d.next_attempt_at = next;
  d.created_at = 1000;
  d.updated_at = 1000;
  return d;
}

TEST_P(StoreContract, SubscriberRoundTripsEveryFieldAndAddressIsUnique) {
  model::Subscriber s = MakeSubscriber("s1", "ops@example.com");
  s.channel = model::ChannelKind::kWebhook;
  s.address = "https://hooks.example.com/x?a=1";
  s.state = model::SubscriberState::kPending;
  s.component_ids = {"c1", "c2"};
  s.language = "de";
  s.time_zone = "Europe/Berlin";
  s.detail = model::DetailLevel::kTechnical;
  s.event_types = model::kWantIncidents | model::kWantSecurity;
  s.quiet_start_minute = 22 * 60;
  s.quiet_end_minute = 7 * 60;
  s.segment = "enterprise";
  s.priority = 10;
  s.secret = "whsec_abc";
  s.push_p256dh = "p256";
  s.push_auth = "auth";
  s.confirm_code_hash = "hash";
  s.owner_email = "owner@example.com";
  s.confirmed_at = 600;
  s.failing_since = 700;
  s.last_error = "HTTP 500";
  ASSERT_TRUE(store_->SaveSubscriber(s).ok());
  auto got = store_->GetSubscriber("p1", "s1");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got->channel, s.channel);
  EXPECT_EQ(got->address, s.address);
  EXPECT_EQ(got->state, s.state);
  EXPECT_EQ(got->component_ids, s.component_ids);
  EXPECT_EQ(got->language, "de");
  EXPECT_EQ(got->time_zone, "Europe/Berlin");
  EXPECT_EQ(got->detail, model::DetailLevel::kTechnical);
  EXPECT_EQ(got->event_types, s.event_types);
  EXPECT_EQ(got->quiet_start_minute, 22 * 60);
  EXPECT_EQ(got->quiet_end_minute, 7 * 60);
  EXPECT_EQ(got->segment, "enterprise");
  EXPECT_EQ(got->priority, 10);
  EXPECT_EQ(got->secret, "whsec_abc");
  EXPECT_EQ(got->push_p256dh, "p256");
  EXPECT_EQ(got->push_auth, "auth");
  EXPECT_EQ(got->confirm_code_hash, "hash");
  EXPECT_EQ(got->owner_email, "owner@example.com");
  EXPECT_EQ(got->confirmed_at, 600);
  EXPECT_EQ(got->failing_since, 700);
  EXPECT_EQ(got->last_error, "HTTP 500");

  auto found = store_->FindSubscriber("p1", model::ChannelKind::kWebhook, s.address);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, "s1");
  EXPECT_FALSE(store_->FindSubscriber("p1", model::ChannelKind::kEmail, s.address)->has_value());

  model::Subscriber dup = MakeSubscriber("s2", s.address);
  dup.channel = model::ChannelKind::kWebhook;
  auto st = store_->SaveSubscriber(dup);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->GetSubscriber("p1", "s2").error().code, ErrorCode::kNotFound);

  ASSERT_TRUE(store_->DeleteSubscriber("p1", "s1").ok());
  EXPECT_EQ(store_->DeleteSubscriber("p1", "s1").error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContract, StreamSubscribersByPriorityThenIdSkippingInactive) {
  ASSERT_TRUE(store_->SaveSubscriber(MakeSubscriber("a", "a@x.io", 0)).ok());
  ASSERT_TRUE(store_->SaveSubscriber(MakeSubscriber("b", "b@x.io", 5)).ok());
  ASSERT_TRUE(store_->SaveSubscriber(MakeSubscriber("c", "c@x.io", 5)).ok());
  ASSERT_TRUE(store_->SaveSubscriber(MakeSubscriber("d", "d@x.io", 0)).ok());
  auto pending = MakeSubscriber("e", "e@x.io", 9);
  pending.state = model::SubscriberState::kPending;
  ASSERT_TRUE(store_->SaveSubscriber(pending).ok());
  std::vector<std::string> seen;
  bool has_cursor = false;
  int prio = 0;
  std::string id;
  for (int guard = 0; guard < 10; ++guard) {
    auto batch = store_->StreamSubscribers("p1", has_cursor, prio, id, 3);
    ASSERT_TRUE(batch.ok()) << batch.error().message;
    if (batch->empty()) break;
    for (const auto& s : *batch) seen.push_back(s.id);
    has_cursor = true;
    prio = batch->back().priority;
    id = batch->back().id;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"b", "c", "a", "d"}));
  EXPECT_EQ(*store_->CountSubscribers("p1"), 5);
  EXPECT_EQ(*store_->PurgePendingSubscribers(501), 1);
  EXPECT_EQ(*store_->CountSubscribers("p1"), 4);
}

TEST_P(StoreContract, StreamSubscribersFillsABatchFromTheRestOfItsPriorityThenLowerOnes) {
  for (const auto& [id, prio] : std::vector<std::pair<std::string, int>>{
           {"a", 0}, {"b", 5}, {"c", 5}, {"d", 0}, {"e", 3}, {"f", 5}, {"g", -2}}) {
    ASSERT_TRUE(store_->SaveSubscriber(MakeSubscriber(id, id + "@x.io", prio)).ok());
  }
  auto ids = [&](bool has_cursor, int prio, const std::string& after, int limit) {
    std::vector<std::string> out;
    auto batch = store_->StreamSubscribers("p1", has_cursor, prio, after, limit);
    EXPECT_TRUE(batch.ok());
    if (batch.ok())
      for (const auto& s : *batch) out.push_back(s.id + ":" + std::to_string(s.priority));
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids(false, 0, "", 2), (V{"b:5", "c:5"}));
  EXPECT_EQ(ids(true, 5, "b", 4), (V{"c:5", "f:5", "e:3", "a:0"}));
  EXPECT_EQ(ids(true, 5, "f", 3), (V{"e:3", "a:0", "d:0"}));
  EXPECT_EQ(ids(true, 5, "a", 2), (V{"b:5", "c:5"}));
  EXPECT_EQ(ids(true, 0, "d", 5), (V{"g:-2"}));
  EXPECT_EQ(ids(true, -2, "g", 5), V{});
}

TEST_P(StoreContract, ImportKeepsUnsubscribedAndUpdatesKnownAddresses) {
  auto gone = MakeSubscriber("u1", "gone@x.io");
  gone.state = model::SubscriberState::kUnsubscribed;
  ASSERT_TRUE(store_->SaveSubscriber(gone).ok());
  ASSERT_TRUE(store_->SaveSubscriber(MakeSubscriber("k1", "known@x.io")).ok());
  auto again = MakeSubscriber("new-id-1", "gone@x.io");
  auto known = MakeSubscriber("new-id-2", "known@x.io");
  known.segment = "enterprise";
  auto fresh = MakeSubscriber("n1", "fresh@x.io");
  auto n = store_->ImportSubscribers({again, known, fresh});
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(store_->GetSubscriber("p1", "u1")->state, model::SubscriberState::kUnsubscribed);
  EXPECT_EQ(store_->GetSubscriber("p1", "k1")->segment, "enterprise");
  EXPECT_TRUE(store_->GetSubscriber("p1", "n1").ok());
  EXPECT_EQ(*store_->CountSubscribers("p1"), 3);
  // The same rows again change nothing and write nothing (the CLI says "unchanged").
  auto same = store_->ImportSubscribers({again, known, fresh});
  ASSERT_TRUE(same.ok()) << same.error().message;
  EXPECT_EQ(*same, 0);
  known.priority = 7;
  EXPECT_EQ(*store_->ImportSubscribers({known}), 1);
  SubscriberFilter f;
  f.segment = "enterprise";
  EXPECT_EQ(Ids(*store_->ListSubscribers("p1", f)), (std::vector<std::string>{"k1"}));
  f = {};
  f.limit = 2;
  EXPECT_EQ(Ids(*store_->ListSubscribers("p1", f)), (std::vector<std::string>{"k1", "n1"}));
  f.after_id = "n1";
  EXPECT_EQ(Ids(*store_->ListSubscribers("p1", f)), (std::vector<std::string>{"u1"}));
}

TEST_P(StoreContract, SettingsInitOnce) {
  EXPECT_FALSE(store_->GetSetting("k")->has_value());
  EXPECT_EQ(*store_->InitSetting("k", "first", 1), "first");
  EXPECT_EQ(*store_->InitSetting("k", "second", 2), "first");
  EXPECT_EQ(**store_->GetSetting("k"), "first");
  ASSERT_TRUE(store_->PutSetting("k", "third", 3).ok());
  EXPECT_EQ(**store_->GetSetting("k"), "third");
}

TEST_P(StoreContract, DispatchJobLeaseCursorAndDeliveriesAreIdempotent) {
  model::DispatchJob job;
  job.event_id = 7;
  job.page_id = "p1";
  job.created_at = 1000;
  ASSERT_TRUE(store_->CreateDispatchJobs({job}, "dispatch.cursor", 7).ok());
  ASSERT_TRUE(store_->CreateDispatchJobs({job}, "dispatch.cursor", 7).ok());  // replay: no duplicate
  EXPECT_EQ(**store_->GetSetting("dispatch.cursor"), "7");

  auto claimed = store_->ClaimDispatchJob("me", 1000, 61000);
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  EXPECT_FALSE((*store_->ClaimDispatchJob("other", 2000, 62000)).has_value()) << "leased to me";

  DispatchBatch batch;
  batch.job = **claimed;
  batch.job.has_cursor = true;
  batch.job.cursor_priority = 0;
  batch.job.cursor_id = "s2";
  batch.deliveries = {MakeDelivery("d1", 7, "s1", 5000), MakeDelivery("d2", 7, "s2", 5000, 3)};
  ASSERT_TRUE(store_->CommitDispatchBatch(batch).ok());
  auto replay = store_->CommitDispatchBatch(batch);
  ASSERT_FALSE(replay.ok()) << "the cursor moved on: a replayed batch is refused";
  EXPECT_EQ(replay.error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->ListDeliveries("p1", "s1", 10)->size(), 1u) << "and writes nothing";

  // The next batch starts where the first ended; it carries outcomes already known.
  ASSERT_TRUE(store_->SaveSubscriber(MakeSubscriber("s3", "s3@x.io")).ok());
  DispatchBatch next;
  next.job = batch.job;
  next.from_has_cursor = true;
  next.from_id = "s2";
  next.job.cursor_id = "s3";
  auto answered = MakeDelivery("d3", 7, "s3", 0);
  answered.state = model::DeliveryState::kFailed;
  answered.attempts = 1;
  answered.last_status = 410;
  next.deliveries = {answered};
  next.health = {{"s3", SubscriberHealth::Change::kQuarantined, "HTTP 410", 6000}};
  ASSERT_TRUE(store_->CommitDispatchBatch(next).ok());
  EXPECT_EQ(store_->GetSubscriber("p1", "s3")->state, model::SubscriberState::kQuarantined);
  EXPECT_EQ(store_->GetSubscriber("p1", "s3")->failing_since, 6000);
  EXPECT_EQ(store_->ListDeliveries("p1", "s3", 10)->front().last_status, 410);

  // The lease expires: another instance takes the job over at the recorded cursor.
  auto taken = store_->ClaimDispatchJob("other", 61000, 120000);
  ASSERT_TRUE(taken.ok() && taken->has_value());
  EXPECT_EQ((*taken)->cursor_id, "s3");
  EXPECT_EQ((*taken)->matched, 3);
  DispatchBatch late = next;
  late.from_id = "s3";
  late.job.cursor_id = "s4";
  late.deliveries.clear();
  late.health.clear();
  auto lost = store_->CommitDispatchBatch(late);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code, ErrorCode::kConflict) << "the lease is the other instance's";

  // Due deliveries: by priority, leased so that a second claim gets none.
  EXPECT_TRUE(store_->ClaimDueDeliveries(4999, 9999, 10)->empty());
  auto due = store_->ClaimDueDeliveries(5000, 65000, 10);
  ASSERT_TRUE(due.ok()) << due.error().message;
  EXPECT_EQ(Ids(*due), (std::vector<std::string>{"d2", "d1"}));
  EXPECT_TRUE(store_->ClaimDueDeliveries(6000, 66000, 10)->empty());

  ASSERT_TRUE(store_->SaveSubscriber(MakeSubscriber("s1", "s1@x.io")).ok());
  ASSERT_TRUE(store_->SaveSubscriber(MakeSubscriber("s2", "s2@x.io")).ok());
  AttemptRecord ok{"d1", model::DeliveryState::kDelivered, 0, 250, "", 7000, "s1", false, false};
  AttemptRecord gone{"d2", model::DeliveryState::kFailed, 0, 410, "HTTP 410", 7000, "s2", true};
  ASSERT_TRUE(store_->FinishAttempts({ok, gone}).ok());
  EXPECT_EQ(store_->GetSubscriber("p1", "s2")->state, model::SubscriberState::kQuarantined);
  EXPECT_EQ(store_->GetSubscriber("p1", "s2")->failing_since, 7000);
  EXPECT_EQ(store_->GetSubscriber("p1", "s1")->state, model::SubscriberState::kActive);

  auto counts = store_->CountDeliveries("p1", "i1");
  ASSERT_TRUE(counts.ok());
  std::map<std::string, std::int64_t> by_state;
  for (const auto& c : *counts) by_state[std::string(model::ToString(c.state))] += c.count;
  EXPECT_EQ(by_state["delivered"], 1);
  EXPECT_EQ(by_state["failed"], 2) << "d2 after its attempt, d3 recorded with its outcome";
  auto history = store_->ListDeliveries("p1", "s1", 10);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ(history->front().attempts, 1);
  EXPECT_EQ(history->front().last_status, 250);
}

TEST_P(StoreContract, TemplateOverrides) {
  ASSERT_TRUE(store_->SaveTemplate({"p1", "en/incident.subject", "{{incident_name}}!", 1}).ok());
  ASSERT_TRUE(store_->SaveTemplate({"p1", "en/incident.subject", "{{incident_name}}?", 2}).ok());
  auto all = store_->ListTemplates("p1");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().body, "{{incident_name}}?");
  ASSERT_TRUE(store_->DeleteTemplate("p1", "en/incident.subject").ok());
  EXPECT_EQ(store_->DeleteTemplate("p1", "en/incident.subject").error().code, ErrorCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContract, testing::ValuesIn(ContractBackends()), BackendLabel);

TEST(OpenStore, RejectsUnknownUrls) {
  for (const std::string url : {"", "mysql://x", "sqlite", "file:/tmp/x.db"}) {
    auto s = OpenStore(url);
    ASSERT_FALSE(s.ok()) << url;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalid);
    EXPECT_NE(s.error().message.find("sqlite:PATH"), std::string::npos);
  }
  auto bad_pg = OpenStore("postgresql://host:notaport:x/db?=");
  ASSERT_FALSE(bad_pg.ok());
  EXPECT_EQ(bad_pg.error().code, ErrorCode::kInvalid);
}

TEST(OpenStore, InMemorySqlite) {
  auto s = OpenStore("sqlite::memory:");
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->Migrate().ok());
  ASSERT_TRUE((*s)->SavePage(MakePage("p1", "acme"), Event("page.created")).ok());
  EXPECT_EQ((*s)->GetPage("acme")->id, "p1");
}

TEST(OpenStore, UnreachablePostgresFailsFastWithUnavailable) {
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  auto s = OpenStore("postgresql://herald@127.0.0.1:1/postgres");
  ASSERT_TRUE(s.ok()) << "opening must not need the server";
  const auto t0 = std::chrono::steady_clock::now();
  auto ping = (*s)->Ping();
  ASSERT_FALSE(ping.ok());
  EXPECT_EQ(ping.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(ping.error().message.find("PostgreSQL"), std::string::npos) << ping.error().message;
  auto pages = (*s)->ListPages();
  ASSERT_FALSE(pages.ok());
  EXPECT_EQ(pages.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ((*s)->Migrate().error().code, ErrorCode::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

}  // namespace
}  // namespace herald::store
