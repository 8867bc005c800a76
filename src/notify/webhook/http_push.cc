#include "notify/webhook/http_push.h"

#include <utility>

#include "core/text.h"
#include "notify/webhook/chat_format.h"

namespace herald::notify {
namespace {

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
  auto url = address::NormalizeWebUrl(address, field, rule);
  if (!url) return url.error();
  if (!check) return Error::Internal("no URL policy is configured for " + field);
  return check(*url, field);
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
  http.Send(std::move(request),
            [&clock, done = std::move(done), refine = std::move(refine)](const net::HttpResponse& r) {
              SendOutcome outcome = ClassifyResponse(r, clock.Now());
              if (refine) refine(r, outcome);
              done(std::move(outcome));
            });
}

}  // namespace herald::notify
