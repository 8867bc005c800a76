// Web URLs given by the public as destinations (webhooks, chat incoming webhooks, web push
// endpoints): the syntax every such URL must have before the SSRF check (net::AddressPolicy)
// looks at where it leads.
//
// Thread safety: pure functions.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace herald::address {

// What a destination may look like besides being an absolute http(s) URL.
struct WebUrlRule {
  bool allow_http = false;  // plain http (tests, internal deployments); https otherwise
  // Platform host check on the lower-cased host and the path (which starts with '/'); null accepts
  // any host. Hosts that must match also need the default port.
  std::function<bool(std::string_view host, std::string_view path)> host_allowed;
  std::string expected;  // for the error message: "a Slack incoming webhook URL (https://hooks.slack.com/...)"
};

// Trims `address` and checks it is an absolute http(s) URL with a host, without user info or
// fragment, at most 2048 bytes, satisfying `rule`. Returns the trimmed URL or an Error::Invalid
// naming `field`.
Result<std::string> NormalizeWebUrl(std::string_view address, const std::string& field, const WebUrlRule& rule);

}  // namespace herald::address
