// MonitorService: how staff manage monitoring. Creates, changes and deletes monitors (with
// complete validation: a bad field is an Error::Invalid naming the field, as the API spells it,
// and nothing is written), issues and rotates heartbeat tokens, keeps the automation rule of each
// component, the staff alert targets, and the draft incidents automation prepares (edit, publish,
// discard). The monitor engine publishes drafts through the same PublishDraft.
//
// Heartbeat tokens and webhook signing secrets are returned once, at creation or rotation; the
// store keeps only the token's SHA-256 (it is 256 random bits, so a fast hash is enough).
//
// Thread safety: methods may be called concurrently from worker threads; the service holds no
// mutable state besides its dependencies. They block on the store (and NormalizeAddress may
// resolve names): never call them on an io_context thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "model/model.h"
#include "model/monitor.h"
#include "store/store.h"

namespace herald::notify {
class Channels;
}

namespace herald::service {

struct MonitorDeps {
  store::Store& store;
  const Clock& clock;
  // A new public snapshot (a monitor's chart opt-in, a published draft).
  std::function<void()> on_change = [] {};
  // The probe kind's own checks (Probe::Validate); empty: only the generic checks here.
  std::function<Status(const model::Monitor&)> validate_probe = nullptr;
  // Tells the monitor engine that monitors, rules or targets changed.
  std::function<void()> reload = [] {};
  // Tells the monitor engine that a heartbeat monitor's job called.
  std::function<void(const std::string& monitor_id, TimeMs at)> notify_heartbeat = [](const std::string&, TimeMs) {};
  // The notification channels, once running (null before, or in the CLI): alert target addresses
  // are then checked by their channel's NormalizeAddress; without them only by form.
  std::function<const notify::Channels*()> channels = [] { return static_cast<const notify::Channels*>(nullptr); };
  // Plain http:// alert target URLs (tests, internal deployments); https otherwise.
  bool allow_http_endpoints = false;
};

// A monitor as staff describe it. Unset fields take the default on create and stay unchanged on
// update (PATCH semantics). Enumerations are text so that errors name the field.
struct MonitorInput {
  std::optional<std::string> name, component_id, kind, target;
  std::optional<std::int64_t> interval_ms, timeout_ms;
  std::optional<int> failures_to_down, failure_window, successes_to_up;
  std::optional<std::string> down_status, slow_status;
  std::optional<bool> enabled, show_chart;
  // Kind-specific (see model::ProbeSpec).
  std::optional<std::string> method;
  std::optional<std::vector<std::pair<std::string, std::string>>> headers;
  std::optional<std::string> body;
  std::optional<std::vector<std::string>> expected_status;  // "200-299", "301"
  std::optional<std::string> keyword;
  std::optional<bool> keyword_absent;
  std::optional<std::string> json_path, json_expected;
  std::optional<bool> follow_redirects, verify_tls;
  std::optional<int> slow_ms;
  std::optional<std::string> record_type, expected_answer, dns_server;
  std::optional<int> expiry_warn_days;
  std::optional<std::int64_t> grace_ms;
};

// A created or changed monitor, with its heartbeat token when one was just issued (shown once).
struct MonitorOutcome {
  model::Monitor monitor;
  std::string heartbeat_token;
};

struct AutomationRuleInput {
  std::optional<std::string> mode;  // off, publish, draft
  std::optional<std::int64_t> draft_publish_after_ms, resolve_after_ms, flap_window_ms;
  std::optional<std::string> incident_name, incident_body;
  std::optional<bool> notify;
};

struct AlertTargetInput {
  std::optional<std::string> name, channel, address;
};

struct AlertTargetOutcome {
  model::AlertTarget target;
  std::string secret;  // webhook signing secret, shown once
};

struct DraftInput {
  std::optional<std::string> name, body;
  std::optional<TimeMs> publish_at;
};

// Limits, shared with the API docs.
inline constexpr std::int64_t kMinIntervalMs = 5'000;
inline constexpr std::int64_t kMaxIntervalMs = 24LL * 3600 * 1000;
inline constexpr std::int64_t kMinTimeoutMs = 1'000;
inline constexpr int kMaxFailureWindow = 20;
inline constexpr int kMaxSuccessesToUp = 100;
inline constexpr std::int64_t kMaxGraceMs = 7LL * 24 * 3600 * 1000;
inline constexpr std::int64_t kMaxRuleDelayMs = 7LL * 24 * 3600 * 1000;

class MonitorService {
 public:
  explicit MonitorService(MonitorDeps deps) : deps_(std::move(deps)) {}

  // Monitors. Create issues a heartbeat token for heartbeat monitors; Update issues one when a
  // monitor becomes a heartbeat monitor.
  Result<MonitorOutcome> Create(const std::string& page_id, const MonitorInput& in);
  Result<MonitorOutcome> Update(const std::string& page_id, const std::string& id, const MonitorInput& in);
  Status Delete(const std::string& page_id, const std::string& id);
  // A fresh heartbeat token; the old one stops working at once. kInvalid for other kinds.
  Result<MonitorOutcome> RotateToken(const std::string& page_id, const std::string& id);
  // Validates `in` applied to the monitor `id` (empty: a new one) and returns the result without
  // writing anything (`herald apply` compares it with what is stored).
  Result<model::Monitor> Preview(const std::string& page_id, const std::string& id, const MonitorInput& in);

  // A heartbeat: the monitor whose token this is records the call (kNotFound for an unknown
  // token) and the engine hears of it.
  Result<model::Monitor> Heartbeat(const std::string& token);

  // Automation rules, one per component. Put creates (unset fields: defaults) or changes (unset:
  // unchanged) and never touches the engine's state fields. Get: kNotFound when the component has
  // no rule.
  Result<model::AutomationRule> GetRule(const std::string& page_id, const std::string& component_id);
  Result<model::AutomationRule> PutRule(const std::string& page_id, const std::string& component_id,
                                        const AutomationRuleInput& in);
  Status DeleteRule(const std::string& page_id, const std::string& component_id);

  // Staff alert targets.
  Result<AlertTargetOutcome> CreateTarget(const std::string& page_id, const AlertTargetInput& in);
  Status DeleteTarget(const std::string& page_id, const std::string& id);

  // Drafts. Edit and Discard only change waiting drafts (kConflict otherwise).
  Result<model::IncidentDraft> EditDraft(const std::string& page_id, const std::string& id, const DraftInput& in);
  Result<model::Incident> Publish(const std::string& page_id, const std::string& id);
  Result<model::IncidentDraft> Discard(const std::string& page_id, const std::string& id);
  // Opens the incident of a waiting draft (investigating, the draft's impact, its component at
  // the draft's status, notifications as the component's rule says, default on), marks the draft
  // published and records the incident as the rule's open incident. Used by the engine too.
  Result<model::Incident> PublishDraft(const model::IncidentDraft& draft);

 private:
  Result<model::Monitor> Build(const std::string& page_id, model::Monitor m, const MonitorInput& in, bool creating);
  Result<MonitorOutcome> Save(model::Monitor m, bool new_token);
  Result<std::optional<model::AutomationRule>> FindRule(const std::string& page_id, const std::string& component_id);
  Result<std::string> NormalizeTargetAddress(model::ChannelKind kind, const std::string& address);

  MonitorDeps deps_;
};

// "30s", "5m", "1h", "1d", "1500ms" or a plain number of seconds -> milliseconds.
std::optional<std::int64_t> ParseDurationMs(std::string_view text);
// "30s" / "5m" / "1h" when exact, else "1500ms".
std::string FormatDurationMs(std::int64_t ms);
// Expected HTTP status texts ("200-299", "301") -> inclusive ranges within 100-599; an error
// naming `field` otherwise.
Result<std::vector<std::pair<int, int>>> ParseStatusRanges(const std::vector<std::string>& texts,
                                                           const std::string& field);
// The inverse: "200-299", "301".
std::vector<std::string> FormatStatusRanges(const std::vector<std::pair<int, int>>& ranges);
// A new heartbeat token: 32 random bytes, base64url (43 characters).
std::string NewHeartbeatToken();

}  // namespace herald::service
