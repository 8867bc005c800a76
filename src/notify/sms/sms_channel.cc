#include "notify/sms/sms_channel.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cstdint>
#include <stdexcept>

#include "address/phone_number.h"
#include "core/text.h"
#include "notify/sms/sms_text.h"

namespace herald::notify {
namespace {

constexpr std::string_view kFormType = "application/x-www-form-urlencoded";

bool IsAlnum(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

void AppendHex(unsigned char c, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

// application/x-www-form-urlencoded as the WHATWG URL standard serialises it: space is '+',
// only ASCII alphanumerics and *-._ stay as they are.
std::string FormEncode(std::string_view s) {
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if (IsAlnum(c) || c == '*' || c == '-' || c == '.' || c == '_')
      out += static_cast<char>(c);
    else if (c == ' ')
      out += '+';
    else
      AppendHex(c, out);
  }
  return out;
}

// RFC 3986 percent-encoding for a path segment or query value (unreserved characters only).
std::string PercentEncode(std::string_view s) {
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if (IsAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
      out += static_cast<char>(c);
    else
      AppendHex(c, out);
  }
  return out;
}

std::string Base64(std::string_view s) {
  std::string out(4 * ((s.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

bool IsJsonType(std::string_view type) {
  const std::string_view base = type.substr(0, type.find(';'));
  return base == "application/json" || base.ends_with("+json");
}
bool IsFormType(std::string_view type) { return type.substr(0, type.find(';')) == kFormType; }

bool HasHeader(const net::Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (k.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < k.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(k[i])) == std::tolower(static_cast<unsigned char>(name[i]));
    if (same) return true;
  }
  return false;
}

// Replaces {{to}}, {{from}} and {{body}} in one pass (a value containing "{{body}}" stays as it
// is); `escape` encodes each value for where it lands. Calls `unknown` for any other {{name}}.
template <typename Escape, typename Unknown>
std::string Expand(std::string_view tmpl, std::string_view to, std::string_view from, std::string_view body,
                   Escape escape, Unknown unknown) {
  std::string out;
  size_t i = 0;
  while (i < tmpl.size()) {
    const size_t open = tmpl.find("{{", i);
    if (open == std::string_view::npos) break;
    const size_t close = tmpl.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    out.append(tmpl.substr(i, open - i));
    const std::string_view name = tmpl.substr(open + 2, close - open - 2);
    if (name == "to")
      out += escape(to);
    else if (name == "from")
      out += escape(from);
    else if (name == "body")
      out += escape(body);
    else {
      unknown(name);
      out.append(tmpl.substr(open, close + 2 - open));
    }
    i = close + 2;
  }
  out.append(tmpl.substr(i));
  return out;
}

bool IsHttpUrl(std::string_view url) {
  return (url.starts_with("https://") && url.size() > 8) || (url.starts_with("http://") && url.size() > 7);
}

std::string Clip(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // UTF-8 boundary
  s.resize(cut);
  return s + "...";
}

// Twilio's documented error body: {"code": 21211, "message": "...", "more_info": "...",
// "status": 400}; its success body carries "sid" and "status".
struct TwilioBody {
  std::int64_t code = 0;
  std::string message, sid, status;
};

TwilioBody ParseTwilioBody(std::string_view body) {
  TwilioBody out;
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return out;
  const auto& o = v.get_object();
  if (const auto* c = o.if_contains("code")) {
    if (c->is_int64())
      out.code = c->get_int64();
    else if (c->is_uint64())
      out.code = static_cast<std::int64_t>(c->get_uint64());
  }
  auto str = [&](const char* key, std::string& dst) {
    if (const auto* s = o.if_contains(key); s && s->is_string()) dst = std::string(s->get_string());
  };
  str("message", out.message);
  str("sid", out.sid);
  str("status", out.status);
  return out;
}

// Statuses that say the operator's provider settings are wrong (credentials, account, URL):
// fixed once for all messages, so the messages wait instead of failing for good.
bool IsSettingsStatus(int status) { return status == 401 || status == 403 || status == 404; }

SendOutcome Classify(const net::HttpResponse& r, bool twilio, TimeMs now) {
  HttpOutcomeInput in;
  in.status = r.status;
  in.retry_after_header = r.Header("retry-after");
  in.transport_failed = r.failure != net::FailureKind::kNone;
  in.transport_error = r.error;
  in.now = now;
  SendOutcome out = ClassifyHttp(in);
  if (in.transport_failed || r.status == 0) return out;
  if (IsSettingsStatus(r.status)) {
    out.kind = SendOutcome::Kind::kRetry;
    out.detail += " (check the SMS provider settings)";
  }
  if (!twilio) {
    if (out.kind != SendOutcome::Kind::kDelivered && !r.body.empty()) out.detail += ": " + Clip(r.body, 200);
    return out;
  }
  const TwilioBody body = ParseTwilioBody(r.body);
  if (out.kind == SendOutcome::Kind::kDelivered) {
    if (!body.sid.empty()) out.detail += ": " + Clip(body.sid, 64) + " " + Clip(body.status, 32);
    return out;
  }
  if (body.code != 0) out.detail += ": Twilio " + std::to_string(body.code);
  if (!body.message.empty()) out.detail += (body.code != 0 ? " " : ": ") + Clip(body.message, 200);
  switch (body.code) {
    case 21211:  // invalid 'To' number
    case 21614:  // 'To' is not a mobile (SMS-capable) number
    case 21610:  // the recipient replied STOP: they unsubscribed at the provider
      out.kind = SendOutcome::Kind::kGone;
      break;
    case 20429:  // too many requests
      out.kind = SendOutcome::Kind::kRetry;
      break;
    case 21212:  // invalid 'From' number
    case 21408:  // sending to this region is not enabled on the account
    case 21606:  // 'From' cannot send to this destination
      out.kind = SendOutcome::Kind::kRetry;
      out.detail += " (check the SMS provider settings)";
      break;
    default: break;
  }
  return out;
}

}  // namespace

Status ValidateSmsOptions(const SmsOptions& o) {
  if (o.provider != "twilio" && o.provider != "http")
    return Error::Invalid("sms.provider", "must be \"twilio\" or \"http\"");
  if (!o.default_region.empty() && !address::IsKnownPhoneRegion(o.default_region))
    return Error::Invalid("sms.default_region", "must be an ISO 3166-1 alpha-2 region code such as \"US\"");
  if (o.messages_per_second < 1) return Error::Invalid("sms.messages_per_second", "must be at least 1");
  // Twilio takes at most 1600 characters: ten GSM-7 segments.
  if (o.max_segments < 1 || o.max_segments > 10) return Error::Invalid("sms.max_segments", "must be 1 to 10");
  if (o.timeout.count() <= 0) return Error::Invalid("sms.timeout", "must be positive");
  if (o.provider == "twilio") {
    const auto& t = o.twilio;
    if (!IsHttpUrl(t.base_url)) return Error::Invalid("sms.twilio.base_url", "must be an http(s) URL");
    if (t.account_sid.empty()) return Error::Invalid("sms.twilio.account_sid", "is required");
    for (unsigned char c : t.account_sid)
      if (!IsAlnum(c) && c != '-')
        return Error::Invalid("sms.twilio.account_sid", "may contain only letters, digits and '-'");
    if (t.auth_token.empty()) return Error::Invalid("sms.twilio.auth_token", "is required");
    if (t.from.empty() && t.messaging_service_sid.empty())
      return Error::Invalid("sms.twilio.from", "a sender (from) or a messaging_service_sid is required");
    return {};
  }
  const auto& h = o.http;
  if (!IsHttpUrl(h.url)) return Error::Invalid("sms.http.url", "must be an http(s) URL");
  if (h.method != "GET" && h.method != "POST" && h.method != "PUT" && h.method != "PATCH")
    return Error::Invalid("sms.http.method", "must be GET, POST, PUT or PATCH");
  if (!IsJsonType(h.content_type) && !IsFormType(h.content_type))
    return Error::Invalid("sms.http.content_type", "must be application/json or application/x-www-form-urlencoded");
  // Expanding with empty values finds unknown placeholders; the output itself is not needed.
  std::string unknown;
  auto note = [&](std::string_view name) {
    if (unknown.empty()) unknown = std::string(name);
  };
  auto same = [](std::string_view v) { return std::string(v); };
  (void)Expand(h.url, "", "", "", same, note);
  if (!unknown.empty())
    return Error::Invalid("sms.http.url", "unknown placeholder {{" + unknown + "}}: use {{to}}, {{from}}, {{body}}");
  (void)Expand(h.body_template, "", "", "", same, note);
  if (!unknown.empty())
    return Error::Invalid("sms.http.body_template",
                          "unknown placeholder {{" + unknown + "}}: use {{to}}, {{from}}, {{body}}");
  // A GET request has no body: its URL must carry everything.
  const std::string used = h.method == "GET" ? h.url : h.url + h.body_template;
  if (used.find("{{to}}") == std::string::npos || used.find("{{body}}") == std::string::npos)
    return Error::Invalid(h.method == "GET" ? "sms.http.url" : "sms.http.body_template",
                          "must contain {{to}} and {{body}}");
  return {};
}

std::string NewConfirmationCode() {
  constexpr std::uint32_t kRange = 1000000;
  // The largest multiple of kRange that fits in 32 bits: values at or above it would make the
  // low codes more likely, so they are drawn again (at most 0.02% of draws).
  constexpr std::uint64_t kLimit = ((std::uint64_t{1} << 32) / kRange) * kRange;
  for (;;) {
    unsigned char b[4];
    if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("RAND_bytes failed");
    const std::uint32_t v =
        (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
    if (v >= kLimit) continue;
    std::string code = std::to_string(v % kRange);
    return std::string(6 - code.size(), '0') + code;
  }
}

SmsChannel::SmsChannel(net::HttpClient& http, const Clock& clock, SmsOptions options)
    : http_(http), clock_(clock), options_(std::move(options)), valid_(ValidateSmsOptions(options_)) {}

Result<std::string> SmsChannel::NormalizeAddress(std::string_view address, const std::string& field) const {
  return address::NormalizePhoneNumber(address, options_.default_region, field);
}

int SmsChannel::MessagesPerSecond() const { return std::max(options_.messages_per_second, 1); }

std::string SmsMessageText(const Message& message, int max_segments) {
  // short_text is written for SMS; a message without one still says what it is about.
  const std::string& text = message.short_text.empty() ? message.subject : message.short_text;
  return ComposeSms(text, message.url, std::clamp(max_segments, 1, 10));
}

std::string SmsChannel::ComposeText(const Message& message) const {
  return SmsMessageText(message, options_.max_segments);
}

net::HttpRequest SmsChannel::BuildRequest(const Message& message, const std::string& to) const {
  const std::string text = ComposeText(message);
  net::HttpRequest req;
  req.timeout = options_.timeout;
  req.follow_redirects = false;
  // The provider's URL comes from the operator's configuration, never from the public.
  req.guard_address = false;
  if (options_.provider == "twilio") {
    const auto& t = options_.twilio;
    std::string base = t.base_url;
    while (base.ends_with('/')) base.pop_back();
    req.method = "POST";
    req.url = base + "/2010-04-01/Accounts/" + PercentEncode(t.account_sid) + "/Messages.json";
    req.headers.emplace_back("Authorization", "Basic " + Base64(t.account_sid + ":" + t.auth_token));
    req.headers.emplace_back("Content-Type", std::string(kFormType));
    req.headers.emplace_back("Accept", "application/json");
    req.body = "To=" + FormEncode(to);
    if (!t.messaging_service_sid.empty())
      req.body += "&MessagingServiceSid=" + FormEncode(t.messaging_service_sid);
    else
      req.body += "&From=" + FormEncode(t.from);
    req.body += "&Body=" + FormEncode(text);
    return req;
  }
  const auto& h = options_.http;
  auto ignore = [](std::string_view) {};
  req.method = h.method;
  req.url = Expand(h.url, to, h.from, text, PercentEncode, ignore);
  req.headers = h.headers;
  if (h.method != "GET") {
    if (IsJsonType(h.content_type))
      req.body = Expand(h.body_template, to, h.from, text, JsonEscape, ignore);
    else
      req.body = Expand(h.body_template, to, h.from, text, FormEncode, ignore);
    if (!HasHeader(req.headers, "content-type")) req.headers.emplace_back("Content-Type", h.content_type);
  }
  return req;
}

void SmsChannel::Send(const Message& message, const model::Subscriber& to, std::function<void(SendOutcome)> done) {
  if (!valid_) {
    SendOutcome out;
    out.kind = SendOutcome::Kind::kPermanent;
    out.detail = "SMS provider misconfigured: " + valid_.error().field + " " + valid_.error().message;
    done(std::move(out));
    return;
  }
  const bool twilio = options_.provider == "twilio";
  const Clock* clock = &clock_;
  http_.Send(BuildRequest(message, to.address), [twilio, clock, done = std::move(done)](const net::HttpResponse& r) {
    done(Classify(r, twilio, clock->Now()));
  });
}

}  // namespace herald::notify
