#include "model/permissions.h"

#include <array>
#include <vector>

namespace herald::model {
namespace {

struct Row {
  Permission permission;
  std::string_view name;
  std::string_view description;
  // Which roles may, in AllRoles() order: viewer, support, responder, admin.
  std::array<bool, 4> allowed;
};

// THE table. Viewers read; support reads everything and records customer contacts but publishes
// nothing; responders run incidents, component status, maintenance and subscribers; admins
// everything (the catalogue, monitors, settings, keys, team).
constexpr std::array<Row, 14> kTable{{
    {Permission::kReadPublic, "read_public", "Read pages, components, incidents and maintenance", {1, 1, 1, 1}},
    {Permission::kReadInternal,
     "read_internal",
     "Read internal notes, subscribers, monitors, drafts and alerts",
     {1, 1, 1, 1}},
    {Permission::kRecordCustomerContact,
     "record_customer_contact",
     "Record customer contacts and problem reports",
     {0, 1, 1, 1}},
    {Permission::kPublishIncident,
     "publish_incident",
     "Open, update and resolve incidents; publish or discard drafts",
     {0, 0, 1, 1}},
    {Permission::kSetComponentStatus, "set_component_status", "Set a component's status", {0, 0, 1, 1}},
    {Permission::kScheduleMaintenance, "schedule_maintenance", "Schedule and change maintenance", {0, 0, 1, 1}},
    {Permission::kManageSubscribers,
     "manage_subscribers",
     "Add, change, remove, import and export subscribers",
     {0, 0, 1, 1}},
    {Permission::kManageComponents,
     "manage_components",
     "Create, rename, reorder, hide and delete components",
     {0, 0, 0, 1}},
    {Permission::kManageMonitors, "manage_monitors", "Manage monitors, automation and alert targets", {0, 0, 0, 1}},
    {Permission::kReadSecrets, "read_secrets", "See secrets (alert target secrets, full addresses)", {0, 0, 0, 1}},
    {Permission::kManageSettings, "manage_settings", "Manage pages, templates and settings", {0, 0, 0, 1}},
    {Permission::kManageApiKeys, "manage_api_keys", "Create and revoke API keys", {0, 0, 0, 1}},
    {Permission::kManageTeam, "manage_team", "Invite staff, change roles, disable accounts", {0, 0, 0, 1}},
    {Permission::kReadAuditLog, "read_audit_log", "Read and export the audit log", {0, 0, 0, 1}},
}};

constexpr std::array<Role, 4> kRoles{Role::kViewer, Role::kSupport, Role::kResponder, Role::kAdmin};

constexpr std::array<Permission, kTable.size()> MakePermissions() {
  std::array<Permission, kTable.size()> out{};
  for (size_t i = 0; i < kTable.size(); ++i) out[i] = kTable[i].permission;
  return out;
}
constexpr std::array<Permission, kTable.size()> kPermissions = MakePermissions();

const Row* Find(Permission p) {
  for (const auto& row : kTable)
    if (row.permission == p) return &row;
  return nullptr;
}

size_t RoleIndex(Role r) {
  for (size_t i = 0; i < kRoles.size(); ++i)
    if (kRoles[i] == r) return i;
  return kRoles.size();
}

}  // namespace

bool Allows(Role role, Permission permission) {
  const Row* row = Find(permission);
  const size_t i = RoleIndex(role);
  return row && i < row->allowed.size() && row->allowed[i];
}

std::string_view ToString(Permission p) {
  const Row* row = Find(p);
  return row ? row->name : "";
}

std::optional<Permission> ParsePermission(std::string_view s) {
  for (const auto& row : kTable)
    if (row.name == s) return row.permission;
  return std::nullopt;
}

std::string_view Describe(Permission p) {
  const Row* row = Find(p);
  return row ? row->description : "";
}

std::span<const Permission> AllPermissions() { return kPermissions; }
std::span<const Role> AllRoles() { return kRoles; }

std::string RolesAllowed(Permission permission) {
  std::string out;
  std::vector<std::string_view> names;
  for (Role r : kRoles)
    if (Allows(r, permission)) names.push_back(ToString(r));
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

std::string RolesMarkdownTable() {
  std::string out = "| permission | what it allows |";
  std::string rule = "|---|---|";
  for (Role r : kRoles) {
    out += " " + std::string(ToString(r)) + " |";
    rule += ":-:|";
  }
  out += "\n" + rule + "\n";
  for (const auto& row : kTable) {
    out += "| `" + std::string(row.name) + "` | " + std::string(row.description) + " |";
    for (Role r : kRoles) out += Allows(r, row.permission) ? " yes |" : " - |";
    out += "\n";
  }
  return out;
}

}  // namespace herald::model
