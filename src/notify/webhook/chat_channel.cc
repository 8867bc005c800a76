#include "notify/webhook/chat_channel.h"

#include <utility>

namespace herald::notify {

ChatChannel::ChatChannel(model::ChannelKind kind, net::HttpClient& http, const Clock& clock, ChatOptions options,
                         ChatTraits traits)
    : kind_(kind), http_(http), clock_(clock), options_(std::move(options)), traits_(std::move(traits)) {}

Result<std::string> ChatChannel::NormalizeAddress(std::string_view address, const std::string& field) const {
  PushUrlRule rule;
  if (!options_.allow_any_host) rule = traits_.platform;
  // A platform host is always https on the default port; plain http only where any host goes.
  rule.allow_http = options_.allow_http && !rule.host_allowed;
  return NormalizePushUrl(address, field, rule, options_.check_url);
}

void ChatChannel::Send(const Message& message, const model::Subscriber& to, std::function<void(SendOutcome)> done) {
  PostJson(http_, clock_, to.address, Payload(message), {}, std::move(done), traits_.refine);
}

}  // namespace herald::notify
