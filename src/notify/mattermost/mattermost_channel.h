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
#include "notify/webhook/chat_channel.h"

namespace herald::notify {

struct MattermostOptions : ChatOptions {
  // Shown as the poster when the server allows integrations to override it; empty: the webhook's.
  std::string username;
  std::string icon_url;
};

// The JSON body sent for `message`.
std::string BuildMattermostPayload(const Message& message, const MattermostOptions& options = {});

class MattermostChannel final : public ChatChannel {
 public:
  MattermostChannel(net::HttpClient& http, const Clock& clock, MattermostOptions options);

 protected:
  std::string Payload(const Message& message) const override { return BuildMattermostPayload(message, options_); }

 private:
  MattermostOptions options_;  // username and icon_url besides the common ones
};

}  // namespace herald::notify
