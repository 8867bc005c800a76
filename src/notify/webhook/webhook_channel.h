// WebhookChannel: POSTs the Statuspage-shaped webhook document to a subscriber's https URL,
// signed per Standard Webhooks (standard_webhooks.h), so that receivers written for Atlassian
// Statuspage keep working and can verify that Herald sent it.
//
// The body is Statuspage's (https://support.atlassian.com/statuspage/docs/enable-webhook-notifications/):
//
//   {"meta": {"unsubscribe": "<url>", "documentation": "<url>", "generated_at": "<ISO 8601>"},
//    "page": {"id": "...", "status_indicator": "major", "status_description": "..."},
//    "incident": {"id": "...", "name": "...", "status": "identified", "impact": "major",
//                 "shortlink": "...", "incident_updates": [...], "components": [...], ...}}
//
// or, for a component status change, "component_update": {"old_status", "new_status",
// "created_at", "component_type", "id", "component_id"} and "component": {...} in place of
// "incident". Message::webhook_json carries everything but "meta"; this channel puts "meta" first,
// as Statuspage does, then the document's members in their order.
//
// Headers: webhook-id (Message::id, the same on every retry), webhook-timestamp (this attempt, in
// seconds from the Clock), webhook-signature (v1 HMAC-SHA256 with Subscriber::secret; omitted
// only for a subscriber without a secret, e.g. one imported from Statuspage).
//
// Thread safety: Send and NormalizeAddress may be called concurrently.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "net/http_client.h"
#include "notify/channel.h"
#include "notify/webhook/http_push.h"

namespace herald::notify {

inline constexpr std::string_view kStatuspageWebhookDocs =
    "https://support.atlassian.com/statuspage/docs/enable-webhook-notifications/";

struct WebhookOptions {
  bool allow_http = false;  // tests and internal deployments only
  UrlCheck check_url;       // the SSRF check (net::AddressPolicy::CheckUrl in production)
};

// The exact body sent: `message.webhook_json` (a JSON object) with "meta" added first.
// Error::Invalid if webhook_json is not a JSON object.
Result<std::string> BuildWebhookBody(const Message& message, TimeMs now);

class WebhookChannel final : public Channel {
 public:
  WebhookChannel(net::HttpClient& http, const Clock& clock, WebhookOptions options);

  model::ChannelKind Kind() const override { return model::ChannelKind::kWebhook; }
  Result<std::string> NormalizeAddress(std::string_view address, const std::string& field) const override;
  void Send(const Message& message, const model::Subscriber& to, std::function<void(SendOutcome)> done) override;

 private:
  net::HttpClient& http_;
  const Clock& clock_;
  WebhookOptions options_;
};

}  // namespace herald::notify
