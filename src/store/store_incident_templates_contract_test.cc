// The incident template part of the Store contract (IncidentTemplateStore), run against every
// backend like store_contract_test.cc: SQLite and PostgreSQL (HERALD_TEST_PG_URL).
#include <gtest/gtest.h>

#include "store/contract_fixture_testing.h"
#include "store/store.h"

namespace herald::store {
namespace {

using model::ComponentStatus;

model::OutboxEvent Event(std::string kind, std::string subject, std::string page = "p1") {
  return {0, std::move(page), std::move(kind), std::move(subject), "{}", 1000};
}

class StoreIncidentTemplatesContract : public FreshStoreContract {
 protected:
  void SetUp() override {
    FreshStoreContract::SetUp();
    if (HasFatalFailure()) return;
    for (const auto* id : {"p1", "p2"}) {
      model::Page p;
      p.id = id;
      p.slug = std::string("slug-") + id;
      p.name = "Page";
      ASSERT_TRUE(store_->SavePage(p, Event("page.created", id, id)).ok());
    }
    for (const auto* id : {"c1", "c2"}) {
      model::Component c;
      c.id = id;
      c.page_id = "p1";
      c.name = std::string("Component ") + id;
      ASSERT_TRUE(store_->SaveComponent(c, std::nullopt, Event("component.created", id)).ok());
    }
  }

  static model::IncidentTemplate Make(std::string id, std::string name, std::string group = "") {
    model::IncidentTemplate t;
    t.id = std::move(id);
    t.page_id = "p1";
    t.name = std::move(name);
    t.title = "API errors";
    t.body = "We are **investigating**.";
    t.group_name = std::move(group);
    t.update_status = model::IncidentStatus::kIdentified;
    t.type = model::NoticeType::kSecurity;
    t.deliver_notifications = false;
    t.components = {{"c1", ComponentStatus::kMajorOutage}, {"c2", ComponentStatus::kDegradedPerformance}};
    t.created_at = 100;
    t.updated_at = 200;
    return t;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreIncidentTemplatesContract, testing::ValuesIn(ContractBackends()), BackendLabel);

TEST_P(StoreIncidentTemplatesContract, SavedTemplatesComeBackWholeByGroupThenName) {
  ASSERT_TRUE(store_->SaveIncidentTemplate(Make("t1", "b-name", "Network")).ok());
  ASSERT_TRUE(store_->SaveIncidentTemplate(Make("t2", "a-name", "Network")).ok());
  ASSERT_TRUE(store_->SaveIncidentTemplate(Make("t3", "z-name")).ok());
  auto other = Make("t4", "a-name");
  other.page_id = "p2";
  other.components.clear();
  ASSERT_TRUE(store_->SaveIncidentTemplate(other).ok());

  auto list = store_->ListIncidentTemplates("p1");
  ASSERT_TRUE(list.ok()) << list.error().message;
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].id, "t3");  // no group sorts first
  EXPECT_EQ((*list)[1].id, "t2");
  EXPECT_EQ((*list)[2].id, "t1");

  auto t = store_->GetIncidentTemplate("p1", "t1");
  ASSERT_TRUE(t.ok()) << t.error().message;
  const auto want = Make("t1", "b-name", "Network");
  EXPECT_EQ(t->name, want.name);
  EXPECT_EQ(t->title, want.title);
  EXPECT_EQ(t->body, want.body);
  EXPECT_EQ(t->group_name, "Network");
  EXPECT_EQ(t->update_status, model::IncidentStatus::kIdentified);
  EXPECT_EQ(t->type, model::NoticeType::kSecurity);
  EXPECT_FALSE(t->deliver_notifications);
  EXPECT_EQ(t->components, want.components);
  EXPECT_EQ(t->created_at, 100);
  EXPECT_EQ(t->updated_at, 200);
  EXPECT_EQ(store_->GetIncidentTemplate("p2", "t1").error().code, ErrorCode::kNotFound);
}

TEST_P(StoreIncidentTemplatesContract, SavingAgainReplacesFieldsAndComponents) {
  ASSERT_TRUE(store_->SaveIncidentTemplate(Make("t1", "name")).ok());
  auto t = Make("t1", "renamed");
  t.components = {{"c2", ComponentStatus::kPartialOutage}};
  t.body = "changed";
  ASSERT_TRUE(store_->SaveIncidentTemplate(t).ok());
  auto got = store_->GetIncidentTemplate("p1", "t1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "renamed");
  EXPECT_EQ(got->body, "changed");
  EXPECT_EQ(got->components, t.components);
}

TEST_P(StoreIncidentTemplatesContract, RefusesDuplicateNamesForeignIdsAndMissingComponents) {
  ASSERT_TRUE(store_->SaveIncidentTemplate(Make("t1", "same")).ok());
  EXPECT_EQ(store_->SaveIncidentTemplate(Make("t2", "same")).error().code, ErrorCode::kConflict);
  auto foreign = Make("t1", "mine");
  foreign.page_id = "p2";
  foreign.components.clear();
  EXPECT_EQ(store_->SaveIncidentTemplate(foreign).error().code, ErrorCode::kConflict);
  auto missing = Make("t3", "other");
  missing.components = {{"nope", ComponentStatus::kMajorOutage}};
  EXPECT_EQ(store_->SaveIncidentTemplate(missing).error().code, ErrorCode::kNotFound);
  // Nothing of a refused save is kept.
  EXPECT_EQ(store_->GetIncidentTemplate("p1", "t3").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->ListIncidentTemplates("p1")->size(), 1u);
}

TEST_P(StoreIncidentTemplatesContract, DeletingTemplatesAndComponents) {
  ASSERT_TRUE(store_->SaveIncidentTemplate(Make("t1", "one")).ok());
  // A component deleted from the page leaves the template.
  ASSERT_TRUE(store_->DeleteComponent("p1", "c2", Event("component.deleted", "c2")).ok());
  auto t = store_->GetIncidentTemplate("p1", "t1");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->components, (std::map<std::string, ComponentStatus>{{"c1", ComponentStatus::kMajorOutage}}));
  EXPECT_EQ(store_->DeleteIncidentTemplate("p2", "t1").error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(store_->DeleteIncidentTemplate("p1", "t1").ok());
  EXPECT_EQ(store_->DeleteIncidentTemplate("p1", "t1").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store_->ListIncidentTemplates("p1")->empty());
}

}  // namespace
}  // namespace herald::store
