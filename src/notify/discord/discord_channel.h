// DiscordChannel: executes a Discord webhook
// (https://discord.com/developers/docs/resources/webhook#execute-webhook) with one embed:
//
//   {"content": "<subject>", "allowed_mentions": {"parse": []},
//    "embeds": [{"title": "<subject>", "url": "<message.url>", "description": "<text>\n\n<links>",
//                "color": <impact colour>, "timestamp": "<ISO 8601>",
//                "fields": [{"name": "<fact>", "value": "<value>", "inline": true}, ...],
//                "footer": {"text": "<page> · <status>"}}]}
//
// Discord's limits are kept by cutting on code point boundaries: content 2000, title 256,
// description 4096, 25 fields (name 256, value 1024), footer 2048 and 6000 for the whole embed.
// Text is Markdown-escaped (DiscordEscape) and "allowed_mentions": {"parse": []} makes sure an
// "@everyone" in any text never pings. Discord answers 204 without ?wait. A webhook allows about
// 5 messages per 2 s (DestinationLimit); 429 carries Retry-After (or retry_after in the body).
// "Unknown Webhook" (10015) and "Invalid Webhook Token" (50027) mean it was deleted: kGone.
//
// Thread safety: Send and NormalizeAddress may be called concurrently.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "net/http_client.h"
#include "notify/webhook/chat_channel.h"

namespace herald::notify {

using DiscordOptions = ChatOptions;

// The JSON body sent for `message`.
std::string BuildDiscordPayload(const Message& message, const ChatLabels& labels = {});

class DiscordChannel final : public ChatChannel {
 public:
  DiscordChannel(net::HttpClient& http, const Clock& clock, DiscordOptions options);

 protected:
  std::string Payload(const Message& message) const override { return BuildDiscordPayload(message, options().labels); }
};

}  // namespace herald::notify
