// `herald subscriber ...`: import, export, add and list subscribers from the command line.
//
//   herald subscriber import FILE [--page P] [--db URL]   CSV (header: channel,address,component_ids,
//                                                          language,time_zone,detail,segment,priority);
//                                                          a progress bar on a terminal only; then one
//                                                          line: added, updated, unchanged, with errors;
//                                                          errors by line on stderr
//   herald subscriber export [--page P] [--out FILE]      CSV on stdout or into FILE
//   herald subscriber add --channel email --address X [--component ID]... [--segment S] [--priority N]
//                          [--confirm]                     active at once (staff vouch) unless --confirm
//   herald subscriber list [--state S] [--channel C] [--segment S] [--limit N]
//
// The commands run from CLI11 callbacks during parse and store their exit code; errors print one
// line on stderr. Not thread-safe (a command line runs once).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cli/common.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/result.h"
#include "notify/links.h"
#include "notify/registry.h"
#include "store/store.h"

namespace herald::cli {

// What the commands need, opened from --db and --config by the caller (AddSubscriberCommand:
// OpenConfigured). `channels` may be null: addresses are then validated as the server validates them
// (email, SMS, and webhook and chat URLs under `notify`'s SSRF rules) without sending anything:
// enough for import, export, list and add without --confirm. `links` may be null when nothing is
// sent.
struct SubscriberCliEnv {
  std::unique_ptr<store::Store> store;
  notify::Channels* channels = nullptr;
  const notify::LinkSigner* links = nullptr;
  std::string public_url;
  config::NotifyConfig notify;  // allow_private, allow_http: the server's rules for URLs
};
using OpenSubscriberEnv = std::function<Result<SubscriberCliEnv>(const CommonOptions& options)>;

// Registers `subscriber` on `app`. After app.parse(), a set `exit_code` means one of these
// commands ran: return it from main.
void AddSubscriberCommands(CLI::App& app, OpenSubscriberEnv open, const Clock& clock, std::optional<int>& exit_code);

}  // namespace herald::cli
