#include "notify/webpush/webpush_channel.h"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <cctype>
#include <optional>

#include "core/encoding.h"
#include "core/text.h"
#include "notify/webpush/ece.h"

namespace herald::notify {
namespace {

using Kind = SendOutcome::Kind;

constexpr size_t kMaxEndpointSize = 2048;
constexpr size_t kMaxTitleBytes = 250;
constexpr size_t kMaxBodyBytes = 1500;
constexpr size_t kMaxUrlBytes = 1500;
constexpr size_t kMaxDetailBody = 200;

// At most `max` bytes of `s`, cut at a UTF-8 character boundary, with an ellipsis when cut.
std::string Shorten(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  static constexpr std::string_view kEllipsis = "\xE2\x80\xA6";
  if (max < kEllipsis.size()) return {};
  size_t cut = max - kEllipsis.size();
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + std::string(kEllipsis);
}

SendOutcome Outcome(Kind kind, std::string detail) {
  SendOutcome out;
  out.kind = kind;
  out.detail = std::move(detail);
  return out;
}

// Browsers give subscription keys in base64url; API clients and older libraries sometimes use the
// standard alphabet with padding. Accept both.
std::optional<std::string> DecodeKey(std::string_view text) {
  std::string s(Trim(text));
  for (char& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return Base64UrlDecode(s);
}

struct RawKeys {
  std::string p256dh, auth;
};

Result<RawKeys> DecodeKeys(std::string_view p256dh, std::string_view auth, const std::string& p256dh_field,
                           const std::string& auth_field) {
  auto point = DecodeKey(p256dh);
  if (!point || point->empty())
    return Error::Invalid(p256dh_field, p256dh_field + " must be a base64url P-256 public key");
  if (auto key = webpush::P256FromPublic(*point); !key)
    return Error::Invalid(p256dh_field, p256dh_field + " " + key.error().message);
  auto secret = DecodeKey(auth);
  if (!secret || secret->size() != webpush::kAuthSecretSize)
    return Error::Invalid(auth_field, auth_field + " must be 16 bytes in base64url");
  RawKeys raw;
  raw.p256dh = std::move(*point);
  raw.auth = std::move(*secret);
  return raw;
}

std::string Serialize(std::string_view title, std::string_view body, std::string_view url, std::string_view tag) {
  boost::json::object o;
  o["title"] = title;
  o["body"] = body;
  o["url"] = url;
  o["tag"] = tag;
  return boost::json::serialize(o);
}

}  // namespace

Result<PushKeys> ValidatePushKeys(std::string_view p256dh, std::string_view auth, const std::string& p256dh_field,
                                  const std::string& auth_field) {
  auto raw = DecodeKeys(p256dh, auth, p256dh_field, auth_field);
  if (!raw) return raw.error();
  PushKeys keys;
  keys.p256dh = Base64UrlEncode(raw->p256dh);
  keys.auth = Base64UrlEncode(raw->auth);
  return keys;
}

WebPushChannel::WebPushChannel(net::HttpClient& http, const Clock& clock, WebPushOptions options)
    : http_(http), clock_(clock), options_(std::move(options)), status_(Validate(options_)) {
  if (!status_) return;
  webpush::VapidKeys keys;
  keys.private_key = options_.vapid_private_key;
  keys.public_key = options_.vapid_public_key;
  auto signer = webpush::VapidSigner::Create(keys, options_.subject);
  if (signer)
    signer_ = std::move(*signer);
  else
    status_ = signer.error();
}

WebPushChannel::~WebPushChannel() = default;

Status WebPushChannel::Validate(const WebPushOptions& options) {
  webpush::VapidKeys keys;
  keys.private_key = options.vapid_private_key;
  keys.public_key = options.vapid_public_key;
  if (auto ok = webpush::CheckVapidKeys(keys); !ok) return ok;
  if (auto ok = webpush::CheckVapidSubject(options.subject); !ok) return ok;
  // RFC 8030 allows any non-negative TTL; push services cap it (FCM at four weeks).
  if (options.ttl_seconds < 0 || options.ttl_seconds > 28 * 24 * 3600)
    return Error::Invalid("ttl_seconds", "ttl_seconds must be 0 to 2419200 (four weeks)");
  return {};
}

Result<std::string> WebPushChannel::NormalizeAddress(std::string_view address, const std::string& field) const {
  const std::string_view text = Trim(address);
  const std::string must = field + " must be an https URL given by the browser's push subscription";
  if (text.empty()) return Error::Invalid(field, field + " must not be empty");
  if (text.size() > kMaxEndpointSize)
    return Error::Invalid(field, field + " must be at most " + std::to_string(kMaxEndpointSize) + " bytes");
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) return Error::Invalid(field, must);
  boost::urls::url url(*parsed);
  const std::string scheme = Lower(url.scheme());
  if (scheme != "https" && !(scheme == "http" && options_.allow_http)) return Error::Invalid(field, must);
  if (!url.has_authority() || url.encoded_host().empty() || url.has_userinfo() || url.has_fragment())
    return Error::Invalid(field, must);
  url.set_scheme(scheme);
  url.set_encoded_host(Lower(url.encoded_host()));
  std::string normalized(url.buffer());
  if (options_.check_url) return options_.check_url(normalized, field);
  return normalized;
}

std::string WebPushChannel::Tag(const Message& message) { return message.url.empty() ? message.id : message.url; }

std::string WebPushChannel::Payload(const Message& message) {
  std::string title = Shorten(message.subject.empty() ? message.page_name : message.subject, kMaxTitleBytes);
  std::string body = Shorten(message.short_text.empty() ? message.text : message.short_text, kMaxBodyBytes);
  // A link cut short is a broken link: drop an oversized one (the worker falls back to "/").
  std::string url = message.url.size() <= kMaxUrlBytes ? message.url : std::string();
  std::string tag = Shorten(Tag(message), kMaxUrlBytes);
  // JSON escaping can grow control characters sixfold: shrink the text until the document fits.
  std::string json = Serialize(title, body, url, tag);
  for (int i = 0; i < 16 && json.size() > webpush::kMaxPlaintextSize; ++i) {
    if (!body.empty())
      body = Shorten(body, body.size() / 2);
    else
      title = Shorten(title, title.size() / 2);
    json = Serialize(title, body, url, tag);
  }
  return json;
}

void WebPushChannel::Send(const Message& message, const model::Subscriber& to, std::function<void(SendOutcome)> done) {
  if (!signer_) return done(Outcome(Kind::kRetry, "web push is not configured: " + status_.error().message));
  // Keys and endpoint were checked at subscription time; if they no longer parse, no message can
  // ever reach this subscriber, which is what kGone means.
  auto keys = DecodeKeys(to.push_p256dh, to.push_auth, "push_p256dh", "push_auth");
  if (!keys) return done(Outcome(Kind::kGone, "unusable push subscription: " + keys.error().message));
  auto authorization = signer_->Authorization(to.address, clock_.Now());
  if (!authorization) {
    if (authorization.error().code == ErrorCode::kInvalid)
      return done(Outcome(Kind::kGone, "unusable push endpoint: " + authorization.error().message));
    return done(Outcome(Kind::kRetry, "VAPID signing failed: " + authorization.error().message));
  }
  auto body = webpush::Encrypt(Payload(message), keys->p256dh, keys->auth);
  if (!body) return done(Outcome(Kind::kRetry, "encryption failed: " + body.error().message));

  net::HttpRequest request;
  request.method = "POST";
  request.url = to.address;
  request.headers.emplace_back("Content-Type", "application/octet-stream");
  request.headers.emplace_back("Content-Encoding", "aes128gcm");
  request.headers.emplace_back("TTL", std::to_string(options_.ttl_seconds));
  request.headers.emplace_back("Urgency",
                               message.impact == "critical" || message.impact == "major" ? "high" : "normal");
  // RFC 8030 section 5.4: at most 32 characters of the base64url alphabet; hex qualifies.
  if (options_.use_topic && !message.url.empty())
    request.headers.emplace_back("Topic", Sha256Hex(Tag(message)).substr(0, 32));
  request.headers.emplace_back("Authorization", std::move(*authorization));
  request.body = std::move(*body);
  request.timeout = options_.timeout;
  request.follow_redirects = false;
  request.guard_address = true;  // endpoints come from browsers, that is from anyone
  request.max_response_bytes = 16 * 1024;

  http_.Send(std::move(request), [done = std::move(done), clock = &clock_](const net::HttpResponse& response) {
    HttpOutcomeInput in;
    in.status = response.status;
    in.retry_after_header = response.Header("retry-after");
    in.transport_failed = response.failure != net::FailureKind::kNone;
    in.transport_error = response.error;
    in.now = clock->Now();
    SendOutcome out = ClassifyHttp(in);
    if (!in.transport_failed) {
      if (response.status == 404 || response.status == 410) {
        out.kind = Kind::kGone;
        out.detail += " (push subscription expired or revoked)";
      } else if (response.status == 413) {
        out.detail += " (payload too large)";
      }
      // Push services explain refusals in the body ({"reason":"VapidPkHashMismatch"}, ...).
      if (response.status >= 400 && !response.body.empty()) {
        std::string reason = Shorten(response.body, kMaxDetailBody);
        for (char& c : reason)
          if (static_cast<unsigned char>(c) < 0x20) c = ' ';
        out.detail += ": " + reason;
      }
    }
    done(std::move(out));
  });
}

}  // namespace herald::notify
