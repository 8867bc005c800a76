// What staff below admin (no read_secrets) see of monitoring's secrets: a monitor's target URL
// with its credentials masked (user info, query values), its request header values and body
// masked, and alert target URLs (chat and webhook URLs carry their secret in the path) masked.
// One place, used by the management API and the console, so the two cannot reveal different things.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "model/monitor.h"

namespace herald::model {

inline constexpr std::string_view kMaskedSecret = "********";

// `url` with what may carry a credential replaced by kMaskedSecret: user info ("user:pass@"),
// every query value ("?token=********") and, with `hide_path`, the whole path (chat and webhook
// URLs carry their secret there: hooks.slack.com/services/T0/B0/XXXX). Not a URL: unchanged.
std::string MaskUrl(std::string_view url, bool hide_path);

// `m` as a role without read_secrets sees it: the target masked (MaskUrl), every header value
// and a non-empty request body replaced by kMaskedSecret. The heartbeat token hash is cleared.
Monitor WithSecretsMasked(Monitor m);

// An alert target's address as a role sees it: email addresses in full; chat and webhook URLs,
// whose path is the credential, masked unless `reveal_secrets`.
std::string VisibleAddress(const AlertTarget& target, bool reveal_secrets);

}  // namespace herald::model
