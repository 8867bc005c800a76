// MattermostChannel: posts to a Mattermost incoming webhook
// (https://developers.mattermost.com/integrate/webhooks/incoming/) on any https host, since
// Mattermost is self-hosted:
//
//   {"text": "**<page>** · <subject>", "username": "<optional>", "icon_url": "<optional>",
//    "attachments": [{"fallback": "<subject>", "color": "#RRGGBB", "title": "<subject>",
//                     "title_link": "<message.url>", "text": "<text>\n\n<manage> · <unsubscribe>",
//                     "fields": [{"short": true, "title": "<fact>", "value": "<value>"}, ...],
//                     "footer": "<page> · <status>"}]}
//
// The colour bar carries the impact. Mattermost notifies for @channel, @all, @here and @name
// anywhere in a post, so all text goes through MattermostEscape (chat_format.h), which also stops
// Markdown links and ~channel links. No platform rate limit applies by default.
//
// Thread safety: Send and NormalizeAddress may be called concurrently.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "net/http_client.h"
#include "notify/channel.h"
#include "notify/webhook/chat_format.h"
#include "notify/webhook/http_push.h"

namespace herald::notify {

struct MattermostOptions {
  bool allow_http = false;  // self-hosted servers on an internal network, tests
  UrlCheck check_url;       // the SSRF check (net::AddressPolicy::CheckUrl in production)
  // Shown as the poster when the server allows integrations to override it; empty: the webhook's.
  std::string username;
  std::string icon_url;
  ChatLabels labels;
};

// The JSON body sent for `message`.
std::string BuildMattermostPayload(const Message& message, const MattermostOptions& options = {});

class MattermostChannel final : public Channel {
 public:
  MattermostChannel(net::HttpClient& http, const Clock& clock, MattermostOptions options);

  model::ChannelKind Kind() const override { return model::ChannelKind::kMattermost; }
  Result<std::string> NormalizeAddress(std::string_view address, const std::string& field) const override;
  void Send(const Message& message, const model::Subscriber& to, std::function<void(SendOutcome)> done) override;

 private:
  net::HttpClient& http_;
  const Clock& clock_;
  MattermostOptions options_;
};

}  // namespace herald::notify
