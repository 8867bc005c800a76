// AuditLog over a real (SQLite) store with the fake clock: recording, filters, paging
// that stays stable while entries arrive, the CSV export, purging by retention, and a store that
// refuses the entry (the failure is counted, the caller goes on).
#include "service/audit_log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <sstream>

#include "core/csv.h"
#include "store/fault_store_testing.h"
#include "store/fresh_database_testing.h"

namespace herald::service {
namespace {

constexpr TimeMs kDay = 24LL * 3600 * 1000;

// A query with the fields `set` sets (designated initializers would name every field).
template <typename Set>
AuditQuery Q(Set set) {
  AuditQuery q;
  set(q);
  return q;
}

class AuditLogTest : public testing::Test {
 protected:
  void SetUp() override {
    db_.Open(store::Backend::kSqlite);
    ASSERT_TRUE(db_);
    faults_ = std::make_unique<store::testing::FaultStore>(db_.store());
    log_ = std::make_unique<AuditLog>(*faults_, clock_);
  }

  void Write(std::string actor, std::string action, std::string target_id = "i1", std::string page_id = "p1") {
    model::AuditEntry e;
    e.actor = std::move(actor);
    e.action = std::move(action);
    e.target_type = e.action.substr(0, e.action.find('.'));
    e.target_id = std::move(target_id);
    e.page_id = std::move(page_id);
    e.source = "203.0.113.7";
    e.summary = "POST /v1/pages/p1/incidents";
    ASSERT_TRUE(log_->Record(std::move(e)).ok());
  }

  std::vector<std::string> Targets(const AuditQuery& q) {
    auto page = log_->List(q);
    EXPECT_TRUE(page.ok()) << page.error().message;
    std::vector<std::string> out;
    if (page.ok())
      for (const auto& e : page->entries) out.push_back(e.target_id);
    return out;
  }

  FakeClock clock_;
  store::FreshDatabase db_;
  std::unique_ptr<store::testing::FaultStore> faults_;
  std::unique_ptr<AuditLog> log_;
};

TEST_F(AuditLogTest, RecordStampsTheClockAndCapsTheSummary) {
  model::AuditEntry e;
  e.actor = "api_key:k1";
  e.actor_name = "deploy bot";
  e.action = "incident.create";
  e.summary = std::string(299, 'x') + "é and more";  // the cut falls inside "é"
  ASSERT_TRUE(log_->Record(e).ok());
  auto page = log_->List({});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entries.size(), 1u);
  EXPECT_EQ(page->entries[0].at, clock_.Now());
  EXPECT_EQ(page->entries[0].summary, std::string(299, 'x') + "…");
  EXPECT_EQ(page->entries[0].ActorDisplay(), "api_key:k1 (deploy bot)");
}

TEST_F(AuditLogTest, UserWritesFromTheConsoleAreNamedUser) {
  ASSERT_TRUE(log_->RecordUserWrite("u1", "ana@example.com", "component.update", "component", "c1", "p1",
                                    "198.51.100.2", "Set API to major outage")
                  .ok());
  auto page = log_->List({});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entries.size(), 1u);
  EXPECT_EQ(page->entries[0].actor, "user:u1");
  EXPECT_EQ(page->entries[0].ActorDisplay(), "user:u1 (ana@example.com)");
  EXPECT_EQ(page->entries[0].source, "198.51.100.2");
}

TEST_F(AuditLogTest, FiltersByActorActionTargetPageAndTime) {
  Write("api_key:k1", "incident.create", "i1");
  clock_.Advance(1000);
  const TimeMs middle = clock_.Now();
  Write("cli:alice", "component.update", "c1", "p2");
  clock_.Advance(1000);
  Write("api_key:k1", "incident_update.edit", "u1");
  EXPECT_EQ(Targets(Q([&](AuditQuery& q) { q.actor = "api_key:k1"; })), (std::vector<std::string>{"u1", "i1"}));
  EXPECT_EQ(Targets(Q([&](AuditQuery& q) { q.action_prefix = "incident."; })), (std::vector<std::string>{"i1"}));
  EXPECT_EQ(Targets(Q([&](AuditQuery& q) {
              q.target_type = "component";
              q.target_id = "c1";
            })),
            (std::vector<std::string>{"c1"}));
  EXPECT_EQ(Targets(Q([&](AuditQuery& q) { q.page_id = "p1"; })), (std::vector<std::string>{"u1", "i1"}));
  EXPECT_EQ(Targets(Q([&](AuditQuery& q) { q.since = middle; })), (std::vector<std::string>{"u1", "c1"}));
  EXPECT_EQ(Targets(Q([&](AuditQuery& q) { q.until = middle; })), (std::vector<std::string>{"i1"}));
}

TEST_F(AuditLogTest, RefusesABadLimitCursorOrWindowNamingTheField) {
  EXPECT_EQ(log_->List(Q([&](AuditQuery& q) { q.limit = 0; })).error().field, "limit");
  EXPECT_EQ(log_->List(Q([&](AuditQuery& q) { q.limit = AuditLog::kMaxLimit + 1; })).error().field, "limit");
  EXPECT_EQ(log_->List(Q([&](AuditQuery& q) { q.cursor = "yesterday"; })).error().field, "cursor");
  EXPECT_EQ(log_->List(Q([&](AuditQuery& q) { q.cursor = "12_"; })).error().field, "cursor");
  EXPECT_EQ(log_->List(Q([&](AuditQuery& q) { q.cursor = "-1_5"; })).error().field, "cursor");
  EXPECT_EQ(log_->List(Q([&](AuditQuery& q) {
                  q.since = 2000;
                  q.until = 1000;
                }))
                .error()
                .field,
            "since");
}

TEST_F(AuditLogTest, PagingVisitsEveryEntryOnceWhileNewOnesArrive) {
  for (int i = 0; i < 10; ++i) {
    Write("api_key:k1", "component.update", "c" + std::to_string(i));
    if (i % 3 == 0) clock_.Advance(1);  // some share a millisecond
  }
  std::vector<std::string> seen;
  AuditQuery q;
  q.limit = 4;
  for (int round = 0; round < 10; ++round) {
    auto page = log_->List(q);
    ASSERT_TRUE(page.ok()) << page.error().message;
    for (const auto& e : page->entries) seen.push_back(e.target_id);
    clock_.Advance(5);
    Write("api_key:k2", "incident.create", "new" + std::to_string(round));  // lands before the cursor
    if (page->next_cursor.empty()) break;
    q.cursor = page->next_cursor;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"c9", "c8", "c7", "c6", "c5", "c4", "c3", "c2", "c1", "c0"}));
}

TEST_F(AuditLogTest, TheLastPageHasNoCursor) {
  Write("api_key:k1", "incident.create");
  Write("api_key:k1", "incident.update");
  auto page = log_->List(Q([&](AuditQuery& q) { q.limit = 2; }));
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->entries.size(), 2u);
  EXPECT_EQ(page->next_cursor, "");
}

TEST_F(AuditLogTest, ExportWritesEveryMatchingEntryAsCsvThatParsesBack) {
  for (int i = 0; i < 1203; ++i) Write("api_key:k1", "component.update", "c" + std::to_string(i));
  model::AuditEntry odd;
  odd.actor = "cli:bob";
  odd.action = "incident.create";
  odd.summary = "herald incident open --name \"=HYPERLINK(x), with \"\"quotes\"\"\"\nline two";
  ASSERT_TRUE(log_->Record(odd).ok());
  std::string out;
  ASSERT_TRUE(log_->ExportCsv({},
                              [&](std::string_view chunk) {
                                out += chunk;
                                return true;
                              })
                  .ok());
  std::istringstream in(out);
  csv::Reader reader(in);
  std::vector<std::string> fields;
  std::int64_t line = 0;
  std::string error;
  ASSERT_TRUE(reader.Next(fields, line, error));
  EXPECT_EQ(fields.size(), 11u);
  EXPECT_EQ(fields[0], "id");
  int rows = 0;
  std::vector<std::string> first;
  while (reader.Next(fields, line, error)) {
    ASSERT_EQ(error, "") << "line " << line;
    ASSERT_EQ(fields.size(), 11u) << "line " << line;
    if (rows++ == 0) first = fields;
  }
  EXPECT_EQ(rows, 1204);
  EXPECT_EQ(first[2], "cli:bob");  // newest first
  EXPECT_EQ(csv::WithoutFormulaQuote(first[9]), odd.summary);
  // Filters apply to the export too.
  std::string only;
  ASSERT_TRUE(log_->ExportCsv(Q([&](AuditQuery& q) { q.actor = "cli:bob"; }),
                              [&](std::string_view chunk) {
                                only += chunk;
                                return true;
                              })
                  .ok());
  EXPECT_EQ(std::count(only.begin(), only.end(), '\n'), 3);  // the header, and the entry's two lines
}

TEST_F(AuditLogTest, PurgeDeletesWhatIsOlderThanTheRetention) {
  Write("api_key:k1", "incident.create", "old");
  clock_.Advance(10 * kDay);
  Write("api_key:k1", "incident.create", "recent");
  clock_.Advance(25 * kDay);  // "old" is 35 days old, "recent" 25
  auto purged = log_->Purge(30);
  ASSERT_TRUE(purged.ok()) << purged.error().message;
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(Targets({}), (std::vector<std::string>{"recent"}));
  EXPECT_EQ(log_->Purge(0).error().field, "audit.retention_days");
}

TEST_F(AuditLogTest, PurgeWorksThroughMoreThanOneBatch) {
  for (int i = 0; i < 5003; ++i) Write("api_key:k1", "component.update", "c");
  clock_.Advance(2 * kDay);
  auto purged = log_->Purge(1);
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 5003);
  EXPECT_TRUE(Targets({}).empty());
}

TEST_F(AuditLogTest, AnEntryTheStoreRefusesIsCountedAndTheCallerGoesOn) {
  faults_->Fail("AppendAudit");
  model::AuditEntry e;
  e.actor = "api_key:k1";
  e.action = "incident.create";
  EXPECT_FALSE(log_->Record(e).ok());
  EXPECT_EQ(log_->record_failures(), 1u);
  faults_->HealAll();
  EXPECT_TRUE(log_->Record(e).ok());
  EXPECT_EQ(log_->record_failures(), 1u);
}

TEST(TextChanges, NamesTheChangedTextOfTheSameObject) {
  const std::string before =
      R"({"id":"i1","name":"DB down","updated_at":"2026-01-01T00:00:00Z","status":"investigating",)"
      R"("incident_updates":[{"id":"u2","body":"Fixed"},{"id":"u1","body":"We are looking"}]})";
  const std::string after =
      R"({"id":"i1","name":"DB down","updated_at":"2026-01-01T00:05:00Z","status":"investigating",)"
      R"("incident_updates":[{"id":"u2","body":"Fixed"},{"id":"u1","body":"We are looking into it"}]})";
  const auto changes = boost::json::parse(TextChanges(before, after));
  ASSERT_TRUE(changes.is_array());
  ASSERT_EQ(changes.as_array().size(), 1u);
  EXPECT_EQ(changes.at(0).at("field"), "incident_updates[u1].body");
  EXPECT_EQ(changes.at(0).at("before"), "We are looking");
  EXPECT_EQ(changes.at(0).at("after"), "We are looking into it");
}

TEST(TextChanges, IsEmptyForDifferentObjectsNoChangeOrNotJson) {
  EXPECT_EQ(TextChanges(R"({"id":"a","name":"x"})", R"({"id":"b","name":"y"})"), "");
  EXPECT_EQ(TextChanges(R"({"id":"a","name":"x"})", R"({"id":"a","name":"x"})"), "");
  EXPECT_EQ(TextChanges("not json", R"({"id":"a"})"), "");
  EXPECT_EQ(TextChanges(R"({"name":"x"})", R"({"name":"y"})"), "");  // no id: not known to be the same
}

}  // namespace
}  // namespace herald::service
