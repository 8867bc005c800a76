// PublicSubscribe: the sign-up and subscription-management endpoints anyone may use, without an
// account. HTML forms that work without JavaScript, rendered in the status page's layout, and
// JSON endpoints for scripts and the web push button:
//
//   GET/POST /subscribe, /pages/{slug}/subscribe        form (x-www-form-urlencoded) -> HTML
//   POST /api/v2/subscribers.json (also under /pages/{slug}/)   JSON -> 202 (201 with a webhook
//                                                       secret, shown once)
//   POST /api/v2/push-subscriptions (also under /pages/{slug}/) web push from push.js
//   GET  /subscriptions/confirm?token=                  double opt-in link
//   GET/POST /subscriptions/manage?token=               preferences form; the token (posted back in
//                                                       a hidden field) is the only credential
//   GET  /subscriptions/unsubscribe?token=              asks first: mail scanners follow links
//   POST /subscriptions/unsubscribe?token=              RFC 8058 one-click; no cookies needed
//   POST /subscriptions/sms/confirm                     the SMS code
//
// Sign-ups answer the same for new and known addresses. Every POST is rate limited per client IP,
// and sign-ups and SMS codes per address as well: 429 naming the limit. Responses are never
// cached and never send a Referer (links carry tokens).
//
// Thread safety: Handle may be called concurrently; it blocks on the store (and on webhook test
// deliveries): call it on the worker pool, like AdminApi::Handle.
#pragma once

#include <memory>
#include <string>

#include "core/clock.h"
#include "http/message.h"
#include "http/rate_limiter.h"
#include "notify/links.h"
#include "service/subscriptions.h"
#include "store/store.h"

namespace herald::api {

struct PublicSubscribeOptions {
  // Per client IP, over every POST here: a steady rate and a burst.
  double ip_per_second = 0.2;
  double ip_burst = 20;
  // Per destination address (sign-ups, SMS codes): about three messages per hour.
  double address_per_second = 1.0 / 1200;
  double address_burst = 3;
  // The server's VAPID public key (base64url); empty hides the web push button.
  std::string vapid_public_key;
};

struct PublicSubscribeDeps {
  store::Store& store;
  const Clock& clock;
  service::SubscriptionService& subscriptions;
  const notify::LinkSigner& links;
  PublicSubscribeOptions options;
};

class PublicSubscribe {
 public:
  explicit PublicSubscribe(PublicSubscribeDeps deps);
  ~PublicSubscribe();

  // True for the paths above (any method: Handle answers 405 for the wrong one). The app sends
  // these to the worker pool instead of the snapshot.
  static bool Owns(const std::string& path);
  http::Response Handle(const http::Request& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace herald::api
