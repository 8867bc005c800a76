// ChatChannel: what the chat channels (slack/, teams/, discord/, ... under notify/) have in common,
// so that each keeps only its payload and quirks. A chat destination is an incoming-webhook URL: checked
// against the platform's host rule (unless any host is allowed) and the SSRF policy, POSTed one
// JSON document per message (http_push.h), limited per destination as the platform asks.
//
// A subclass passes its ChatTraits (rate limit, host rule, reading of answers) to the constructor
// and implements Payload.
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

struct ChatOptions {
  // Accept any URL, not only the platform's webhook host (tests, proxies).
  bool allow_any_host = false;
  // Plain http where no platform host is required (any host allowed, self-hosted platforms):
  // tests and internal networks.
  bool allow_http = false;
  UrlCheck check_url;  // the SSRF check (net::AddressPolicy::CheckUrl in production)
  ChatLabels labels;
};

// What differs between chat platforms besides the payload.
struct ChatTraits {
  RateLimit limit;       // messages per destination and window; none by default
  PushUrlRule platform;  // host_allowed and expected; an empty rule accepts any host
  RefineOutcome refine;  // the platform's reading of an answer (Slack's "no_service": gone)
};

class ChatChannel : public Channel {
 public:
  model::ChannelKind Kind() const final { return kind_; }
  Result<std::string> NormalizeAddress(std::string_view address, const std::string& field) const final;
  RateLimit DestinationLimit() const final { return traits_.limit; }
  void Send(const Message& message, const model::Subscriber& to, std::function<void(SendOutcome)> done) final;

 protected:
  ChatChannel(model::ChannelKind kind, net::HttpClient& http, const Clock& clock, ChatOptions options,
              ChatTraits traits);
  // The JSON body sent for `message`.
  virtual std::string Payload(const Message& message) const = 0;
  const ChatOptions& options() const { return options_; }

 private:
  model::ChannelKind kind_;
  net::HttpClient& http_;
  const Clock& clock_;
  ChatOptions options_;
  ChatTraits traits_;
};

}  // namespace herald::notify
