#include "model/model.h"

#include <array>
#include <utility>

#include "model/enum_table.h"

namespace herald::model {
namespace {

using detail::Find;
using detail::Name;

constexpr std::array<std::pair<ComponentStatus, std::string_view>, 5> kComponentStatus{{
    {ComponentStatus::kOperational, "operational"},
    {ComponentStatus::kDegradedPerformance, "degraded_performance"},
    {ComponentStatus::kPartialOutage, "partial_outage"},
    {ComponentStatus::kMajorOutage, "major_outage"},
    {ComponentStatus::kUnderMaintenance, "under_maintenance"},
}};
constexpr std::array<std::pair<ComponentStatus, std::string_view>, 5> kComponentLabel{{
    {ComponentStatus::kOperational, "Operational"},
    {ComponentStatus::kDegradedPerformance, "Degraded performance"},
    {ComponentStatus::kPartialOutage, "Partial outage"},
    {ComponentStatus::kMajorOutage, "Major outage"},
    {ComponentStatus::kUnderMaintenance, "Under maintenance"},
}};
constexpr std::array<std::pair<Impact, std::string_view>, 5> kImpact{{
    {Impact::kNone, "none"},
    {Impact::kMinor, "minor"},
    {Impact::kMajor, "major"},
    {Impact::kCritical, "critical"},
    {Impact::kMaintenance, "maintenance"},
}};
constexpr std::array<std::pair<IncidentStatus, std::string_view>, 9> kIncidentStatus{{
    {IncidentStatus::kInvestigating, "investigating"},
    {IncidentStatus::kIdentified, "identified"},
    {IncidentStatus::kMonitoring, "monitoring"},
    {IncidentStatus::kResolved, "resolved"},
    {IncidentStatus::kPostmortem, "postmortem"},
    {IncidentStatus::kScheduled, "scheduled"},
    {IncidentStatus::kInProgress, "in_progress"},
    {IncidentStatus::kVerifying, "verifying"},
    {IncidentStatus::kCompleted, "completed"},
}};
constexpr std::array<std::pair<IncidentStatus, std::string_view>, 9> kIncidentLabel{{
    {IncidentStatus::kInvestigating, "Investigating"},
    {IncidentStatus::kIdentified, "Identified"},
    {IncidentStatus::kMonitoring, "Monitoring"},
    {IncidentStatus::kResolved, "Resolved"},
    {IncidentStatus::kPostmortem, "Postmortem"},
    {IncidentStatus::kScheduled, "Scheduled"},
    {IncidentStatus::kInProgress, "In progress"},
    {IncidentStatus::kVerifying, "Verifying"},
    {IncidentStatus::kCompleted, "Completed"},
}};
constexpr std::array<std::pair<NoticeType, std::string_view>, 5> kNoticeType{{
    {NoticeType::kOutage, "outage"},
    {NoticeType::kMaintenance, "maintenance"},
    {NoticeType::kSecurity, "security"},
    {NoticeType::kPolicy, "policy"},
    {NoticeType::kProductUpdate, "product_update"},
}};
constexpr std::array<std::pair<Role, std::string_view>, 4> kRole{{
    {Role::kViewer, "viewer"},
    {Role::kSupport, "support"},
    {Role::kResponder, "responder"},
    {Role::kAdmin, "admin"},
}};

}  // namespace

std::string_view ToString(ComponentStatus s) { return Name(kComponentStatus, s); }
std::string_view ToString(Impact i) { return Name(kImpact, i); }
std::string_view ToString(IncidentStatus s) { return Name(kIncidentStatus, s); }
std::string_view ToString(NoticeType t) { return Name(kNoticeType, t); }
std::string_view ToString(Role r) { return Name(kRole, r); }
std::optional<ComponentStatus> ParseComponentStatus(std::string_view s) { return Find(kComponentStatus, s); }
std::optional<Impact> ParseImpact(std::string_view s) { return Find(kImpact, s); }
std::optional<IncidentStatus> ParseIncidentStatus(std::string_view s) { return Find(kIncidentStatus, s); }
std::optional<NoticeType> ParseNoticeType(std::string_view s) { return Find(kNoticeType, s); }
std::optional<Role> ParseRole(std::string_view s) { return Find(kRole, s); }
std::string_view Label(ComponentStatus s) { return Name(kComponentLabel, s); }
std::string_view Label(IncidentStatus s) { return Name(kIncidentLabel, s); }

int Severity(ComponentStatus s) {
  switch (s) {
    case ComponentStatus::kOperational: return 0;
    case ComponentStatus::kUnderMaintenance: return 1;
    case ComponentStatus::kDegradedPerformance: return 2;
    case ComponentStatus::kPartialOutage: return 3;
    case ComponentStatus::kMajorOutage: return 4;
  }
  return 0;
}

bool IsMaintenanceStatus(IncidentStatus s) {
  return s == IncidentStatus::kScheduled || s == IncidentStatus::kInProgress || s == IncidentStatus::kVerifying ||
         s == IncidentStatus::kCompleted;
}

bool IsClosed(IncidentStatus s) {
  return s == IncidentStatus::kResolved || s == IncidentStatus::kPostmortem || s == IncidentStatus::kCompleted;
}

}  // namespace herald::model
