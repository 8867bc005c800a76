// Who may do what: the one authorization table of Herald, consulted by the management API (API
// keys), the console (staff sessions) and the CLI, so that a role means the same everywhere.
// An action the table does not name is refused: callers ask Allows(role, permission) and never
// compare roles themselves.
//
// Thread safety: pure functions over constant data.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "model/model.h"

namespace herald::model {

enum class Permission {
  kReadPublic,             // pages, components, incidents, maintenance as staff see them
  kReadInternal,           // internal notes, subscribers, monitors, drafts, deliveries, alerts
  kRecordCustomerContact,  // customer contacts and problem reports (support work)
  kPublishIncident,        // open, update, resolve incidents; edit, publish, discard drafts
  kSetComponentStatus,     // a component's status during an incident
  kScheduleMaintenance,    // schedule, edit, cancel maintenance
  kManageSubscribers,      // add, edit, remove, import and export subscribers
  kManageComponents,       // create, rename, regroup, reorder, hide, delete components
  kManageMonitors,         // monitors, automation rules, alert targets
  kReadSecrets,            // secrets in answers (alert target signing secrets, full addresses)
  kManageSettings,         // pages, templates, page settings
  kManageApiKeys,          // create and revoke API keys
  kManageTeam,             // staff users: invite, change role, disable, reset
  kReadAuditLog,           // the audit log: who changed what, when, from where
};

// Whether `role` may do `permission`.
bool Allows(Role role, Permission permission);

std::string_view ToString(Permission p);  // "publish_incident"
std::optional<Permission> ParsePermission(std::string_view s);
// A short human description ("Publish incidents and their updates"), for docs and screens.
std::string_view Describe(Permission p);

std::span<const Permission> AllPermissions();
std::span<const Role> AllRoles();  // least to most trusted

// The whole table as Markdown (a header row of roles, one row per permission, "yes" or "-"):
// docs/console.md shows it, and a test keeps the two the same.
std::string RolesMarkdownTable();

// The roles that may do `permission`, for error messages: "responder or admin".
std::string RolesAllowed(Permission permission);

}  // namespace herald::model
