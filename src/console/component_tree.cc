#include "console/component_tree.h"

#include <algorithm>
#include <set>

namespace herald::console {
namespace {

std::vector<model::Component> InPageOrder(std::vector<model::Component> all) {
  // The page's sort: stable by position over the store's order (position, then name).
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.position < b.position; });
  return all;
}

// The group a component is listed under ("" for top-level).
std::string ParentOf(const model::Component& c, const std::set<std::string>& groups) {
  return !c.is_group && groups.count(c.group_id) ? c.group_id : "";
}

std::set<std::string> GroupIds(const std::vector<model::Component>& all) {
  std::set<std::string> out;
  for (const auto& c : all)
    if (c.is_group) out.insert(c.id);
  return out;
}

}  // namespace

std::vector<ComponentNode> ComponentTree(const std::vector<model::Component>& all) {
  const std::vector<model::Component> ordered = InPageOrder(all);
  const std::set<std::string> groups = GroupIds(ordered);
  std::vector<ComponentNode> out;
  for (const auto& c : ordered) {
    if (!ParentOf(c, groups).empty()) continue;
    ComponentNode node{c, {}};
    if (c.is_group)
      for (const auto& m : ordered)
        if (ParentOf(m, groups) == c.id) node.members.push_back(m);
    out.push_back(std::move(node));
  }
  return out;
}

std::vector<std::pair<std::string, int>> MovePositions(const std::vector<model::Component>& all, const std::string& id,
                                                       int delta) {
  const std::vector<model::Component> ordered = InPageOrder(all);
  const std::set<std::string> groups = GroupIds(ordered);
  auto self = std::find_if(ordered.begin(), ordered.end(), [&](const auto& c) { return c.id == id; });
  if (self == ordered.end() || (delta != -1 && delta != 1)) return {};
  const std::string parent = ParentOf(*self, groups);
  std::vector<const model::Component*> siblings;
  for (const auto& c : ordered)
    if (ParentOf(c, groups) == parent) siblings.push_back(&c);
  const auto at = static_cast<int>(
      std::find_if(siblings.begin(), siblings.end(), [&](const auto* c) { return c->id == id; }) - siblings.begin());
  const int to = at + delta;
  if (to < 0 || to >= static_cast<int>(siblings.size())) return {};
  std::swap(siblings[static_cast<size_t>(at)], siblings[static_cast<size_t>(to)]);
  std::vector<std::pair<std::string, int>> out;
  for (size_t i = 0; i < siblings.size(); ++i)
    if (siblings[i]->position != static_cast<int>(i) + 1) out.emplace_back(siblings[i]->id, static_cast<int>(i) + 1);
  return out;
}

}  // namespace herald::console
