// The plumbing every HTTP push channel shares (the webhook and the chat channels):
// checking a destination URL a subscriber gave us, POSTing one JSON document to it, and turning
// the answer into a SendOutcome. Each channel adds only its wire format and platform quirks.
//
// Thread safety: the functions are reentrant; PostJson may be called from any thread and calls
// `done` once on the HttpClient's thread.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "address/web_url.h"
#include "core/clock.h"
#include "core/result.h"
#include "net/http_client.h"
#include "notify/channel.h"

namespace herald::notify {

// The SSRF check on a URL supplied by the public: the application wires it to
// net::AddressPolicy::CheckUrl (scheme, host, every encoding of private and loopback addresses,
// DNS resolution). It returns the normalised URL or an Error::Invalid naming `field`.
using UrlCheck = std::function<Result<std::string>(std::string_view url, const std::string& field)>;

// What a channel accepts as a destination before the SSRF check runs (address/web_url.h).
using PushUrlRule = address::WebUrlRule;

// address::NormalizeWebUrl (trimmed, an absolute http(s) URL without user info or fragment, at
// most 2048 bytes, satisfying `rule`), then hands it to `check` and returns what that returns. A null
// `check` fails closed (Error::Internal): a deployment must never skip the SSRF guard by accident.
Result<std::string> NormalizePushUrl(std::string_view address, const std::string& field, const PushUrlRule& rule,
                                     const UrlCheck& check);

// Classifies a response with ClassifyHttp. In addition, a request the engine could not even
// start (malformed URL) or an address refused by the SSRF policy is kPermanent: the same message
// would be refused again. `now` resolves Retry-After dates.
SendOutcome ClassifyResponse(const net::HttpResponse& response, TimeMs now);

// Optional per-platform reading of a response: may change the outcome (Slack's "no_service" means
// the webhook was removed: kGone).
using RefineOutcome = std::function<void(const net::HttpResponse& response, SendOutcome& outcome)>;

// POSTs `body` as application/json to `url` with the notification request settings: SSRF guard on
// (the public supplied the URL), redirects not followed, 15 s timeout. `extra_headers` are added
// after Content-Type.
void PostJson(net::HttpClient& http, const Clock& clock, std::string url, std::string body, net::Headers extra_headers,
              std::function<void(SendOutcome)> done, RefineOutcome refine = nullptr);

}  // namespace herald::notify
