// WebPushChannel: notifications to browsers through their push service (RFC 8030), the payload
// encrypted for the subscription (RFC 8291, ece.h) and the request signed with Herald's VAPID key
// (RFC 8292, vapid.h). A subscriber's address is the push endpoint URL the browser's
// PushManager returned; Subscriber::push_p256dh and push_auth are the subscription's keys.
//
// The payload is a small JSON document that web/assets/sw.js shows as a notification:
//   {"title": subject, "body": short_text, "url": url, "tag": ...}
// where tag (and the push Topic) groups the notifications of one incident so that a newer update
// replaces an older one on the device and in the push service's queue.
//
// Outcomes: 2xx delivered (push services answer 201); 404 and 410 gone (the subscription expired
// or was revoked: quarantine it); 429 and 5xx retry, honouring Retry-After; 413 and other 4xx
// permanent.
//
// Thread safety: Send and NormalizeAddress may be called concurrently from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "net/http_client.h"
#include "notify/channel.h"
#include "notify/webpush/vapid.h"

namespace herald::notify {

struct WebPushOptions {
  // The VAPID key pair (base64url; see webpush::VapidKeys), generated on first start and stored.
  std::string vapid_private_key;
  std::string vapid_public_key;
  // Contact for push service operators: "mailto:ops@example.com" or an https URL.
  std::string subject;
  // How long a push service keeps an undelivered message for an offline browser.
  int ttl_seconds = 24 * 3600;
  // Set the Topic header (per incident) so that a newer update replaces a queued older one.
  bool use_topic = true;
  // Accept http:// endpoints: only for tests with a local receiver.
  bool allow_http = false;
  // The SSRF check applied to every endpoint at subscription time: returns the (possibly
  // normalised) URL or an Error::Invalid naming `field`. Unset: no check beyond the syntax.
  std::function<Result<std::string>(std::string_view url, const std::string& field)> check_url;
  std::chrono::milliseconds timeout{15000};
};

// Subscription keys as the Push API gives them (PushSubscription.toJSON().keys), re-encoded as
// canonical base64url.
struct PushKeys {
  std::string p256dh;
  std::string auth;
};
// Checks that `p256dh` decodes to a 65-byte uncompressed point on P-256 and `auth` to 16 bytes
// (base64url or base64, padding optional). Error::Invalid names the field at fault.
Result<PushKeys> ValidatePushKeys(std::string_view p256dh, std::string_view auth,
                                  const std::string& p256dh_field = "keys[p256dh]",
                                  const std::string& auth_field = "keys[auth]");

class WebPushChannel : public Channel {
 public:
  // Invalid options (keys, subject, TTL) do not throw: status() reports them, and every Send
  // then answers kRetry with the reason, so nothing is lost while an operator fixes the
  // configuration. Check options at startup with Validate().
  WebPushChannel(net::HttpClient& http, const Clock& clock, WebPushOptions options);
  ~WebPushChannel() override;

  static Status Validate(const WebPushOptions& options);
  const Status& status() const { return status_; }

  model::ChannelKind Kind() const override { return model::ChannelKind::kWebPush; }
  // The endpoint must be an absolute https URL with a host and without user info (http only
  // with allow_http), then passes through options.check_url.
  Result<std::string> NormalizeAddress(std::string_view address, const std::string& field) const override;
  void Send(const Message& message, const model::Subscriber& to, std::function<void(SendOutcome)> done) override;

  // The JSON document encrypted into a push message, shortened to fit kMaxPlaintextSize.
  static std::string Payload(const Message& message);
  // The notification tag: groups one incident's messages (its URL), else the message id.
  static std::string Tag(const Message& message);

 private:
  net::HttpClient& http_;
  const Clock& clock_;
  const WebPushOptions options_;
  Status status_;
  std::unique_ptr<webpush::VapidSigner> signer_;
};

}  // namespace herald::notify
