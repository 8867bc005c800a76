// ApplyService: a desired state is planned without writing, the plan is applied, and applying the
// same state again plans nothing. A mistake found while planning writes nothing at all.
#include "service/apply.h"

#include <gtest/gtest.h>

#include "service/services.h"

namespace herald::service {
namespace {

constexpr const char* kAcme = R"([[page]]
slug = "acme"
name = "Acme"
default = true
  [[page.component]]
  name = "API"
  group = "Core"
  [[page.monitor]]
  name = "API health"
  component = "API"
  kind = "tcp"
  target = "api.example.com:443"
  interval = "30s"
  [[page.monitor]]
  name = "Nightly backup"
  kind = "heartbeat"
  interval = "1d"
  [[page.automation_rule]]
  component = "API"
  mode = "draft"
  [[page.alert_target]]
  name = "On-call"
  channel = "email"
  address = "oncall@example.com"
)";

class ApplyServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::OpenStore("sqlite::memory:");
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Migrate().ok());
  }
  Result<ApplyPlan> Plan(const std::string& text, bool yaml = false) {
    auto state = ParseDesiredState(text, yaml, "herald.toml");
    if (!state) return state.error();
    return ApplyService(*store_, clock_).Plan(std::move(*state));
  }
  static std::vector<std::string> Lines(const ApplyPlan& plan) {
    std::vector<std::string> lines;
    for (const auto& c : plan.changes) lines.push_back(c.Describe(false));
    return lines;
  }

  FakeClock clock_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(ApplyServiceTest, PlanListsTheChangesInOrderAndWritesNothing) {
  auto plan = Plan(kAcme);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(Lines(*plan), (std::vector<std::string>{
                              "would create page acme",
                              "would create group \"Core\" in acme",
                              "would create component \"API\" in acme",
                              "would create monitor \"API health\" in acme",
                              "would create monitor \"Nightly backup\" in acme",
                              "would set the automation rule of \"API\" in acme",
                              "would create alert target \"On-call\" in acme",
                          }));
  EXPECT_TRUE(store_->ListPages()->empty());
}

TEST_F(ApplyServiceTest, ApplyMakesThePlanOnceAndShowsSecretsOnce) {
  auto plan = Plan(kAcme);
  ASSERT_TRUE(plan.ok());
  std::vector<std::string> lines;
  ApplyService apply(*store_, clock_);
  auto made = apply.Apply(*plan, [&](const std::string& line) { lines.push_back(line); });
  ASSERT_TRUE(made.ok()) << made.error().message;
  EXPECT_EQ(*made, plan->changes.size());
  ASSERT_EQ(lines.size(), plan->changes.size() + 1);  // and the heartbeat token
  EXPECT_EQ(lines[0], "created page acme");
  EXPECT_EQ(lines[2], "created component \"API\" in acme");
  EXPECT_EQ(lines[5].rfind("heartbeat token for monitor \"Nightly backup\" (shown only now): ", 0), 0u) << lines[5];
  EXPECT_EQ(lines[6], "set the automation rule of \"API\" in acme");
  auto page = store_->GetPage("acme");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(store_->ListComponents(page->id)->size(), 2u);  // the group and API
  EXPECT_EQ(store_->ListMonitors(page->id)->size(), 2u);
  EXPECT_EQ(store_->ListAutomationRules(page->id)->size(), 1u);
  EXPECT_EQ(store_->ListAlertTargets(page->id)->size(), 1u);

  // The same state again: nothing to do, and applying it writes nothing.
  auto again = Plan(kAcme);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->changes.empty()) << Lines(*again).front();
  lines.clear();
  EXPECT_EQ(*apply.Apply(*again, [&](const std::string& line) { lines.push_back(line); }), 0u);
  EXPECT_TRUE(lines.empty());
}

TEST_F(ApplyServiceTest, YamlPlansLikeToml) {
  auto plan = Plan(R"(page:
  - slug: acme
    name: Acme
    default: true
    component:
      - name: API
        group: Core
    monitor:
      - name: API health
        component: API
        kind: tcp
        target: "api.example.com:443"
        interval: 30s
      - name: Nightly backup
        kind: heartbeat
        interval: 1d
    automation_rule:
      - component: API
        mode: draft
    alert_target:
      - name: On-call
        channel: email
        address: oncall@example.com
)",
                   true);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(Lines(*plan), Lines(*Plan(kAcme)));
}

// A bad monitor on the second page is found while planning, before the first page is written:
// `herald apply` used to write page[0] and then stop at page[1].
TEST_F(ApplyServiceTest, AMistakeOnALaterPageWritesNothing) {
  ASSERT_TRUE(ApplyService(*store_, clock_).Apply(*Plan(kAcme), [](const std::string&) {}).ok());
  ASSERT_TRUE(ApplyService(*store_, clock_)
                  .Apply(*Plan("[[page]]\nslug = \"beta\"\nname = \"Beta\"\n"), [](const std::string&) {})
                  .ok());
  const std::string two_pages = R"([[page]]
slug = "acme"
name = "Acme renamed"
[[page]]
slug = "beta"
  [[page.monitor]]
  name = "Broken"
  kind = "tcp"
  target = "no-port"
)";
  auto plan = Plan(two_pages);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().field, "page[1].monitor[0].target") << plan.error().message;
  EXPECT_EQ(store_->GetPage("acme")->name, "Acme");

  auto typo = Plan(R"([[page]]
slug = "acme"
name = "Acme renamed"
[[page]]
slug = "beta"
  [[page.alert_target]]
  name = "x"
  chanel = "email"
)");
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.error().field, "page[1].alert_target[0].chanel");
  EXPECT_EQ(store_->GetPage("acme")->name, "Acme");
}

TEST_F(ApplyServiceTest, ParseErrorsNameTheKeyOrTheLine) {
  auto unknown = ParseDesiredState("[[page]]\nslug = \"a\"\ncolour = \"red\"\n", false, "h.toml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().field, "page[0].colour");
  auto syntax = ParseDesiredState("[[page]\n", false, "h.toml");
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.error().message.rfind("h.toml:1: ", 0), 0u) << syntax.error().message;
  auto yaml = ParseDesiredState("- a\n- b\n", true, "h.yaml");
  ASSERT_FALSE(yaml.ok());
  EXPECT_NE(yaml.error().message.find("the top level must be a mapping"), std::string::npos);
  auto none = ParseDesiredState("", false, "h.toml");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().field, "page");
}

}  // namespace
}  // namespace herald::service
