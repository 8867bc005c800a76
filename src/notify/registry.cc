#include "notify/registry.h"

#include "address/email_address.h"
#include "address/phone_number.h"
#include "address/web_url.h"
#include "notify/discord/discord_channel.h"
#include "notify/email/email_channel.h"
#include "notify/mattermost/mattermost_channel.h"
#include "notify/slack/slack_channel.h"
#include "notify/sms/sms_channel.h"
#include "notify/teams/teams_channel.h"
#include "notify/webhook/webhook_channel.h"
#include "notify/webpush/webpush_channel.h"
#include "page/render.h"

namespace herald::notify {
namespace {

using model::ChannelKind;

Result<std::unique_ptr<Channel>> MakeEmail(const ChannelContext& c) {
  if (c.config.smtp_url.empty() || !c.mail) return std::unique_ptr<Channel>();
  EmailOptions o;
  o.from_address = c.config.smtp_from;
  o.from_name = c.config.smtp_from_name;
  o.clock = c.clock;
  if (auto st = EmailChannel::ValidateOptions(o); !st) return st.error();
  return std::unique_ptr<Channel>(std::make_unique<EmailChannel>(*c.mail, o));
}

Result<std::unique_ptr<Channel>> MakeSms(const ChannelContext& c) {
  if (c.config.sms_provider.empty()) return std::unique_ptr<Channel>();
  SmsOptions o;
  o.provider = c.config.sms_provider;
  o.default_region = c.config.sms_default_region;
  o.messages_per_second = c.config.sms_per_second;
  o.twilio.base_url = c.config.sms_base_url;
  o.twilio.account_sid = c.config.sms_account_sid;
  o.twilio.auth_token = c.config.sms_auth_token;
  o.twilio.from = c.config.sms_from;
  if (auto st = ValidateSmsOptions(o); !st) return st.error();
  return std::unique_ptr<Channel>(std::make_unique<SmsChannel>(c.http, c.clock, o));
}

Result<std::unique_ptr<Channel>> MakeWebhook(const ChannelContext& c) {
  WebhookOptions o;
  o.allow_http = c.config.allow_http;
  o.check_url = c.check_url;
  return std::unique_ptr<Channel>(std::make_unique<WebhookChannel>(c.http, c.clock, o));
}

// The chat channels take the same options: the SSRF check, plain http where allowed, and any host
// when the operator allowed private ranges (an internal deployment or a test).
template <typename ChatChannel, typename Options>
Result<std::unique_ptr<Channel>> MakeChat(const ChannelContext& c) {
  Options o;
  if constexpr (requires { o.allow_any_host; }) o.allow_any_host = !c.config.allow_private.empty();
  o.allow_http = c.config.allow_http;
  o.check_url = c.check_url;
  return std::unique_ptr<Channel>(std::make_unique<ChatChannel>(c.http, c.clock, o));
}

Result<std::unique_ptr<Channel>> MakeWebPush(const ChannelContext& c) {
  WebPushOptions o;
  o.vapid_private_key = c.vapid_private_key;
  o.vapid_public_key = c.vapid_public_key;
  o.subject = c.config.webpush_subject;
  o.allow_http = c.config.allow_http;
  o.check_url = c.check_url;
  if (auto st = WebPushChannel::Validate(o); !st) return st.error();
  return std::unique_ptr<Channel>(std::make_unique<WebPushChannel>(c.http, c.clock, o));
}

Result<std::string> NormalizeEmail(std::string_view a, const std::string& field) {
  return address::NormalizeEmailAddress(a, field);
}
// Without the configured default region: the international form.
Result<std::string> NormalizePhone(std::string_view a, const std::string& field) {
  return address::NormalizePhoneNumber(a, "", field);
}
Result<std::string> NormalizeUrl(std::string_view a, const std::string& field) {
  address::WebUrlRule any_web_url;
  any_web_url.allow_http = true;
  return address::NormalizeWebUrl(a, field, any_web_url);
}

// Webhook and chat kinds share everything but their names and factory.
ChannelDescriptor UrlKind(ChannelKind kind, std::string_view label, std::string_view docs, ChannelFactory make) {
  return {.kind = kind,
          .label = label,
          .address_field = "endpoint",
          .address_label = "webhook URL",
          .input_mode = "url",
          .consent = Consent::kTestMessage,
          .in_signup_form = true,
          .preselectable = kind == ChannelKind::kWebhook,
          .staff_alert_target = true,
          .normalize = NormalizeUrl,
          .config_section = "",
          .docs_section = docs,
          .make = make};
}

}  // namespace

const std::vector<ChannelDescriptor>& ChannelKinds() {
  static const std::vector<ChannelDescriptor> kinds = {
      {.kind = ChannelKind::kEmail,
       .label = "email",
       .address_field = "email",
       .address_label = "email address",
       .input_mode = "email",
       .consent = Consent::kDoubleOptInEmail,
       .in_signup_form = true,
       .preselectable = true,
       .staff_alert_target = true,
       .normalize = NormalizeEmail,
       .config_section = "smtp",
       .docs_section = "Email",
       .make = MakeEmail},
      {.kind = ChannelKind::kSms,
       .label = "text message",
       .address_field = "phone_number",
       .address_label = "phone number (with country code)",
       .input_mode = "tel",
       .consent = Consent::kSmsCode,
       .in_signup_form = true,
       .preselectable = false,
       .staff_alert_target = false,
       .normalize = NormalizePhone,
       .config_section = "sms",
       .docs_section = "SMS",
       .make = MakeSms},
      UrlKind(ChannelKind::kWebhook, "webhook", "Webhooks", MakeWebhook),
      UrlKind(ChannelKind::kSlack, "Slack", "Slack", MakeChat<SlackChannel, SlackOptions>),
      UrlKind(ChannelKind::kTeams, "Microsoft Teams", "Microsoft Teams", MakeChat<TeamsChannel, TeamsOptions>),
      UrlKind(ChannelKind::kDiscord, "Discord", "Discord", MakeChat<DiscordChannel, DiscordOptions>),
      UrlKind(ChannelKind::kMattermost, "Mattermost", "Mattermost", MakeChat<MattermostChannel, MattermostOptions>),
      {.kind = ChannelKind::kWebPush,
       .label = "browser notifications",
       .address_field = "endpoint",
       .address_label = "push endpoint",
       .input_mode = "url",
       .consent = Consent::kPushSubscription,
       .in_signup_form = false,
       .preselectable = false,
       .staff_alert_target = false,
       .normalize = NormalizeUrl,
       .config_section = "webpush",
       .docs_section = "Web push",
       .make = MakeWebPush},
  };
  return kinds;
}

const ChannelDescriptor& Describe(model::ChannelKind kind) {
  for (const auto& d : ChannelKinds())
    if (d.kind == kind) return d;
  // Unreachable: registry_test.cc checks that every kind has a descriptor.
  return ChannelKinds().front();
}

std::string KindNames(const std::function<bool(const ChannelDescriptor&)>& keep, std::string_view last) {
  std::vector<std::string_view> names;
  for (const auto& d : ChannelKinds())
    if (!keep || keep(d)) names.push_back(model::ToString(d.kind));
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? last : std::string_view(", ");
    out += names[i];
  }
  return out;
}

std::vector<page::SignupChannel> SignupChannels() {
  std::vector<page::SignupChannel> out;
  for (const auto& d : ChannelKinds()) {
    if (!d.in_signup_form) continue;
    page::SignupChannel c;
    c.value = std::string(model::ToString(d.kind));
    // Sentence labels start lower-case where they are common nouns ("text message").
    c.label = std::string(d.label);
    if (!c.label.empty() && c.label[0] >= 'a' && c.label[0] <= 'z')
      c.label[0] = static_cast<char>(c.label[0] - 'a' + 'A');
    c.address_label = std::string(d.address_label);
    c.input_mode = std::string(d.input_mode);
    c.preselectable = d.preselectable;
    out.push_back(std::move(c));
  }
  return out;
}

bool TypedAddress(const ChannelDescriptor& d) { return d.consent != Consent::kPushSubscription; }

Status AddChannels(Channels& channels, const ChannelContext& context,
                   const std::function<bool(const ChannelDescriptor&)>& keep) {
  for (const auto& d : ChannelKinds()) {
    if (keep && !keep(d)) continue;
    auto channel = d.make(context);
    if (!channel) return channel.error();
    if (*channel) channels.Add(std::move(*channel));
  }
  return {};
}

}  // namespace herald::notify
