// SlackChannel: posts a Block Kit message to a Slack incoming webhook
// (https://api.slack.com/messaging/webhooks, https://api.slack.com/reference/block-kit/blocks):
//
//   {"text": "<fallback for notifications>", "unfurl_links": false, "unfurl_media": false,
//    "blocks": [
//      {"type": "header", "text": {"type": "plain_text", "text": ":red_circle: <subject>", "emoji": true}},
//      {"type": "section", "text": {"type": "mrkdwn", "text": "<text>"}},
//      {"type": "section", "fields": [{"type": "mrkdwn", "text": "*<fact>*\n<value>"}, ...]},
//      {"type": "actions", "elements": [{"type": "button", "text": {...}, "url": "<message.url>"}]},
//      {"type": "context", "elements": [{"type": "mrkdwn", "text": "<page> · <status> · <manage> · <unsubscribe>"}]}]}
//
// The circle's colour gives the impact (blocks have no colour bar). Text is escaped per Slack's
// rules (& < > as entities) and cut to Block Kit's limits (header 150, section 3000, 10 fields of
// 2000). Slack accepts one message per second per webhook (DestinationLimit). Answers "no_service",
// "invalid_token", "channel_not_found", "channel_is_archived", "team_disabled" and "no_team" mean
// the webhook is gone for good (kGone).
//
// Thread safety: Send and NormalizeAddress may be called concurrently.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "net/http_client.h"
#include "notify/webhook/chat_channel.h"

namespace herald::notify {

using SlackOptions = ChatOptions;

// The JSON body sent for `message`.
std::string BuildSlackPayload(const Message& message, const ChatLabels& labels = {});

class SlackChannel final : public ChatChannel {
 public:
  SlackChannel(net::HttpClient& http, const Clock& clock, SlackOptions options);

 protected:
  std::string Payload(const Message& message) const override { return BuildSlackPayload(message, options().labels); }
};

}  // namespace herald::notify
