#include "store/store_wrapper.h"

#include <gtest/gtest.h>

#include "store/fault_store_testing.h"

namespace herald::store {
namespace {

model::OutboxEvent Event(const std::string& page_id) {
  model::OutboxEvent e;
  e.page_id = page_id;
  e.kind = "page.updated";
  e.subject_id = page_id;
  e.payload_json = "{}";
  e.created_at = 1;
  return e;
}

model::Page Page(const std::string& id) {
  model::Page p;
  p.id = id;
  p.slug = id;
  p.name = "Page " + id;
  p.time_zone = "UTC";
  p.created_at = p.updated_at = 1;
  return p;
}

class StoreWrapperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = OpenStore("sqlite::memory:");
    ASSERT_TRUE(s.ok()) << s.error().message;
    real_ = std::move(*s);
    ASSERT_TRUE(real_->Migrate().ok());
  }
  std::unique_ptr<Store> real_;
};

TEST_F(StoreWrapperTest, ForwardsToTheTarget) {
  StoreWrapper w(*real_);
  EXPECT_EQ(&w.target(), real_.get());
  EXPECT_EQ(w.BackendName(), "sqlite");
  ASSERT_TRUE(w.SavePage(Page("p1"), Event("p1")).ok());
  auto got = real_->GetPage("p1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "Page p1");
  auto listed = w.ListPages();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(w.LastOutboxId().value(), real_->LastOutboxId().value());
  EXPECT_EQ(w.GetPage("nope").error().code, ErrorCode::kNotFound) << "errors pass through unchanged";
}

// A decorator sees every call by name and may refuse it before it reaches the target.
TEST_F(StoreWrapperTest, OnCallSeesEveryMethodByName) {
  class ReadOnly final : public StoreWrapper {
   public:
    using StoreWrapper::StoreWrapper;
    std::vector<std::string> seen;

   protected:
    Status OnCall(std::string_view method) override {
      seen.emplace_back(method);
      if (method.starts_with("Save")) return Error::Unavailable("read only");
      return {};
    }
  } w(*real_);
  EXPECT_EQ(w.SavePage(Page("p1"), Event("p1")).error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(real_->GetPage("p1").error().code, ErrorCode::kNotFound) << "the refused write never reached the store";
  EXPECT_TRUE(w.ListPages().ok());
  EXPECT_TRUE(w.GetSetting("k").ok());
  EXPECT_TRUE(w.ListMonitors("").ok());
  EXPECT_EQ(w.seen, (std::vector<std::string>{"SavePage", "ListPages", "GetSetting", "ListMonitors"}));
}

// A Store& is each of its roles: code that needs one takes that one.
TEST_F(StoreWrapperTest, AStoreIsEachOfItsRoles) {
  testing::FaultStore f(*real_);
  StatusStore& status = f;
  SettingStore& settings = f;
  MonitorStore& monitors = f;
  ASSERT_TRUE(settings.PutSetting("k", "v", 1).ok());
  EXPECT_EQ(**real_->GetSetting("k"), "v");
  EXPECT_TRUE(status.ListPages().ok());
  EXPECT_TRUE(monitors.ListMonitors("").ok());
  EXPECT_EQ(f.Calls("PutSetting"), 1);
  EXPECT_EQ(f.Calls("ListPages"), 1);
  EXPECT_EQ(f.Calls("ListMonitors"), 1);
}

TEST_F(StoreWrapperTest, FaultStoreFailsMethodsByNameUntilHealed) {
  testing::FaultStore f(*real_);
  f.Fail("SavePage");
  auto st = f.SavePage(Page("p1"), Event("p1"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(real_->GetPage("p1").ok()) << "a failed call does not reach the store";
  EXPECT_TRUE(f.ListPages().ok()) << "other methods work";
  EXPECT_EQ(f.Calls("SavePage"), 1);
  EXPECT_EQ(f.Failures("SavePage"), 1);

  f.Heal("SavePage");
  EXPECT_TRUE(f.SavePage(Page("p1"), Event("p1")).ok());
  EXPECT_EQ(f.Calls("SavePage"), 2);
  EXPECT_EQ(f.Failures("SavePage"), 1);
}

TEST_F(StoreWrapperTest, FaultStoreFailsWithTheGivenErrorOrTheNextCallsOnly) {
  testing::FaultStore f(*real_);
  f.Fail("PutSetting", Error::Internal("disk full"));
  auto st = f.PutSetting("k", "v", 1);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInternal);
  EXPECT_EQ(st.error().message, "disk full");

  f.FailNext("GetSetting", 2);
  EXPECT_FALSE(f.GetSetting("k").ok());
  EXPECT_FALSE(f.GetSetting("k").ok());
  EXPECT_TRUE(f.GetSetting("k").ok()) << "only the next two";
  EXPECT_EQ(f.Failures("GetSetting"), 2);
  EXPECT_EQ(f.Calls("GetSetting"), 3);
}

TEST_F(StoreWrapperTest, FaultStoreFailAllIsADatabaseThatIsDown) {
  testing::FaultStore f(*real_);
  f.FailAll();
  EXPECT_EQ(f.Ping().error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(f.ListPages().error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(f.ClaimDueStaffAlerts(0, 1, 10).error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(f.BackendName(), "sqlite") << "no call to the database";
  f.HealAll();
  EXPECT_TRUE(f.Ping().ok());
  EXPECT_TRUE(f.ListPages().ok());
}

}  // namespace
}  // namespace herald::store
