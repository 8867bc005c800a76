// Subscribers and their deliveries: who wants to hear about a page, on which channel, in which
// words; and the durable record of every message sent to them. Plain data, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace herald::model {

// The channel a subscriber chose. Wire names: "email", "sms", "webhook", "slack", "teams",
// "discord", "mattermost", "webpush".
enum class ChannelKind { kEmail, kSms, kWebhook, kSlack, kTeams, kDiscord, kMattermost, kWebPush };
// pending: waiting for confirmation (double opt-in, SMS code, webhook test delivery);
// active: receives messages; quarantined: hard bounce, 410 Gone or failing for days;
// unsubscribed: asked to stop (kept so that an import does not resubscribe them silently).
enum class SubscriberState { kPending, kActive, kQuarantined, kUnsubscribed };
// How much a subscriber wants to read: a one-liner, plain-language standard, or technical detail.
enum class DetailLevel { kBrief, kStandard, kTechnical };
enum class DeliveryState { kPending, kDelivered, kRetrying, kFailed };

// Event types a subscriber may want (bit flags), one per NoticeType family.
inline constexpr unsigned kWantIncidents = 1;    // outages
inline constexpr unsigned kWantMaintenance = 2;  // scheduled maintenance
inline constexpr unsigned kWantSecurity = 4;
inline constexpr unsigned kWantPolicy = 8;
inline constexpr unsigned kWantProduct = 16;
inline constexpr unsigned kWantAll = 31;

std::string_view ToString(ChannelKind c);
std::string_view ToString(SubscriberState s);
std::string_view ToString(DetailLevel d);
std::string_view ToString(DeliveryState d);
std::optional<ChannelKind> ParseChannelKind(std::string_view s);
std::optional<SubscriberState> ParseSubscriberState(std::string_view s);
std::optional<DetailLevel> ParseDetailLevel(std::string_view s);
std::optional<DeliveryState> ParseDeliveryState(std::string_view s);

struct Subscriber {
  std::string id;
  std::string page_id;
  ChannelKind channel = ChannelKind::kEmail;
  // Normalised destination: lower-cased email address, E.164 phone number, https URL, or the
  // web push endpoint URL. Unique per (page, channel).
  std::string address;
  SubscriberState state = SubscriberState::kPending;
  std::vector<std::string> component_ids;  // empty: the whole page
  std::string language = "en";             // BCP 47 primary tag of the message templates
  std::string time_zone;                   // IANA zone for times in messages; empty: the page's
  DetailLevel detail = DetailLevel::kStandard;
  unsigned event_types = kWantAll;
  // Quiet hours in the subscriber's zone, minutes after midnight; non-critical messages that
  // fall inside wait until the end. Unset: no quiet hours.
  std::optional<int> quiet_start_minute, quiet_end_minute;
  std::string segment;  // free label ("enterprise", "free"): picks update variants
  int priority = 0;     // higher is delivered first
  // Channel secrets: the Standard Webhooks signing secret ("whsec_..."), or the web push
  // subscription keys (p256dh, auth; base64url). Needed in clear to sign and encrypt.
  std::string secret;
  std::string push_p256dh, push_auth;
  std::string confirm_code_hash;  // SHA-256 hex of the SMS confirmation code
  // Who hears about it when a webhook or chat destination is disabled after failing for days
  // (Statuspage asks webhook subscribers for this address too). Optional.
  std::string owner_email;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
  TimeMs confirmed_at = 0;
  TimeMs failing_since = 0;  // first failure of the current unbroken run of failures; 0: healthy
  std::string last_error;
};

// One message to one subscriber about one outbox event. Its id is the idempotency key that a
// duplicate carries (webhook-id, the email Message-ID): derived from event and subscriber.
struct Delivery {
  std::string id;
  std::int64_t event_id = 0;
  std::string page_id;
  std::string subscriber_id;
  std::string incident_id;  // empty for events not about an incident
  ChannelKind channel = ChannelKind::kEmail;
  DeliveryState state = DeliveryState::kPending;
  int priority = 0;
  int attempts = 0;
  TimeMs next_attempt_at = 0;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
  int last_status = 0;  // HTTP status or SMTP code of the last attempt
  std::string last_error;
};

// The durable progress of one event's fan-out: subscribers are streamed in (priority desc, id)
// order and the cursor records the last one handled, so a restart resumes where it stopped.
struct DispatchJob {
  std::int64_t event_id = 0;
  std::string page_id;
  bool done = false;
  bool has_cursor = false;  // false: nothing handled yet
  int cursor_priority = 0;
  std::string cursor_id;
  std::int64_t matched = 0;  // deliveries created so far
  std::string lease_owner;   // the instance working on it
  TimeMs lease_until = 0;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

// A staff override of one notification template ("en/incident.email.standard.subject").
struct TemplateOverride {
  std::string page_id;
  std::string key;
  std::string body;
  TimeMs updated_at = 0;
};

}  // namespace herald::model
