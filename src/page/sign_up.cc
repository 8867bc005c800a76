#include "page/sign_up.h"

namespace herald::page {

namespace mu = kainjow::mustache;

mu::data SignUpComponents(const std::vector<model::Component>& components, const std::set<std::string>& checked) {
  auto item = [&](const model::Component& c) {
    mu::data d;
    d.set("id", c.id);
    d.set("name", c.name);
    d.set("is_group", false);
    d.set("checked", checked.count(c.id) > 0);
    return d;
  };
  std::set<std::string> groups;
  for (const auto& c : components)
    if (c.is_group && !c.hidden) groups.insert(c.id);
  mu::data list{mu::data::type::list};
  for (const auto& c : components) {
    if (c.hidden) continue;
    if (c.is_group) {
      mu::data members{mu::data::type::list};
      bool any = false;
      for (const auto& m : components)
        if (!m.is_group && !m.hidden && m.group_id == c.id) members.push_back(item(m)), any = true;
      if (!any) continue;
      mu::data g = item(c);
      g.set("is_group", true);
      g.set("members", members);
      list.push_back(g);
    } else if (c.group_id.empty() || !groups.count(c.group_id)) {
      list.push_back(item(c));
    }
  }
  return list;
}

}  // namespace herald::page
