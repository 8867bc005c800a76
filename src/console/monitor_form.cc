#include "console/monitor_form.h"

#include <charconv>

#include "core/text.h"
#include "model/model.h"

namespace herald::console {
namespace {

using model::ProbeField;

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  for (size_t pos = 0; pos <= text.size();) {
    size_t end = text.find(sep, pos);
    if (end == std::string_view::npos) end = text.size();
    out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> Same(std::initializer_list<const char*> values) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const char* v : values) out.emplace_back(v, v);
  return out;
}

std::vector<std::pair<std::string, std::string>> ComponentStatuses() {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto s : {model::ComponentStatus::kDegradedPerformance, model::ComponentStatus::kPartialOutage,
                 model::ComponentStatus::kMajorOutage})
    out.emplace_back(std::string(model::ToString(s)), std::string(model::Label(s)));
  return out;
}

FormControl Control(std::string name, std::string label, ControlType type, std::string help = "") {
  FormControl c;
  c.name = std::move(name);
  c.label = std::move(label);
  c.type = type;
  c.help = std::move(help);
  return c;
}

std::string TargetLabel(model::ProbeTarget t) {
  switch (t) {
    case model::ProbeTarget::kUrl: return "URL";
    case model::ProbeTarget::kHostPort: return "Host and port";
    case model::ProbeTarget::kHostname: return "Name to resolve";
    case model::ProbeTarget::kNone: return "";
  }
  return "";
}

// The monitor's value of a kind-specific field, as the form shows it.
void SetValue(FormControl& c, ProbeField field, const model::ProbeSpec& s) {
  switch (field) {
    case ProbeField::kMethod: c.value = s.method; break;
    case ProbeField::kHeaders: c.value = FormatHeaderLines(s.headers); break;
    case ProbeField::kBody: c.value = s.body; break;
    case ProbeField::kExpectedStatus:
      for (const auto& r : service::FormatStatusRanges(s.expected_status)) c.value += (c.value.empty() ? "" : ", ") + r;
      break;
    case ProbeField::kKeyword: c.value = s.keyword; break;
    case ProbeField::kKeywordAbsent: c.checked = s.keyword_absent; break;
    case ProbeField::kJsonPath: c.value = s.json_path; break;
    case ProbeField::kJsonExpected: c.value = s.json_expected; break;
    case ProbeField::kFollowRedirects: c.checked = s.follow_redirects; break;
    case ProbeField::kVerifyTls: c.checked = s.verify_tls; break;
    case ProbeField::kRecordType: c.value = s.record_type; break;
    case ProbeField::kExpectedAnswer: c.value = s.expected_answer; break;
    case ProbeField::kDnsServer: c.value = s.dns_server; break;
    case ProbeField::kExpiryWarnDays: c.value = std::to_string(s.expiry_warn_days); break;
    case ProbeField::kSlowMs: c.value = std::to_string(s.slow_ms); break;
    case ProbeField::kGraceSeconds: c.value = std::to_string(s.grace_ms / 1000); break;
  }
}

Result<std::optional<int>> WholeNumber(const Form& form, const std::string& name, const std::string& label) {
  const std::string text(Trim(Field(form, name)));
  if (text.empty()) return std::optional<int>();
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size())
    return Error::Invalid(name, label + " must be a whole number");
  return std::optional<int>(v);
}

}  // namespace

FormControl FieldControl(ProbeField field) {
  const std::string name(model::ToString(field));
  using T = ControlType;
  switch (field) {
    case ProbeField::kMethod: {
      FormControl c = Control(name, "HTTP method", T::kSelect);
      c.options = Same({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"});
      return c;
    }
    case ProbeField::kHeaders: return Control(name, "Request headers", T::kLines, "One per line, as Name: value.");
    case ProbeField::kBody: return Control(name, "Request body", T::kLines, "Sent with POST, PUT and PATCH.");
    case ProbeField::kExpectedStatus:
      return Control(name, "Expected status codes", T::kText,
                     "Codes and ranges separated by commas, such as 200-299, 301.");
    case ProbeField::kKeyword:
      return Control(name, "Keyword", T::kText, "The response body must contain it. Empty: no check.");
    case ProbeField::kKeywordAbsent: return Control(name, "Fail when the keyword is present instead", T::kCheckbox);
    case ProbeField::kJsonPath:
      return Control(name, "JSON path", T::kText,
                     "Such as $.status or $.checks[0].ok: it must exist. Empty: no check.");
    case ProbeField::kJsonExpected:
      return Control(name, "Expected JSON value", T::kText,
                     "The value at the JSON path, compared as text. Empty: any.");
    case ProbeField::kFollowRedirects: return Control(name, "Follow redirects", T::kCheckbox);
    case ProbeField::kVerifyTls: return Control(name, "Verify the TLS certificate", T::kCheckbox);
    case ProbeField::kRecordType: {
      FormControl c = Control(name, "Record type", T::kSelect);
      c.options = Same({"A", "AAAA", "CNAME", "MX", "TXT", "NS"});
      return c;
    }
    case ProbeField::kExpectedAnswer:
      return Control(name, "Expected answer", T::kText, "One answer must equal it. Empty: any answer.");
    case ProbeField::kDnsServer:
      return Control(name, "DNS server", T::kText, "host:port, such as 127.0.0.1:53. Empty: the system's resolver.");
    case ProbeField::kExpiryWarnDays:
      return Control(
          name, "Warn days before the certificate expires", T::kNumber,
          "Within this many days the monitor is degraded (at most " + std::to_string(model::kMaxExpiryWarnDays) + ").");
    case ProbeField::kSlowMs:
      return Control(name, "Slow above (milliseconds)", T::kNumber,
                     "A slower answer makes the monitor degraded. 0: no threshold.");
    case ProbeField::kGraceSeconds:
      return Control(name, "Grace period (seconds)", T::kNumber,
                     "How long after the expected call a missing call counts as a failure.");
  }
  return Control(name, name, T::kText);
}

std::vector<FormControl> MonitorControls(model::MonitorKind kind, const model::Monitor& m,
                                         const std::vector<std::pair<std::string, std::string>>& components) {
  using T = ControlType;
  const model::ProbeKindDescriptor& desc = model::Describe(kind);
  const bool heartbeat = desc.target == model::ProbeTarget::kNone;
  std::vector<FormControl> out;
  FormControl name = Control("name", "Name", T::kText);
  name.value = m.name;
  name.required = true;
  out.push_back(name);
  if (!heartbeat) {
    FormControl target =
        Control("target", TargetLabel(desc.target), T::kText, "Required: " + std::string(desc.target_help) + ".");
    target.value = m.spec.target;
    target.required = true;
    out.push_back(target);
  }
  FormControl component = Control("component_id", "Component it drives", T::kSelect,
                                  "Its status follows this monitor. None: the monitor only records and alerts.");
  component.options.emplace_back("", "None");
  for (const auto& c : components) component.options.push_back(c);
  component.value = m.component_id;
  out.push_back(component);
  FormControl interval =
      Control("interval_seconds", heartbeat ? "Expected call every (seconds)" : "Check every (seconds)", T::kNumber,
              "At least " + std::to_string(service::kMinIntervalMs / 1000) + ".");
  interval.value = std::to_string(m.interval_ms / 1000);
  out.push_back(interval);
  if (!heartbeat) {
    FormControl timeout = Control("timeout_seconds", "Timeout (seconds)", T::kNumber, "At most the interval.");
    timeout.value = std::to_string(m.timeout_ms / 1000);
    out.push_back(timeout);
  }
  FormControl failures = Control("failures_to_down", "Failed checks before down", T::kNumber);
  failures.value = std::to_string(m.failures_to_down);
  out.push_back(failures);
  FormControl window = Control("failure_window", "Among the last (checks)", T::kNumber,
                               "Down after that many failures among this many checks.");
  window.value = std::to_string(m.failure_window);
  out.push_back(window);
  FormControl successes = Control("successes_to_up", "Good checks in a row before up", T::kNumber);
  successes.value = std::to_string(m.successes_to_up);
  out.push_back(successes);
  FormControl down = Control("down_status", "Component status when down", T::kSelect);
  down.options = ComponentStatuses();
  down.value = std::string(model::ToString(m.down_status));
  out.push_back(down);
  FormControl slow = Control("slow_status", "Component status when slow", T::kSelect);
  slow.options = ComponentStatuses();
  slow.value = std::string(model::ToString(m.slow_status));
  out.push_back(slow);
  for (const ProbeField field : desc.fields) {
    FormControl c = FieldControl(field);
    SetValue(c, field, m.spec);
    out.push_back(c);
  }
  FormControl chart = Control("show_chart", "Show its response-time chart on the public page", T::kCheckbox);
  chart.checked = m.show_chart;
  out.push_back(chart);
  return out;
}

void FillFromForm(std::vector<FormControl>& controls, const Form& form) {
  for (auto& c : controls) {
    if (c.type == ControlType::kCheckbox)
      c.checked = !Field(form, c.name).empty();
    else
      c.value = Field(form, c.name);
  }
}

Result<service::MonitorInput> ParseMonitorForm(model::MonitorKind kind, const Form& form) {
  service::MonitorInput in;
  const model::ProbeKindDescriptor& desc = model::Describe(kind);
  auto text = [&](const char* name) { return std::optional<std::string>(Field(form, name)); };
  // A choice left out (a form from before a field existed, a script) keeps the default.
  auto choice = [&](const std::string& name) {
    const std::string v = Field(form, name);
    return v.empty() ? std::nullopt : std::optional<std::string>(v);
  };
  auto box = [&](ProbeField f) { return std::optional<bool>(!Field(form, std::string(model::ToString(f))).empty()); };
  in.kind = std::string(desc.wire_name);
  in.name = text("name");
  if (desc.target != model::ProbeTarget::kNone) in.target = text("target");
  in.component_id = text("component_id");
  std::optional<int> n;
  HERALD_TRY_ASSIGN(n, WholeNumber(form, "interval_seconds", "The interval"));
  if (n) in.interval_ms = static_cast<std::int64_t>(*n) * 1000;
  if (desc.target != model::ProbeTarget::kNone) {
    HERALD_TRY_ASSIGN(n, WholeNumber(form, "timeout_seconds", "The timeout"));
    if (n) in.timeout_ms = static_cast<std::int64_t>(*n) * 1000;
  }
  HERALD_TRY_ASSIGN(in.failures_to_down, WholeNumber(form, "failures_to_down", "Failed checks before down"));
  HERALD_TRY_ASSIGN(in.failure_window, WholeNumber(form, "failure_window", "The number of checks"));
  HERALD_TRY_ASSIGN(in.successes_to_up, WholeNumber(form, "successes_to_up", "Good checks before up"));
  in.down_status = choice("down_status");
  in.slow_status = choice("slow_status");
  in.show_chart = !Field(form, "show_chart").empty();
  for (const ProbeField f : desc.fields) {
    const std::string name(model::ToString(f));
    const std::string label = FieldControl(f).label;
    switch (f) {
      case ProbeField::kMethod: in.method = choice(name); break;
      case ProbeField::kHeaders: {
        std::vector<std::pair<std::string, std::string>> headers;
        HERALD_TRY_ASSIGN(headers, ParseHeaderLines(Field(form, name)));
        in.headers = std::move(headers);
        break;
      }
      case ProbeField::kBody: in.body = Field(form, name); break;
      case ProbeField::kExpectedStatus: {
        std::vector<std::string> parts;
        const std::string list = Field(form, name);
        for (const auto& p : Split(list, ','))
          if (!Trim(p).empty()) parts.emplace_back(Trim(p));
        if (!parts.empty()) in.expected_status = std::move(parts);  // empty: the default (200-399)
        break;
      }
      case ProbeField::kKeyword: in.keyword = Field(form, name); break;
      case ProbeField::kKeywordAbsent: in.keyword_absent = box(f); break;
      case ProbeField::kJsonPath: in.json_path = Field(form, name); break;
      case ProbeField::kJsonExpected: in.json_expected = Field(form, name); break;
      case ProbeField::kFollowRedirects: in.follow_redirects = box(f); break;
      case ProbeField::kVerifyTls: in.verify_tls = box(f); break;
      case ProbeField::kRecordType: in.record_type = choice(name); break;
      case ProbeField::kExpectedAnswer: in.expected_answer = Field(form, name); break;
      case ProbeField::kDnsServer: in.dns_server = Field(form, name); break;
      case ProbeField::kExpiryWarnDays: HERALD_TRY_ASSIGN(in.expiry_warn_days, WholeNumber(form, name, label)); break;
      case ProbeField::kSlowMs: HERALD_TRY_ASSIGN(in.slow_ms, WholeNumber(form, name, label)); break;
      case ProbeField::kGraceSeconds: {
        HERALD_TRY_ASSIGN(n, WholeNumber(form, name, label));
        if (n) in.grace_ms = static_cast<std::int64_t>(*n) * 1000;
        break;
      }
    }
  }
  return in;
}

std::string FormatHeaderLines(const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string out;
  for (const auto& [k, v] : headers) out += k + ": " + v + "\n";
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> ParseHeaderLines(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string_view raw : Split(text, '\n')) {
    const std::string_view line = Trim(raw);  // also drops the CR of a CRLF line
    if (line.empty()) continue;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || Trim(line.substr(0, colon)).empty())
      return Error::Invalid(
          "headers", "each header line must be Name: value (\"" + std::string(line.substr(0, 40)) + "\" is not)");
    out.emplace_back(std::string(Trim(line.substr(0, colon))), std::string(Trim(line.substr(colon + 1))));
  }
  return out;
}

}  // namespace herald::console
