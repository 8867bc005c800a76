// The order the console lists a page's components in, and moving one up or down: the public
// page's order (page/render.cc), so that what staff arrange is what customers see. Top-level
// items are the groups and the components outside any group, by position; a group's members
// follow it, by position. A component whose group no longer exists is top-level, as on the page.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "model/model.h"

namespace herald::console {

struct ComponentNode {
  model::Component component;
  std::vector<model::Component> members;  // a group's components, in order
};

// `all` as StatusStore::ListComponents returns them (by position, then name).
std::vector<ComponentNode> ComponentTree(const std::vector<model::Component>& all);

// The positions that move component `id` one place up (delta -1) or down (+1) among its
// siblings (the top-level items, or its group's members): the siblings numbered 1..n in the new
// order, only those whose position changes. Empty when `id` is unknown or already first (last).
std::vector<std::pair<std::string, int>> MovePositions(const std::vector<model::Component>& all, const std::string& id,
                                                       int delta);

}  // namespace herald::console
