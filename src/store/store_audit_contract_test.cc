// The audit log part of the Store contract (AuditStore), run on SQLite and PostgreSQL alike.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/fresh_database_testing.h"

namespace herald::store {
namespace {

model::AuditEntry Entry(TimeMs at, std::string actor, std::string action, std::string target_id = "i1",
                        std::string page_id = "p1") {
  model::AuditEntry e;
  e.at = at;
  e.actor = std::move(actor);
  e.actor_name = "deploy bot";
  e.action = std::move(action);
  e.target_type = e.action.substr(0, e.action.find('.'));
  e.target_id = std::move(target_id);
  e.page_id = std::move(page_id);
  e.source = "127.0.0.1";
  e.summary = "POST /v1/pages/p1/incidents";
  return e;
}

std::vector<std::string> Actions(const std::vector<model::AuditEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.action + "@" + std::to_string(e.at));
  return out;
}

class StoreAuditContract : public testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_.Open(GetParam());
    ASSERT_TRUE(db_);
  }
  Store& store() { return db_.store(); }
  std::int64_t Append(const model::AuditEntry& e) {
    auto id = store().AppendAudit(e);
    EXPECT_TRUE(id.ok()) << id.error().message;
    return id.ok() ? *id : 0;
  }
  std::vector<model::AuditEntry> List(const AuditFilter& f) {
    auto list = store().ListAudit(f);
    EXPECT_TRUE(list.ok()) << list.error().message;
    return list.ok() ? *list : std::vector<model::AuditEntry>{};
  }

  FreshDatabase db_;
};

TEST_P(StoreAuditContract, AppendRoundTripsEveryFieldAndAssignsIncreasingIds) {
  model::AuditEntry e = Entry(1000, "api_key:k1", "incident_update.edit", "u1");
  e.summary = "PATCH /v1/pages/p1/incidents/i1/incident_updates/u1 — \"quoted\" 状態";
  e.changes_json = R"([{"field":"body","before":"old","after":"new"}])";
  const std::int64_t first = Append(e);
  const std::int64_t second = Append(Entry(1000, "cli:alice", "component.update"));
  EXPECT_GT(first, 0);
  EXPECT_GT(second, first);
  auto list = List({});
  ASSERT_EQ(list.size(), 2u);
  const auto& got = list[1];
  EXPECT_EQ(got.id, first);
  EXPECT_EQ(got.at, 1000);
  EXPECT_EQ(got.actor, "api_key:k1");
  EXPECT_EQ(got.actor_name, "deploy bot");
  EXPECT_EQ(got.action, "incident_update.edit");
  EXPECT_EQ(got.target_type, "incident_update");
  EXPECT_EQ(got.target_id, "u1");
  EXPECT_EQ(got.page_id, "p1");
  EXPECT_EQ(got.source, "127.0.0.1");
  EXPECT_EQ(got.summary, e.summary);
  EXPECT_EQ(got.changes_json, e.changes_json);
}

TEST_P(StoreAuditContract, RefusesAnEntryWithoutActorOrAction) {
  auto no_actor = store().AppendAudit(Entry(1, "", "incident.create"));
  ASSERT_FALSE(no_actor.ok());
  EXPECT_EQ(no_actor.error().code, ErrorCode::kInvalid);
  auto no_action = store().AppendAudit(Entry(1, "cli:alice", ""));
  ASSERT_FALSE(no_action.ok());
  EXPECT_EQ(no_action.error().code, ErrorCode::kInvalid);
  EXPECT_TRUE(List({}).empty());
}

TEST_P(StoreAuditContract, ListsNewestFirstAndFiltersByEveryField) {
  Append(Entry(100, "api_key:k1", "incident.create", "i1", "p1"));
  Append(Entry(200, "api_key:k2", "incident_update.edit", "u1", "p1"));
  Append(Entry(300, "cli:alice", "component.update", "c1", "p2"));
  Append(Entry(400, "api_key:k1", "incident.update", "i1", "p1"));
  EXPECT_EQ(Actions(List({})), (std::vector<std::string>{"incident.update@400", "component.update@300",
                                                         "incident_update.edit@200", "incident.create@100"}));
  AuditFilter by_actor;
  by_actor.actor = "api_key:k1";
  EXPECT_EQ(Actions(List(by_actor)), (std::vector<std::string>{"incident.update@400", "incident.create@100"}));
  // A prefix is literal: '_' is no wildcard, and case matters.
  AuditFilter by_prefix;
  by_prefix.action_prefix = "incident.";
  EXPECT_EQ(Actions(List(by_prefix)), (std::vector<std::string>{"incident.update@400", "incident.create@100"}));
  by_prefix.action_prefix = "incident_";
  EXPECT_EQ(Actions(List(by_prefix)), (std::vector<std::string>{"incident_update.edit@200"}));
  by_prefix.action_prefix = "INCIDENT";
  EXPECT_TRUE(List(by_prefix).empty());
  AuditFilter by_target;
  by_target.target_type = "incident";
  by_target.target_id = "i1";
  EXPECT_EQ(Actions(List(by_target)), (std::vector<std::string>{"incident.update@400", "incident.create@100"}));
  AuditFilter by_page;
  by_page.page_id = "p2";
  EXPECT_EQ(Actions(List(by_page)), (std::vector<std::string>{"component.update@300"}));
  AuditFilter window;
  window.since = 200;
  window.until = 400;
  EXPECT_EQ(Actions(List(window)), (std::vector<std::string>{"component.update@300", "incident_update.edit@200"}));
  AuditFilter limited;
  limited.limit = 1;
  EXPECT_EQ(Actions(List(limited)), (std::vector<std::string>{"incident.update@400"}));
}

TEST_P(StoreAuditContract, KeysetPagingVisitsEachEntryOnceWhileEntriesArrive) {
  // Several entries share a millisecond: the id breaks the tie.
  for (int i = 0; i < 7; ++i) Append(Entry(1000 + (i / 3), "api_key:k1", "component.update", std::to_string(i)));
  AuditFilter f;
  f.limit = 3;
  std::vector<std::string> seen;
  for (int page = 0; page < 10; ++page) {
    auto list = List(f);
    for (const auto& e : list) seen.push_back(e.target_id);
    // New writes land at the head of the log and never shift the pages after the cursor.
    Append(Entry(5000 + page, "api_key:k1", "component.update", "new"));
    if (static_cast<int>(list.size()) < f.limit) break;
    f.before_at = list.back().at;
    f.before_id = list.back().id;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"6", "5", "4", "3", "2", "1", "0"}));
}

TEST_P(StoreAuditContract, PurgeDeletesOnlyOlderEntriesAtMostMaxRowsAtATime) {
  for (int i = 0; i < 5; ++i) Append(Entry(100 + i, "cli:alice", "incident.create"));
  Append(Entry(1000, "cli:alice", "incident.update"));
  auto first = store().PurgeAudit(500, 3);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(*first, 3);
  EXPECT_EQ(Actions(List({})),
            (std::vector<std::string>{"incident.update@1000", "incident.create@104", "incident.create@103"}));
  auto second = store().PurgeAudit(500, 3);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, 2);
  auto third = store().PurgeAudit(500, 3);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(*third, 0);
  EXPECT_EQ(Actions(List({})), (std::vector<std::string>{"incident.update@1000"}));
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreAuditContract, testing::ValuesIn(ContractBackends()), BackendLabel);

}  // namespace
}  // namespace herald::store
