// The console's monitor form, derived from the probe kind list (model/probe_kinds.h): the fields
// every monitor has, then the ones its kind's ProbeKindDescriptor names, in that order, each with
// the control that fits its value (text, number, checkbox, choice, lines). A new kind or field in
// probe_kinds.cc shows up in the form with no change here beyond the field's one description
// (FieldControl; a test fails for a field without one). Form field names are the API's names
// (interval_seconds, grace_seconds, expected_status, ...), so the service's errors, which name
// the field as the API spells it, land next to the right control.
//
// Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "console/request.h"
#include "core/result.h"
#include "model/monitor.h"
#include "model/probe_kinds.h"
#include "service/monitors.h"

namespace herald::console {

enum class ControlType { kText, kNumber, kCheckbox, kSelect, kLines };

struct FormControl {
  std::string name;   // the form field's (and the API's) name
  std::string label;  // the visible label
  std::string help;   // a hint under the control; may be empty
  ControlType type = ControlType::kText;
  std::vector<std::pair<std::string, std::string>> options;  // kSelect: value, words shown
  std::string value;     // as shown: the monitor's, the defaults', or what was typed
  bool checked = false;  // kCheckbox
  bool required = false;
};

// The control of one kind-specific field (its label, type, help, options), without a value.
FormControl FieldControl(model::ProbeField field);

// Every control of the form for a monitor of `kind`, filled from `m` (a new monitor: defaults).
// `components` are the choices for the component it drives (id, name); "none" comes first.
std::vector<FormControl> MonitorControls(model::MonitorKind kind, const model::Monitor& m,
                                         const std::vector<std::pair<std::string, std::string>>& components);

// The same controls filled from a submitted form instead (what was typed stays on an error).
void FillFromForm(std::vector<FormControl>& controls, const Form& form);

// The submitted form as a MonitorInput for `kind`: every control of the form is set (an
// unchecked box is false). A number that is not a whole number is an Error::Invalid naming its
// field; everything else is the service's to check.
Result<service::MonitorInput> ParseMonitorForm(model::MonitorKind kind, const Form& form);

// "Name: value" lines <-> header pairs.
std::string FormatHeaderLines(const std::vector<std::pair<std::string, std::string>>& headers);
Result<std::vector<std::pair<std::string, std::string>>> ParseHeaderLines(const std::string& text);

}  // namespace herald::console
