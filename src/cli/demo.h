// Demo data: a realistic status page (a dozen components in groups, one open incident with
// three updates, a resolved incident, an upcoming maintenance and 90 days of status history) so
// that `make run` shows what Herald looks like. Only seeds an empty database.
//
// It also adds monitors against Herald itself (`self_url`, the address it serves on: its
// /healthz, its status JSON and its TCP port), two of them with a response-time chart, with 30
// days of synthetic results so the chart and the measured uptime bars show at once. When the
// store cannot keep monitors the demo goes without them.
#pragma once

#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace herald::cli {

// Returns true if it seeded, false if the database already had pages.
Result<bool> SeedDemo(store::Store& store, const Clock& clock, const std::string& self_url = "http://127.0.0.1:8080");

// The demo's way into the operator console: an admin, kDemoAdminEmail. While it has no password,
// every demo start makes a new one-time link (24 h) to choose one and returns the line that says
// so ("console: choose the password of demo-admin@example.com at <base_url>/admin/invite/...");
// once it has one, the line says where to sign in.
inline constexpr const char* kDemoAdminEmail = "demo-admin@example.com";
Result<std::string> DemoConsoleAccess(store::Store& store, const Clock& clock, const std::string& base_url);

}  // namespace herald::cli
