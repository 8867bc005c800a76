// AdminApi: the management REST API under /v1, following Statuspage's management API paths
// and JSON shapes (pages, components, component groups, incidents and scheduled maintenance,
// incident updates), so existing clients work by changing the base URL. Authenticates
// `Authorization: OAuth <key>` or `Bearer <key>`, checks the key's role on every endpoint,
// accepts JSON and form bodies and `.json`-suffixed paths, and honours `Idempotency-Key` on
// POST (a replay within 24 h returns the first result and writes nothing).
//
// Thread safety: Handle may be called concurrently from worker threads. It blocks on the
// store: call it from a worker thread only.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/clock.h"
#include "http/message.h"
#include "service/audit_log.h"
#include "store/store.h"

namespace herald::api {

struct AdminDeps {
  store::Store& store;
  const Clock& clock;
  std::function<void()> on_change = [] {};
  std::string public_url;  // for incident shortlinks
  // The subscribers API, once notifications are running (null before: those paths answer 503).
  std::function<class SubscribersApi*()> subscribers_api = [] { return static_cast<SubscribersApi*>(nullptr); };
  // The monitoring API (monitors, automation rules, alert targets, drafts); null: those paths
  // answer 503.
  std::function<class MonitorsApi*()> monitors_api = [] { return static_cast<MonitorsApi*>(nullptr); };
  // The audit log: every successful write is recorded in it, and /v1/audit_log reads it; null:
  // nothing is recorded and /v1/audit_log answers 503.
  service::AuditLog* audit_log = nullptr;
};

class AdminApi {
 public:
  explicit AdminApi(AdminDeps deps);
  ~AdminApi();
  // Answers any request whose path starts with /v1/.
  http::Response Handle(const http::Request& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace herald::api
