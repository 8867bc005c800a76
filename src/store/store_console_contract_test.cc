// The console part of the Store contract (ConsoleStore), run against every backend like
// store_contract_test.cc: SQLite (a temporary file) and PostgreSQL (a fresh schema per test in the
// server named by HERALD_TEST_PG_URL; see contract_backends_testing.h for when it runs). Also: the
// SQLite plans of the paged queries use migration 8's indexes (no full scan, no sort).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "core/text.h"
#include "store/contract_backends_testing.h"
#include "store/contract_fixture_testing.h"
#include "store/postgres/pg_database.h"
#include "store/sql_store_rows.h"
#include "store/store.h"

namespace herald::store {
namespace {

using model::ChannelKind;
using model::IncidentStatus;
using model::SubscriberState;

model::OutboxEvent Event(std::string kind, std::string subject, std::string page = "p1") {
  return {0, std::move(page), std::move(kind), std::move(subject), "{}", 1000};
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

model::Subscriber MakeSubscriber(std::string id, std::string address, std::string page_id = "p1") {
  model::Subscriber s;
  s.id = std::move(id);
  s.page_id = std::move(page_id);
  s.address = std::move(address);
  s.state = SubscriberState::kActive;
  s.created_at = 500;
  s.updated_at = 500;
  return s;
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

std::vector<std::string> Ids(const auto& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(i.id);
  return out;
}

// A fresh store (contract_fixture_testing.h) with two pages to page through.
class StoreConsoleContract : public FreshStoreContract {
 protected:
  void SetUp() override {
    FreshStoreContract::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(store_->SavePage(MakePage("p1", "acme"), Event("page.created", "p1")).ok());
    ASSERT_TRUE(store_->SavePage(MakePage("p2", "other"), Event("page.created", "p2", "p2")).ok());
  }

  void Save(const model::Subscriber& s) { ASSERT_TRUE(store_->SaveSubscriber(s).ok()) << s.id; }
  void Save(const model::Incident& i) {
    IncidentWrite w;
    w.incident = i;
    w.event = Event("incident.created", i.id, i.page_id);
    ASSERT_TRUE(store_->SaveIncident(w).ok()) << i.id;
  }

  // Every subscriber `q` selects, fetched `q.limit` at a time, continuing after the last row.
  std::vector<std::string> AllSubscriberPages(SubscriberPageQuery q) {
    std::vector<std::string> out;
    for (int guard = 0; guard < 100; ++guard) {
      auto page = store_->PageSubscribers("p1", q);
      EXPECT_TRUE(page.ok()) << page.error().message;
      if (!page.ok() || page->empty()) break;
      for (const auto& s : *page) out.push_back(s.id);
      q.has_after = true;
      q.after_address = page->back().address;
      q.after_id = page->back().id;
    }
    return out;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreConsoleContract, testing::ValuesIn(ContractBackends()), BackendLabel);

TEST_P(StoreConsoleContract, SubscribersPageByAddressBytewiseWithFilters) {
  auto a = MakeSubscriber("s1", "alice@example.com");
  auto b = MakeSubscriber("s2", "Bob@example.com");  // bytewise: upper case sorts first
  b.channel = ChannelKind::kWebhook;
  auto c = MakeSubscriber("s3", "alan@example.org");
  c.state = SubscriberState::kQuarantined;
  c.segment = "enterprise";
  auto d = MakeSubscriber("s4", "+4915112345678");
  d.channel = ChannelKind::kSms;
  auto e = MakeSubscriber("s5", "alice@example.com");  // same address, another channel: id breaks the tie
  e.channel = ChannelKind::kSlack;
  auto other = MakeSubscriber("s6", "alice@example.net", "p2");
  for (const auto& s : {a, b, c, d, e, other}) Save(s);

  SubscriberPageQuery q;
  q.limit = 2;
  EXPECT_EQ(AllSubscriberPages(q), (std::vector<std::string>{"s4", "s2", "s3", "s1", "s5"}));
  q.address_prefix = "al";
  EXPECT_EQ(AllSubscriberPages(q), (std::vector<std::string>{"s3", "s1", "s5"}));
  q.address_prefix = "alice@example.com";
  EXPECT_EQ(AllSubscriberPages(q), (std::vector<std::string>{"s1", "s5"}));
  q.address_prefix = "zz";
  EXPECT_TRUE(AllSubscriberPages(q).empty());
  q.address_prefix.clear();
  q.state = SubscriberState::kQuarantined;
  EXPECT_EQ(AllSubscriberPages(q), (std::vector<std::string>{"s3"}));
  q.state.reset();
  q.channel = ChannelKind::kEmail;
  EXPECT_EQ(AllSubscriberPages(q), (std::vector<std::string>{"s3", "s1"}));
  q.channel.reset();
  q.segment = "enterprise";
  EXPECT_EQ(AllSubscriberPages(q), (std::vector<std::string>{"s3"}));
  q.segment = "";
  EXPECT_EQ(AllSubscriberPages(q), (std::vector<std::string>{"s4", "s2", "s1", "s5"}));

  q.segment.reset();
  q.limit = 0;
  auto refused = store_->PageSubscribers("p1", q);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(refused.error().field, "limit");
}

TEST_P(StoreConsoleContract, SubscriberPagesAreStableUnderConcurrentInserts) {
  for (int i = 0; i < 6; ++i) Save(MakeSubscriber("s" + std::to_string(i), "m" + std::to_string(i) + "@x.io"));
  SubscriberPageQuery q;
  q.limit = 3;
  auto first = store_->PageSubscribers("p1", q);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(Ids(*first), (std::vector<std::string>{"s0", "s1", "s2"}));
  // Inserted between two requests: one before the cursor (not seen), one after it (seen once).
  Save(MakeSubscriber("early", "a@x.io"));
  Save(MakeSubscriber("late", "m4a@x.io"));
  q.has_after = true;
  q.after_address = first->back().address;
  q.after_id = first->back().id;
  q.limit = 10;
  auto rest = store_->PageSubscribers("p1", q);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(Ids(*rest), (std::vector<std::string>{"s3", "s4", "late", "s5"}));
}

TEST_P(StoreConsoleContract, IncidentsPageNewestFirstByStatusStableUnderInserts) {
  auto resolved = MakeIncident("i1", 1000);
  resolved.status = IncidentStatus::kResolved;
  Save(resolved);
  Save(MakeIncident("i2", 2000));
  Save(MakeIncident("i3", 3000));
  Save(MakeIncident("i4", 3000));  // same time: the id breaks the tie (descending)
  auto maint = MakeIncident("m1", 500);
  maint.scheduled_for = 5000;  // sorts by its window
  maint.scheduled_until = 6000;
  maint.status = IncidentStatus::kScheduled;
  Save(maint);
  Save(MakeIncident("other", 9000, "p2"));

  IncidentPageQuery q;
  q.limit = 2;
  auto first = store_->PageIncidents("p1", q);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(Ids(*first), (std::vector<std::string>{"m1", "i4"}));
  // New incidents while someone pages: newer ones are not on later pages, none is repeated.
  Save(MakeIncident("i5", 9999));
  Save(MakeIncident("i0", 10));
  q.has_after = true;
  q.after_key = IncidentSortKey(first->back());
  q.after_id = first->back().id;
  q.limit = 10;
  auto rest = store_->PageIncidents("p1", q);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(Ids(*rest), (std::vector<std::string>{"i3", "i2", "i1", "i0"}));

  IncidentPageQuery by_status;
  by_status.status = IncidentStatus::kResolved;
  EXPECT_EQ(Ids(*store_->PageIncidents("p1", by_status)), (std::vector<std::string>{"i1"}));
  IncidentPageQuery maintenance_only;
  maintenance_only.maintenance = true;
  EXPECT_EQ(Ids(*store_->PageIncidents("p1", maintenance_only)), (std::vector<std::string>{"m1"}));
  maintenance_only.maintenance = false;
  maintenance_only.limit = 2;
  EXPECT_EQ(Ids(*store_->PageIncidents("p1", maintenance_only)), (std::vector<std::string>{"i5", "i4"}));
}

// The console's "Newer" link: the rows just above a position, nearest first read, newest first
// returned, so that going back from page 2 gives page 1 again.
TEST_P(StoreConsoleContract, IncidentsPageNewerThanAPositionNewestFirst) {
  for (int i = 1; i <= 5; ++i) Save(MakeIncident("i" + std::to_string(i), i * 1000));
  Save(MakeIncident("i6", 5000));  // same time as i5: the id breaks the tie
  Save(MakeIncident("other", 9000, "p2"));
  IncidentPageQuery q;
  q.has_after = true;
  q.after_key = 2000;
  q.after_id = "i2";
  q.newer = true;
  q.limit = 2;
  auto newer = store_->PageIncidents("p1", q);
  ASSERT_TRUE(newer.ok()) << newer.error().message;
  EXPECT_EQ(Ids(*newer), (std::vector<std::string>{"i4", "i3"}));
  q.after_key = 5000;
  q.after_id = "i5";
  EXPECT_EQ(Ids(*store_->PageIncidents("p1", q)), (std::vector<std::string>{"i6"}));
  q.newer = false;
  EXPECT_EQ(Ids(*store_->PageIncidents("p1", q)), (std::vector<std::string>{"i4", "i3"}));
}

TEST_P(StoreConsoleContract, DeliveryHealthCountsOnlyThePageAndTheWindow) {
  for (const auto& id : {"s1", "s2", "s3"}) Save(MakeSubscriber(id, std::string(id) + "@x.io"));
  auto q = MakeSubscriber("s4", "q@x.io");
  q.state = SubscriberState::kQuarantined;
  Save(q);
  auto q2 = MakeSubscriber("s5", "q@x.io", "p2");
  q2.state = SubscriberState::kQuarantined;
  Save(q2);

  model::DispatchJob job;
  job.event_id = 7;
  job.page_id = "p1";
  job.created_at = 1000;
  ASSERT_TRUE(store_->CreateDispatchJobs({job}, "dispatch.cursor", 7).ok());
  auto claimed = store_->ClaimDispatchJob("me", 1000, 61000);
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  DispatchBatch batch;
  batch.job = **claimed;
  batch.job.has_cursor = true;
  batch.job.cursor_id = "s4";
  auto delivery = [](std::string id, std::string sub, model::DeliveryState state, TimeMs at) {
    model::Delivery d;
    d.id = std::move(id);
    d.event_id = 7;
    d.page_id = "p1";
    d.subscriber_id = std::move(sub);
    d.incident_id = "i1";
    d.state = state;
    d.created_at = at;
    d.updated_at = at;
    d.next_attempt_at = at;
    return d;
  };
  batch.deliveries = {delivery("d1", "s1", model::DeliveryState::kFailed, 100'000),
                      delivery("d2", "s2", model::DeliveryState::kFailed, 10),  // before the window
                      delivery("d3", "s3", model::DeliveryState::kRetrying, 100'000),
                      delivery("d4", "s4", model::DeliveryState::kDelivered, 100'000)};
  ASSERT_TRUE(store_->CommitDispatchBatch(batch).ok());

  auto h = store_->CountDeliveryHealth("p1", 50'000);
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->failed, 1);
  EXPECT_EQ(h->quarantined, 1);
  EXPECT_EQ(h->pending_deliveries, 1);
  EXPECT_EQ(h->fanouts_in_progress, 1);
  auto other = store_->CountDeliveryHealth("p2", 0);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->failed, 0);
  EXPECT_EQ(other->quarantined, 1);
  EXPECT_EQ(other->fanouts_in_progress, 0);
}

TEST_P(StoreConsoleContract, MonitorFlipsCountChangesBetweenDownAndNotDown) {
  model::Monitor flappy;
  flappy.id = "m1";
  flappy.page_id = "p1";
  flappy.name = "API";
  flappy.spec.target = "https://example.com/";
  model::Monitor steady = flappy;
  steady.id = "m2";
  steady.name = "Web";
  model::Monitor elsewhere = flappy;
  elsewhere.id = "m3";
  elsewhere.page_id = "p2";
  for (const auto& m : {flappy, steady, elsewhere}) ASSERT_TRUE(store_->SaveMonitor(m).ok());
  MonitorResultsWrite w;
  using V = model::CheckVerdict;
  auto sample = [](std::string id, TimeMs at, V v) {
    model::MonitorSample s;
    s.monitor_id = std::move(id);
    s.at = at;
    s.verdict = v;
    return s;
  };
  // m1: up, down, up, slow, down, up -> 4 flips (slow is not down) within the window, one before.
  const V m1[] = {V::kDown, V::kUp, V::kDown, V::kUp, V::kSlow, V::kDown, V::kUp};
  for (int i = 0; i < 7; ++i) w.samples.push_back(sample("m1", 1000 + i * 1000, m1[i]));
  for (int i = 0; i < 7; ++i) w.samples.push_back(sample("m2", 1000 + i * 1000, i == 3 ? V::kDown : V::kUp));
  for (int i = 0; i < 7; ++i) w.samples.push_back(sample("m3", 1000 + i * 1000, i % 2 ? V::kDown : V::kUp));
  ASSERT_TRUE(store_->RecordMonitorResults(w).ok());

  auto flips = store_->ListMonitorFlips("p1", 2000, 3);
  ASSERT_TRUE(flips.ok()) << flips.error().message;
  ASSERT_EQ(flips->size(), 1u);
  EXPECT_EQ(flips->front().monitor_id, "m1");
  EXPECT_EQ(flips->front().flips, 4);
  auto all = store_->ListMonitorFlips("p1", 0, 1);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(all->at(1).monitor_id, "m2");
  EXPECT_EQ(all->at(1).flips, 2);
}

TEST_P(StoreConsoleContract, SubscriberLanguagesAreThoseOfActiveSubscribers) {
  EXPECT_TRUE(store_->ListSubscriberLanguages("p1")->empty());
  auto de = MakeSubscriber("s1", "a@x.io");
  de.language = "de";
  auto en = MakeSubscriber("s2", "b@x.io");
  auto en2 = MakeSubscriber("s3", "c@x.io");
  auto fr_pending = MakeSubscriber("s4", "d@x.io");
  fr_pending.language = "fr";
  fr_pending.state = SubscriberState::kPending;
  auto ja_elsewhere = MakeSubscriber("s5", "e@x.io", "p2");
  ja_elsewhere.language = "ja";
  for (const auto& s : {de, en, en2, fr_pending, ja_elsewhere}) Save(s);
  auto langs = store_->ListSubscriberLanguages("p1");
  ASSERT_TRUE(langs.ok()) << langs.error().message;
  EXPECT_EQ(*langs, (std::vector<std::string>{"de", "en"}));
}

// PostgreSQL compares text by the database's collation: in a database whose default collation is
// linguistic (ICU en-US sorts "alice" before "Bob"), the console's order and its index stay
// bytewise, as on SQLite, so a cursor means the same on both and the prefix search is a range.
TEST(ConsoleOnPostgres, AddressOrderIsBytewiseUnderALinguisticCollation) {
  const std::string base = PgTestUrl();
  ASSERT_FALSE(base.empty()) << "HERALD_TEST_PG_URL is not set (scripts/test.sh sets it)";
  auto admin = postgres::Connect(base);
  ASSERT_TRUE(admin.ok()) << admin.error().message;
  const std::string name = "herald_icu_" + RandomHex(8);
  ASSERT_TRUE((*admin)
                  ->ExecScript("CREATE DATABASE " + name +
                               " TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'")
                  .ok());
  const size_t slash = base.rfind('/');
  const size_t query = base.find('?', slash);
  const std::string url = base.substr(0, slash + 1) + name + (query == std::string::npos ? "" : base.substr(query));
  {
    auto s = OpenStore(url);
    ASSERT_TRUE(s.ok()) << s.error().message;
    auto& store = **s;
    ASSERT_TRUE(store.Migrate().ok());
    ASSERT_TRUE(store.SavePage(MakePage("p1", "acme"), Event("page.created", "p1")).ok());
    for (const auto& [id, address] : {std::pair{"s1", "alice@example.com"},
                                      {"s2", "Bob@example.com"},
                                      {"s3", "zed@example.com"},
                                      {"s4", "bob@example.com"}})
      ASSERT_TRUE(store.SaveSubscriber(MakeSubscriber(id, address)).ok());
    SubscriberPageQuery q;
    EXPECT_EQ(Ids(*store.PageSubscribers("p1", q)), (std::vector<std::string>{"s2", "s1", "s4", "s3"}));
    q.address_prefix = "b";
    EXPECT_EQ(Ids(*store.PageSubscribers("p1", q)), (std::vector<std::string>{"s4"}));
    q.address_prefix.clear();
    q.has_after = true;
    q.after_address = "Bob@example.com";
    q.after_id = "s2";
    EXPECT_EQ(Ids(*store.PageSubscribers("p1", q)), (std::vector<std::string>{"s1", "s4", "s3"}));
  }
  EXPECT_TRUE((*admin)->ExecScript("DROP DATABASE " + name).ok());
}

// The plans SQLite chooses for the console's pages, read from the engine: every variant seeks an
// index of migration 8 and needs no sort, so a page of 50 costs the same among a million rows.
// (The plan depends on the schema, not on the row count: Herald runs no ANALYZE.)
class ConsolePlans : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("herald_plans_" + RandomHex(8));
    const std::string path = (dir_ / "herald.db").string();
    auto s = OpenStore("sqlite:" + path);
    ASSERT_TRUE(s.ok()) << s.error().message;
    ASSERT_TRUE((*s)->Migrate().ok());
    ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  }
  void TearDown() override {
    sqlite3_close(db_);
    std::filesystem::remove_all(dir_);
  }

  // The EXPLAIN QUERY PLAN lines of `sql`, joined with " | ".
  std::string Plan(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &stmt, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_) << "\n"
        << sql;
    std::string out;
    while (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
      if (!out.empty()) out += " | ";
      out += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
    }
    sqlite3_finalize(stmt);
    return out;
  }

  static void ExpectIndexed(const std::string& plan, const std::string& index) {
    EXPECT_NE(plan.find("INDEX " + index + " "), std::string::npos) << plan;
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << "sorts: " << plan;
    EXPECT_EQ(plan.find("SCAN subscribers"), std::string::npos) << "full scan: " << plan;
    EXPECT_EQ(plan.find("SCAN i "), std::string::npos) << "full scan: " << plan;
  }

  // SQLite's dialect where the queries are built: text is bytewise there already.
  const sql::Dialect sqlite{.name = "sqlite",
                            .begin_write = "",
                            .begin_read = "",
                            .id_primary_key = "",
                            .outbox_lock = "",
                            .skip_locked = "",
                            .migration_lock = "",
                            .bytewise = ""};
  sqlite3* db_ = nullptr;
  std::filesystem::path dir_;
};

TEST_F(ConsolePlans, SubscriberPagesSeekAnIndexInOrder) {
  auto plan = [&](const SubscriberPageQuery& q) {
    sql::Params params;
    return Plan(PageSubscribersSql(sqlite, "p1", q, params));
  };
  SubscriberPageQuery q;
  q.limit = 50;
  q.has_after = true;
  q.after_address = "m@x.io";
  q.after_id = "s1";
  ExpectIndexed(plan(q), "subscribers_console_address");
  q.address_prefix = "ali";
  ExpectIndexed(plan(q), "subscribers_console_address");
  q.address_prefix.clear();
  q.state = SubscriberState::kQuarantined;
  ExpectIndexed(plan(q), "subscribers_console_state");
  q.state.reset();
  q.channel = ChannelKind::kSms;
  // The unique (page, channel, address) index serves too: one row per address, so no sort.
  const std::string by_channel = plan(q);
  ExpectIndexed(by_channel, by_channel.find("subscribers_address ") != std::string::npos
                                ? "subscribers_address"
                                : "subscribers_console_channel");
  q.channel.reset();
  q.segment = "enterprise";
  ExpectIndexed(plan(q), "subscribers_console_segment");
  // A search within a state: SQLite seeks the address range and tests the state in it.
  q.segment.reset();
  q.state = SubscriberState::kQuarantined;
  q.address_prefix = "ali";
  ExpectIndexed(plan(q), "subscribers_console_address");
}

TEST_F(ConsolePlans, IncidentPagesSeekAnIndexInOrder) {
  auto plan = [&](const IncidentPageQuery& q) {
    sql::Params params;
    const auto [where, order_limit] = PageIncidentsSql(sqlite, "p1", q, params);
    return Plan("SELECT i.id FROM incidents i WHERE " + where + order_limit);
  };
  IncidentPageQuery q;
  q.has_after = true;
  q.after_key = 5000;
  q.after_id = "i9";
  ExpectIndexed(plan(q), "incidents_console_order");
  q.status = IncidentStatus::kResolved;
  ExpectIndexed(plan(q), "incidents_console_status");
  // The "Newer" link reads the same indexes upwards.
  q.newer = true;
  ExpectIndexed(plan(q), "incidents_console_status");
  q.status.reset();
  ExpectIndexed(plan(q), "incidents_console_order");
}

}  // namespace
}  // namespace herald::store
