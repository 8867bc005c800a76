// The monitor form is derived from the probe kind list: every kind's form holds exactly its own
// fields after the common ones, every field has a described control, and what a form submits
// comes back as the MonitorInput the API would build (numbers, checkboxes, header lines, status
// lists), with a bad number named by its field.
#include "console/monitor_form.h"

#include <gtest/gtest.h>

#include <set>

namespace herald::console {
namespace {

std::set<std::string> Names(const std::vector<FormControl>& controls) {
  std::set<std::string> out;
  for (const auto& c : controls) out.insert(c.name);
  return out;
}

TEST(MonitorForm, EachKindShowsItsOwnFieldsFromTheProbeKindList) {
  for (const auto& desc : model::ProbeKinds()) {
    model::Monitor m;
    m.kind = desc.kind;
    const auto controls = MonitorControls(desc.kind, m, {{"c1", "API"}});
    const auto names = Names(controls);
    EXPECT_EQ(names.size(), controls.size()) << desc.wire_name << ": a field twice";
    for (const auto& kind : model::ProbeKinds())
      for (const model::ProbeField f : kind.fields)
        EXPECT_EQ(names.count(std::string(model::ToString(f))) > 0, model::Takes(desc.kind, f))
            << desc.wire_name << " and " << model::ToString(f);
    EXPECT_EQ(names.count("target") > 0, desc.target != model::ProbeTarget::kNone) << desc.wire_name;
    EXPECT_TRUE(names.count("name") && names.count("interval_seconds") && names.count("component_id"));
  }
}

TEST(MonitorForm, EveryFieldHasALabelAndAControlOfItsType) {
  for (const auto& desc : model::ProbeKinds())
    for (const model::ProbeField f : desc.fields) {
      const FormControl c = FieldControl(f);
      EXPECT_EQ(c.name, model::ToString(f));
      EXPECT_NE(c.label, c.name) << c.name << " has no words of its own";
      if (c.type == ControlType::kSelect) {
        EXPECT_FALSE(c.options.empty()) << c.name;
      }
    }
  EXPECT_EQ(FieldControl(model::ProbeField::kVerifyTls).type, ControlType::kCheckbox);
  EXPECT_EQ(FieldControl(model::ProbeField::kSlowMs).type, ControlType::kNumber);
  EXPECT_EQ(FieldControl(model::ProbeField::kHeaders).type, ControlType::kLines);
}

TEST(MonitorForm, ShowsTheMonitorsValues) {
  model::Monitor m;
  m.kind = model::MonitorKind::kHttp;
  m.name = "API";
  m.spec.target = "https://api.example.com/health";
  m.spec.headers = {{"Authorization", "Bearer x"}};
  m.spec.expected_status = {{200, 299}, {301, 301}};
  m.spec.verify_tls = false;
  m.interval_ms = 30'000;
  std::map<std::string, FormControl> by_name;
  for (auto& c : MonitorControls(m.kind, m, {})) by_name[c.name] = c;
  EXPECT_EQ(by_name["target"].value, "https://api.example.com/health");
  EXPECT_EQ(by_name["interval_seconds"].value, "30");
  EXPECT_EQ(by_name["headers"].value, "Authorization: Bearer x\n");
  EXPECT_EQ(by_name["expected_status"].value, "200-299, 301");
  EXPECT_FALSE(by_name["verify_tls"].checked);
  EXPECT_TRUE(by_name["follow_redirects"].checked);
  EXPECT_EQ(by_name["component_id"].options.front().second, "None");
}

TEST(MonitorForm, ParsesWhatTheFormSubmits) {
  const Form form{{"name", "API"},
                  {"target", "https://api.example.com/"},
                  {"component_id", ""},
                  {"interval_seconds", "30"},
                  {"timeout_seconds", " 5 "},
                  {"failures_to_down", "2"},
                  {"method", "POST"},
                  {"headers", "X-One: 1\r\nX-Two:two words\r\n\r\n"},
                  {"expected_status", "200-299, 301,"},
                  {"follow_redirects", "1"},
                  {"slow_ms", "800"},
                  {"grace_seconds", "99"}};  // not an http field: ignored
  auto in = ParseMonitorForm(model::MonitorKind::kHttp, form);
  ASSERT_TRUE(in.ok()) << in.error().message;
  EXPECT_EQ(in->kind, "http");
  EXPECT_EQ(in->interval_ms, 30'000);
  EXPECT_EQ(in->timeout_ms, 5'000);
  EXPECT_EQ(in->failures_to_down, 2);
  EXPECT_FALSE(in->failure_window.has_value()) << "empty: the default";
  EXPECT_EQ(in->component_id, "");
  ASSERT_TRUE(in->headers.has_value());
  EXPECT_EQ(*in->headers, (std::vector<std::pair<std::string, std::string>>{{"X-One", "1"}, {"X-Two", "two words"}}));
  EXPECT_EQ(*in->expected_status, (std::vector<std::string>{"200-299", "301"}));
  EXPECT_EQ(in->follow_redirects, true);
  EXPECT_EQ(in->verify_tls, false) << "an unchecked box is false";
  EXPECT_EQ(in->slow_ms, 800);
  EXPECT_FALSE(in->grace_ms.has_value());
  EXPECT_FALSE(in->down_status.has_value()) << "a choice left out keeps the default";

  auto hb = ParseMonitorForm(model::MonitorKind::kHeartbeat, Form{{"name", "Backup"}, {"grace_seconds", "120"}});
  ASSERT_TRUE(hb.ok());
  EXPECT_EQ(hb->grace_ms, 120'000);
  EXPECT_FALSE(hb->target.has_value());
  EXPECT_FALSE(hb->timeout_ms.has_value());
}

TEST(MonitorForm, ABadNumberOrHeaderLineNamesItsField) {
  auto in = ParseMonitorForm(model::MonitorKind::kHttp, Form{{"interval_seconds", "1m"}});
  ASSERT_FALSE(in.ok());
  EXPECT_EQ(in.error().field, "interval_seconds");
  in = ParseMonitorForm(model::MonitorKind::kTls, Form{{"expiry_warn_days", "ten"}});
  ASSERT_FALSE(in.ok());
  EXPECT_EQ(in.error().field, "expiry_warn_days");
  in = ParseMonitorForm(model::MonitorKind::kHttp, Form{{"headers", "no colon here"}});
  ASSERT_FALSE(in.ok());
  EXPECT_EQ(in.error().field, "headers");
}

}  // namespace
}  // namespace herald::console
