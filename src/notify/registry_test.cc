// The channel registry is complete: every model::ChannelKind has a descriptor with every fact
// filled in, and what the rest of the server derives from the list (the OpenAPI enums, the config
// sections, the messages listing kinds) matches it.
#include "notify/registry.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "config/config.h"
#include "net/sync_http_client_testing.h"
#include "page/render.h"
#include "assets/web_assets.h"

namespace herald::notify {
namespace {

namespace json = boost::json;

std::vector<model::ChannelKind> EveryKind() {
  std::vector<model::ChannelKind> kinds;
  // model::ChannelKind has consecutive values from kEmail; its wire-name table ends the walk.
  for (int i = 0;; ++i) {
    const auto k = static_cast<model::ChannelKind>(i);
    if (model::ToString(k).empty()) break;
    kinds.push_back(k);
  }
  return kinds;
}

TEST(ChannelRegistry, EveryKindHasACompleteDescriptorInEnumOrder) {
  const auto kinds = EveryKind();
  ASSERT_EQ(ChannelKinds().size(), kinds.size()) << "a model::ChannelKind without a line in registry.cc";
  for (size_t i = 0; i < kinds.size(); ++i) {
    const ChannelDescriptor& d = ChannelKinds()[i];
    const std::string name(model::ToString(kinds[i]));
    EXPECT_EQ(d.kind, kinds[i]) << "registry.cc lists the kinds in model::ChannelKind order";
    EXPECT_EQ(&Describe(kinds[i]), &d) << name;
    EXPECT_EQ(model::ParseChannelKind(name), kinds[i]) << name;
    EXPECT_FALSE(d.label.empty()) << name;
    EXPECT_TRUE(d.address_field == "email" || d.address_field == "phone_number" || d.address_field == "endpoint")
        << name << ": the API has no field " << d.address_field;
    EXPECT_FALSE(d.address_label.empty()) << name;
    EXPECT_TRUE(d.input_mode == "email" || d.input_mode == "tel" || d.input_mode == "url") << name;
    EXPECT_NE(d.normalize, nullptr) << name;
    EXPECT_NE(d.make, nullptr) << name;
    EXPECT_FALSE(d.docs_section.empty()) << name;
    EXPECT_TRUE(!d.preselectable || d.in_signup_form) << name;
  }
}

TEST(ChannelRegistry, FactoriesBuildTheirKindFromTheConfiguration) {
  net::SyncHttpClient http;  // sends nothing here: the factories only build
  FakeClock clock(1'700'000'000'000);
  config::NotifyConfig config;
  config.sms_provider = "twilio";
  config.sms_account_sid = "AC00000000000000000000000000000000";
  config.sms_auth_token = "token";
  config.sms_from = "+15005550006";
  ChannelContext context{
      .http = http,
      .clock = clock,
      .config = config,
      .check_url = [](std::string_view url, const std::string&) -> Result<std::string> { return std::string(url); },
      .vapid_private_key = "",
      .vapid_public_key = ""};
  for (const auto& d : ChannelKinds()) {
    auto channel = d.make(context);
    if (!channel.ok() || !*channel) continue;  // needs settings this test does not give (SMTP, VAPID keys)
    EXPECT_EQ((*channel)->Kind(), d.kind) << model::ToString(d.kind);
  }
  Channels url_channels;
  ASSERT_TRUE(AddChannels(url_channels, context, [](const ChannelDescriptor& d) {
                return d.consent == Consent::kTestMessage;
              }).ok());
  for (const auto& d : ChannelKinds())
    EXPECT_EQ(url_channels.Find(d.kind) != nullptr, d.consent == Consent::kTestMessage) << model::ToString(d.kind);
}

TEST(ChannelRegistry, NormalizersAgreeWithTheChannels) {
  EXPECT_EQ(*Describe(model::ChannelKind::kEmail).normalize(" Ops@Example.COM ", "email"), "ops@example.com");
  EXPECT_EQ(*Describe(model::ChannelKind::kSms).normalize("+44 20 7946 0958", "phone_number"), "+442079460958");
  EXPECT_EQ(Describe(model::ChannelKind::kSlack).normalize("not a url", "endpoint").error().field, "endpoint");
}

TEST(ChannelRegistry, MessagesListTheKindsFromTheList) {
  EXPECT_EQ(KindNames(nullptr), "email, sms, webhook, slack, teams, discord, mattermost or webpush");
  EXPECT_EQ(KindNames(TypedAddress, ", "), "email, sms, webhook, slack, teams, discord, mattermost");
  EXPECT_EQ(KindNames([](const ChannelDescriptor& d) { return d.staff_alert_target; }),
            "email, webhook, slack, teams, discord or mattermost");
}

// Every "channel" enum in web/openapi.json is one of the lists the registry derives: all kinds
// (subscribers) or the staff alert targets (alert targets). A new kind must be added there too.
TEST(ChannelRegistry, OpenApiEnumsEqualTheList) {
  std::vector<std::string> all, staff;
  for (const auto& d : ChannelKinds()) {
    all.emplace_back(model::ToString(d.kind));
    if (d.staff_alert_target) staff.emplace_back(model::ToString(d.kind));
  }
  const json::value doc = json::parse(assets::FindWebAsset("openapi.json"));
  std::set<std::string> seen;
  std::function<void(const json::value&, const std::string&)> walk = [&](const json::value& v, const std::string& key) {
    if (v.is_array()) {
      for (const auto& e : v.as_array()) walk(e, key);
      return;
    }
    if (!v.is_object()) return;
    const auto& o = v.as_object();
    if (key == "channel" && o.contains("enum")) {
      std::vector<std::string> values;
      for (const auto& e : o.at("enum").as_array()) values.emplace_back(e.as_string());
      EXPECT_TRUE(values == all || values == staff) << "an OpenAPI channel enum differs from the registry";
      seen.insert(values == all ? "all" : "staff");
    }
    for (const auto& [k, child] : o) walk(child, std::string(k));
  };
  walk(doc, "");
  EXPECT_EQ(seen, (std::set<std::string>{"all", "staff"}));
}

// The sign-up form's choices, in the list's order.
TEST(ChannelRegistry, SignupFormChoicesComeFromTheList) {
  std::vector<std::string> form;
  for (const auto& c : SignupChannels()) form.push_back(c.value + ":" + c.label);
  EXPECT_EQ(form, (std::vector<std::string>{"email:Email", "sms:Text message", "webhook:Webhook", "slack:Slack",
                                            "teams:Microsoft Teams", "discord:Discord", "mattermost:Mattermost"}));
}

// The config file's channel sections are those the descriptors own; the others are the server's.
TEST(ChannelRegistry, ConfigSectionsComeFromTheList) {
  const std::set<std::string> server_sections = {"", "http", "metrics", "notify", "monitor", "oidc", "audit", "console"};
  std::set<std::string> config_sections, owned;
  for (const auto& key : config::KnownSettings()) {
    const auto dot = key.find('.');
    const std::string section = dot == std::string::npos ? "" : key.substr(0, dot);
    if (!server_sections.count(section)) config_sections.insert(section);
  }
  for (const auto& d : ChannelKinds())
    if (!d.config_section.empty()) owned.insert(std::string(d.config_section));
  EXPECT_EQ(config_sections, owned);
}

}  // namespace
}  // namespace herald::notify
