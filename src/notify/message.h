// Message: what one subscriber is told about one event, already rendered in their language, time
// zone and detail level. Channels turn it into their wire format (MIME email, Statuspage webhook
// JSON, Slack blocks, ...); they add nothing of their own but formatting.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"

namespace herald::notify {

struct Message {
  // Idempotency key: the same for every attempt of this delivery (webhook-id, Message-ID).
  std::string id;
  // "incident.created", "incident.updated", "maintenance.scheduled", "component.updated",
  // "subscription.confirm", "subscription.test", ...
  std::string kind;
  std::string page_name;
  std::string page_url;         // the public status page
  std::string subject;          // one line, no markup
  std::string text;             // plain text body (email text part, chat fallback)
  std::string html;             // HTML body fragment for email (already escaped/safe)
  std::string short_text;       // SMS and push: at most ~140 characters, link excluded
  std::string url;              // permanent link to the incident (or the page)
  std::string manage_url;       // signed link to preferences
  std::string unsubscribe_url;  // signed one-click unsubscribe (RFC 8058 POST target)
  // "none", "minor", "major", "critical", "maintenance": chat colours and push urgency.
  std::string impact;
  std::string status_label;  // "Investigating", "Resolved", ...
  // Short labelled facts for cards and embeds: {"Affected", "API, Dashboard"}, {"Next update",
  // "14:30 CET"}, {"Status", "Identified"}.
  std::vector<std::pair<std::string, std::string>> facts;
  // The Statuspage-shaped webhook document for this event (page, incident or component), without
  // "meta"; the webhook channel adds meta.unsubscribe and meta.documentation.
  std::string webhook_json;
  // True when webhook_json is the composer's own object, known to have no top-level "meta": the
  // webhook channel then splices meta in without scanning or parsing the document (a fan-out
  // sends the same document a million times).
  bool webhook_json_without_meta = false;
  TimeMs created_at = 0;  // when the event happened (webhook-timestamp uses the send time)
};

}  // namespace herald::notify
