#include "notify/webhook/http_push.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <utility>

#include "core/text.h"
#include "notify/webhook/chat_format.h"

namespace herald::notify {
namespace {

constexpr size_t kMaxUrlBytes = 2048;

const char* FailureName(net::FailureKind kind) {
  switch (kind) {
    case net::FailureKind::kNone: return "no response";
    case net::FailureKind::kTimeout: return "timeout";
    case net::FailureKind::kDns: return "host name did not resolve";
    case net::FailureKind::kConnect: return "connection failed";
    case net::FailureKind::kTls: return "TLS failure";
    case net::FailureKind::kRefusedAddress: return "address refused by policy";
    case net::FailureKind::kInvalidRequest: return "invalid request";
    case net::FailureKind::kTooLarge: return "response too large";
    case net::FailureKind::kShutdown: return "shutting down";
    case net::FailureKind::kOther: return "transfer failed";
  }
  return "transfer failed";
}

}  // namespace

Result<std::string> NormalizePushUrl(std::string_view address, const std::string& field, const PushUrlRule& rule,
                                     const UrlCheck& check) {
  const std::string_view url = Trim(address);
  auto invalid = [&](std::string message) -> Result<std::string> { return Error::Invalid(field, std::move(message)); };
  if (url.empty()) return invalid("is required");
  if (url.size() > kMaxUrlBytes) return invalid("is longer than 2048 characters");
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return invalid("is not a valid URL");
  const boost::urls::url_view& u = *parsed;
  const std::string scheme = Lower(u.scheme());
  if (scheme != "https" && !(rule.allow_http && scheme == "http"))
    return invalid(rule.allow_http ? "must be an http or https URL" : "must be an https URL");
  if (!u.has_authority() || u.encoded_host().empty()) return invalid("must name a host");
  if (u.has_userinfo()) return invalid("must not contain a user name or password");
  if (u.has_fragment()) return invalid("must not contain a fragment (#...)");
  if (rule.host_allowed) {
    const std::string host = Lower(u.encoded_host());
    std::string path(u.encoded_path());
    const bool default_port = !u.has_port() || u.port() == (scheme == "https" ? "443" : "80");
    if (!default_port || !rule.host_allowed(host, path))
      return invalid("must be " + (rule.expected.empty() ? std::string("an allowed URL") : rule.expected));
  }
  if (!check) return Error::Internal("no URL policy is configured for " + field);
  return check(url, field);
}

SendOutcome ClassifyResponse(const net::HttpResponse& response, TimeMs now) {
  HttpOutcomeInput in;
  in.status = response.status;
  in.retry_after_header = response.Header("retry-after");
  in.transport_failed = response.failure != net::FailureKind::kNone;
  if (in.transport_failed) in.transport_error = response.error.empty() ? FailureName(response.failure) : response.error;
  in.now = now;
  SendOutcome out = ClassifyHttp(in);
  if (response.status >= 300 && !response.body.empty()) {
    // The start of an error body tells staff what the platform objected to ("no_service",
    // "Unknown Webhook", "invalid_payload").
    std::string snippet;
    for (char c : std::string_view(response.body).substr(0, 120))
      snippet += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
    out.detail += ": " + SanitizeUtf8(snippet);
  }
  if (response.failure == net::FailureKind::kInvalidRequest || response.failure == net::FailureKind::kRefusedAddress)
    out.kind = SendOutcome::Kind::kPermanent;
  return out;
}

void PostJson(net::HttpClient& http, const Clock& clock, std::string url, std::string body, net::Headers extra_headers,
              std::function<void(SendOutcome)> done, RefineOutcome refine) {
  net::HttpRequest request;
  request.method = "POST";
  request.url = std::move(url);
  request.body = std::move(body);
  request.timeout = std::chrono::milliseconds(15000);
  request.follow_redirects = false;
  request.guard_address = true;
  // Content-Type first, then the channel's headers, in the caller's vector (no second one per message).
  extra_headers.emplace(extra_headers.begin(), "Content-Type", "application/json");
  request.headers = std::move(extra_headers);
  http.Send(std::move(request), [&clock, done = std::move(done), refine = std::move(refine)](net::HttpResponse r) {
    SendOutcome outcome = ClassifyResponse(r, clock.Now());
    if (refine) refine(r, outcome);
    done(std::move(outcome));
  });
}

}  // namespace herald::notify
