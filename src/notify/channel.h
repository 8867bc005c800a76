// Channel: one way of reaching a subscriber (email, SMS, webhook, Slack, ...). Each lives in its
// own folder under notify/ and is registered with one line in registry.cc.
//
// A channel validates and normalises addresses at subscription time, and sends one rendered
// Message to one subscriber. Sending never blocks: it hands a request to the outbound engine and
// reports the outcome through `done` exactly once (from any thread). Retries, backoff, rate limits
// and the durable record belong to the dispatcher; a channel only classifies what happened.
//
// Send reads `message` only while it runs (the dispatcher sends one cached rendering to many
// subscribers, changing its id and links in between): copy what the request needs.
//
// Thread safety: Send and NormalizeAddress may be called concurrently.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "model/subscriber.h"
#include "notify/message.h"

namespace herald::notify {

struct SendOutcome {
  enum class Kind {
    kDelivered,  // accepted by the destination (2xx, SMTP 250)
    kRetry,      // temporary: timeout, 5xx, 429, 3xx, connection error; try again later
    kPermanent,  // this message can never be delivered (4xx on a malformed request)
    kGone,       // the destination is gone for good (410, SMTP 5xx hard bounce): quarantine
  };
  Kind kind = Kind::kRetry;
  int status = 0;      // HTTP status or SMTP code, 0 when none arrived
  std::string detail;  // short human explanation for staff ("HTTP 503", "timeout after 15 s")
  std::optional<std::chrono::milliseconds> retry_after;  // from Retry-After or the provider
};

// The most messages one destination (one webhook URL, one phone number) may receive per window:
// Slack 1 per 1 s, Discord 5 per 2 s, Teams 4 per 1 s. count == 0 means no limit.
struct RateLimit {
  int count = 0;
  std::chrono::milliseconds window{1000};
};

class Channel {
 public:
  virtual ~Channel() = default;
  virtual model::ChannelKind Kind() const = 0;
  // Validates a destination given by a subscriber and returns its normalised form, or an
  // Error::Invalid naming `field`. May block (DNS for URL checks): call from a worker thread.
  virtual Result<std::string> NormalizeAddress(std::string_view address, const std::string& field) const = 0;
  virtual RateLimit DestinationLimit() const { return {}; }
  // Whether Send reads Message::manage_url. The dispatcher signs that link for every message of a
  // fan-out only for channels that show it (false for webhooks: their document carries only the
  // unsubscribe link); for the others the field may be empty or another subscriber's.
  virtual bool ShowsManageLink() const { return true; }
  virtual void Send(const Message& message, const model::Subscriber& to, std::function<void(SendOutcome)> done) = 0;
};

// Classifies an HTTP answer the way every HTTP-based channel does: 2xx delivered; 410 gone; 429
// and 5xx retry (honouring Retry-After, seconds or HTTP date); 3xx retry (redirects are never
// followed and count as failures); other 4xx permanent; transport failures retry.
struct HttpOutcomeInput {
  int status = 0;
  std::string retry_after_header;
  bool transport_failed = false;
  std::string transport_error;
  TimeMs now = 0;  // for Retry-After given as an HTTP date
};
SendOutcome ClassifyHttp(const HttpOutcomeInput& in);

}  // namespace herald::notify
