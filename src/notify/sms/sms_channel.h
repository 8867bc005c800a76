// SmsChannel: text messages through an SMS provider's HTTP API. Two providers:
//   "twilio": Twilio's Messages API (and compatible ones): POST
//             {base_url}/2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded To, From
//             (or MessagingServiceSid) and Body, HTTP Basic auth AccountSid:AuthToken;
//   "http":   any provider with an HTTP API: method, URL, headers and a body template with
//             {{to}}, {{from}} and {{body}}, escaped for the body's content type.
// The text is the message's short text and its link, kept to one segment when it fits and cut to
// at most `max_segments` otherwise (see sms_text.h). Opt-out keywords (STOP) are the provider's
// business: Twilio answers them itself and then refuses with 21610, which quarantines the
// subscriber here.
//
// Rate limits: each phone number gets at most one message per second (DestinationLimit); the
// provider-wide rate (MessagesPerSecond) is the dispatcher's to enforce across all numbers.
//
// Thread safety: Send and NormalizeAddress may be called concurrently (the channel holds only
// its immutable options); the HttpClient and the Clock must outlive every Send's completion,
// the channel itself need not.
#pragma once

#include <chrono>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "net/http_client.h"
#include "notify/channel.h"

namespace herald::notify {

struct TwilioOptions {
  std::string base_url = "https://api.twilio.com";  // tests point it at a local stand-in
  std::string account_sid;                          // "AC..."
  std::string auth_token;
  std::string from;                   // E.164 sender number or alphanumeric sender ID
  std::string messaging_service_sid;  // "MG...": sent instead of From when set
};

struct HttpSmsOptions {
  std::string method = "POST";
  // May contain {{to}}, {{from}} and {{body}} (percent-encoded), for providers that take GET
  // query parameters.
  std::string url;
  net::Headers headers;  // e.g. {"Authorization", "Bearer ..."} or {"X-API-Key", "..."}
  // "application/json" (values JSON-escaped, without quotes: write "{{body}}" in the template)
  // or "application/x-www-form-urlencoded" (values percent-encoded). Sent as Content-Type
  // unless `headers` has one.
  std::string content_type = "application/json";
  std::string body_template = R"({"to":"{{to}}","from":"{{from}}","text":"{{body}}"})";
  std::string from;  // replaces {{from}}
};

struct SmsOptions {
  std::string provider = "twilio";  // "twilio" or "http"
  // ISO 3166-1 alpha-2 region for numbers typed without a country code ("US"); empty: every
  // number must start with + or 00.
  std::string default_region;
  int messages_per_second = 1;  // provider-wide send rate (Twilio long codes: 1 per second)
  int max_segments = 3;         // at most this many concatenated segments per message
  std::chrono::milliseconds timeout{15000};
  TwilioOptions twilio;
  HttpSmsOptions http;
};

// Checks the options an operator wrote; Error::Invalid names the offending setting
// ("sms.twilio.account_sid"). SmsChannel assumes valid options: with invalid ones every Send
// fails permanently with the same explanation.
Status ValidateSmsOptions(const SmsOptions& options);

// A six-digit confirmation code ("004217"), uniform over 000000-999999, from OpenSSL's CSPRNG
// with rejection sampling (no modulo bias). Store only its hash (Subscriber::confirm_code_hash).
std::string NewConfirmationCode();

// The text an SmsChannel with `max_segments` sends for `message` (its short text, else its
// subject, and the link: ComposeSms). The composer's preview shows it without a channel.
std::string SmsMessageText(const Message& message, int max_segments);

class SmsChannel final : public Channel {
 public:
  // Each phone number receives at most one message per second.
  static constexpr RateLimit kPerNumberLimit{1, std::chrono::milliseconds(1000)};

  SmsChannel(net::HttpClient& http, const Clock& clock, SmsOptions options);

  model::ChannelKind Kind() const override { return model::ChannelKind::kSms; }
  // NormalizePhoneNumber with the configured default region: E.164 or Error::Invalid.
  Result<std::string> NormalizeAddress(std::string_view address, const std::string& field) const override;
  RateLimit DestinationLimit() const override { return kPerNumberLimit; }
  // Outcomes: 2xx delivered; Twilio 21211 (invalid To), 21614 (not SMS-capable) and 21610 (the
  // recipient replied STOP) gone; 429 or Twilio 20429 retry (with Retry-After when given); 5xx,
  // 3xx and transport failures retry; 401/403/404 retry too, because they mean the operator's
  // credentials or account are wrong, which is fixed once for every message, not per message;
  // other 4xx permanent. `detail` carries the provider's code and message.
  void Send(const Message& message, const model::Subscriber& to, std::function<void(SendOutcome)> done) override;

  // The provider-wide send rate for the dispatcher (at least 1).
  int MessagesPerSecond() const;
  const SmsOptions& options() const { return options_; }

  // The request Send would make (exposed for tests and the preview endpoint).
  net::HttpRequest BuildRequest(const Message& message, const std::string& to) const;
  // The text Send would send.
  std::string ComposeText(const Message& message) const;

 private:
  net::HttpClient& http_;
  const Clock& clock_;
  SmsOptions options_;
  Status valid_;
};

}  // namespace herald::notify
