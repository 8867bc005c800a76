// SubscriptionService: everything that creates, confirms, changes or removes a subscriber, for the
// public sign-up forms, the signed links in messages, the management API and the CLI. All input
// validation lives here: a bad field is an Error::Invalid naming the field, and nothing is written.
//
// Flows (Subscribe):
//   email     pending; a "confirm" mail with a signed link valid 24 h (double opt-in). The answer
//             is the same for new and known addresses, so the form cannot be used to learn who is
//             subscribed: a known active address gets nothing written, a known pending one a
//             fresh confirmation mail.
//   sms       pending with the SHA-256 of a six-digit code sent by SMS; ConfirmSms activates.
//   webhook,  a signed "test" message is sent and awaited (up to options.test_timeout); the
//   chat      subscriber is written, active, only if it was delivered. Webhooks sign with the
//             secret the subscriber gave (SubscriberInput::secret), else a new one, which the
//             test message carries (body "subscription.secret") and the outcome returns (for
//             staff answers only). The test message also carries the manage link. For the public,
//             the answer is the same for new and known endpoints: a known active one gets the
//             same test message (signed with the given or a throwaway secret, carrying its own
//             manage link) and nothing is written.
//   webpush   active at once (the browser's subscription is the consent).
// Staff may pass skip_confirmation (Statuspage's skip_confirmation_notification): active at once,
// nothing sent.
//
// Thread safety: all methods may be called concurrently from worker threads. They block on the
// store and, for webhook and chat sign-ups, on the test delivery: never call them on an
// io_context thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "model/subscriber.h"
#include "notify/links.h"
#include "notify/registry.h"
#include "store/store.h"

namespace herald::service {

struct SubscriptionOptions {
  // Plain http webhook/chat/push endpoints (tests, internal deployments); https otherwise. The
  // channel's NormalizeAddress applies the SSRF policy on top.
  bool allow_http_endpoints = false;
  // ISO 3166-1 alpha-2 region for phone numbers typed without a country code when the request
  // names none (Statuspage's phone_country); empty: the SMS channel's own default.
  std::string default_region;
  std::chrono::milliseconds test_timeout{20000};  // webhook/chat test delivery
  TimeMs confirm_link_valid_ms = 24LL * 3600 * 1000;
  TimeMs sms_code_valid_ms = 3600LL * 1000;
  int max_sms_attempts = 5;                        // wrong codes before the code is void
  TimeMs pending_ttl_ms = 7LL * 24 * 3600 * 1000;  // unconfirmed subscribers are forgotten
  int import_chunk_rows = 1000;                    // rows per ImportSubscribers transaction
  std::int64_t max_import_rows = 1'000'000;
};

struct SubscriptionDeps {
  store::Store& store;
  const Clock& clock;
  const notify::Channels& channels;
  const notify::LinkSigner& links;
  SubscriptionOptions options;
};

// What a subscriber (or staff) asks for. Unset fields keep their value on update and take the
// default on create. Statuspage's API names the destination per channel (email, phone_number,
// endpoint); `address` is Herald's channel-neutral spelling. The first one given is used; when
// `channel` is unset it follows from which one was given (email, sms, webhook).
struct SubscriberInput {
  std::optional<std::string> channel;
  std::optional<std::string> address, email, phone_number, endpoint;
  std::optional<std::string> phone_country;  // ISO 3166-1 alpha-2 for national phone numbers
  std::optional<std::vector<std::string>> component_ids;
  std::optional<std::string> language, time_zone, detail;
  std::optional<std::vector<std::string>> event_types;  // incidents maintenance security policy product
  // Quiet hours "HH:MM" in the subscriber's zone; both or neither; two empty strings clear them.
  std::optional<std::string> quiet_start, quiet_end;
  std::optional<std::string> segment;  // staff only
  std::optional<int> priority;         // staff only
  std::optional<std::string> owner_email;
  std::optional<std::string> state;                   // staff update only: "active" or "unsubscribed"
  std::optional<std::string> push_p256dh, push_auth;  // web push subscription keys (base64url)
  // Webhook only: the subscriber's own Standard Webhooks secret ("whsec_" + base64 of 24-64
  // bytes), so that its receiver can verify the test message already. Generated when absent.
  std::optional<std::string> secret;
  bool skip_confirmation = false;  // staff only
};

struct SubscribeOutcome {
  enum class Next {
    kCheckInbox,  // email: a confirmation link was (or, for a known address, may have been) sent
    kEnterCode,   // sms: a code was (or may have been) sent
    kActive,      // subscribed now (webhook/chat after a delivered test, web push, staff)
  };
  Next next = Next::kActive;
  // The stored subscriber. Public answers must not show it (nor `secret`) for email, sms, webhook
  // and chat: it differs between new and known addresses. Callers build public answers from
  // `next` and the input only.
  model::Subscriber subscriber;
  bool created = false;
  std::string secret;  // the webhook signing secret, shown once; empty otherwise
};

struct ImportError {
  std::int64_t line = 0;  // 1-based line of the CSV text (the header is line 1)
  std::string field;
  std::string message;
};
struct ImportReport {
  std::int64_t imported = 0;   // rows written: added + updated
  std::int64_t added = 0;      // new subscribers
  std::int64_t updated = 0;    // known addresses whose preferences changed
  std::int64_t unchanged = 0;  // valid rows already there as given (or unsubscribed, which stays)
  std::int64_t rows = 0;       // data rows read
  std::int64_t failed = 0;     // rows refused (all of them, though `errors` keeps only the first 1000)
  std::vector<ImportError> errors;
};
// Called after each chunk and at the end: rows read so far, bytes read so far.
using ImportProgress = std::function<void(std::int64_t rows, std::int64_t bytes)>;

// The CSV columns of import and export, in order.
inline constexpr std::string_view kCsvHeader =
    "channel,address,component_ids,language,time_zone,detail,segment,priority";

class SubscriptionService {
 public:
  explicit SubscriptionService(SubscriptionDeps deps);

  Result<SubscribeOutcome> Subscribe(const std::string& page_id, const SubscriberInput& in, bool staff);
  // Activates the pending SMS subscriber with this number when `code` matches (constant-time).
  // Error kUnauthorized "code" when it does not, has expired, or too many attempts were made;
  // the same error when there is no such pending number.
  Result<model::Subscriber> ConfirmSms(const std::string& page_id, const std::string& phone, const std::string& code);

  // Signed links. Confirm takes a kConfirm token; Manage and UpdateByToken a kManage token;
  // Unsubscribe a kUnsubscribe or kManage token and is idempotent (the row is kept, state
  // unsubscribed). Tampered, expired or other-purpose tokens: kUnauthorized on "token".
  Result<model::Subscriber> Confirm(const std::string& token);
  Result<model::Subscriber> Manage(const std::string& token);
  Result<model::Subscriber> UpdateByToken(const std::string& token, const SubscriberInput& in);
  Result<model::Subscriber> Unsubscribe(const std::string& token);
  // Forgets subscribers pending for longer than options.pending_ttl_ms.
  Result<std::int64_t> PurgePending();

  // Staff.
  Result<std::vector<model::Subscriber>> List(const std::string& page_id, const store::SubscriberFilter& filter);
  Result<model::Subscriber> Get(const std::string& page_id, const std::string& id);
  Result<model::Subscriber> Update(const std::string& page_id, const std::string& id, const SubscriberInput& in);
  Status Delete(const std::string& page_id, const std::string& id);
  // Validates every row (errors by line), imports the valid ones as active (staff vouch for
  // them) in chunks. Fails as a whole only on an unreadable header or a store error.
  // With `write` false it only validates (the same checks, errors and progress; nothing is
  // written and `imported`, `added`, `updated` and `unchanged` stay 0): the console checks a
  // whole file this way before importing any of it.
  Result<ImportReport> ImportCsv(const std::string& page_id, std::istream& csv, const ImportProgress& progress = {},
                                 bool write = true);
  // Writes the header and every matching subscriber, page by page, to `sink`; never secrets.
  // `sink` returns false to stop early.
  Status ExportCsv(const std::string& page_id, store::SubscriberFilter filter,
                   const std::function<bool(std::string_view)>& sink);

  const SubscriptionOptions& options() const { return deps_.options; }

 private:
  Result<model::Subscriber> FindById(const std::string& id);
  Result<model::Subscriber> UpdateAs(const std::string& page_id, const std::string& id, const SubscriberInput& in,
                                     bool staff);
  Result<model::Subscriber> FromToken(notify::LinkPurpose purpose, const std::string& token);
  Status ApplyPreferences(model::Subscriber& s, const SubscriberInput& in, bool staff);
  Result<std::string> NormalizeDestination(model::ChannelKind kind, const SubscriberInput& in, std::string& field);
  Status SendConfirmation(const model::Page& page, const model::Subscriber& s, const std::string& code);
  // `s.secret` signs it; `carried_secret`, when not empty, is put in the body for the receiver.
  Status SendTest(const model::Page& page, const model::Subscriber& s, const std::string& field,
                  const std::string& carried_secret);
  std::string PageUrl(const model::Page& page) const;

  SubscriptionDeps deps_;
  std::mutex attempts_mu_;
  std::map<std::string, int> sms_attempts_;  // wrong codes per subscriber id (this instance)
};

// A new Standard Webhooks signing secret: "whsec_" + base64 of 32 random bytes.
std::string NewSubscriberWebhookSecret();
// Parses "HH:MM" (00:00-23:59) into minutes after midnight.
std::optional<int> ParseClockTime(std::string_view text);
std::string FormatClockTime(int minutes);
// Event type names <-> Subscriber::event_types bits.
std::vector<std::string> EventTypeNames(unsigned bits);
std::optional<unsigned> ParseEventType(std::string_view name);

}  // namespace herald::service
