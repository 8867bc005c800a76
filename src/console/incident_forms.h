// What the incident screens share (screen_incidents.cc, screen_incident_templates.cc): reading the
// composer's form into a service::IncidentInput with errors per field, the per-component status
// selects, and rendering a part of a page from its own template.
//
// Thread safety: pure functions over their arguments.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "console/screen.h"
#include "model/incident_template.h"
#include "service/services.h"

namespace herald::console {

// Field name in the form -> the message shown next to it (and in the summary at the top).
using FieldErrors = std::map<std::string, std::string>;

// `name` (under web/templates/console/, without .mustache) rendered with `data`, for a part of a
// page that is also answered alone (the live preview) or repeated.
std::string RenderPart(std::string_view name, const mu::data& data);

// One select per (non-group) component: "no change" or the status to put it in, named
// "component_<id>"; `chosen` preselects. Hidden components are marked as such.
mu::data ComponentSelects(const std::vector<model::Component>& components,
                          const std::map<std::string, model::ComponentStatus>& chosen, const std::string& id_prefix);
// The statuses chosen in the form's component selects.
std::map<std::string, model::ComponentStatus> ChosenComponents(const Form& form,
                                                               const std::vector<model::Component>& components);
// <option> lists for selects: value, label, selected.
mu::data StatusOptions(const std::vector<model::IncidentStatus>& statuses, model::IncidentStatus selected);
mu::data NoticeTypeOptions(model::NoticeType selected);

// "page_field": the page the request named (query or form), for the forms' hidden `page` field;
// unset when none was named (Mustache shows a section for an empty string too).
void SetPageField(const ScreenContext& ctx, mu::data& d);

// The summary (role=alert) and per-field data for a template: "has_errors", "errors" (list of
// {anchor: "<prefix>-<field>", the id of the control, and message}), and "<field>_error" for each.
void SetErrors(mu::data& d, const FieldErrors& errors, const std::string& prefix);

}  // namespace herald::console
