#include "notify/runtime.h"

#include "core/text.h"
#include "notify/webpush/vapid.h"

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
  ChannelContext context{.http = http,
                         .mail = nullptr,
                         .clock = clock,
                         .config = config,
                         .check_url = check,
                         .vapid_private_key = {},
                         .vapid_public_key = {}};
  // These factories cannot fail: they read no setting that could be wrong.
  (void)AddChannels(channels, context, [](const ChannelDescriptor& d) { return d.consent == Consent::kTestMessage; });
}

Status AddConfiguredChannels(NotifyRuntime& rt, const Clock& clock, const config::NotifyConfig& config,
                             const std::string& vapid_private_key) {
  const bool allow_http = config.allow_http;
  const net::AddressPolicy* policy = &rt.policy;
  ChannelContext context{
      .http = *rt.push,
      .mail = rt.engine.get(),
      .clock = clock,
      .config = config,
      .check_url = [policy, allow_http](std::string_view url,
                                        const std::string& field) { return policy->CheckUrl(url, field, allow_http); },
      .vapid_private_key = vapid_private_key,
      .vapid_public_key = rt.vapid_public_key};
  return AddChannels(rt.channels, context, nullptr);
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
