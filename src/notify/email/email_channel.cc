#include "notify/email/email_channel.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "address/email_address.h"
#include "core/text.h"
#include "notify/email/body.h"

namespace herald::notify {
namespace {

const char* FailureName(net::FailureKind f) {
  switch (f) {
    case net::FailureKind::kNone: return "failed";
    case net::FailureKind::kTimeout: return "timeout";
    case net::FailureKind::kDns: return "DNS failure";
    case net::FailureKind::kConnect: return "connection failed";
    case net::FailureKind::kTls: return "TLS failure";
    case net::FailureKind::kRefusedAddress: return "address refused";
    case net::FailureKind::kInvalidRequest: return "invalid request";
    case net::FailureKind::kTooLarge: return "too large";
    case net::FailureKind::kShutdown: return "shut down";
    case net::FailureKind::kOther: return "failed";
  }
  return "failed";
}

// The first RFC 3463 enhanced status code "5.x.y" in an SMTP reply text, or empty.
std::string EnhancedCode(std::string_view text) {
  for (size_t i = 0; i + 4 < text.size(); ++i) {
    if (text[i] != '5' || text[i + 1] != '.' || (i > 0 && std::isalnum(static_cast<unsigned char>(text[i - 1]))))
      continue;
    size_t j = i + 2;
    size_t k = j;
    while (k < text.size() && k - j < 3 && std::isdigit(static_cast<unsigned char>(text[k]))) ++k;
    if (k == j || k >= text.size() || text[k] != '.') continue;
    size_t m = k + 1;
    while (m < text.size() && m - k - 1 < 3 && std::isdigit(static_cast<unsigned char>(text[m]))) ++m;
    if (m == k + 1) continue;
    return std::string(text.substr(i, m - i));
  }
  return {};
}

// "acme-status.example.com" for page "Acme Status": a List-Id unique per page and sender domain.
std::string ListId(std::string_view page_name, std::string_view domain) {
  std::string label = Slugify(page_name);
  if (label.size() > 63) label.resize(63);
  while (!label.empty() && label.back() == '-') label.pop_back();
  if (label.empty()) label = "status";
  return label + "." + std::string(domain);
}

}  // namespace

SendOutcome ClassifyMailResult(const net::MailResult& r) {
  SendOutcome out;
  out.status = r.smtp_code;
  const std::string code = r.smtp_code > 0 ? "SMTP " + std::to_string(r.smtp_code) : std::string();
  if (r.ok) {
    out.kind = SendOutcome::Kind::kDelivered;
    out.detail = code.empty() ? "accepted" : code;
    return out;
  }
  if (!code.empty()) {
    out.detail = code;
    if (!r.error.empty()) out.detail += ": " + r.error;
  } else {
    out.detail = FailureName(r.failure);
    if (!r.error.empty()) out.detail += ": " + r.error;
  }
  if (out.detail.size() > 300) out.detail.resize(300);  // a short note for staff, not a transcript
  const int c = r.smtp_code;
  const bool rejected = c >= 500 && c < 600;
  if (!rejected && !r.permanent) {
    out.kind = SendOutcome::Kind::kRetry;
    return out;
  }
  if ((c >= 500 && c <= 504) || c == 530 || c == 534 || c == 535 || c == 538 || c == 552) {
    out.kind = SendOutcome::Kind::kRetry;  // our relay or our credentials, not the recipient
    return out;
  }
  const std::string enhanced = EnhancedCode(r.error);
  if (enhanced.rfind("5.7.", 0) == 0) {
    out.kind = SendOutcome::Kind::kPermanent;  // a policy refusal of this message
    return out;
  }
  out.kind = SendOutcome::Kind::kGone;
  return out;
}

Status EmailChannel::ValidateOptions(const EmailOptions& o) {
  if (auto from = address::NormalizeEmailAddress(o.from_address, "email.from_address"); !from.ok()) return from.error();
  if (!o.message_id_domain.empty() && !address::IsValidMailDomain(o.message_id_domain))
    return Error::Invalid("email.message_id_domain", "email.message_id_domain must be a domain name like example.com");
  if (o.reply_to) {
    if (auto r = address::NormalizeEmailAddress(*o.reply_to, "email.reply_to"); !r.ok()) return r.error();
  }
  if (!o.unsubscribe_mailto.empty()) {
    if (auto r = address::NormalizeEmailAddress(o.unsubscribe_mailto, "email.unsubscribe_mailto"); !r.ok())
      return r.error();
  }
  return {};
}

EmailChannel::EmailChannel(net::MailSender& sender, EmailOptions options)
    : sender_(sender), options_(std::move(options)), options_status_(ValidateOptions(options_)) {
  if (!options_status_.ok()) return;
  options_.from_address = *address::NormalizeEmailAddress(options_.from_address, "email.from_address");
  if (options_.message_id_domain.empty())
    options_.message_id_domain = options_.from_address.substr(options_.from_address.find('@') + 1);
  options_.message_id_domain = Lower(options_.message_id_domain);
  if (options_.reply_to) options_.reply_to = *address::NormalizeEmailAddress(*options_.reply_to, "email.reply_to");
  if (!options_.unsubscribe_mailto.empty())
    options_.unsubscribe_mailto =
        *address::NormalizeEmailAddress(options_.unsubscribe_mailto, "email.unsubscribe_mailto");
}

Result<net::MailRequest> EmailChannel::BuildRequest(const Message& message, const model::Subscriber& to) const {
  if (!options_status_.ok()) return options_status_.error();
  auto recipient = address::NormalizeEmailAddress(to.address, "address");
  if (!recipient.ok()) return recipient.error();

  email::MailContent c;
  c.from_name = options_.from_name.empty() ? message.page_name : options_.from_name;
  c.from_address = options_.from_address;
  c.to_address = *recipient;
  c.reply_to = options_.reply_to.value_or("");
  c.subject = message.subject;
  c.date = options_.clock.get().Now();
  c.message_id = message.id;
  c.message_id_domain = options_.message_id_domain;
  c.list_name = message.page_name;
  c.list_id = ListId(message.page_name, options_.message_id_domain);
  if (IsWebUrl(message.unsubscribe_url)) c.unsubscribe_url = message.unsubscribe_url;
  if (!options_.unsubscribe_mailto.empty())
    c.unsubscribe_mailto = "mailto:" + options_.unsubscribe_mailto + "?subject=unsubscribe";
  c.text = email::RenderTextBody(message);
  c.html = email::RenderHtmlBody(message, to.language);
  auto mime = email::BuildMimeMessage(c);
  if (!mime.ok()) return mime.error();

  net::MailRequest request;
  request.envelope_from = options_.from_address;
  request.recipients = {std::move(*recipient)};
  request.message = std::move(*mime);
  return request;
}

void EmailChannel::Send(const Message& message, const model::Subscriber& to, std::function<void(SendOutcome)> done) {
  auto request = BuildRequest(message, to);
  if (!request.ok()) {
    SendOutcome out;
    // A misconfigured channel is the operator's to fix: retry later, lose nothing. A message
    // that cannot be built (bad stored address, empty id) will never be sent: permanent.
    out.kind = options_status_.ok() ? SendOutcome::Kind::kPermanent : SendOutcome::Kind::kRetry;
    out.detail = "email not sent: " + request.error().message;
    done(std::move(out));
    return;
  }
  sender_.Send(std::move(*request),
               [done = std::move(done)](const net::MailResult& r) { done(ClassifyMailResult(r)); });
}

}  // namespace herald::notify
