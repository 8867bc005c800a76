// The domain model: pages, components (and groups), incidents (and scheduled maintenance, which
// Statuspage models as incidents with a window), their updates, status history, API keys and
// outbox events. Plain data, no I/O. Enum values use Statuspage's wire names so that the JSON
// APIs can round-trip them unchanged.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace herald::model {

enum class ComponentStatus { kOperational, kDegradedPerformance, kPartialOutage, kMajorOutage, kUnderMaintenance };
enum class Impact { kNone, kMinor, kMajor, kCritical, kMaintenance };
enum class IncidentStatus {
  kInvestigating,
  kIdentified,
  kMonitoring,
  kResolved,
  kPostmortem,  // incidents
  kScheduled,
  kInProgress,
  kVerifying,
  kCompleted,  // scheduled maintenance
};
// What kind of notice this is, so that non-outage announcements use the same machinery.
enum class NoticeType { kOutage, kMaintenance, kSecurity, kPolicy, kProductUpdate };
// Staff roles, least to most trusted. What each may do is model/permissions.h's one table.
enum class Role { kViewer, kSupport, kResponder, kAdmin };

std::string_view ToString(ComponentStatus s);
std::string_view ToString(Impact i);
std::string_view ToString(IncidentStatus s);
std::string_view ToString(NoticeType t);
std::string_view ToString(Role r);
std::optional<ComponentStatus> ParseComponentStatus(std::string_view s);
std::optional<Impact> ParseImpact(std::string_view s);
std::optional<IncidentStatus> ParseIncidentStatus(std::string_view s);
std::optional<NoticeType> ParseNoticeType(std::string_view s);
std::optional<Role> ParseRole(std::string_view s);

// Human wording, for pages and messages ("Partial outage", "Investigating").
std::string_view Label(ComponentStatus s);
std::string_view Label(IncidentStatus s);
// Severity order used to compute the worst status of a set (operational=0 ... major_outage=4;
// under_maintenance ranks between operational and degraded).
int Severity(ComponentStatus s);
bool IsMaintenanceStatus(IncidentStatus s);
bool IsClosed(IncidentStatus s);  // resolved, postmortem, completed

struct Page {
  std::string id;
  std::string slug;  // URL segment: /pages/{slug}/
  std::string name;
  std::string url;       // company home page shown in the header
  std::string hostname;  // optional own host name ("status.example.com")
  std::string time_zone = "UTC";
  std::string logo_url;
  std::string accent_color = "#2563eb";
  bool is_default = false;  // served at "/"
  bool is_private = false;  // internal staff page: not served publicly
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

struct Component {
  std::string id;
  std::string page_id;
  std::string group_id;   // empty when not in a group
  bool is_group = false;  // Statuspage models groups as components with group=true
  std::string name;
  std::string description;
  int position = 0;
  ComponentStatus status = ComponentStatus::kOperational;
  bool showcase = true;
  bool only_show_if_degraded = false;
  bool hidden = false;                    // internal: never in public output
  std::optional<std::string> start_date;  // "YYYY-MM-DD": uptime is counted from here
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

struct StatusChange {
  std::string component_id;
  ComponentStatus status = ComponentStatus::kOperational;
  TimeMs at = 0;
};

struct AffectedComponent {
  std::string component_id;
  ComponentStatus new_status = ComponentStatus::kOperational;
  ComponentStatus old_status = ComponentStatus::kOperational;
};

struct IncidentUpdate {
  std::string id;
  std::string incident_id;
  IncidentStatus status = IncidentStatus::kInvestigating;
  std::string body;  // Markdown, rendered safely (no raw HTML)
  TimeMs display_at = 0;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
  bool deliver_notifications = true;
  std::optional<TimeMs> next_update_at;  // promised time of the next update
  bool internal = false;                 // staff-only note: never in any public output
  std::vector<AffectedComponent> affected_components;
  // Audience-specific versions of the body for notifications only (never public): keyed by a
  // detail level ("brief", "technical") or "segment:<label>" ("segment:enterprise").
  std::map<std::string, std::string> variants;
};

struct Incident {
  std::string id;
  std::string page_id;
  std::string name;
  NoticeType type = NoticeType::kOutage;
  Impact impact = Impact::kNone;
  IncidentStatus status = IncidentStatus::kInvestigating;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
  TimeMs started_at = 0;
  std::optional<TimeMs> monitoring_at;
  std::optional<TimeMs> resolved_at;
  // Scheduled maintenance: the window, and whether Herald moves it through in_progress and
  // completed (setting and restoring component status) on its own.
  std::optional<TimeMs> scheduled_for;
  std::optional<TimeMs> scheduled_until;
  bool scheduled_auto_transition = true;
  bool backfilled = false;
  std::string postmortem_body;
  std::vector<AffectedComponent> components;
  std::vector<IncidentUpdate> updates;  // newest first

  bool is_maintenance() const { return scheduled_for.has_value(); }
};

struct ApiKey {
  std::string id;
  std::string name;
  Role role = Role::kViewer;
  std::string key_hash;  // SHA-256 hex of the secret; the secret itself is never stored
  TimeMs created_at = 0;
};

// A record of something that happened, written in the same transaction as the change itself.
// Consumers (snapshot refresh in other instances, notifications) read them in id order.
struct OutboxEvent {
  std::int64_t id = 0;  // assigned by the store, increasing
  std::string page_id;
  std::string kind;  // "incident.created", "incident.updated", "component.updated", ...
  std::string subject_id;
  std::string payload_json;
  TimeMs created_at = 0;
};

struct IdempotencyRecord {
  std::string key;           // client key scoped by API key id
  std::string request_hash;  // method + path + body: a reused key with another request is refused
  int status = 0;
  std::string response_body;
  TimeMs created_at = 0;
};

}  // namespace herald::model
