#include "service/subscriptions.h"

#include <openssl/rand.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <charconv>
#include <cstdlib>
#include <future>
#include <memory>
#include <set>

#include "address/email_address.h"
#include "address/phone_number.h"
#include "core/csv.h"
#include "core/encoding.h"
#include "core/log.h"
#include "core/text.h"
#include "core/time.h"
#include "notify/composer.h"
#include "notify/email/email_channel.h"
#include "notify/sms/sms_channel.h"
#include "notify/templates.h"
#include "notify/webhook/standard_webhooks.h"
#include "notify/webpush/p256.h"
#include "service/services.h"

namespace herald::service {
namespace {

using model::ChannelKind;
using model::SubscriberState;

constexpr size_t kMaxAddressBytes = 2048;
constexpr size_t kMaxComponentIds = 500;
constexpr size_t kMaxSegmentBytes = 64;
constexpr int kMaxPriority = 1000;

constexpr std::pair<unsigned, std::string_view> kEventTypes[] = {
    {model::kWantIncidents, "incidents"}, {model::kWantMaintenance, "maintenance"}, {model::kWantSecurity, "security"},
    {model::kWantPolicy, "policy"},       {model::kWantProduct, "product"},
};

using notify::Consent;

Consent ConsentOf(ChannelKind k) { return notify::Describe(k).consent; }
bool IsUrlChannel(ChannelKind k) {
  return ConsentOf(k) == Consent::kTestMessage || ConsentOf(k) == Consent::kPushSubscription;
}
bool IsChatOrWebhook(ChannelKind k) { return ConsentOf(k) == Consent::kTestMessage; }

// The field name the API uses for a channel's destination.
std::string DestinationField(ChannelKind k) { return std::string(notify::Describe(k).address_field); }

bool IsSegmentLabel(std::string_view s) {
  if (s.size() > kMaxSegmentBytes) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  });
}

// Web push keys (RFC 8291): p256dh an uncompressed P-256 point (65 bytes, 0x04 first) that lies
// on the curve (checked by OpenSSL: a bad point would make every message to it fail), auth 16
// bytes, both base64url.
Status CheckPushKeys(const std::optional<std::string>& p256dh, const std::optional<std::string>& auth) {
  if (!p256dh || p256dh->empty()) return Error::Invalid("keys.p256dh", "keys.p256dh is required for web push");
  if (!auth || auth->empty()) return Error::Invalid("keys.auth", "keys.auth is required for web push");
  auto key = p256dh->size() <= 128 ? Base64UrlDecode(*p256dh) : std::nullopt;
  if (!key || key->size() != 65 || (*key)[0] != '\x04')
    return Error::Invalid("keys.p256dh", "keys.p256dh must be a base64url P-256 public key (65 bytes)");
  if (!notify::webpush::P256FromPublic(*key))
    return Error::Invalid("keys.p256dh", "keys.p256dh is not a point on the P-256 curve");
  auto secret = auth->size() <= 64 ? Base64UrlDecode(*auth) : std::nullopt;
  if (!secret || secret->size() != 16)
    return Error::Invalid("keys.auth", "keys.auth must be a base64url 16-byte secret");
  return {};
}

}  // namespace

std::string NewSubscriberWebhookSecret() {
  // The chat branch's notify::NewWebhookSecret does the same; one small function so the switch to
  // it is one line.
  unsigned char key[32];
  if (RAND_bytes(key, sizeof key) != 1) std::abort();  // no entropy: nothing safe to do
  return "whsec_" + Base64Encode(std::string_view(reinterpret_cast<const char*>(key), sizeof key));
}

std::optional<int> ParseClockTime(std::string_view t) {
  if (t.size() != 5 || t[2] != ':') return std::nullopt;
  auto digit = [&](size_t i) { return t[i] >= '0' && t[i] <= '9' ? t[i] - '0' : -1; };
  int h1 = digit(0), h2 = digit(1), m1 = digit(3), m2 = digit(4);
  if (h1 < 0 || h2 < 0 || m1 < 0 || m2 < 0) return std::nullopt;
  int h = h1 * 10 + h2, m = m1 * 10 + m2;
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

std::string FormatClockTime(int minutes) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", (minutes / 60) % 24, minutes % 60);
  return buf;
}

std::vector<std::string> EventTypeNames(unsigned bits) {
  std::vector<std::string> out;
  for (const auto& [bit, name] : kEventTypes)
    if (bits & bit) out.emplace_back(name);
  return out;
}

std::optional<unsigned> ParseEventType(std::string_view name) {
  for (const auto& [bit, n] : kEventTypes)
    if (n == name) return bit;
  return std::nullopt;
}

SubscriptionService::SubscriptionService(SubscriptionDeps deps) : deps_(std::move(deps)) {}

std::string SubscriptionService::PageUrl(const model::Page& page) const {
  return deps_.links.public_url() + (page.is_default ? "/" : "/pages/" + page.slug + "/");
}

Result<std::string> SubscriptionService::NormalizeDestination(ChannelKind kind, const SubscriberInput& in,
                                                              std::string& field) {
  field = DestinationField(kind);
  const std::optional<std::string>* given = field == "email"          ? &in.email
                                            : field == "phone_number" ? &in.phone_number
                                                                      : &in.endpoint;
  std::string value;
  if (*given && !(*given)->empty()) {
    value = **given;
  } else if (in.address && !in.address->empty()) {
    value = *in.address;
    field = "address";
  } else {
    return Error::Invalid(field, field + " is required for the " + std::string(model::ToString(kind)) + " channel");
  }
  if (value.size() > kMaxAddressBytes)
    return Error::Invalid(field, field + " must be at most " + std::to_string(kMaxAddressBytes) + " bytes");
  if (!IsValidUtf8(value)) return Error::Invalid(field, field + " must be valid UTF-8");
  const notify::Channel* channel = deps_.channels.Find(kind);
  if (!channel)
    return Error::Invalid("channel",
                          "the " + std::string(model::ToString(kind)) + " channel is not available on this server");
  if (IsUrlChannel(kind)) {
    const std::string lower = Lower(Trim(value).substr(0, 8));
    const bool https = lower.starts_with("https://");
    const bool http = lower.starts_with("http://");
    if (!https && !(http && deps_.options.allow_http_endpoints))
      return Error::Invalid(field, field + (deps_.options.allow_http_endpoints ? " must be an http:// or https:// URL"
                                                                               : " must be an https:// URL"));
  }
  if (kind == ChannelKind::kSms) {
    std::string region = in.phone_country ? *in.phone_country : deps_.options.default_region;
    if (in.phone_country && !address::IsKnownPhoneRegion(*in.phone_country))
      return Error::Invalid("phone_country", "phone_country must be a two-letter country code such as US or GB");
    if (!region.empty()) {
      auto e164 = address::NormalizePhoneNumber(value, region, field);
      if (!e164) return e164.error();
      value = *e164;
    }
  }
  auto normalized = channel->NormalizeAddress(value, field);
  if (!normalized) {
    Error e = normalized.error();
    if (e.code != ErrorCode::kInvalid) return e;
    if (e.field.empty()) e.field = field;
    return e;
  }
  return *normalized;
}

Status SubscriptionService::ApplyPreferences(model::Subscriber& s, const SubscriberInput& in, bool staff) {
  if (in.component_ids) {
    if (in.component_ids->size() > kMaxComponentIds)
      return Error::Invalid("component_ids", "at most " + std::to_string(kMaxComponentIds) + " component ids");
    auto all = deps_.store.ListComponents(s.page_id);
    if (!all) return all.error();
    std::set<std::string> seen;
    std::vector<std::string> ids;
    for (const auto& id : *in.component_ids) {
      auto it = std::find_if(all->begin(), all->end(), [&](const model::Component& c) { return c.id == id; });
      if (it == all->end() || it->hidden)
        return Error::Invalid("component_ids",
                              "component_ids: no component \"" + std::string(id.substr(0, 64)) + "\" on this page");
      if (seen.insert(id).second) ids.push_back(id);
    }
    s.component_ids = std::move(ids);
  }
  if (in.language) {
    const auto langs = notify::TemplateSet::Defaults().Languages();
    const std::string lang = Lower(Trim(*in.language));
    if (std::find(langs.begin(), langs.end(), lang) == langs.end()) {
      std::string list;
      for (const auto& l : langs) list += (list.empty() ? "" : ", ") + l;
      return Error::Invalid("language", "language must be one of " + list);
    }
    s.language = lang;
  }
  if (in.time_zone) {
    const std::string tz(Trim(*in.time_zone));
    if (!tz.empty() && (tz.size() > 64 || !IsValidTimeZone(tz)))
      return Error::Invalid("time_zone", "time_zone must be an IANA time zone such as Europe/Paris");
    s.time_zone = tz;
  }
  if (in.detail) {
    auto d = model::ParseDetailLevel(Trim(*in.detail));
    if (!d) return Error::Invalid("detail", "detail must be brief, standard or technical");
    s.detail = *d;
  }
  if (in.event_types) {
    unsigned bits = 0;
    for (const auto& name : *in.event_types) {
      auto b = ParseEventType(Trim(name));
      if (!b)
        return Error::Invalid("event_types", "event_types may hold incidents, maintenance, security, policy, product");
      bits |= *b;
    }
    if (bits == 0) return Error::Invalid("event_types", "choose at least one event type");
    s.event_types = bits;
  }
  if (in.quiet_start || in.quiet_end) {
    const std::string a = in.quiet_start ? std::string(Trim(*in.quiet_start)) : "";
    const std::string b = in.quiet_end ? std::string(Trim(*in.quiet_end)) : "";
    if (a.empty() && b.empty()) {
      s.quiet_start_minute.reset();
      s.quiet_end_minute.reset();
    } else {
      auto start = ParseClockTime(a);
      if (!start) return Error::Invalid("quiet_hours.start", "quiet hours start must be a time HH:MM");
      auto end = ParseClockTime(b);
      if (!end) return Error::Invalid("quiet_hours.end", "quiet hours end must be a time HH:MM");
      if (*start == *end)
        return Error::Invalid("quiet_hours.end", "quiet hours must not start and end at the same time");
      s.quiet_start_minute = start;
      s.quiet_end_minute = end;
    }
  }
  if (in.segment) {
    if (!staff) return Error::Invalid("segment", "segment is set by the page's staff");
    const std::string seg(Trim(*in.segment));
    if (!IsSegmentLabel(seg))
      return Error::Invalid("segment", "segment must be at most 64 letters, digits, '-', '_' or '.'");
    s.segment = seg;
  }
  if (in.priority) {
    if (!staff) return Error::Invalid("priority", "priority is set by the page's staff");
    if (*in.priority < -kMaxPriority || *in.priority > kMaxPriority)
      return Error::Invalid("priority", "priority must be between -1000 and 1000");
    s.priority = *in.priority;
  }
  if (in.owner_email) {
    if (Trim(*in.owner_email).empty()) {
      s.owner_email.clear();
    } else {
      auto e = address::NormalizeEmailAddress(*in.owner_email, "owner_email");
      if (!e) return e.error();
      s.owner_email = *e;
    }
  }
  if (in.skip_confirmation && !staff)
    return Error::Invalid("skip_confirmation_notification", "only the page's staff may skip confirmation");
  return {};
}

Status SubscriptionService::SendConfirmation(const model::Page& page, const model::Subscriber& s,
                                             const std::string& code) {
  notify::Channel* channel = deps_.channels.Find(s.channel);
  if (!channel) return Error::Invalid("channel", "this channel is not available on this server");
  auto overrides_list = deps_.store.ListTemplates(page.id);
  if (!overrides_list) return overrides_list.error();
  notify::TemplateOverrides overrides;
  for (const auto& t : *overrides_list) overrides[t.key] = t.body;
  const TimeMs now = deps_.clock.Now();
  notify::TemplateVars extra;
  if (s.channel == ChannelKind::kEmail) {
    extra["confirm_url"] = deps_.links.ConfirmUrl(s.id, now + deps_.options.confirm_link_valid_ms);
  } else {
    extra["code"] = code;
  }
  auto m = notify::ComposeSystemMessage("confirm", page, PageUrl(page), s, overrides, extra,
                                        "confirm_" + s.id + "_" + std::to_string(now), now);
  if (!m) return m.error();
  // Fire and forget: the visitor is told to check their inbox either way, and may ask again.
  const std::string id = s.id;
  channel->Send(*m, s, [id](notify::SendOutcome o) {
    if (o.kind != notify::SendOutcome::Kind::kDelivered)
      log::Warn("confirmation not delivered", {{"subscriber", id}, {"detail", o.detail}});
  });
  return {};
}

Status SubscriptionService::SendTest(const model::Page& page, const model::Subscriber& s, const std::string& field,
                                     const std::string& carried_secret) {
  notify::Channel* channel = deps_.channels.Find(s.channel);
  if (!channel) return Error::Invalid("channel", "this channel is not available on this server");
  auto overrides_list = deps_.store.ListTemplates(page.id);
  if (!overrides_list) return overrides_list.error();
  notify::TemplateOverrides overrides;
  for (const auto& t : *overrides_list) overrides[t.key] = t.body;
  const TimeMs now = deps_.clock.Now();
  notify::TemplateVars extra{{"manage_url", deps_.links.ManageUrl(s.id)},
                             {"unsubscribe_url", deps_.links.UnsubscribeUrl(s.id)}};
  auto m = notify::ComposeSystemMessage("test", page, PageUrl(page), s, overrides, extra,
                                        "test_" + s.id + "_" + std::to_string(now), now);
  if (!m) return m.error();
  if (s.channel == ChannelKind::kWebhook) {
    // Only the endpoint sees this message: it is where the subscriber learns the manage link
    // and, unless they chose it, the secret (public answers show neither).
    boost::system::error_code ec;
    boost::json::value doc = boost::json::parse(m->webhook_json, ec);
    if (!ec && doc.is_object()) {
      boost::json::object sub{{"manage_url", extra["manage_url"]}};
      if (!carried_secret.empty()) sub["secret"] = carried_secret;
      doc.as_object()["subscription"] = std::move(sub);
      m->webhook_json = boost::json::serialize(doc);
    }
  }
  // The promise outlives this call if the channel answers after the timeout.
  struct Wait {
    std::promise<notify::SendOutcome> promise;
    std::atomic<bool> answered{false};
  };
  auto wait = std::make_shared<Wait>();
  auto future = wait->promise.get_future();
  channel->Send(*m, s, [wait](notify::SendOutcome o) {
    if (!wait->answered.exchange(true)) wait->promise.set_value(std::move(o));
  });
  if (future.wait_for(deps_.options.test_timeout) != std::future_status::ready)
    return Error::Invalid(field, "the test message to " + field + " got no answer in time; check the URL and retry");
  const notify::SendOutcome o = future.get();
  if (o.kind != notify::SendOutcome::Kind::kDelivered)
    return Error::Invalid(field, "the test message to " + field + " was not delivered (" +
                                     (o.detail.empty() ? "status " + std::to_string(o.status) : o.detail) + ")");
  return {};
}

Result<SubscribeOutcome> SubscriptionService::Subscribe(const std::string& page_id, const SubscriberInput& in,
                                                        bool staff) {
  auto page = deps_.store.GetPage(page_id);
  if (!page) return page.error();
  // The channel: named, or implied by the destination field given.
  ChannelKind kind = ChannelKind::kEmail;
  if (in.channel) {
    auto k = model::ParseChannelKind(Lower(Trim(*in.channel)));
    if (!k) return Error::Invalid("channel", "channel must be one of " + notify::KindNames(nullptr, ", "));
    kind = *k;
  } else if (in.email) {
    kind = ChannelKind::kEmail;
  } else if (in.phone_number) {
    kind = ChannelKind::kSms;
  } else if (in.endpoint) {
    kind = ChannelKind::kWebhook;
  } else if (!in.address) {
    return Error::Invalid("email", "give an email, a phone_number or an endpoint to subscribe");
  }
  if (in.state) return Error::Invalid("state", "state cannot be set when subscribing");
  std::string field;
  auto address = NormalizeDestination(kind, in, field);
  if (!address) return address.error();
  // RFC 5322 allows "=cmd|x!A0@example.com"; no mailbox needs it, and a spreadsheet would run it.
  // (Import still takes such rows, so that an older export round-trips; export neutralises them.)
  if (kind == ChannelKind::kEmail && csv::StartsLikeAFormula(*address))
    return Error::Invalid(field, field + " must not begin with =, +, - or @");
  if (kind == ChannelKind::kWebPush)
    if (auto st = CheckPushKeys(in.push_p256dh, in.push_auth); !st) return st.error();
  std::string given_secret;
  if (in.secret && !Trim(*in.secret).empty()) {
    if (kind != ChannelKind::kWebhook) return Error::Invalid("secret", "secret is only for the webhook channel");
    given_secret = std::string(Trim(*in.secret));
    if (!notify::IsValidWebhookSecret(given_secret))
      return Error::Invalid("secret",
                            "secret must be \"whsec_\" followed by the base64 of 24 to 64 random bytes (Standard "
                            "Webhooks)");
  }

  const TimeMs now = deps_.clock.Now();
  model::Subscriber fresh;
  fresh.page_id = page->id;
  fresh.channel = kind;
  fresh.address = *address;
  // Validate everything before looking the address up, so a bad field is refused the same way
  // for new and known addresses.
  if (auto st = ApplyPreferences(fresh, in, staff); !st) return st.error();

  auto existing = deps_.store.FindSubscriber(page->id, kind, *address);
  if (!existing) return existing.error();
  if (staff && *existing)
    return Error{ErrorCode::kConflict, "this " + field + " is already subscribed (" + (*existing)->id + ")", field};

  const bool vouched = staff && in.skip_confirmation;
  SubscribeOutcome out;
  const Consent consent = ConsentOf(kind);
  out.next = consent == Consent::kDoubleOptInEmail ? SubscribeOutcome::Next::kCheckInbox
             : consent == Consent::kSmsCode        ? SubscribeOutcome::Next::kEnterCode
                                                   : SubscribeOutcome::Next::kActive;
  model::Subscriber s;
  if (*existing) {
    s = **existing;
    if (s.state == SubscriberState::kActive) {
      if (IsChatOrWebhook(kind)) {
        // The same as for a new endpoint: the same test message, answered by its outcome, and
        // nothing written. It is signed with the given or a throwaway secret, never the stored
        // one (a receiver that verifies would otherwise tell known from new endpoints); it
        // carries the subscriber's own manage link and secret to the owner of the endpoint.
        model::Subscriber probe = s;
        if (kind == ChannelKind::kWebhook)
          probe.secret = given_secret.empty() ? NewSubscriberWebhookSecret() : given_secret;
        if (auto st = SendTest(*page, probe, field, given_secret.empty() ? s.secret : ""); !st) return st.error();
        out.subscriber = s;
        return out;
      }
      if (consent != Consent::kPushSubscription) {
        // Email and SMS: the same answer as for a new address, and nothing written.
        out.subscriber = s;
        return out;
      }
    }
    if (auto st = ApplyPreferences(s, in, staff); !st) return st.error();
  } else {
    s = fresh;
    s.id = NewId();
    s.created_at = now;
    out.created = true;
  }
  s.updated_at = now;
  s.failing_since = 0;
  s.last_error.clear();

  auto activate = [&] {
    s.state = SubscriberState::kActive;
    s.confirmed_at = now;
    s.confirm_code_hash.clear();
  };

  if (vouched) {
    activate();
    if (kind == ChannelKind::kWebhook && !given_secret.empty()) s.secret = given_secret;
    if (kind == ChannelKind::kWebhook && s.secret.empty()) s.secret = NewSubscriberWebhookSecret();
    if (kind == ChannelKind::kWebPush) s.push_p256dh = *in.push_p256dh, s.push_auth = *in.push_auth;
    out.next = SubscribeOutcome::Next::kActive;
  } else if (consent == Consent::kDoubleOptInEmail || consent == Consent::kSmsCode) {
    s.state = SubscriberState::kPending;
  } else if (consent == Consent::kPushSubscription) {
    activate();
    s.push_p256dh = *in.push_p256dh;
    s.push_auth = *in.push_auth;
  } else {
    // Webhook and chat: a delivered test message is the confirmation; nothing is written unless
    // it arrived.
    if (kind == ChannelKind::kWebhook) s.secret = given_secret.empty() ? NewSubscriberWebhookSecret() : given_secret;
    if (auto st = SendTest(*page, s, field, given_secret.empty() ? s.secret : ""); !st) return st.error();
    activate();
  }

  std::string code;
  if (!vouched && consent == Consent::kSmsCode) {
    code = notify::NewConfirmationCode();
    s.confirm_code_hash = Sha256Hex(code);
  }
  if (auto st = deps_.store.SaveSubscriber(s); !st) {
    // A concurrent sign-up of the same address won the race: the answer stays the same.
    if (st.error().code == ErrorCode::kConflict && !staff) {
      out.subscriber = s;
      out.created = false;
      return out;
    }
    return st.error();
  }
  if (!vouched && (consent == Consent::kDoubleOptInEmail || consent == Consent::kSmsCode)) {
    if (consent == Consent::kSmsCode) {
      std::lock_guard lock(attempts_mu_);
      sms_attempts_.erase(s.id);
    }
    if (auto st = SendConfirmation(*page, s, code); !st) return st.error();
  }
  out.subscriber = s;
  if (kind == ChannelKind::kWebhook) out.secret = s.secret;
  return out;
}

Result<model::Subscriber> SubscriptionService::ConfirmSms(const std::string& page_id, const std::string& phone,
                                                          const std::string& code) {
  const Error bad{ErrorCode::kUnauthorized, "this code is not valid; check it, or ask for a new one", "code"};
  SubscriberInput in;
  in.phone_number = phone;
  std::string field;
  auto address = NormalizeDestination(ChannelKind::kSms, in, field);
  if (!address) return address.error();
  const std::string digits(Trim(code));
  if (digits.size() != 6 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return Error::Invalid("code", "the code has six digits");
  auto found = deps_.store.FindSubscriber(page_id, ChannelKind::kSms, *address);
  if (!found) return found.error();
  if (!*found || (*found)->state != SubscriberState::kPending || (*found)->confirm_code_hash.empty()) return bad;
  model::Subscriber s = **found;
  const TimeMs now = deps_.clock.Now();
  if (now > s.updated_at + deps_.options.sms_code_valid_ms)
    return Error{ErrorCode::kUnauthorized, "this code has expired; subscribe again to get a new one", "code"};
  if (!ConstantTimeEquals(Sha256Hex(digits), s.confirm_code_hash)) {
    bool exhausted = false;
    {
      std::lock_guard lock(attempts_mu_);
      exhausted = ++sms_attempts_[s.id] >= deps_.options.max_sms_attempts;
      if (exhausted) sms_attempts_.erase(s.id);
      if (sms_attempts_.size() > 100'000) sms_attempts_.clear();  // bounded memory
    }
    if (exhausted) {
      // Too many guesses: void the code for good; a new sign-up sends a new one.
      s.confirm_code_hash.clear();
      if (auto st = deps_.store.SaveSubscriber(s); !st) return st.error();
      return Error{ErrorCode::kUnauthorized, "too many wrong codes; subscribe again to get a new one", "code"};
    }
    return bad;
  }
  {
    std::lock_guard lock(attempts_mu_);
    sms_attempts_.erase(s.id);
  }
  s.state = SubscriberState::kActive;
  s.confirmed_at = now;
  s.updated_at = now;
  s.confirm_code_hash.clear();
  if (auto st = deps_.store.SaveSubscriber(s); !st) return st.error();
  return s;
}

Result<model::Subscriber> SubscriptionService::FindById(const std::string& id) {
  // Links carry only the subscriber id; pages are few, so asking each is cheap.
  auto pages = deps_.store.ListPages();
  if (!pages) return pages.error();
  for (const auto& p : *pages) {
    auto s = deps_.store.GetSubscriber(p.id, id);
    if (s) return s;
    if (s.error().code != ErrorCode::kNotFound) return s.error();
  }
  return Error::NotFound("this subscription no longer exists");
}

Result<model::Subscriber> SubscriptionService::FromToken(notify::LinkPurpose purpose, const std::string& token) {
  auto id = deps_.links.Verify(purpose, token, deps_.clock.Now());
  if (!id) return id.error();
  return FindById(*id);
}

Result<model::Subscriber> SubscriptionService::Confirm(const std::string& token) {
  auto s = FromToken(notify::LinkPurpose::kConfirm, token);
  if (!s) return s.error();
  if (s->state != SubscriberState::kPending) return s;  // already confirmed: idempotent
  const TimeMs now = deps_.clock.Now();
  s->state = SubscriberState::kActive;
  s->confirmed_at = now;
  s->updated_at = now;
  if (auto st = deps_.store.SaveSubscriber(*s); !st) return st.error();
  return s;
}

Result<model::Subscriber> SubscriptionService::Manage(const std::string& token) {
  return FromToken(notify::LinkPurpose::kManage, token);
}

Result<model::Subscriber> SubscriptionService::UpdateByToken(const std::string& token, const SubscriberInput& in) {
  auto s = Manage(token);
  if (!s) return s.error();
  return UpdateAs(s->page_id, s->id, in, false);
}

Result<model::Subscriber> SubscriptionService::Unsubscribe(const std::string& token) {
  const TimeMs now = deps_.clock.Now();
  auto id = deps_.links.Verify(notify::LinkPurpose::kUnsubscribe, token, now);
  if (!id) {
    auto manage = deps_.links.Verify(notify::LinkPurpose::kManage, token, now);
    if (!manage) return id.error();
    id = std::move(manage);
  }
  auto s = FindById(*id);
  if (!s) return s.error();
  if (s->state == SubscriberState::kUnsubscribed) return s;
  s->state = SubscriberState::kUnsubscribed;
  s->updated_at = now;
  if (auto st = deps_.store.SaveSubscriber(*s); !st) return st.error();
  return s;
}

Result<std::int64_t> SubscriptionService::PurgePending() {
  return deps_.store.PurgePendingSubscribers(deps_.clock.Now() - deps_.options.pending_ttl_ms);
}

Result<std::vector<model::Subscriber>> SubscriptionService::List(const std::string& page_id,
                                                                 const store::SubscriberFilter& filter) {
  store::SubscriberFilter f = filter;
  f.limit = std::clamp(f.limit, 1, 1000);
  return deps_.store.ListSubscribers(page_id, f);
}

Result<model::Subscriber> SubscriptionService::Get(const std::string& page_id, const std::string& id) {
  return deps_.store.GetSubscriber(page_id, id);
}

Result<model::Subscriber> SubscriptionService::Update(const std::string& page_id, const std::string& id,
                                                      const SubscriberInput& in) {
  return UpdateAs(page_id, id, in, true);
}

Result<model::Subscriber> SubscriptionService::UpdateAs(const std::string& page_id, const std::string& id,
                                                        const SubscriberInput& in, bool staff) {
  if (in.channel) return Error::Invalid("channel", "the channel cannot be changed; add a new subscriber instead");
  for (const auto* f : {&in.address, &in.email, &in.phone_number, &in.endpoint}) {
    if (*f) {
      const std::string name = f == &in.address        ? "address"
                               : f == &in.email        ? "email"
                               : f == &in.phone_number ? "phone_number"
                                                       : "endpoint";
      return Error::Invalid(name, name + " cannot be changed; subscribe the new one instead");
    }
  }
  auto s = deps_.store.GetSubscriber(page_id, id);
  if (!s) return s.error();
  if (auto st = ApplyPreferences(*s, in, staff); !st) return st.error();
  const TimeMs now = deps_.clock.Now();
  if (in.state) {
    if (!staff) return Error::Invalid("state", "state is changed with the unsubscribe button");
    auto st = model::ParseSubscriberState(Trim(*in.state));
    if (!st || (*st != SubscriberState::kActive && *st != SubscriberState::kUnsubscribed))
      return Error::Invalid("state", "state may be set to active or unsubscribed");
    if (*st == SubscriberState::kActive && s->state != SubscriberState::kActive) {
      if (s->confirmed_at == 0) s->confirmed_at = now;
      s->failing_since = 0;
      s->last_error.clear();
      s->confirm_code_hash.clear();
    }
    s->state = *st;
  }
  if (s->channel == ChannelKind::kWebPush && (in.push_p256dh || in.push_auth)) {
    if (auto st = CheckPushKeys(in.push_p256dh, in.push_auth); !st) return st.error();
    s->push_p256dh = *in.push_p256dh;
    s->push_auth = *in.push_auth;
  }
  s->updated_at = now;
  if (auto st = deps_.store.SaveSubscriber(*s); !st) return st.error();
  return s;
}

Status SubscriptionService::Delete(const std::string& page_id, const std::string& id) {
  return deps_.store.DeleteSubscriber(page_id, id);
}

}  // namespace herald::service
