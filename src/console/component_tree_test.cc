// The console's component order is the public page's, and moving renumbers only the siblings.
#include "console/component_tree.h"

#include <gtest/gtest.h>

namespace herald::console {
namespace {

model::Component C(std::string id, int pos, std::string group = "", bool is_group = false) {
  model::Component c;
  c.id = c.name = std::move(id);
  c.position = pos;
  c.group_id = std::move(group);
  c.is_group = is_group;
  return c;
}

std::vector<std::string> Ids(const std::vector<ComponentNode>& tree) {
  std::vector<std::string> out;
  for (const auto& n : tree) {
    out.push_back(n.component.id);
    for (const auto& m : n.members) out.push_back("  " + m.id);
  }
  return out;
}

TEST(ConsoleComponentTree, GroupsWithTheirMembersAmongTopLevelComponentsByPosition) {
  const std::vector<model::Component> all = {C("core", 1, "", true), C("api", 2, "core"),  C("web", 3),
                                             C("auth", 1, "core"),   C("lost", 4, "gone"), C("regions", 5, "", true)};
  EXPECT_EQ(Ids(ComponentTree(all)), (std::vector<std::string>{"core", "  auth", "  api", "web", "lost", "regions"}));
}

TEST(ConsoleComponentTree, MovingSwapsWithTheNeighbourAmongSiblingsOnly) {
  const std::vector<model::Component> all = {C("core", 1, "", true), C("auth", 2, "core"), C("api", 3, "core"),
                                             C("web", 4), C("cdn", 5)};
  // Top level: core(1), web(4), cdn(5) -> web up: web 1, core 2, cdn 3.
  EXPECT_EQ(MovePositions(all, "web", -1),
            (std::vector<std::pair<std::string, int>>{{"web", 1}, {"core", 2}, {"cdn", 3}}));
  // Members: auth(2), api(3) -> api up: api 1, auth 2 (which it has already: not written).
  EXPECT_EQ(MovePositions(all, "api", -1), (std::vector<std::pair<std::string, int>>{{"api", 1}}));
  EXPECT_TRUE(MovePositions(all, "core", -1).empty()) << "already first";
  EXPECT_TRUE(MovePositions(all, "api", 1).empty()) << "last in its group";
  EXPECT_TRUE(MovePositions(all, "nope", 1).empty());
  // Equal positions (components made without one) still move, numbered in the shown order.
  const std::vector<model::Component> ties = {C("a", 0), C("b", 0), C("c", 0)};
  EXPECT_EQ(MovePositions(ties, "c", -1), (std::vector<std::pair<std::string, int>>{{"a", 1}, {"c", 2}, {"b", 3}}));
}

}  // namespace
}  // namespace herald::console
