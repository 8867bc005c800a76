#include "store/migrations/migrations.h"

#include <array>

namespace herald::store::migrations {
namespace {

constexpr std::string_view k0001Initial = R"sql(
CREATE TABLE pages (
  id TEXT PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  hostname TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  logo_url TEXT NOT NULL,
  accent_color TEXT NOT NULL,
  is_default INTEGER NOT NULL,
  is_private INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
-- Two pages cannot claim the same host name; most pages have none.
CREATE UNIQUE INDEX pages_hostname ON pages (hostname) WHERE hostname <> '';

CREATE TABLE components (
  id TEXT PRIMARY KEY,
  page_id TEXT NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
  group_id TEXT REFERENCES components (id) ON DELETE SET NULL,
  is_group INTEGER NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  position INTEGER NOT NULL,
  status TEXT NOT NULL,
  showcase INTEGER NOT NULL,
  only_show_if_degraded INTEGER NOT NULL,
  hidden INTEGER NOT NULL,
  start_date TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX components_page ON components (page_id, position, name);
CREATE INDEX components_group ON components (group_id);

CREATE TABLE component_status_history (
  id {{ID_PK}},
  component_id TEXT NOT NULL REFERENCES components (id) ON DELETE CASCADE,
  page_id TEXT NOT NULL,
  status TEXT NOT NULL,
  changed_at BIGINT NOT NULL
);
CREATE INDEX component_status_history_component ON component_status_history (component_id, changed_at, id);
CREATE INDEX component_status_history_page ON component_status_history (page_id, changed_at);

CREATE TABLE incidents (
  id TEXT PRIMARY KEY,
  page_id TEXT NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  impact TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  started_at BIGINT NOT NULL,
  monitoring_at BIGINT,
  resolved_at BIGINT,
  scheduled_for BIGINT,
  scheduled_until BIGINT,
  scheduled_auto_transition INTEGER NOT NULL,
  backfilled INTEGER NOT NULL,
  postmortem_body TEXT NOT NULL
);
CREATE INDEX incidents_page_started ON incidents (page_id, started_at);
CREATE INDEX incidents_page_order ON incidents (page_id, (COALESCE(scheduled_for, started_at)));

CREATE TABLE incident_components (
  incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  component_id TEXT NOT NULL REFERENCES components (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  old_status TEXT NOT NULL,
  new_status TEXT NOT NULL,
  PRIMARY KEY (incident_id, component_id)
);
CREATE INDEX incident_components_component ON incident_components (component_id);

CREATE TABLE incident_updates (
  id TEXT PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  status TEXT NOT NULL,
  body TEXT NOT NULL,
  display_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  deliver_notifications INTEGER NOT NULL,
  next_update_at BIGINT,
  internal INTEGER NOT NULL,
  affected_components TEXT NOT NULL
);
CREATE INDEX incident_updates_incident ON incident_updates (incident_id, display_at, created_at);

CREATE TABLE outbox (
  id {{ID_PK}},
  page_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind <> ''),
  subject_id TEXT NOT NULL,
  payload_json TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);

CREATE TABLE idempotency (
  key TEXT PRIMARY KEY,
  request_hash TEXT NOT NULL,
  status INTEGER NOT NULL,
  response_body TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX idempotency_created ON idempotency (created_at);
)sql";

// Subscribers, their deliveries and the durable progress of each fan-out (issue 3).
constexpr std::string_view k0002Notifications = R"sql(
ALTER TABLE incident_updates ADD COLUMN variants TEXT NOT NULL DEFAULT '{}';

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE subscribers (
  id TEXT PRIMARY KEY,
  page_id TEXT NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
  channel TEXT NOT NULL,
  address TEXT NOT NULL,
  state TEXT NOT NULL,
  component_ids TEXT NOT NULL,
  language TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  detail TEXT NOT NULL,
  event_types INTEGER NOT NULL,
  quiet_start_minute INTEGER,
  quiet_end_minute INTEGER,
  segment TEXT NOT NULL,
  priority INTEGER NOT NULL,
  secret TEXT NOT NULL,
  push_p256dh TEXT NOT NULL,
  push_auth TEXT NOT NULL,
  confirm_code_hash TEXT NOT NULL,
  owner_email TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  confirmed_at BIGINT NOT NULL,
  failing_since BIGINT NOT NULL,
  last_error TEXT NOT NULL
);
CREATE UNIQUE INDEX subscribers_address ON subscribers (page_id, channel, address);
-- The fan-out streams active subscribers by priority (highest first), then id.
CREATE INDEX subscribers_dispatch ON subscribers (page_id, state, priority DESC, id);
CREATE INDEX subscribers_pending ON subscribers (state, created_at);

CREATE TABLE dispatch_jobs (
  event_id BIGINT PRIMARY KEY,
  page_id TEXT NOT NULL,
  done INTEGER NOT NULL,
  has_cursor INTEGER NOT NULL,
  cursor_priority INTEGER NOT NULL,
  cursor_id TEXT NOT NULL,
  matched BIGINT NOT NULL,
  lease_owner TEXT NOT NULL,
  lease_until BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX dispatch_jobs_open ON dispatch_jobs (done, event_id);

CREATE TABLE deliveries (
  id TEXT PRIMARY KEY,
  event_id BIGINT NOT NULL,
  page_id TEXT NOT NULL,
  subscriber_id TEXT NOT NULL,
  incident_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  state TEXT NOT NULL,
  priority INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  last_status INTEGER NOT NULL,
  last_error TEXT NOT NULL
);
-- Due work: unfinished deliveries by time; finished ones leave this partial index.
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state IN ('pending', 'retrying');
CREATE INDEX deliveries_subscriber ON deliveries (subscriber_id, created_at);
CREATE INDEX deliveries_incident ON deliveries (page_id, incident_id);
CREATE INDEX deliveries_event ON deliveries (event_id);

CREATE TABLE notification_templates (
  page_id TEXT NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  body TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (page_id, key)
);
)sql";

// Monitoring (issue 4): monitors and what they found, automation rules and drafts, staff alerts.
constexpr std::string_view k0003Monitoring = R"sql(
CREATE TABLE monitors (
  id TEXT PRIMARY KEY,
  page_id TEXT NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
  component_id TEXT REFERENCES components (id) ON DELETE SET NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  spec TEXT NOT NULL,
  interval_ms BIGINT NOT NULL,
  timeout_ms BIGINT NOT NULL,
  failures_to_down INTEGER NOT NULL,
  failure_window INTEGER NOT NULL,
  successes_to_up INTEGER NOT NULL,
  down_status TEXT NOT NULL,
  slow_status TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  show_chart INTEGER NOT NULL,
  heartbeat_token_hash TEXT NOT NULL,
  state TEXT NOT NULL,
  state_since BIGINT NOT NULL,
  last_check_at BIGINT NOT NULL,
  last_heartbeat_at BIGINT NOT NULL,
  last_error TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX monitors_page ON monitors (page_id);
CREATE INDEX monitors_component ON monitors (component_id);
-- The heartbeat endpoint finds its monitor by the hash of the presented token.
CREATE UNIQUE INDEX monitors_heartbeat ON monitors (heartbeat_token_hash) WHERE heartbeat_token_hash <> '';

CREATE TABLE monitor_samples (
  monitor_id TEXT NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
  at BIGINT NOT NULL,
  verdict TEXT NOT NULL,
  status_code INTEGER NOT NULL,
  dns_ms DOUBLE PRECISION NOT NULL,
  connect_ms DOUBLE PRECISION NOT NULL,
  tls_ms DOUBLE PRECISION NOT NULL,
  first_byte_ms DOUBLE PRECISION NOT NULL,
  total_ms DOUBLE PRECISION NOT NULL,
  error TEXT NOT NULL,
  evidence TEXT NOT NULL
);
CREATE INDEX monitor_samples_monitor ON monitor_samples (monitor_id, at);
CREATE INDEX monitor_samples_at ON monitor_samples (at);

CREATE TABLE monitor_rollups (
  monitor_id TEXT NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
  granularity TEXT NOT NULL CHECK (granularity IN ('m', 'd')),
  bucket_start BIGINT NOT NULL,
  checks BIGINT NOT NULL,
  up BIGINT NOT NULL,
  slow BIGINT NOT NULL,
  down BIGINT NOT NULL,
  answered BIGINT NOT NULL,
  latency_sum_ms DOUBLE PRECISION NOT NULL,
  latency_max_ms DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (monitor_id, granularity, bucket_start)
);
CREATE INDEX monitor_rollups_prune ON monitor_rollups (granularity, bucket_start);

CREATE TABLE automation_rules (
  page_id TEXT NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
  component_id TEXT NOT NULL REFERENCES components (id) ON DELETE CASCADE,
  mode TEXT NOT NULL,
  draft_publish_after_ms BIGINT NOT NULL,
  incident_name TEXT NOT NULL,
  incident_body TEXT NOT NULL,
  notify INTEGER NOT NULL,
  resolve_after_ms BIGINT NOT NULL,
  flap_window_ms BIGINT NOT NULL,
  open_incident_id TEXT NOT NULL,
  open_draft_id TEXT NOT NULL,
  recovered_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (page_id, component_id)
);

-- Drafts are history: they keep their component and monitor ids after those are deleted.
CREATE TABLE incident_drafts (
  id TEXT PRIMARY KEY,
  page_id TEXT NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
  component_id TEXT NOT NULL,
  monitor_id TEXT NOT NULL,
  name TEXT NOT NULL,
  body TEXT NOT NULL,
  impact TEXT NOT NULL,
  component_status TEXT NOT NULL,
  state TEXT NOT NULL,
  publish_at BIGINT NOT NULL,
  incident_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX incident_drafts_page ON incident_drafts (page_id, created_at);
CREATE INDEX incident_drafts_state ON incident_drafts (state, publish_at);

CREATE TABLE alert_targets (
  id TEXT PRIMARY KEY,
  page_id TEXT NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  channel TEXT NOT NULL,
  address TEXT NOT NULL,
  secret TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX alert_targets_page ON alert_targets (page_id);

-- No foreign keys: an alert written with a batch of results must not fail it because its target
-- or monitor was deleted meanwhile (the sender gives up on a missing target).
CREATE TABLE staff_alerts (
  id TEXT PRIMARY KEY CHECK (id <> ''),
  page_id TEXT NOT NULL,
  target_id TEXT NOT NULL,
  monitor_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind <> ''),
  subject TEXT NOT NULL,
  text TEXT NOT NULL,
  facts TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  last_status INTEGER NOT NULL,
  last_error TEXT NOT NULL
);
CREATE INDEX staff_alerts_due ON staff_alerts (state, next_attempt_at);
CREATE INDEX staff_alerts_page ON staff_alerts (page_id, created_at);
)sql";

// deliveries_event served no query, yet every delivery of a fan-out paid for keeping it: one
// B-tree insert per row (a million per million-subscriber update).
constexpr std::string_view k0004DeliveriesIndexes = R"sql(
DROP INDEX deliveries_event;
)sql";

// A component's status is the worst of its causes; the one staff set by hand is kept apart
// (settings "component.manual_status:<id>", service/component_status.h) so that an incident or a
// maintenance ending returns to it. Existing components keep what they show when nothing else
// explains it (no open incident or maintenance in progress, no monitor).
constexpr std::string_view k0005ComponentManualStatus = R"sql(
INSERT INTO settings (key, value, updated_at)
  SELECT 'component.manual_status:' || id, status, updated_at FROM components
  WHERE is_group = 0 AND status <> 'operational'
    AND id NOT IN (SELECT ic.component_id FROM incident_components ic JOIN incidents i ON i.id = ic.incident_id
                   WHERE i.status NOT IN ('resolved', 'postmortem', 'completed', 'scheduled'))
    AND id NOT IN (SELECT component_id FROM monitors WHERE component_id IS NOT NULL);
)sql";

// The operator console's staff (issue 15): users, sessions, invitations, failed sign-in counters.
// Secrets are stored as SHA-256 hex (sessions, invites) or Argon2id strings (passwords).
constexpr std::string_view k0006Staff = R"sql(
CREATE TABLE staff_users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE CHECK (email <> ''),
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  last_sign_in_at BIGINT NOT NULL
);

CREATE TABLE staff_sessions (
  id_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  remote_addr TEXT NOT NULL
);
CREATE INDEX staff_sessions_user ON staff_sessions (user_id);
-- The purge of idle and old sessions.
CREATE INDEX staff_sessions_seen ON staff_sessions (last_seen_at);
CREATE INDEX staff_sessions_created ON staff_sessions (created_at);

CREATE TABLE staff_invites (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT NOT NULL
);
CREATE INDEX staff_invites_user ON staff_invites (user_id);

CREATE TABLE staff_sign_in_failures (
  key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  window_start BIGINT NOT NULL
);
)sql";


// The operator console's lists page by index (keyset, never OFFSET) through a million subscribers
// and ten thousand incidents (store/console_store.h): subscribers in (address, id) order within a
// page, optionally one state, channel or segment, which also serves the address prefix search;
// incidents newest first, optionally one status. Text keys compare bytewise ({{BYTEWISE}}) so the
// index order is the query's on both engines. The dashboard counts failed and unsent deliveries
// from partial indexes (a delivery enters them only while failed or unsent, so a fan-out's
// delivered rows cost them nothing) and the languages in use with a loose scan of
// subscribers_console_language.
constexpr std::string_view k0008ConsoleIndexes = R"sql(
CREATE INDEX subscribers_console_address ON subscribers (page_id, address{{BYTEWISE}}, id{{BYTEWISE}});
CREATE INDEX subscribers_console_state ON subscribers (page_id, state, address{{BYTEWISE}}, id{{BYTEWISE}});
CREATE INDEX subscribers_console_channel ON subscribers (page_id, channel, address{{BYTEWISE}}, id{{BYTEWISE}});
CREATE INDEX subscribers_console_segment ON subscribers (page_id, segment, address{{BYTEWISE}}, id{{BYTEWISE}});
CREATE INDEX subscribers_console_language ON subscribers (page_id, state, language);
CREATE INDEX incidents_console_order ON incidents (page_id, (COALESCE(scheduled_for, started_at)), id{{BYTEWISE}});
CREATE INDEX incidents_console_status ON incidents (page_id, status, (COALESCE(scheduled_for, started_at)), id{{BYTEWISE}});
CREATE INDEX deliveries_console_failed ON deliveries (page_id, updated_at) WHERE state = 'failed';
CREATE INDEX deliveries_console_open ON deliveries (page_id) WHERE state IN ('pending', 'retrying');
)sql";

// The audit log (model/audit.h): append-only, listed newest first by (at, id), filtered by actor,
// target or page (each index ends in at, id so a filtered page is one index range), purged by at.
// No foreign keys: an entry outlives the page, key or object it names.
constexpr std::string_view k0007AuditLog = R"sql(
CREATE TABLE audit_log (
  id {{ID_PK}},
  at BIGINT NOT NULL,
  actor TEXT NOT NULL CHECK (actor <> ''),
  actor_name TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action <> ''),
  target_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  page_id TEXT NOT NULL,
  source TEXT NOT NULL,
  summary TEXT NOT NULL,
  changes TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at, id);
CREATE INDEX audit_log_actor ON audit_log (actor, at, id);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id, at, id);
CREATE INDEX audit_log_page ON audit_log (page_id, at, id);
)sql";

// Incident templates (model/incident_template.h): a few per page, listed by group and name; a
// name is unique within its page. Their components are rows that go with the component.
constexpr std::string_view k0009IncidentTemplates = R"sql(
CREATE TABLE incident_templates (
  id TEXT PRIMARY KEY,
  page_id TEXT NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
  name TEXT NOT NULL CHECK (name <> ''),
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  group_name TEXT NOT NULL,
  update_status TEXT NOT NULL,
  notice_type TEXT NOT NULL,
  deliver_notifications INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX incident_templates_name ON incident_templates (page_id, name{{BYTEWISE}});

CREATE TABLE incident_template_components (
  template_id TEXT NOT NULL REFERENCES incident_templates (id) ON DELETE CASCADE,
  component_id TEXT NOT NULL REFERENCES components (id) ON DELETE CASCADE,
  status TEXT NOT NULL,
  PRIMARY KEY (template_id, component_id)
);
CREATE INDEX incident_template_components_component ON incident_template_components (component_id);
)sql";

// Two-factor sign-in for staff (issue 15): each user's TOTP secret (base32; it must be usable, so
// it cannot be hashed: the database is as secret as the password hashes beside it), whether it is
// on, the last step accepted (a code works once), and the one-time recovery codes as SHA-256 hex.
constexpr std::string_view k0010StaffSecondFactor = R"sql(
CREATE TABLE staff_second_factors (
  user_id TEXT PRIMARY KEY REFERENCES staff_users (id) ON DELETE CASCADE,
  secret TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  last_step BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE staff_recovery_codes (
  user_id TEXT NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
  code_hash TEXT NOT NULL,
  PRIMARY KEY (user_id, code_hash)
);
)sql";

constexpr std::array<Migration, 10> kMigrations{{
    {1, "initial", k0001Initial},
    {2, "notifications", k0002Notifications},
    {3, "monitoring", k0003Monitoring},
    {4, "deliveries_indexes", k0004DeliveriesIndexes},
    {5, "component_manual_status", k0005ComponentManualStatus},
    {6, "staff", k0006Staff},
    {7, "audit_log", k0007AuditLog},
    {8, "console_indexes", k0008ConsoleIndexes},
    {9, "incident_templates", k0009IncidentTemplates},
    {10, "staff_second_factor", k0010StaffSecondFactor},
}};

}  // namespace

std::span<const Migration> All() { return kMigrations; }

}  // namespace herald::store::migrations
