// IncidentTemplateService against a real (in-memory SQLite) store and a fake clock: a bad field
// is refused naming it and nothing is written; PATCH semantics; names unique within a page.
#include "service/incident_templates.h"

#include <gtest/gtest.h>

namespace herald::service {
namespace {

using model::ComponentStatus;

class IncidentTemplatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::OpenStore("sqlite::memory:");
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Migrate().ok());
    PageInput p;
    p.name = "Example";
    auto page = PageService(deps()).Create(p);
    ASSERT_TRUE(page.ok());
    page_id_ = page->id;
    ComponentInput c;
    c.name = "API";
    auto api = ComponentService(deps()).Create(page_id_, c, false);
    ASSERT_TRUE(api.ok());
    api_ = api->id;
  }
  Deps deps() { return Deps{*store_, clock_}; }
  IncidentTemplateService templates() { return IncidentTemplateService(deps()); }
  IncidentTemplateInput Valid() {
    IncidentTemplateInput in;
    in.name = "API down";
    in.title = "API errors";
    in.body = "We are looking into errors from the API.";
    in.components = std::map<std::string, ComponentStatus>{{api_, ComponentStatus::kMajorOutage}};
    return in;
  }
  size_t Count() { return store_->ListIncidentTemplates(page_id_)->size(); }

  FakeClock clock_;
  std::unique_ptr<store::Store> store_;
  std::string page_id_, api_;
};

TEST_F(IncidentTemplatesTest, CreatesWithDefaultsAndTrimmedText) {
  auto in = Valid();
  in.name = "  API down ";
  auto t = templates().Create(page_id_, in);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->name, "API down");
  EXPECT_EQ(t->update_status, model::IncidentStatus::kInvestigating);
  EXPECT_EQ(t->type, model::NoticeType::kOutage);
  EXPECT_TRUE(t->deliver_notifications);
  EXPECT_EQ(t->created_at, clock_.Now());
  auto stored = store_->GetIncidentTemplate(page_id_, t->id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->components.at(api_), ComponentStatus::kMajorOutage);
}

TEST_F(IncidentTemplatesTest, BadFieldsAreNamedAndNothingIsWritten) {
  struct Case {
    const char* field;
    std::function<void(IncidentTemplateInput&)> spoil;
  };
  const Case cases[] = {
      {"name", [](auto& in) { in.name.reset(); }},
      {"name", [](auto& in) { in.name = "   "; }},
      {"name", [](auto& in) { in.name = "two\nlines"; }},
      {"title", [](auto& in) { in.title.reset(); }},
      {"title", [](auto& in) { in.title = std::string(300, 'x'); }},
      {"title", [](auto& in) { in.title = "<b>bold</b>"; }},
      {"group", [](auto& in) { in.group = std::string(101, 'g'); }},
      {"body", [](auto& in) { in.body = std::string("\xff\xfe"); }},
      {"body", [](auto& in) { in.body = std::string(kMaxBodyLength + 1, 'b'); }},
      {"update_status", [](auto& in) { in.update_status = model::IncidentStatus::kScheduled; }},
      {"update_status", [](auto& in) { in.update_status = model::IncidentStatus::kPostmortem; }},
      {"components",
       [](auto& in) {
         in.components = std::map<std::string, ComponentStatus>{{"nope", ComponentStatus::kMajorOutage}};
       }},
  };
  for (const auto& c : cases) {
    auto in = Valid();
    c.spoil(in);
    auto t = templates().Create(page_id_, in);
    ASSERT_FALSE(t.ok()) << c.field;
    EXPECT_EQ(t.error().field, c.field) << t.error().message;
  }
  EXPECT_EQ(Count(), 0u);
}

TEST_F(IncidentTemplatesTest, NamesAreUniqueWithinAPage) {
  ASSERT_TRUE(templates().Create(page_id_, Valid()).ok());
  auto again = templates().Create(page_id_, Valid());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(again.error().field, "name");
  EXPECT_EQ(Count(), 1u);
}

TEST_F(IncidentTemplatesTest, UpdateChangesOnlyWhatIsGiven) {
  auto t = templates().Create(page_id_, Valid());
  ASSERT_TRUE(t.ok());
  clock_.Advance(60'000);
  IncidentTemplateInput patch;
  patch.body = "New text";
  patch.components = std::map<std::string, ComponentStatus>{};
  auto u = templates().Update(page_id_, t->id, patch);
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->name, "API down");
  EXPECT_EQ(u->title, "API errors");
  EXPECT_EQ(u->body, "New text");
  EXPECT_TRUE(u->components.empty());
  EXPECT_EQ(u->updated_at, clock_.Now());
  EXPECT_EQ(templates().Update(page_id_, "missing", patch).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(templates().Delete(page_id_, t->id).ok());
  EXPECT_EQ(Count(), 0u);
}

}  // namespace
}  // namespace herald::service
