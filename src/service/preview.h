// The incident composer's preview: what publishing a draft incident (or an update to an existing
// one) would show and send, computed by the same code that publishes and sends, with nothing
// written. IncidentService::PlanCreate/PlanUpdate validate and compute the write exactly as
// Create/Update would; notify::IncidentEventContext and notify::Compose render each channel's
// message as the dispatcher would, for every language the page's active subscribers use; each
// channel's own builder turns it into its wire form (MIME parts, SMS text, chat and webhook JSON);
// page::RenderIncidentCard renders the public page's card.
//
// What differs from a real send is per delivery only: message ids (idempotency keys) are
// "preview", signed links carry the inert token "preview" (notify/links.h), and the webhook's
// meta and timestamps are those of the preview's time.
//
// Thread safety: pure apart from the store reads (blocking: call on a worker thread).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "model/model.h"
#include "notify/message.h"
#include "notify/sms/sms_text.h"
#include "service/services.h"
#include "store/store.h"

namespace herald::service {

struct ChannelPreview {
  model::ChannelKind channel = model::ChannelKind::kEmail;
  notify::Message message;  // what the composer rendered for this channel
  // Email: the subject and the two MIME bodies (text, HTML) as sent.
  std::string email_text, email_html;
  // SMS: the text sent and how it travels.
  std::string sms_text;
  notify::SmsLength sms_length;
  // Slack, Teams, Discord, Mattermost, webhook: the JSON body sent.
  std::string payload_json;
};

struct LanguagePreview {
  std::string language;
  std::vector<ChannelPreview> channels;  // email, sms, webhook, slack, teams, discord, mattermost
};

struct IncidentPreview {
  model::Incident incident;                   // as it would be written, updates newest first
  std::string message_kind;                   // "incident.created", "incident.updated", "maintenance.scheduled", ...
  bool notifies = false;                      // whether publishing it would notify subscribers at all
  std::string card_html;                      // the public page's incident card
  std::vector<std::string> languages_in_use;  // of the page's active subscribers (may be empty)
  std::vector<LanguagePreview> languages;     // those in use, else the default language
};

struct PreviewDeps {
  store::Store& store;
  const Clock& clock;
  std::string public_url;  // the server's public origin, as the dispatcher's links use it
};

// The preview of creating an incident from `in` (no incident_id) or of updating incident
// `incident_id` with it. Errors are those Create/Update would return (a bad field names it);
// kInvalid naming "body" when the input adds no update to announce.
Result<IncidentPreview> PreviewIncident(const PreviewDeps& deps, const std::string& page_id,
                                        const std::optional<std::string>& incident_id, const IncidentInput& in);

}  // namespace herald::service
