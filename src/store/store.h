// Store: the only way Herald reads and writes durable state. Two backends implement it, SQLite
// (embedded default) and PostgreSQL (scale-out); store_contract_test.cc runs the same suite on
// both. Every write method is one transaction: the domain change and its outbox event commit
// together or not at all, so nothing accepted is lost and nothing half-done is visible.
//
// Store joins one interface per role, each in its own header: StatusStore (pages, components,
// incidents, outbox), SubscriberStore, DispatchStore (fan-out, deliveries, templates),
// MonitorStore (monitors, results, automation, staff alerts), SettingStore and ApiStore (API keys,
// Idempotency-Key records); StaffStore (console users, sessions, invites); IncidentTemplateStore. Code that needs one role takes that
// interface (a Store& converts to each), so its dependencies and its test doubles stay small. StoreWrapper
// (store_wrapper.h) forwards every method to another Store, for decorators and the tests' FaultStore.
//
// Thread safety: all methods may be called from any thread concurrently; implementations
// serialise or pool connections internally. Methods block (disk, network): call them from a
// worker thread, never from an io_context thread.
//
// Errors: kNotFound when an addressed row is missing, kConflict on a duplicate unique value,
// kUnavailable when the database cannot be reached (callers answer 503 and retry later; the
// store reconnects by itself), kInternal otherwise.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "store/api_store.h"
#include "store/console_store.h"
#include "store/audit_store.h"
#include "store/dispatch_store.h"
#include "store/incident_template_store.h"
#include "store/monitor_store.h"
#include "store/setting_store.h"
#include "store/staff_store.h"
#include "store/status_store.h"
#include "store/subscriber_store.h"

namespace herald::store {

class Store : public StatusStore,
              public SubscriberStore,
              public DispatchStore,
              public MonitorStore,
              public SettingStore,
              public ApiStore,
              public ConsoleStore,
              public AuditStore,
              public StaffStore,
              public IncidentTemplateStore {
 public:
  ~Store() override = default;

  // Creates or upgrades the schema to the newest version. Idempotent.
  virtual Status Migrate() = 0;
  // Cheap round trip to the database; kUnavailable when it is unreachable.
  virtual Status Ping() = 0;
  virtual std::string BackendName() const = 0;  // "sqlite" or "postgresql"
};

// Opens a store from a URL: "sqlite:PATH" (created if missing; "sqlite::memory:" for tests) or
// "postgresql://..." / "postgres://...". Does not migrate.
Result<std::unique_ptr<Store>> OpenStore(const std::string& url);

}  // namespace herald::store
