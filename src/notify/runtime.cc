#include "notify/runtime.h"

#include "core/text.h"
#include "notify/discord/discord_channel.h"
#include "notify/email/email_channel.h"
#include "notify/mattermost/mattermost_channel.h"
#include "notify/slack/slack_channel.h"
#include "notify/sms/sms_channel.h"
#include "notify/teams/teams_channel.h"
#include "notify/webhook/webhook_channel.h"
#include "notify/webpush/vapid.h"
#include "notify/webpush/webpush_channel.h"

namespace herald::notify {
namespace {

constexpr char kLinkSecretKey[] = "links.secret";
constexpr char kVapidKey[] = "webpush.vapid";  // "private.public", base64url

}  // namespace

NotifyRuntime::~NotifyRuntime() { Stop(); }

void NotifyRuntime::Start() {
  if (dispatcher) dispatcher->Start();
}

void NotifyRuntime::Stop() {
  if (dispatcher) dispatcher->Stop();
  if (push) push->Shutdown();
  if (engine) engine->Shutdown();
}

void AddUrlChannels(Channels& channels, net::HttpClient& http, const Clock& clock, const config::NotifyConfig& config,
                    const UrlCheck& check) {
  const bool allow_http = config.allow_http;
  // Private address ranges allowed by the operator mean an internal deployment (or a test):
  // chat webhooks may then live on any host.
  const bool any_host = !config.allow_private.empty();
  {
    WebhookOptions o;
    o.allow_http = allow_http;
    o.check_url = check;
    channels.Add(std::make_unique<WebhookChannel>(http, clock, o));
  }
  {
    SlackOptions o;
    o.allow_any_host = any_host;
    o.allow_http = allow_http;
    o.check_url = check;
    channels.Add(std::make_unique<SlackChannel>(http, clock, o));
  }
  {
    TeamsOptions o;
    o.allow_any_host = any_host;
    o.allow_http = allow_http;
    o.check_url = check;
    channels.Add(std::make_unique<TeamsChannel>(http, clock, o));
  }
  {
    DiscordOptions o;
    o.allow_any_host = any_host;
    o.allow_http = allow_http;
    o.check_url = check;
    channels.Add(std::make_unique<DiscordChannel>(http, clock, o));
  }
  {
    MattermostOptions o;
    o.allow_http = allow_http;
    o.check_url = check;
    channels.Add(std::make_unique<MattermostChannel>(http, clock, o));
  }
}

Status AddConfiguredChannels(NotifyRuntime& rt, const Clock& clock, const config::NotifyConfig& config,
                             const std::string& vapid_private_key) {
  net::HttpClient& http = *rt.push;
  const bool allow_http = config.allow_http;
  const net::AddressPolicy* policy = &rt.policy;
  UrlCheck check = [policy, allow_http](std::string_view url, const std::string& field) {
    return policy->CheckUrl(url, field, allow_http);
  };

  if (!config.smtp_url.empty()) {
    EmailOptions o;
    o.from_address = config.smtp_from;
    o.from_name = config.smtp_from_name;
    o.clock = clock;
    if (auto st = EmailChannel::ValidateOptions(o); !st) return st;
    rt.channels.Add(std::make_unique<EmailChannel>(*rt.engine, o));
  }
  if (!config.sms_provider.empty()) {
    SmsOptions o;
    o.provider = config.sms_provider;
    o.default_region = config.sms_default_region;
    o.messages_per_second = config.sms_per_second;
    o.twilio.base_url = config.sms_base_url;
    o.twilio.account_sid = config.sms_account_sid;
    o.twilio.auth_token = config.sms_auth_token;
    o.twilio.from = config.sms_from;
    if (auto st = ValidateSmsOptions(o); !st) return st;
    rt.channels.Add(std::make_unique<SmsChannel>(http, clock, o));
  }
  AddUrlChannels(rt.channels, http, clock, config, check);
  {
    WebPushOptions o;
    o.vapid_private_key = vapid_private_key;
    o.vapid_public_key = rt.vapid_public_key;
    o.subject = config.webpush_subject;
    o.allow_http = allow_http;
    o.check_url = check;
    if (auto st = WebPushChannel::Validate(o); !st) return st;
    rt.channels.Add(std::make_unique<WebPushChannel>(http, clock, o));
  }
  return {};
}

Result<std::unique_ptr<NotifyRuntime>> MakeNotifyRuntime(store::Store& store, const Clock& clock,
                                                         const config::NotifyConfig& config,
                                                         const std::string& public_url, const std::string& owner) {
  auto rt = std::make_unique<NotifyRuntime>();
  auto policy = net::AddressPolicy::WithAllowList(config.allow_private, "notify.allow_private");
  if (!policy) return policy.error();
  rt->policy = *policy;
  auto secret = store.InitSetting(kLinkSecretKey, NewLinkSecret(), clock.Now());
  if (!secret) return secret.error();
  rt->links = std::make_unique<LinkSigner>(*secret, public_url);
  auto fresh = webpush::GenerateVapidKeys();
  if (!fresh) return fresh.error();
  auto vapid = store.InitSetting(kVapidKey, fresh->private_key + "." + fresh->public_key, clock.Now());
  if (!vapid) return vapid.error();
  const auto dot = vapid->find('.');
  if (dot == std::string::npos) return Error::Internal("malformed VAPID keys in the settings table");
  const std::string vapid_private = vapid->substr(0, dot);
  rt->vapid_public_key = vapid->substr(dot + 1);

  net::CurlEngine::Options eo;
  eo.policy = rt->policy;
  eo.smtp.url = config.smtp_url;
  eo.smtp.username = config.smtp_username;
  eo.smtp.password = config.smtp_password;
  eo.smtp.require_starttls = config.smtp_require_starttls;
  rt->engine = std::make_unique<net::CurlEngine>(eo);
  net::PushEngine::Options po;
  po.policy = rt->policy;
  rt->push = std::make_unique<net::PushEngine>(po, *rt->engine);
  if (auto st = AddConfiguredChannels(*rt, clock, config, vapid_private); !st) return st.error();
  // The page's sign-up form offers only what this server can send (read by the snapshot).
  std::string names;
  for (const auto& [kind, channel] : rt->channels.all()) names += std::string(model::ToString(kind)) + ",";
  if (auto st = store.PutSetting("notify.channels", names, clock.Now()); !st) return st.error();

  DispatcherOptions dopts;
  if (!owner.empty()) dopts.owner = owner;
  dopts.public_url = public_url;
  dopts.lease_ms = static_cast<TimeMs>(config.lease_seconds) * 1000;
  dopts.channel_per_second[model::ChannelKind::kSms] = config.sms_per_second;
  rt->dispatcher = std::make_unique<Dispatcher>(store, clock, rt->channels, *rt->links, dopts);
  return rt;
}

}  // namespace herald::notify
