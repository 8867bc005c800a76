#include "service/incident_templates.h"

#include "core/text.h"

namespace herald::service {

Result<model::IncidentTemplate> IncidentTemplateService::Create(const std::string& page_id,
                                                                const IncidentTemplateInput& in) {
  model::IncidentTemplate t;
  t.id = NewId();
  t.page_id = page_id;
  t.created_at = deps_.clock.Now();
  if (!in.name) return Error::Invalid("name", "name is required");
  if (!in.title) return Error::Invalid("title", "title is required: it becomes the incident's name");
  return Save(std::move(t), in, true);
}

Result<model::IncidentTemplate> IncidentTemplateService::Update(const std::string& page_id, const std::string& id,
                                                                const IncidentTemplateInput& in) {
  auto t = deps_.store.GetIncidentTemplate(page_id, id);
  if (!t) return t.error();
  return Save(std::move(*t), in, false);
}

Status IncidentTemplateService::Delete(const std::string& page_id, const std::string& id) {
  return deps_.store.DeleteIncidentTemplate(page_id, id);
}

Result<model::IncidentTemplate> IncidentTemplateService::Save(model::IncidentTemplate t,
                                                              const IncidentTemplateInput& in, bool creating) {
  if (in.name) {
    auto v = CheckOneLine("name", *in.name, kMaxNameLength, true);
    if (!v) return v.error();
    t.name = *v;
  }
  if (in.title) {
    auto v = CheckOneLine("title", *in.title, kMaxNameLength, true);
    if (!v) return v.error();
    t.title = *v;
  }
  if (in.group) {
    auto v = CheckOneLine("group", *in.group, kMaxTemplateGroupLength, false);
    if (!v) return v.error();
    t.group_name = *v;
  }
  if (in.body) {
    // Markdown, as an incident update's body (rendered safely, so markup is not refused here).
    if (!IsValidUtf8(*in.body)) return Error::Invalid("body", "body must be valid UTF-8");
    if (in.body->size() > kMaxBodyLength) return Error::Invalid("body", "body must be at most 65536 bytes");
    t.body = *in.body;
  }
  if (in.update_status) {
    if (model::IsMaintenanceStatus(*in.update_status) || *in.update_status == model::IncidentStatus::kPostmortem)
      return Error::Invalid("update_status", "update_status must be investigating, identified, monitoring or resolved");
    t.update_status = *in.update_status;
  }
  if (in.type) t.type = *in.type;
  if (in.deliver_notifications) t.deliver_notifications = *in.deliver_notifications;
  if (in.components) {
    auto all = deps_.store.ListComponents(t.page_id);
    if (!all) return all.error();
    for (const auto& [cid, status] : *in.components) {
      bool found = false;
      for (const auto& c : *all) found = found || (c.id == cid && !c.is_group);
      if (!found)
        return Error::Invalid("components", "no component with id \"" + cid.substr(0, 64) + "\" on this page");
    }
    t.components = *in.components;
  }
  // Names are unique within a page: said here with the field, before the store would refuse it.
  auto existing = deps_.store.ListIncidentTemplates(t.page_id);
  if (!existing) return existing.error();
  if (creating && existing->size() >= kMaxIncidentTemplatesPerPage)
    return Error::Invalid("name", "a page has at most " + std::to_string(kMaxIncidentTemplatesPerPage) +
                                      " incident templates; delete one first");
  for (const auto& other : *existing)
    if (other.id != t.id && other.name == t.name)
      return Error{ErrorCode::kConflict, "there is already a template named \"" + t.name + "\"", "name"};
  t.updated_at = deps_.clock.Now();
  if (auto st = deps_.store.SaveIncidentTemplate(t); !st) return st.error();
  return t;
}

}  // namespace herald::service
