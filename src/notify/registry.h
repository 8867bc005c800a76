// The channel registry: one ChannelDescriptor per model::ChannelKind, in one list (registry.cc,
// one entry per channel), holding every fact about a kind that the rest of the server needs:
// its names, where its address goes in the API and the form, how a subscriber consents, whether
// staff alerts may use it, its settings, and the factory that builds the Channel. The services,
// the public sign-up, the API's error messages, the command line's help and the runtime derive
// from the list instead of switching on kinds; registry_test.cc checks every kind is complete.
//
// Channels: the channels this server can send on, one per ChannelKind, built from the
// configuration by the descriptors' factories. A kind missing from the set is not configured
// here (e.g. SMS without a provider): subscribing with it is refused.
//
// Thread safety: the list is immutable; Channels is immutable after construction and the
// channels themselves are thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "net/http_client.h"
#include "notify/channel.h"
#include "notify/webhook/http_push.h"

namespace herald::page {
struct SignupChannel;  // page/render.h
}  // namespace herald::page

namespace herald::notify {

class Channels {
 public:
  void Add(std::unique_ptr<Channel> channel) {
    const auto kind = channel->Kind();
    by_kind_[kind] = std::move(channel);
  }
  Channel* Find(model::ChannelKind kind) const {
    auto it = by_kind_.find(kind);
    return it == by_kind_.end() ? nullptr : it->second.get();
  }
  const std::map<model::ChannelKind, std::unique_ptr<Channel>>& all() const { return by_kind_; }

 private:
  std::map<model::ChannelKind, std::unique_ptr<Channel>> by_kind_;
};

// How a new subscriber shows that the address is theirs before anything is sent to it.
enum class Consent {
  kDoubleOptInEmail,  // a signed confirmation link by email
  kSmsCode,           // a six-digit code by SMS, typed back
  kTestMessage,       // a test message the destination accepted (webhook and chat URLs)
  kPushSubscription,  // the browser's permission prompt (web push): active at once
};

// What a factory builds a channel from.
struct ChannelContext {
  net::HttpClient& http;            // the channels' HTTP requests (PushEngine)
  net::MailSender* mail = nullptr;  // SMTP (CurlEngine); null where nothing sends mail
  const Clock& clock;
  const config::NotifyConfig& config;
  UrlCheck check_url;  // the SSRF check on URLs the public gives
  std::string vapid_private_key, vapid_public_key;
};

// Builds the channel, or returns null when the configuration leaves it off (email without
// smtp.url), or an Error::Invalid naming the setting.
using ChannelFactory = Result<std::unique_ptr<Channel>> (*)(const ChannelContext& context);

struct ChannelDescriptor {
  model::ChannelKind kind;
  std::string_view label;          // in sentences: "text message", "Microsoft Teams"
  std::string_view address_field;  // the API's field for the address: "email", "phone_number", "endpoint"
  std::string_view address_label;  // the form's words for it: "phone number (with country code)"
  std::string_view input_mode;     // the form input's inputmode when this kind is preselected
  Consent consent;
  bool in_signup_form;      // a choice of the page's sign-up form (web push has its own button)
  bool preselectable;       // the form may preselect it when the visitor chose nothing
  bool staff_alert_target;  // monitors' staff alerts may be sent on it
  // The syntax check and normal form of an address without a running channel (no provider, no
  // DNS, no SSRF check): staff alert targets, the command line without a server, test fakes.
  Result<std::string> (*normalize)(std::string_view address, const std::string& field);
  std::string_view config_section;  // the config file's section this channel owns ("smtp"); "" none
  std::string_view docs_section;    // its heading in docs/notifications.md
  ChannelFactory make;
};

// Every kind, in model::ChannelKind order.
const std::vector<ChannelDescriptor>& ChannelKinds();
// The descriptor of `kind` (every kind has one: registry_test.cc).
const ChannelDescriptor& Describe(model::ChannelKind kind);
// The wire names of the kinds that satisfy `keep`, joined for a message: "email, sms or webhook"
// (`last` between the last two, ", " between the others).
std::string KindNames(const std::function<bool(const ChannelDescriptor&)>& keep, std::string_view last = " or ");
// Kinds that take an address one can type (not web push subscriptions): imports, the CLI.
bool TypedAddress(const ChannelDescriptor& d);

// The page's sign-up form choices: the kinds with in_signup_form, all offered (the page marks
// what the running server configured).
std::vector<page::SignupChannel> SignupChannels();

// Adds to `channels` every channel that `keep` selects and the configuration enables.
Status AddChannels(Channels& channels, const ChannelContext& context,
                   const std::function<bool(const ChannelDescriptor&)>& keep);

}  // namespace herald::notify
