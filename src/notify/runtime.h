// NotifyRuntime: everything a server needs to notify subscribers, built from the configuration:
// the outbound engines (PushEngine for the channels' HTTP requests, CurlEngine for SMTP and what
// PushEngine hands over; both with the SSRF AddressPolicy), the channels that are
// configured, the LinkSigner (its secret created on first start and kept in the settings table),
// the VAPID key pair for web push (likewise), and the Dispatcher.
//
// Thread safety: construct and Start/Stop from one thread; the parts are thread-safe.
#pragma once

#include <memory>
#include <string>

#include "config/config.h"
#include "core/clock.h"
#include "net/curl_engine.h"
#include "net/push_engine.h"
#include "notify/dispatcher.h"
#include "notify/links.h"
#include "notify/registry.h"
#include "notify/webhook/http_push.h"
#include "store/store.h"

namespace herald::notify {

struct NotifyRuntime {
  std::unique_ptr<net::CurlEngine> engine;  // SMTP, PushEngine's fallback
  std::unique_ptr<net::PushEngine> push;    // the channels' HTTP requests (declared after: stops first)
  Channels channels;
  std::unique_ptr<LinkSigner> links;
  std::unique_ptr<Dispatcher> dispatcher;
  std::string vapid_public_key;  // for the page's push button
  net::AddressPolicy policy;

  ~NotifyRuntime();
  void Start();
  void Stop();  // dispatcher first, then the engines (in-flight messages keep their lease)
};

// Builds the runtime. Reads or creates the secrets in `store` (which must be reachable at start).
Result<std::unique_ptr<NotifyRuntime>> MakeNotifyRuntime(store::Store& store, const Clock& clock,
                                                         const config::NotifyConfig& config,
                                                         const std::string& public_url, const std::string& owner);

// The webhook and chat channels (the kinds whose consent is a test message), sending through
// `http` and checking addresses with `check`. Also what the command line validates imports with.
void AddUrlChannels(Channels& channels, net::HttpClient& http, const Clock& clock, const config::NotifyConfig& config,
                    const UrlCheck& check);

// Adds every channel the configuration enables (the registry's factories, registry.h).
Status AddConfiguredChannels(NotifyRuntime& runtime, const Clock& clock, const config::NotifyConfig& config,
                             const std::string& vapid_private_key);

}  // namespace herald::notify
