// /admin/components: the current page's components as its public page orders them (groups with
// their members), each component's status set in one action (a select and "Set"), and for those
// who manage components: add a component or a group, move up or down, hide or show.
// /admin/components/{id}: rename and edit one component or group, and delete it after a
// confirmation step (?confirm=delete).
//
// Setting a status needs set_component_status (responders); everything else that writes needs
// manage_components (admins). Writes go through service::ComponentService, as the API's do.
#include <algorithm>
#include <variant>

#include "console/component_tree.h"
#include "console/screen_forms.h"
#include "core/text.h"
#include "service/services.h"

namespace herald::console {
namespace {

using model::ComponentStatus;
using model::Permission;

constexpr ComponentStatus kStatuses[] = {ComponentStatus::kOperational, ComponentStatus::kDegradedPerformance,
                                         ComponentStatus::kPartialOutage, ComponentStatus::kMajorOutage,
                                         ComponentStatus::kUnderMaintenance};

service::ComponentService Service(const ScreenContext& ctx) {
  return service::ComponentService(service::Deps{ctx.deps.store, ctx.deps.clock, ctx.deps.on_change});
}

std::string ListUrl(const std::string& page_id, const std::string& query) {
  return "/admin/components" + PageParam(page_id) + query;
}

mu::data StatusOptions(ComponentStatus selected) {
  mu::data list{mu::data::type::list};
  for (ComponentStatus s : kStatuses) {
    mu::data o;
    o.set("value", std::string(model::ToString(s)));
    o.set("label", std::string(model::Label(s)));
    if (s == selected) o.set("selected", true);
    list.push_back(o);
  }
  return list;
}

mu::data GroupOptions(const std::vector<model::Component>& all, const std::string& selected) {
  mu::data list{mu::data::type::list};
  for (const auto& c : all) {
    if (!c.is_group) continue;
    mu::data o;
    o.set("value", c.id);
    o.set("label", c.name);
    if (c.id == selected) o.set("selected", true);
    list.push_back(o);
  }
  return list;
}

const model::Component* Find(const std::vector<model::Component>& all, const std::string& id) {
  auto it = std::find_if(all.begin(), all.end(), [&](const auto& c) { return c.id == id; });
  return it == all.end() ? nullptr : &*it;
}

// One row of the list: a group, a group's member or a component outside any group.
mu::data Row(const model::Component& c, ComponentStatus shown, bool member, bool first, bool last) {
  mu::data r;
  r.set("id", c.id);
  r.set("name", c.name);
  if (!c.description.empty()) r.set("description", c.description);
  r.set("is_group", c.is_group);
  r.set("member", member);
  r.set("hidden", c.hidden);
  r.set("status_value", std::string(model::ToString(shown)));
  r.set("status_label", std::string(model::Label(shown)));
  r.set("options", StatusOptions(c.status));
  r.set("can_up", !first);
  r.set("can_down", !last);
  return r;
}

// What the list's confirmation says after a write (?done=...&c=<id>).
std::string Notice(const ScreenContext& ctx, const std::vector<model::Component>& all) {
  const std::string done = Field(ctx.query, "done");
  const model::Component* c = Find(all, Field(ctx.query, "c"));
  if (done == "deleted") return "Deleted " + Field(ctx.query, "name") + ".";
  if (!c) return "";
  if (done == "status") {
    auto set = model::ParseComponentStatus(Field(ctx.query, "set"));
    std::string out = "Set " + c->name + " to " + std::string(model::Label(set.value_or(c->status))) + ".";
    if (set && *set != c->status)
      out += " It shows " + std::string(model::Label(c->status)) +
             " while an open incident or maintenance holds it there.";
    return out;
  }
  if (done == "added") return "Added " + c->name + (c->is_group ? " (a group)." : ".");
  if (done == "saved") return "Saved " + c->name + ".";
  if (done == "moved") return "Moved " + c->name + ".";
  if (done == "hidden") return c->name + " is hidden from the public page.";
  if (done == "shown") return c->name + " is shown on the public page.";
  return "";
}

struct ListForm {
  int status = 200;
  std::string which;  // the form the errors belong to: "component", "group" or "" (the list)
  std::vector<FieldError> errors;
  std::string row;  // with which "": the component whose row the error is about
};

http::Response ShowList(const ScreenContext& ctx, const model::Page& page, const ListForm& form) {
  auto all = ctx.deps.store.ListComponents(page.id);
  if (!all) return Unavailable(ctx);
  mu::data rows{mu::data::type::list};
  const auto tree = ComponentTree(*all);
  for (size_t i = 0; i < tree.size(); ++i) {
    const auto& node = tree[i];
    ComponentStatus shown = node.component.status;
    if (node.component.is_group) {
      shown = ComponentStatus::kOperational;
      for (const auto& m : node.members)
        if (model::Severity(m.status) > model::Severity(shown)) shown = m.status;
    }
    rows.push_back(Row(node.component, shown, false, i == 0, i + 1 == tree.size()));
    for (size_t j = 0; j < node.members.size(); ++j)
      rows.push_back(Row(node.members[j], node.members[j].status, true, j == 0, j + 1 == node.members.size()));
  }
  mu::data d;
  d.set("page_id", page.id);
  d.set("page_name", page.name);
  d.set("rows", rows);
  d.set("empty", tree.empty());
  d.set("can_set", ctx.Can(Permission::kSetComponentStatus));
  d.set("can_manage", ctx.Can(Permission::kManageComponents));
  d.set("group_options", GroupOptions(*all, form.which == "component" ? Field(ctx.form, "group_id") : ""));
  d.set("has_groups", std::any_of(all->begin(), all->end(), [](const auto& c) { return c.is_group; }));
  if (const std::string notice = Notice(ctx, *all); !notice.empty()) d.set("notice", notice);
  // What was typed into the form that failed, to correct it.
  if (form.which == "component") {
    d.set("c_name", Field(ctx.form, "name"));
    d.set("c_description", Field(ctx.form, "description"));
  } else if (form.which == "group") {
    d.set("g_name", Field(ctx.form, "name"));
    d.set("g_description", Field(ctx.form, "description"));
  }
  if (!form.row.empty()) {
    // An error of a row's status form: the summary links to that row's list.
    std::vector<FieldError> errors;
    for (const auto& e : form.errors) errors.push_back({form.row, e.message});
    SetFieldErrors(d, errors, "status-");
  } else {
    SetFieldErrors(d, form.errors, form.which == "group" ? "add-group-" : "add-component-");
  }
  if (form.which == "group")
    for (const auto& e : form.errors) d.set("gerr_" + e.field, e.message);
  else if (form.which == "component")
    for (const auto& e : form.errors) d.set("cerr_" + e.field, e.message);
  return ctx.Page(form.status, "Components", "components", d);
}

http::Response Refused(const ScreenContext& ctx, Permission needed) {
  return ctx.Message(403, "Not allowed",
                     "Your role (" + std::string(model::ToString(ctx.staff.user.role)) +
                         ") may not do this; it needs " + model::RolesAllowed(needed) + " (" +
                         std::string(model::ToString(needed)) + ").");
}

http::Response GetList(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page)
    return IsInputError(page.error()) || page.error().code == ErrorCode::kNotFound
               ? ctx.Message(404, "Components", page.error().message)
               : Unavailable(ctx);
  return ShowList(ctx, *page, {});
}

const char* TargetType(const model::Component& c) { return c.is_group ? "component_group" : "component"; }

http::Response PostList(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return ctx.Message(404, "Components", page.error().message);
  const std::string action = Field(ctx.form, "action");
  auto service = Service(ctx);
  const std::string id = Field(ctx.form, "id");
  if (action == "add" || action == "add_group") {
    if (!ctx.Can(Permission::kManageComponents)) return Refused(ctx, Permission::kManageComponents);
    const bool group = action == "add_group";
    service::ComponentInput in;
    in.name = Field(ctx.form, "name");
    in.description = Field(ctx.form, "description");
    if (!group) in.group_id = Field(ctx.form, "group_id");
    auto made = service.Create(page->id, in, group);
    if (!made) {
      if (!IsInputError(made.error())) return Unavailable(ctx);
      return ShowList(ctx, *page, {422, group ? "group" : "component", {FromError(made.error())}, ""});
    }
    ctx.write = {std::string(TargetType(*made)) + ".create", TargetType(*made), made->id, page->id, ""};
    return Redirect(ListUrl(page->id, "done=added&c=" + QueryEscape(made->id)) + "#row-" + made->id);
  }
  auto all = ctx.deps.store.ListComponents(page->id);
  if (!all) return Unavailable(ctx);
  const model::Component* c = Find(*all, id);
  if (!c) return ctx.Message(404, "Components", "There is no component " + id + " on " + page->name + ".");
  const std::string anchor = "#row-" + c->id;
  if (action == "status") {
    auto status = model::ParseComponentStatus(Field(ctx.form, "status"));
    if (!status) return ShowList(ctx, *page, {422, "", {{"", "Choose a status for " + c->name + "."}}, c->id});
    service::ComponentInput in;
    in.status = *status;
    auto saved = service.Update(page->id, c->id, in);
    if (!saved) {
      if (!IsInputError(saved.error())) return Unavailable(ctx);
      return ShowList(ctx, *page, {422, "", {FromError(saved.error())}, c->id});
    }
    ctx.write = {"component.update", "component", c->id, page->id,
                 ChangesJson(c->id, {{"status", std::string(model::ToString(c->status)),
                                      std::string(model::ToString(saved->status))}})};
    return Redirect(
        ListUrl(page->id, "done=status&c=" + QueryEscape(c->id) + "&set=" + std::string(model::ToString(*status))) +
        anchor);
  }
  if (!ctx.Can(Permission::kManageComponents)) return Refused(ctx, Permission::kManageComponents);
  const std::string update = std::string(TargetType(*c)) + ".update";
  if (action == "move") {
    const std::string direction = Field(ctx.form, "direction");
    if (direction != "up" && direction != "down")
      return ShowList(ctx, *page, {422, "", {{"", "Move up or down."}}, ""});
    for (const auto& [cid, position] : MovePositions(*all, c->id, direction == "up" ? -1 : 1)) {
      service::ComponentInput in;
      in.position = position;
      auto saved = service.Update(page->id, cid, in);
      if (!saved)
        return IsInputError(saved.error()) ? ShowList(ctx, *page, {422, "", {FromError(saved.error())}, ""})
                                           : Unavailable(ctx);
    }
    ctx.write = {update, TargetType(*c), c->id, page->id, ""};
    return Redirect(ListUrl(page->id, "done=moved&c=" + QueryEscape(c->id)) + anchor);
  }
  if (action == "hide" || action == "show") {
    service::ComponentInput in;
    in.hidden = action == "hide";
    auto saved = service.Update(page->id, c->id, in);
    if (!saved) return Unavailable(ctx);
    ctx.write = {update, TargetType(*c), c->id, page->id,
                 ChangesJson(c->id, {{"hidden", c->hidden ? "true" : "false", saved->hidden ? "true" : "false"}})};
    return Redirect(
        ListUrl(page->id, std::string("done=") + (saved->hidden ? "hidden" : "shown") + "&c=" + QueryEscape(c->id)) +
        anchor);
  }
  return ShowList(ctx, *page, {422, "", {{"", "Unknown action."}}, ""});
}

// --- one component or group: /admin/components/{id} ------------------------------------------

http::Response ShowOne(const ScreenContext& ctx, const model::Page& page, const model::Component& c,
                       const std::vector<model::Component>& all, int status, const std::vector<FieldError>& errors) {
  mu::data d;
  d.set("page_id", page.id);
  d.set("id", c.id);
  d.set("is_group", c.is_group);
  d.set("kind", c.is_group ? "group" : "component");
  d.set("list_href", ListUrl(page.id, "") + "#row-" + c.id);
  d.set("can_manage", ctx.Can(Permission::kManageComponents));
  const bool retry = !errors.empty();
  d.set("name", retry ? Field(ctx.form, "name") : c.name);
  d.set("current_name", c.name);
  d.set("description", retry ? Field(ctx.form, "description") : c.description);
  d.set("has_description", !c.description.empty());
  d.set("hidden", retry ? !Field(ctx.form, "hidden").empty() : c.hidden);
  d.set("status_label", std::string(model::Label(c.status)));
  const std::string group_id = retry ? Field(ctx.form, "group_id") : c.group_id;
  d.set("group_options", GroupOptions(all, group_id));
  const model::Component* group = Find(all, c.group_id);
  d.set("group_name", group && group->is_group ? group->name : std::string("none"));
  int members = 0;
  for (const auto& m : all)
    if (!m.is_group && m.group_id == c.id) ++members;
  d.set("members", std::to_string(members));
  if (Field(ctx.query, "confirm") == "delete" && ctx.Can(Permission::kManageComponents)) d.set("confirm_delete", true);
  SetFieldErrors(d, errors, "edit-");
  return ctx.Page(status, (c.is_group ? "Group: " : "Component: ") + c.name, "component_edit", d);
}

struct Loaded {
  model::Page page;
  std::vector<model::Component> all;
  model::Component component;
};

// The page, its components and the one the path names; or the page to answer instead.
std::variant<Loaded, http::Response> Load(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return ctx.Message(404, "Components", page.error().message);
  auto all = ctx.deps.store.ListComponents(page->id);
  if (!all) return Unavailable(ctx);
  const model::Component* c = Find(*all, ctx.Param("id"));
  if (!c) return ctx.Message(404, "Not found", "There is no component " + ctx.Param("id") + " on " + page->name + ".");
  return Loaded{*page, *all, *c};
}

http::Response GetOne(const ScreenContext& ctx) {
  auto loaded = Load(ctx);
  if (auto* r = std::get_if<http::Response>(&loaded)) return *r;
  const auto& l = std::get<Loaded>(loaded);
  return ShowOne(ctx, l.page, l.component, l.all, 200, {});
}

http::Response PostOne(const ScreenContext& ctx) {
  auto loaded = Load(ctx);
  if (auto* r = std::get_if<http::Response>(&loaded)) return *r;
  const auto& [page, all, c] = std::get<Loaded>(loaded);
  auto service = Service(ctx);
  const std::string action = Field(ctx.form, "action");
  const std::string type = TargetType(c);
  if (action == "delete") {
    if (auto st = service.Delete(page.id, c.id); !st) return Unavailable(ctx);
    ctx.write = {type + ".delete", type, c.id, page.id, ""};
    return Redirect(ListUrl(page.id, "done=deleted&name=" + QueryEscape(c.name)));
  }
  if (action != "save") return ShowOne(ctx, page, c, all, 422, {{"", "Unknown action."}});
  service::ComponentInput in;
  in.name = Field(ctx.form, "name");
  in.description = Field(ctx.form, "description");
  in.hidden = !Field(ctx.form, "hidden").empty();
  if (!c.is_group) in.group_id = Field(ctx.form, "group_id");
  auto saved = service.Update(page.id, c.id, in);
  if (!saved) {
    if (!IsInputError(saved.error())) return Unavailable(ctx);
    return ShowOne(ctx, page, c, all, 422, {FromError(saved.error())});
  }
  ctx.write = {type + ".update", type, c.id, page.id,
               ChangesJson(c.id, {{"name", c.name, saved->name},
                                  {"description", c.description, saved->description},
                                  {"group_id", c.group_id, saved->group_id},
                                  {"hidden", c.hidden ? "true" : "false", saved->hidden ? "true" : "false"}})};
  return Redirect(ListUrl(page.id, "done=saved&c=" + QueryEscape(c.id)) + "#row-" + c.id);
}

}  // namespace

ScreenDescriptor ComponentsScreen() {
  return {
      "/admin/components", "Components", Permission::kReadPublic, GetList, PostList, Permission::kSetComponentStatus};
}

ScreenDescriptor ComponentScreen() {
  return {"/admin/components/{id}", "", Permission::kReadPublic, GetOne, PostOne, Permission::kManageComponents};
}

}  // namespace herald::console
