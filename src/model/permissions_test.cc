#include "model/permissions.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace herald::model {
namespace {

using P = Permission;

// Every cell that matters, spelled out: a change to the table must change this test too.
TEST(Permissions, EveryRoleAndAction) {
  struct Cell {
    P p;
    bool viewer, support, responder, admin;
  };
  const Cell cells[] = {
      {P::kReadPublic, true, true, true, true},
      {P::kReadInternal, true, true, true, true},
      {P::kRecordCustomerContact, false, true, true, true},
      {P::kPublishIncident, false, false, true, true},
      {P::kSetComponentStatus, false, false, true, true},
      {P::kScheduleMaintenance, false, false, true, true},
      {P::kManageSubscribers, false, false, true, true},
      {P::kManageComponents, false, false, false, true},
      {P::kManageMonitors, false, false, false, true},
      {P::kReadSecrets, false, false, false, true},
      {P::kManageSettings, false, false, false, true},
      {P::kManageApiKeys, false, false, false, true},
      {P::kManageTeam, false, false, false, true},
      {P::kReadAuditLog, false, false, false, true},
  };
  ASSERT_EQ(std::size(cells), AllPermissions().size()) << "a permission is missing from this test";
  for (const auto& c : cells) {
    SCOPED_TRACE(std::string(ToString(c.p)));
    EXPECT_EQ(Allows(Role::kViewer, c.p), c.viewer);
    EXPECT_EQ(Allows(Role::kSupport, c.p), c.support);
    EXPECT_EQ(Allows(Role::kResponder, c.p), c.responder);
    EXPECT_EQ(Allows(Role::kAdmin, c.p), c.admin);
  }
}

TEST(Permissions, NamesRoundTripAndDescribe) {
  for (P p : AllPermissions()) {
    EXPECT_FALSE(ToString(p).empty());
    EXPECT_FALSE(Describe(p).empty());
    EXPECT_EQ(ParsePermission(ToString(p)), p);
  }
  EXPECT_FALSE(ParsePermission("fly"));
  EXPECT_EQ(ParseRole("support"), Role::kSupport);
  EXPECT_EQ(ToString(Role::kSupport), "support");
}

TEST(Permissions, RolesAllowedNamesThemForMessages) {
  EXPECT_EQ(RolesAllowed(P::kPublishIncident), "responder or admin");
  EXPECT_EQ(RolesAllowed(P::kManageTeam), "admin");
  EXPECT_EQ(RolesAllowed(P::kRecordCustomerContact), "support, responder or admin");
}

// Support sees everything but publishes nothing: the role's whole point.
TEST(Permissions, SupportReadsButCannotPublish) {
  for (P p : AllPermissions()) {
    const bool writes = p != P::kReadPublic && p != P::kReadInternal && p != P::kRecordCustomerContact;
    EXPECT_EQ(Allows(Role::kSupport, p), !writes) << ToString(p);
  }
}

// docs/console.md's roles table is the table itself, so the docs cannot drift from the code.
TEST(Permissions, ConsoleDocsShowTheTable) {
  std::filesystem::path doc;
  for (auto dir = std::filesystem::current_path(); !dir.empty(); dir = dir.parent_path()) {
    if (std::filesystem::exists(dir / "docs/console.md")) {
      doc = dir / "docs/console.md";
      break;
    }
    if (dir == dir.parent_path()) break;
  }
  ASSERT_FALSE(doc.empty()) << "docs/console.md not found above " << std::filesystem::current_path();
  std::ifstream in(doc);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find(RolesMarkdownTable()), std::string::npos)
      << "docs/console.md must contain exactly this table:\n"
      << RolesMarkdownTable();
}

}  // namespace
}  // namespace herald::model
