// /admin/incident-templates: templates for common situations (list, create) and
// /admin/incident-templates/{id} (edit, delete). The composer starts from one
// (/admin/incidents/new?template=ID). Everyone who sees incidents sees them; responders and admins
// (publish_incident) write them, as they publish incidents from them. Writes go through
// service::IncidentTemplateService, as the API's do.
#include "console/incident_forms.h"
#include "core/text.h"
#include "service/incident_templates.h"

namespace herald::console {
namespace {

using model::IncidentStatus;

struct TemplateForm {
  std::string name, group, title, body, type = "outage", status = "investigating";
  bool notify = true;
  std::map<std::string, model::ComponentStatus> components;
};

TemplateForm FromTemplate(const model::IncidentTemplate& t) {
  return {t.name,
          t.group_name,
          t.title,
          t.body,
          std::string(model::ToString(t.type)),
          std::string(model::ToString(t.update_status)),
          t.deliver_notifications,
          t.components};
}

TemplateForm ReadTemplateForm(const Form& f, const std::vector<model::Component>& components) {
  return {Field(f, "name"), Field(f, "group"),  Field(f, "title"),           Field(f, "body"),
          Field(f, "type"), Field(f, "status"), Field(f, "notify") == "yes", ChosenComponents(f, components)};
}

// The service's field names -> the form's.
std::string TemplateFormField(const std::string& f) {
  if (f == "update_status") return "status";
  if (f == "title" || f == "group" || f == "body" || f == "type" || f == "components") return f;
  return "name";
}

mu::data FormData(const ScreenContext& ctx, const TemplateForm& t, const std::vector<model::Component>& components,
                  const FieldErrors& errors) {
  mu::data d;
  d.set("prefix", "template");
  d.set("name", t.name);
  d.set("group", t.group);
  d.set("title", t.title);
  d.set("body", t.body);
  if (t.notify) d.set("notify", true);
  d.set("types", NoticeTypeOptions(model::ParseNoticeType(t.type).value_or(model::NoticeType::kOutage)));
  d.set("statuses", StatusOptions({IncidentStatus::kInvestigating, IncidentStatus::kIdentified,
                                   IncidentStatus::kMonitoring, IncidentStatus::kResolved},
                                  model::ParseIncidentStatus(t.status).value_or(IncidentStatus::kInvestigating)));
  d.set("components", ComponentSelects(components, t.components, "template"));
  d.set("csrf", ctx.staff.csrf_token);
  SetPageField(ctx, d);
  SetErrors(d, errors, "template");
  return d;
}

Result<service::IncidentTemplateInput> ToInput(const TemplateForm& t, FieldErrors& errors) {
  service::IncidentTemplateInput in;
  in.name = t.name;
  in.group = t.group;
  in.title = t.title;
  in.body = t.body;
  in.type = model::ParseNoticeType(t.type);
  if (!in.type) errors["type"] = "Choose a notice type.";
  in.update_status = model::ParseIncidentStatus(t.status);
  if (!in.update_status) errors["status"] = "Choose a status.";
  in.deliver_notifications = t.notify;
  in.components = t.components;
  return in;
}

http::Response Unavailable(const ScreenContext& ctx) {
  return ctx.Message(503, "Unavailable", "The database cannot be reached. Try again shortly.");
}

// The list, with the new-template form (filled again after an error).
http::Response ShowList(const ScreenContext& ctx, const model::Page& page, const TemplateForm& form,
                        const FieldErrors& errors, const std::string& notice) {
  auto components = ctx.deps.store.ListComponents(page.id);
  auto templates = ctx.deps.store.ListIncidentTemplates(page.id);
  if (!components || !templates) return Unavailable(ctx);
  mu::data d;
  const std::string pq = ctx.PageQuery();
  const std::string amp = pq.empty() ? "?" : pq + "&";
  mu::data rows{mu::data::type::list};
  for (const auto& t : *templates) {
    mu::data r;
    r.set("name", t.name);
    r.set("group", t.group_name.empty() ? std::string("-") : t.group_name);
    r.set("title", t.title);
    r.set("status", std::string(model::Label(t.update_status)));
    r.set("components", std::to_string(t.components.size()));
    r.set("edit_href", "/admin/incident-templates/" + t.id + pq);
    r.set("use_href", "/admin/incidents/new" + amp + "template=" + QueryEscape(t.id));
    rows.push_back(r);
  }
  d.set("rows", rows);
  d.set("has_rows", !templates->empty());
  if (!notice.empty()) d.set("notice", notice);
  if (ctx.Can(model::Permission::kPublishIncident)) {
    d.set("can_publish", true);
    mu::data f = FormData(ctx, form, *components, errors);
    f.set("action", "/admin/incident-templates" + pq);
    f.set("form_action", "create");
    f.set("submit", "Create template");
    d.set("form_html", RenderPart("incident_template_form", f));
    if (!errors.empty()) SetErrors(d, errors, "template");
  }
  return ctx.Page(errors.empty() ? 200 : 422, "Incident templates", "incident_templates", d);
}

http::Response ListGet(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return ctx.Message(404, "Incident templates", page.error().message);
  static const std::map<std::string, std::string> kDone = {{"created", "The template is created."},
                                                           {"saved", "The template is saved."},
                                                           {"deleted", "The template is deleted."}};
  auto it = kDone.find(Field(ctx.query, "done"));
  return ShowList(ctx, *page, {}, {}, it == kDone.end() ? "" : it->second);
}

http::Response Failed(const ScreenContext& ctx, const Error& e, FieldErrors& errors) {
  if (e.code == ErrorCode::kUnavailable || e.code == ErrorCode::kInternal) return Unavailable(ctx);
  errors[TemplateFormField(e.field)] = e.message;
  return http::Response{};  // status 200 placeholder: the caller shows the form again
}

http::Response Saved(const ScreenContext& ctx, const std::string& what) {
  const std::string pq = ctx.PageQuery();
  return Redirect("/admin/incident-templates" + (pq.empty() ? "?" : pq + "&") + "done=" + what);
}

http::Response ListPost(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return ctx.Message(404, "Incident templates", page.error().message);
  auto components = ctx.deps.store.ListComponents(page->id);
  if (!components) return Unavailable(ctx);
  const TemplateForm form = ReadTemplateForm(ctx.form, *components);
  FieldErrors errors;
  auto in = ToInput(form, errors);
  if (!errors.empty()) return ShowList(ctx, *page, form, errors, "");
  service::IncidentTemplateService templates(service::Deps{ctx.deps.store, ctx.deps.clock});
  auto t = templates.Create(page->id, *in);
  if (!t) {
    if (auto r = Failed(ctx, t.error(), errors); r.status >= 500) return r;
    return ShowList(ctx, *page, form, errors, "");
  }
  ctx.write = {"incident_template.create", "incident_template", t->id, page->id, ""};
  return Saved(ctx, "created");
}

http::Response ShowOne(const ScreenContext& ctx, const model::Page& page, const std::optional<TemplateForm>& typed,
                       const FieldErrors& errors) {
  auto t = ctx.deps.store.GetIncidentTemplate(page.id, ctx.Param("id"));
  if (!t) {
    if (t.error().code == ErrorCode::kNotFound)
      return ctx.Message(404, "Template not found", "There is no incident template " + ctx.Param("id") + ".");
    return Unavailable(ctx);
  }
  auto components = ctx.deps.store.ListComponents(page.id);
  if (!components) return Unavailable(ctx);
  const std::string pq = ctx.PageQuery();
  mu::data d;
  d.set("list_href", "/admin/incident-templates" + pq);
  d.set("use_href", "/admin/incidents/new" + (pq.empty() ? "?" : pq + "&") + "template=" + QueryEscape(t->id));
  const TemplateForm form = typed.value_or(FromTemplate(*t));
  mu::data f = FormData(ctx, form, *components, errors);
  f.set("action", "/admin/incident-templates/" + t->id + pq);
  f.set("form_action", "save");
  f.set("submit", "Save template");
  if (!ctx.Can(model::Permission::kPublishIncident)) f.set("readonly", true);
  d.set("form_html", RenderPart("incident_template_form", f));
  if (ctx.Can(model::Permission::kPublishIncident)) d.set("can_publish", true);
  d.set("csrf", ctx.staff.csrf_token);
  d.set("action", "/admin/incident-templates/" + t->id + pq);
  SetPageField(ctx, d);
  d.set("name", t->name);
  SetErrors(d, errors, "template");
  return ctx.Page(errors.empty() ? 200 : 422, "Template: " + t->name, "incident_template", d);
}

http::Response OneGet(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return ctx.Message(404, "Incident template", page.error().message);
  return ShowOne(ctx, *page, std::nullopt, {});
}

http::Response OnePost(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return ctx.Message(404, "Incident template", page.error().message);
  const std::string id = ctx.Param("id");
  service::IncidentTemplateService templates(service::Deps{ctx.deps.store, ctx.deps.clock});
  FieldErrors errors;
  if (Field(ctx.form, "action") == "delete") {
    if (auto st = templates.Delete(page->id, id); !st) {
      if (st.error().code == ErrorCode::kNotFound) return ctx.Message(404, "Template not found", st.error().message);
      return Unavailable(ctx);
    }
    ctx.write = {"incident_template.delete", "incident_template", id, page->id, ""};
    return Saved(ctx, "deleted");
  }
  auto components = ctx.deps.store.ListComponents(page->id);
  if (!components) return Unavailable(ctx);
  const TemplateForm form = ReadTemplateForm(ctx.form, *components);
  auto in = ToInput(form, errors);
  if (!errors.empty()) return ShowOne(ctx, *page, form, errors);
  auto t = templates.Update(page->id, id, *in);
  if (!t) {
    if (t.error().code == ErrorCode::kNotFound && t.error().field.empty())
      return ctx.Message(404, "Template not found", t.error().message);
    if (auto r = Failed(ctx, t.error(), errors); r.status >= 500) return r;
    return ShowOne(ctx, *page, form, errors);
  }
  ctx.write = {"incident_template.update", "incident_template", id, page->id, ""};
  return Saved(ctx, "saved");
}

}  // namespace

ScreenDescriptor IncidentTemplatesScreen() {
  return {"/admin/incident-templates",        "", model::Permission::kReadInternal, ListGet, ListPost,
          model::Permission::kPublishIncident};
}
ScreenDescriptor IncidentTemplateScreen() {
  return {"/admin/incident-templates/{id}",   "", model::Permission::kReadInternal, OneGet, OnePost,
          model::Permission::kPublishIncident};
}

}  // namespace herald::console
