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
#include "notify/channel.h"
#include "notify/webhook/chat_format.h"
#include "notify/webhook/http_push.h"

namespace herald::notify {

struct DiscordOptions {
  // Accept any https URL, not only https://discord.com/api/webhooks/... (tests, proxies).
  bool allow_any_host = false;
  bool allow_http = false;  // with allow_any_host: plain http for tests
  UrlCheck check_url;       // the SSRF check (net::AddressPolicy::CheckUrl in production)
  ChatLabels labels;
};

// The JSON body sent for `message`.
std::string BuildDiscordPayload(const Message& message, const ChatLabels& labels = {});

class DiscordChannel final : public Channel {
 public:
  DiscordChannel(net::HttpClient& http, const Clock& clock, DiscordOptions options);

  model::ChannelKind Kind() const override { return model::ChannelKind::kDiscord; }
  Result<std::string> NormalizeAddress(std::string_view address, const std::string& field) const override;
  RateLimit DestinationLimit() const override;
  void Send(const Message& message, const model::Subscriber& to, std::function<void(SendOutcome)> done) override;

 private:
  net::HttpClient& http_;
  const Clock& clock_;
  DiscordOptions options_;
};

}  // namespace herald::notify
