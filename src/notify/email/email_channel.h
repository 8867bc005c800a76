// EmailChannel: sends notifications as multipart (text + HTML) email through an SMTP relay
// (net::MailSender, in production CurlEngine). It renders the MIME message itself (mime.h,
// body.h); connections, STARTTLS, AUTH and dot-stuffing are the sender's.
//
// Idempotency: the Message-ID is "<{message.id}@{message_id_domain}>" and the multipart boundary
// is derived from message.id, so every retry of one delivery carries the same Message-ID (only
// Date changes: it is the time of the attempt).
//
// Outcome of a submission (ClassifyMailResult):
//   accepted (250)                                   -> kDelivered
//   4xx, timeouts, connection/TLS failures, shutdown -> kRetry
//   5xx about our side: 500-504 (protocol), 530/534/535/538 (authentication), 552 (storage;
//     RFC 5321 4.5.3.1.10 says to treat it as temporary)                 -> kRetry
//   5xx with an enhanced status 5.7.x (policy: spam, relay refused)      -> kPermanent
//   any other 5xx (550 no such user, 551, 553, 554, ...) = hard bounce   -> kGone (quarantine)
// A retry lets the operator fix the relay without losing anything; only a refusal that is about
// the recipient's address quarantines the subscriber.
//
// Thread safety: after construction the channel is immutable; Send and NormalizeAddress may be
// called concurrently (the MailSender contract allows concurrent Send).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "address/email_address.h"
#include "core/clock.h"
#include "core/result.h"
#include "net/http_client.h"
#include "notify/channel.h"
#include "notify/email/mime.h"

namespace herald::notify {

struct EmailOptions {
  std::string from_address;  // envelope MAIL FROM and the From header; required
  std::string from_name;     // From display name; empty: the page's name
  // Right-hand side of Message-ID and List-Id; empty: the domain of from_address.
  std::string message_id_domain;
  std::optional<std::string> reply_to;
  // When set (an address), List-Unsubscribe also offers <mailto:ADDRESS?subject=unsubscribe>;
  // whoever reads that mailbox identifies the subscriber by the sender of the request.
  std::string unsubscribe_mailto;
  // The time written in Date. A reference (kept, not copied): it must outlive the channel.
  std::reference_wrapper<const Clock> clock = SystemClock::Instance();
};

// Maps an SMTP submission result to what the dispatcher does next (table above).
SendOutcome ClassifyMailResult(const net::MailResult& r);

class EmailChannel final : public Channel {
 public:
  // `sender` must outlive the channel. Invalid options (see ValidateOptions) do not throw: every
  // Send then reports kRetry naming the problem, so nothing is lost while the operator fixes it.
  EmailChannel(net::MailSender& sender, EmailOptions options);

  // Checks options as configuration loading should (errors name "email.from_address", ...).
  static Status ValidateOptions(const EmailOptions& options);

  model::ChannelKind Kind() const override { return model::ChannelKind::kEmail; }
  Result<std::string> NormalizeAddress(std::string_view address, const std::string& field) const override {
    return address::NormalizeEmailAddress(address, field);
  }
  void Send(const Message& message, const model::Subscriber& to, std::function<void(SendOutcome)> done) override;

  // The MailSender request Send would submit now (pure apart from reading the clock).
  Result<net::MailRequest> BuildRequest(const Message& message, const model::Subscriber& to) const;

 private:
  net::MailSender& sender_;
  EmailOptions options_;  // normalised
  Status options_status_;
};

}  // namespace herald::notify
