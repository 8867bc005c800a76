// TeamsChannel: posts an Adaptive Card to a Microsoft Teams incoming webhook or a Teams Workflows
// ("Post to a channel when a webhook request is received") URL. Both accept the Bot Framework
// message shape with one Adaptive Card attachment
// (https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using):
//
//   {"type": "message",
//    "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": null,
//      "content": {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
//                  "type": "AdaptiveCard", "version": "1.4", "msteams": {"width": "Full"},
//                  "body": [Container(style by impact){TextBlock subject, TextBlock page · status},
//                           TextBlock text, FactSet facts, TextBlock manage/unsubscribe links],
//                  "actions": [{"type": "Action.OpenUrl", "title": "View details", "url": ...}]}}]}
//
// Adaptive Cards have no free colours: the header container's style carries the impact
// (accent for none/maintenance, warning for minor, attention for major and critical). TextBlock
// Markdown is neutralised with TeamsText (chat_format.h). Teams allows about 4 messages per second
// per webhook (DestinationLimit). Legacy connectors answer 200 with "Webhook message delivery
// failed ... HTTP error 429" in the body when throttled: that is a retry, not a delivery.
//
// Thread safety: Send and NormalizeAddress may be called concurrently.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "net/http_client.h"
#include "notify/webhook/chat_channel.h"

namespace herald::notify {

using TeamsOptions = ChatOptions;

// The JSON body sent for `message`.
std::string BuildTeamsPayload(const Message& message, const ChatLabels& labels = {});

class TeamsChannel final : public ChatChannel {
 public:
  TeamsChannel(net::HttpClient& http, const Clock& clock, TeamsOptions options);

 protected:
  std::string Payload(const Message& message) const override { return BuildTeamsPayload(message, options().labels); }
};

}  // namespace herald::notify
