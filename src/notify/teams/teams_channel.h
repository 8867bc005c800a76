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
#include "notify/channel.h"
#include "notify/webhook/chat_format.h"
#include "notify/webhook/http_push.h"

namespace herald::notify {

struct TeamsOptions {
  // Accept any https URL, not only *.webhook.office.com, *.logic.azure.com and
  // *.environment.api.powerplatform.com (tests, proxies).
  bool allow_any_host = false;
  bool allow_http = false;  // with allow_any_host: plain http for tests
  UrlCheck check_url;       // the SSRF check (net::AddressPolicy::CheckUrl in production)
  ChatLabels labels;
};

// The JSON body sent for `message`.
std::string BuildTeamsPayload(const Message& message, const ChatLabels& labels = {});

class TeamsChannel final : public Channel {
 public:
  TeamsChannel(net::HttpClient& http, const Clock& clock, TeamsOptions options);

  model::ChannelKind Kind() const override { return model::ChannelKind::kTeams; }
  Result<std::string> NormalizeAddress(std::string_view address, const std::string& field) const override;
  RateLimit DestinationLimit() const override;
  void Send(const Message& message, const model::Subscriber& to, std::function<void(SendOutcome)> done) override;

 private:
  net::HttpClient& http_;
  const Clock& clock_;
  TeamsOptions options_;
};

}  // namespace herald::notify
