// Monitoring: the checks Herald runs itself (HTTP, TCP, DNS, TLS, heartbeat), what they found,
// the rules that turn a confirmed failure into an incident, and the staff who hear about every
// state change. Plain data, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "model/model.h"
#include "model/subscriber.h"

namespace herald::model {

// Wire names: "http", "tcp", "dns", "tls", "heartbeat".
enum class MonitorKind { kHttp, kTcp, kDns, kTls, kHeartbeat };
// A monitor's confirmed state. unknown: not enough results yet (new, or just re-enabled).
// Wire names: "unknown", "up", "degraded", "down".
enum class MonitorState { kUnknown, kUp, kDegraded, kDown };
// One check's verdict: up; slow (answered correctly but over the response-time threshold, or a
// certificate that expires soon); down (wrong answer, error, timeout). Wire names "up", "slow", "down".
enum class CheckVerdict { kUp, kSlow, kDown };

std::string_view ToString(MonitorKind k);
std::string_view ToString(MonitorState s);
std::string_view ToString(CheckVerdict v);
std::optional<MonitorKind> ParseMonitorKind(std::string_view s);
std::optional<MonitorState> ParseMonitorState(std::string_view s);
std::optional<CheckVerdict> ParseCheckVerdict(std::string_view s);

// What to check, by kind. Only the fields of the monitor's kind are used; the store keeps the
// whole spec as one JSON document (ProbeSpecToJson/ProbeSpecFromJson) so that adding a field
// needs no migration.
struct ProbeSpec {
  // http: the URL. tcp and tls: "host:port" ("[::1]:443" for IPv6). dns: the name to resolve.
  // heartbeat: unused (the job calls /heartbeat/{token}).
  std::string target;
  // HTTP
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::vector<std::pair<int, int>> expected_status = {{200, 399}};  // inclusive ranges
  std::string keyword;                                              // the body must contain it (empty: no check)
  bool keyword_absent = false;                                      // true: the body must NOT contain `keyword`
  std::string json_path;                                            // "$.status" / "$.checks[0].ok": must exist...
  std::string json_expected;                                        // ...and, when set, equal this (compared as text)
  bool follow_redirects = true;
  bool verify_tls = true;
  // Response time above this is "slow" (degraded); 0: no threshold. HTTP, TCP, DNS, TLS.
  int slow_ms = 0;
  // DNS
  std::string record_type = "A";  // A, AAAA, CNAME, MX, TXT, NS
  std::string expected_answer;    // one answer must equal it (empty: any answer)
  std::string dns_server;         // "127.0.0.1:5353"; empty: the system resolver's
  // TLS: a certificate expiring within this many days is "slow" (warns: degraded). At most
  // kMaxExpiryWarnDays.
  int expiry_warn_days = 14;
  // Heartbeat: how long after the expected call a missing call counts as a failure.
  std::int64_t grace_ms = 60'000;
};

// The one limit on ProbeSpec::expiry_warn_days, for the service's validation and the TLS probe's
// (they disagreed once: 365 and 3650). A year is what docs/api.md documents.
inline constexpr int kMaxExpiryWarnDays = 365;

std::string ProbeSpecToJson(const ProbeSpec& spec);
// Reads what ProbeSpecToJson wrote; unknown fields are ignored, missing fields keep defaults.
ProbeSpec ProbeSpecFromJson(std::string_view json);

// Timing breakdown of one check, milliseconds from its start (0 when not reached).
struct CheckTimings {
  double dns_ms = 0, connect_ms = 0, tls_ms = 0, first_byte_ms = 0, total_ms = 0;
};

struct Monitor {
  std::string id;
  std::string page_id;
  std::string component_id;  // the component it drives; empty: only records and alerts
  std::string name;
  MonitorKind kind = MonitorKind::kHttp;
  ProbeSpec spec;
  std::int64_t interval_ms = 60'000;  // at least 5 s
  std::int64_t timeout_ms = 10'000;   // at most the interval
  // Down after `failures_to_down` failed checks among the last `failure_window` checks (N of M);
  // up again after `successes_to_up` consecutive good checks.
  int failures_to_down = 3;
  int failure_window = 3;
  int successes_to_up = 2;
  ComponentStatus down_status = ComponentStatus::kMajorOutage;          // what "down" means
  ComponentStatus slow_status = ComponentStatus::kDegradedPerformance;  // what "degraded" means
  bool enabled = true;
  bool show_chart = false;           // its response-time chart is shown under its component on the page
  std::string heartbeat_token_hash;  // heartbeat: SHA-256 hex of the secret in the job's URL
  // Confirmed state, written by the engine.
  MonitorState state = MonitorState::kUnknown;
  TimeMs state_since = 0;
  TimeMs last_check_at = 0;
  TimeMs last_heartbeat_at = 0;  // heartbeat: when the job last called
  std::string last_error;        // of the last failed check
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

// One check's result (raw samples are kept for a short window, see MonitorRollup).
struct MonitorSample {
  std::string monitor_id;
  TimeMs at = 0;
  CheckVerdict verdict = CheckVerdict::kUp;
  int status_code = 0;  // HTTP status, 0 otherwise
  CheckTimings timings;
  std::string error;     // why it failed, for staff ("HTTP 503", "timeout after 10 s")
  std::string evidence;  // short extra facts: remote address, certificate expiry, DNS answers
};

// Checks aggregated per minute ('m') or per day ('d'), kept long after the raw samples.
struct MonitorRollup {
  std::string monitor_id;
  char granularity = 'm';
  TimeMs bucket_start = 0;  // UTC start of the minute or day
  std::int64_t checks = 0, up = 0, slow = 0, down = 0;
  double latency_sum_ms = 0, latency_max_ms = 0;  // over checks that got an answer
  std::int64_t answered = 0;                      // checks counted in latency_sum_ms
};

// What happens to a component's customers when its monitors confirm a failure.
enum class AutomationMode {
  kOff,      // component status follows the monitors; nothing else
  kPublish,  // open an incident and notify subscribers at once
  kDraft,    // create a draft incident for a human to publish; it publishes itself after a delay
};
std::string_view ToString(AutomationMode m);  // "off", "publish", "draft"
std::optional<AutomationMode> ParseAutomationMode(std::string_view s);

// One rule per component. Templates are Mustache with {{component}}, {{monitor}}, {{status}},
// {{error}}; empty uses the plain-language default.
struct AutomationRule {
  std::string page_id;
  std::string component_id;
  AutomationMode mode = AutomationMode::kPublish;
  std::int64_t draft_publish_after_ms = 10 * 60'000;  // draft: publishes itself after this
  std::string incident_name;                          // template of the incident's title
  std::string incident_body;                          // template of its first update
  bool notify = true;                                 // deliver notifications for its updates
  std::int64_t resolve_after_ms = 10 * 60'000;        // quiet period after recovery before resolving
  std::int64_t flap_window_ms = 30 * 60'000;          // a failure this soon after recovery rejoins
  // Engine state: the incident (or draft) this rule opened and has not closed, and when its
  // component recovered (0: still failing).
  std::string open_incident_id;
  std::string open_draft_id;
  TimeMs recovered_at = 0;
  TimeMs updated_at = 0;
};

enum class DraftState { kWaiting, kPublished, kDiscarded };
std::string_view ToString(DraftState s);  // "waiting", "published", "discarded"
std::optional<DraftState> ParseDraftState(std::string_view s);

// An incident the automation prepared and a human may publish, edit or discard before
// `publish_at`, when the engine publishes it itself.
struct IncidentDraft {
  std::string id;
  std::string page_id;
  std::string component_id;
  std::string monitor_id;
  std::string name;
  std::string body;
  Impact impact = Impact::kMajor;
  ComponentStatus component_status = ComponentStatus::kMajorOutage;
  DraftState state = DraftState::kWaiting;
  TimeMs publish_at = 0;
  std::string incident_id;  // once published
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

// A staff destination that hears about every monitor state change (never customers).
struct AlertTarget {
  std::string id;
  std::string page_id;
  std::string name;
  ChannelKind channel = ChannelKind::kEmail;  // email, webhook, slack, teams (and other chat)
  std::string address;                        // email address or URL
  std::string secret;                         // webhook signing secret
  TimeMs created_at = 0;
};

// One alert to one staff target, written in the same transaction as the state change it
// reports, so a crash cannot lose it; retried like a delivery.
struct StaffAlert {
  std::string id;  // idempotency key (webhook-id, Message-ID)
  std::string page_id;
  std::string target_id;
  std::string monitor_id;  // empty for "monitoring degraded" notices
  std::string kind;        // "monitor.down", "monitor.degraded", "monitor.up", "monitoring.degraded"
  std::string subject;
  std::string text;  // plain text with the evidence (status code, error, timings)
  std::vector<std::pair<std::string, std::string>> facts;
  DeliveryState state = DeliveryState::kPending;
  int attempts = 0;
  TimeMs next_attempt_at = 0;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
  int last_status = 0;
  std::string last_error;
};

}  // namespace herald::model
