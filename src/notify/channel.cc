#include "notify/channel.h"

#include <charconv>

#include "core/time.h"

namespace herald::notify {

SendOutcome ClassifyHttp(const HttpOutcomeInput& in) {
  SendOutcome out;
  out.status = in.status;
  if (in.transport_failed || in.status == 0) {
    out.kind = SendOutcome::Kind::kRetry;
    out.detail = in.transport_error.empty() ? "no response" : in.transport_error;
    return out;
  }
  out.detail = "HTTP " + std::to_string(in.status);
  if (in.status >= 200 && in.status < 300) {
    out.kind = SendOutcome::Kind::kDelivered;
  } else if (in.status == 410) {
    out.kind = SendOutcome::Kind::kGone;
  } else if (in.status == 429 || in.status >= 500 || (in.status >= 300 && in.status < 400) || in.status == 408) {
    out.kind = SendOutcome::Kind::kRetry;
    if (in.status >= 300 && in.status < 400) out.detail += " (redirects are not followed)";
  } else {
    out.kind = SendOutcome::Kind::kPermanent;
  }
  if (!in.retry_after_header.empty() && out.kind == SendOutcome::Kind::kRetry) {
    const auto& h = in.retry_after_header;
    long long seconds = -1;
    auto [p, ec] = std::from_chars(h.data(), h.data() + h.size(), seconds);
    if (ec == std::errc() && p == h.data() + h.size() && seconds >= 0) {
      out.retry_after = std::chrono::seconds(seconds);
    } else if (auto when = ParseHttpDate(h)) {
      out.retry_after = std::chrono::milliseconds(*when > in.now ? *when - in.now : 0);
    }
  }
  return out;
}

}  // namespace herald::notify
