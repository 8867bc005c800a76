#include "service/services.h"

#include <algorithm>
#include <boost/json.hpp>
#include <regex>
#include <set>

#include "core/text.h"
#include "core/time.h"
#include "model/component_status.h"
#include "service/component_status.h"

namespace herald::service {
namespace {

using model::ComponentStatus;
using model::IncidentStatus;

model::OutboxEvent Event(const std::string& page_id, std::string kind, const std::string& subject_id,
                         const boost::json::object& payload, TimeMs now) {
  model::OutboxEvent e;
  e.page_id = page_id;
  e.kind = std::move(kind);
  e.subject_id = subject_id;
  e.payload_json = boost::json::serialize(payload);
  e.created_at = now;
  return e;
}

bool HasMarkup(std::string_view s) {
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] != '<') continue;
    char c = s[i + 1];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '/' || c == '!' || c == '?') return true;
  }
  return false;
}

bool IsColor(const std::string& s) {
  static const std::regex kColor("^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$");
  return std::regex_match(s, kColor);
}

bool IsHttpUrl(const std::string& s) {
  static const std::regex kUrl("^https?://[^\\s<>\"']+$", std::regex::icase);
  return s.size() <= 2048 && std::regex_match(s, kUrl);
}

// Statuspage derives an incident's impact from the worst affected component.
model::Impact ImpactFor(ComponentStatus worst) {
  switch (worst) {
    case ComponentStatus::kMajorOutage: return model::Impact::kCritical;
    case ComponentStatus::kPartialOutage: return model::Impact::kMajor;
    case ComponentStatus::kDegradedPerformance: return model::Impact::kMinor;
    default: return model::Impact::kNone;
  }
}

}  // namespace

Result<std::string> CheckText(const std::string& field, const std::string& value, size_t max, bool required) {
  if (!IsValidUtf8(value)) return Error::Invalid(field, field + " must be valid UTF-8");
  std::string v(Trim(value));
  if (required && v.empty()) return Error::Invalid(field, field + " must not be empty");
  if (v.size() > max) return Error::Invalid(field, field + " must be at most " + std::to_string(max) + " bytes");
  if (HasMarkup(v)) return Error::Invalid(field, field + " must be plain text, not HTML markup");
  for (unsigned char c : v)
    if (c < 0x20 && c != '\n' && c != '\t') return Error::Invalid(field, field + " contains control characters");
  return v;
}

namespace {
std::string ManualStatusKey(const std::string& component_id) { return "component.manual_status:" + component_id; }
}  // namespace

Result<ComponentStatus> ManualStatus(store::SettingStore& store, const std::string& component_id) {
  auto v = store.GetSetting(ManualStatusKey(component_id));
  if (!v) return v.error();
  if (!*v) return ComponentStatus::kOperational;
  return model::ParseComponentStatus(**v).value_or(ComponentStatus::kOperational);
}

Status SetManualStatus(store::SettingStore& store, const std::string& component_id, ComponentStatus status,
                       TimeMs now) {
  return store.PutSetting(ManualStatusKey(component_id), std::string(model::ToString(status)), now);
}

Result<std::map<std::string, ComponentStatus>> ComputeComponentStatuses(
    store::Store& store, const std::string& page_id, const std::vector<model::Component>& components,
    const std::set<std::string>& ids, const model::Incident* incident,
    const std::map<std::string, ComponentStatus>& manual) {
  std::map<std::string, model::ComponentCauses> causes;
  for (const auto& c : components) {
    if (!ids.count(c.id) || c.is_group) continue;
    if (auto it = manual.find(c.id); it != manual.end()) {
      causes[c.id].manual = it->second;
      continue;
    }
    auto m = ManualStatus(store, c.id);
    if (!m) return m.error();
    causes[c.id].manual = *m;
  }
  if (causes.empty()) return std::map<std::string, ComponentStatus>();
  store::IncidentFilter open;
  open.unresolved_only = true;
  open.include_internal_updates = false;
  auto incidents = store.ListIncidents(page_id, open);
  if (!incidents) return incidents.error();
  auto add = [&](const model::Incident& inc) {
    for (auto& [cid, cause] : causes) {
      auto effect = model::IncidentEffect(inc, cid);
      if (!effect) continue;
      cause.incidents.push_back(*effect);
      if (inc.is_maintenance()) cause.maintenance = true;
    }
  };
  for (const auto& inc : *incidents)
    if (!incident || inc.id != incident->id) add(inc);
  if (incident) add(*incident);
  auto monitors = store.ListMonitors(page_id);
  if (!monitors) return monitors.error();
  for (const auto& m : *monitors) {
    if (!m.enabled) continue;
    if (auto it = causes.find(m.component_id); it != causes.end())
      it->second.monitors.push_back(model::MonitorEffect(m));
  }
  std::map<std::string, ComponentStatus> out;
  for (const auto& [cid, cause] : causes) out[cid] = model::ComponentStatusFrom(cause);
  return out;
}

Result<model::Component> RefreshComponentStatus(const Deps& deps, const std::string& page_id,
                                                const std::string& component_id) {
  auto c = deps.store.GetComponent(page_id, component_id);
  if (!c) return c.error();
  if (c->is_group) return std::move(*c);
  auto computed = ComputeComponentStatuses(deps.store, c->page_id, {*c}, {c->id});
  if (!computed) return computed.error();
  const ComponentStatus shown = computed->at(c->id);
  if (shown == c->status) return std::move(*c);
  const TimeMs now = deps.clock.Now();
  const ComponentStatus old_status = c->status;
  c->status = shown;
  c->updated_at = now;
  boost::json::object payload{{"name", c->name},
                              {"status", std::string(model::ToString(shown))},
                              {"old_status", std::string(model::ToString(old_status))}};
  auto st = deps.store.SaveComponent(*c, model::StatusChange{c->id, shown, now},
                                     Event(c->page_id, "component.updated", c->id, payload, now));
  if (!st) return st.error();
  deps.on_change();
  return std::move(*c);
}

Result<std::string> CheckOneLine(const std::string& field, const std::string& value, size_t max, bool required) {
  auto v = CheckText(field, value, max, required);
  if (v && v->find('\n') != std::string::npos) return Error::Invalid(field, field + " must be one line");
  return v;
}

// ---------------------------------------------------------------------------------------------
// Pages

Result<model::Page> PageService::Create(const PageInput& in) {
  model::Page p;
  p.id = NewId();
  p.created_at = deps_.clock.Now();
  if (!in.name) return Error::Invalid("name", "name is required");
  // The first page is the default (served at "/" and /api/v2) unless told otherwise: a fresh
  // server with one page must not answer 404 at its root until someone patches the page.
  if (!in.is_default) {
    auto pages = deps_.store.ListPages();
    if (!pages) return pages.error();
    p.is_default = pages->empty();
  }
  return Apply(std::move(p), in, "page.created");
}

Result<model::Page> PageService::Update(const std::string& page_id, const PageInput& in) {
  auto page = deps_.store.GetPage(page_id);
  if (!page) return page.error();
  return Apply(std::move(*page), in, "page.updated");
}

Result<model::Page> PageService::Apply(model::Page p, const PageInput& in, const char* kind) {
  if (in.name) {
    auto v = CheckText("name", *in.name, kMaxNameLength, true);
    if (!v) return v.error();
    p.name = *v;
  }
  if (in.slug) {
    if (in.slug->empty() || Slugify(*in.slug) != *in.slug || in.slug->size() > 64)
      return Error::Invalid("slug", "slug must be 1-64 characters of a-z, 0-9 and '-'");
    p.slug = *in.slug;
  } else if (p.slug.empty()) {
    p.slug = Slugify(p.name);
    if (p.slug.empty()) p.slug = p.id;
  }
  if (in.url) {
    if (!in.url->empty() && !IsHttpUrl(*in.url)) return Error::Invalid("url", "url must be an http(s) URL");
    p.url = *in.url;
  }
  if (in.logo_url) {
    if (!in.logo_url->empty() && !IsHttpUrl(*in.logo_url))
      return Error::Invalid("logo_url", "logo_url must be an http(s) URL");
    p.logo_url = *in.logo_url;
  }
  if (in.hostname) {
    static const std::regex kHost("^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$");
    if (!in.hostname->empty() && (in.hostname->size() > 253 || !std::regex_match(*in.hostname, kHost)))
      return Error::Invalid("hostname", "hostname must be a lower-case DNS name like status.example.com");
    p.hostname = *in.hostname;
  }
  if (in.time_zone) {
    if (!IsValidTimeZone(*in.time_zone))
      return Error::Invalid("time_zone", "time_zone must be an IANA time zone such as Europe/Berlin");
    p.time_zone = *in.time_zone;
  }
  if (in.accent_color) {
    if (!IsColor(*in.accent_color)) return Error::Invalid("accent_color", "accent_color must be #rgb or #rrggbb");
    p.accent_color = *in.accent_color;
  }
  if (in.is_default) p.is_default = *in.is_default;
  if (in.is_private) p.is_private = *in.is_private;
  p.updated_at = deps_.clock.Now();
  auto st = deps_.store.SavePage(p, Event(p.id, kind, p.id, {{"name", p.name}}, p.updated_at));
  if (!st) return st.error();
  deps_.on_change();
  return p;
}

// ---------------------------------------------------------------------------------------------
// Components and groups

Result<model::Component> ComponentService::Create(const std::string& page_id, const ComponentInput& in, bool is_group) {
  auto page = deps_.store.GetPage(page_id);
  if (!page) return page.error();
  if (!in.name) return Error::Invalid("name", "name is required");
  model::Component c;
  c.id = NewId();
  c.page_id = page->id;
  c.is_group = is_group;
  c.created_at = deps_.clock.Now();
  if (!in.position) {
    auto all = deps_.store.ListComponents(page->id);
    if (!all) return all.error();
    c.position = static_cast<int>(all->size()) + 1;
  }
  return Save(std::move(c), in, true);
}

Result<model::Component> ComponentService::Update(const std::string& page_id, const std::string& id,
                                                  const ComponentInput& in) {
  auto c = deps_.store.GetComponent(page_id, id);
  if (!c) return c.error();
  return Save(std::move(*c), in, false);
}

Result<model::Component> ComponentService::Save(model::Component c, const ComponentInput& in, bool creating) {
  const TimeMs now = deps_.clock.Now();
  if (in.name) {
    auto v = CheckText("name", *in.name, kMaxNameLength, true);
    if (!v) return v.error();
    c.name = *v;
  }
  if (in.description) {
    auto v = CheckText("description", *in.description, kMaxDescriptionLength, false);
    if (!v) return v.error();
    c.description = *v;
  }
  if (in.position) {
    if (*in.position < 0 || *in.position > 100000) return Error::Invalid("position", "position must be 0-100000");
    c.position = *in.position;
  }
  if (in.start_date) {
    if (!in.start_date->empty() && (in.start_date->size() != 10 || !ParseIso8601(*in.start_date)))
      return Error::Invalid("start_date", "start_date must be a date like 2026-01-31");
    c.start_date = in.start_date->empty() ? std::nullopt : in.start_date;
  }
  if (in.showcase) c.showcase = *in.showcase;
  if (in.only_show_if_degraded) c.only_show_if_degraded = *in.only_show_if_degraded;
  if (in.hidden) c.hidden = *in.hidden;
  std::vector<model::Component> all;
  if (in.group_id || in.member_ids) {
    auto list = deps_.store.ListComponents(c.page_id);
    if (!list) return list.error();
    all = std::move(*list);
  }
  if (in.group_id) {
    if (c.is_group && !in.group_id->empty()) return Error::Invalid("group_id", "a group cannot be in a group");
    if (!in.group_id->empty()) {
      auto it = std::find_if(all.begin(), all.end(), [&](const auto& x) { return x.id == *in.group_id; });
      if (it == all.end() || !it->is_group)
        return Error::Invalid("group_id", "group_id must name a component group of this page");
    }
    c.group_id = *in.group_id;
  }
  std::optional<model::StatusChange> change;
  const model::ComponentStatus old_status = c.status;
  if (in.status) {
    if (c.is_group) return Error::Invalid("status", "a group's status follows its components");
    ComponentStatus shown = *in.status;
    if (!creating) {
      // The status set by hand is one cause among the others still active on the component.
      auto computed = ComputeComponentStatuses(deps_.store, c.page_id, {c}, {c.id}, nullptr, {{c.id, *in.status}});
      if (!computed) return computed.error();
      shown = computed->at(c.id);
    }
    if (creating || c.status != shown) change = model::StatusChange{c.id, shown, now};
    c.status = shown;
  } else if (creating && !c.is_group) {
    change = model::StatusChange{c.id, c.status, now};  // history starts at creation
  }
  // Members of a group are components whose group_id points at it: validate them all before
  // writing anything.
  std::vector<model::Component> members;
  if (in.member_ids) {
    if (!c.is_group) return Error::Invalid("components", "only a group has member components");
    for (const auto& mid : *in.member_ids) {
      auto it = std::find_if(all.begin(), all.end(), [&](const auto& x) { return x.id == mid; });
      if (it == all.end() || it->is_group)
        return Error::Invalid("components", "unknown component id: " + mid.substr(0, 64));
      members.push_back(*it);
    }
  }
  c.updated_at = now;
  if (creating && c.created_at == 0) c.created_at = now;
  boost::json::object payload{{"name", c.name}, {"status", std::string(model::ToString(c.status))}};
  // The notifier announces status changes (from -> to); other edits carry no old_status.
  if (change && !creating) payload["old_status"] = std::string(model::ToString(old_status));
  if (in.status && !c.is_group)
    if (auto st = SetManualStatus(deps_.store, c.id, *in.status, now); !st) return st.error();
  auto st = deps_.store.SaveComponent(
      c, change, Event(c.page_id, creating ? "component.created" : "component.updated", c.id, payload, now));
  if (!st) return st.error();
  if (in.member_ids) {
    std::set<std::string> wanted(in.member_ids->begin(), in.member_ids->end());
    for (auto& m : all) {
      bool in_group = wanted.count(m.id) > 0;
      if (m.is_group || (m.group_id == c.id) == in_group) continue;
      m.group_id = in_group ? c.id : "";
      m.updated_at = now;
      auto s = deps_.store.SaveComponent(m, std::nullopt, Event(c.page_id, "component.updated", m.id, {}, now));
      if (!s) return s.error();
    }
  }
  deps_.on_change();
  return c;
}

Status ComponentService::Delete(const std::string& page_id, const std::string& id) {
  auto st = deps_.store.DeleteComponent(page_id, id, Event(page_id, "component.deleted", id, {}, deps_.clock.Now()));
  if (!st) return st;
  deps_.on_change();
  return {};
}

// ---------------------------------------------------------------------------------------------
// Incidents and scheduled maintenance

Result<PlannedIncident> IncidentService::PlanCreate(const std::string& page_id, const IncidentInput& in) {
  auto page = deps_.store.GetPage(page_id);
  if (!page) return page.error();
  if (!in.name) return Error::Invalid("name", "name is required");
  model::Incident inc;
  inc.id = NewId();
  inc.page_id = page->id;
  const bool maintenance = in.scheduled_for.has_value() || in.scheduled_until.has_value();
  inc.status = maintenance ? IncidentStatus::kScheduled : IncidentStatus::kInvestigating;
  inc.type = maintenance ? model::NoticeType::kMaintenance : model::NoticeType::kOutage;
  return Plan(page->id, std::move(inc), in, true);
}

Result<PlannedIncident> IncidentService::PlanUpdate(const std::string& page_id, const std::string& id,
                                                    const IncidentInput& in) {
  auto inc = deps_.store.GetIncident(page_id, id);
  if (!inc) return inc.error();
  return Plan(page_id, std::move(*inc), in, false);
}

Result<model::Incident> IncidentService::Create(const std::string& page_id, const IncidentInput& in) {
  auto planned = PlanCreate(page_id, in);
  if (!planned) return planned.error();
  return Commit(std::move(*planned));
}

Result<model::Incident> IncidentService::Update(const std::string& page_id, const std::string& id,
                                                const IncidentInput& in) {
  auto planned = PlanUpdate(page_id, id, in);
  if (!planned) return planned.error();
  return Commit(std::move(*planned));
}

Result<model::Incident> IncidentService::Commit(PlannedIncident planned) {
  auto st = deps_.store.SaveIncident(planned.write);
  if (!st) return st.error();
  deps_.on_change();
  return std::move(planned.incident);
}

Result<PlannedIncident> IncidentService::Plan(const std::string& page_id, model::Incident inc, const IncidentInput& in,
                                              bool creating) {
  const TimeMs now = deps_.clock.Now();
  if (in.name) {
    auto v = CheckOneLine("name", *in.name, kMaxNameLength, true);
    if (!v) return v.error();
    inc.name = *v;
  }
  for (const auto& [key, text] : in.variants) {
    const bool detail = key == "brief" || key == "standard" || key == "technical";
    const std::string label = key.rfind("segment:", 0) == 0 ? key.substr(8) : "";
    const bool segment = !label.empty() && label.size() <= 64 && std::all_of(label.begin(), label.end(), [](char ch) {
      return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
    });
    if (!detail && !segment)
      return Error::Invalid("variants",
                            "variant keys are brief, standard, technical or segment:<label> (a-z, 0-9, -, _)");
    if (!IsValidUtf8(text) || text.size() > kMaxBodyLength)
      return Error::Invalid("variants", "each variant must be valid UTF-8 of at most 65536 bytes");
  }
  if (!in.variants.empty() && !in.body && !in.status && !creating)
    return Error::Invalid("variants", "variants belong to a new update: give a body or status too");
  if (in.body) {
    if (!IsValidUtf8(*in.body)) return Error::Invalid("body", "body must be valid UTF-8");
    if (in.body->size() > kMaxBodyLength) return Error::Invalid("body", "body must be at most 65536 bytes");
  }
  if (in.postmortem_body) {
    if (!IsValidUtf8(*in.postmortem_body)) return Error::Invalid("postmortem_body", "must be valid UTF-8");
    if (in.postmortem_body->size() > kMaxBodyLength)
      return Error::Invalid("postmortem_body", "postmortem_body must be at most 65536 bytes");
    inc.postmortem_body = *in.postmortem_body;
  }
  if (in.scheduled_for) inc.scheduled_for = in.scheduled_for;
  if (in.scheduled_until) inc.scheduled_until = in.scheduled_until;
  if (in.scheduled_auto_transition) inc.scheduled_auto_transition = *in.scheduled_auto_transition;
  const bool maintenance = inc.is_maintenance() || inc.scheduled_until.has_value();
  if (maintenance) {
    if (!inc.scheduled_for) return Error::Invalid("scheduled_for", "scheduled maintenance needs scheduled_for");
    if (!inc.scheduled_until) return Error::Invalid("scheduled_until", "scheduled maintenance needs scheduled_until");
    if (*inc.scheduled_until <= *inc.scheduled_for)
      return Error::Invalid("scheduled_until", "scheduled_until must be after scheduled_for");
    // Like next_update_at: a window that is already over cannot be announced (a past one is
    // recorded as a backfilled incident instead).
    if (creating && !in.backfilled.value_or(false) && *inc.scheduled_until <= now)
      return Error::Invalid("scheduled_until",
                            "scheduled_until is in the past: the maintenance window must end in "
                            "the future");
  }
  if (in.type) inc.type = *in.type;
  const IncidentStatus old_status = inc.status;
  if (in.status) {
    if (model::IsMaintenanceStatus(*in.status) != maintenance && *in.status != IncidentStatus::kPostmortem &&
        !(maintenance && *in.status == IncidentStatus::kResolved))
      return Error::Invalid("status", maintenance ? "maintenance status must be scheduled, in_progress, verifying "
                                                    "or completed"
                                                  : "incident status must be investigating, identified, "
                                                    "monitoring, resolved or postmortem");
    inc.status = *in.status;
  }
  if (in.next_update_at && *in.next_update_at <= now)
    return Error::Invalid("next_update_at", "next_update_at must be in the future");
  if (in.backfilled) inc.backfilled = *in.backfilled;

  // Components: validate every id against the page before anything is written.
  auto components = deps_.store.ListComponents(page_id);
  if (!components) return components.error();
  auto find = [&](const std::string& cid) -> const model::Component* {
    for (const auto& c : *components)
      if (c.id == cid && !c.is_group) return &c;
    return nullptr;
  };
  std::map<std::string, ComponentStatus> targets = in.components;
  for (const auto& [cid, st] : in.components)
    if (!find(cid))
      return Error::Invalid("components", "no component with id or name \"" + cid.substr(0, 64) + "\" on this page");
  if (in.component_ids) {
    for (const auto& cid : *in.component_ids) {
      if (!find(cid))
        return Error::Invalid("component_ids",
                              "no component with id or name \"" + cid.substr(0, 64) + "\" on this page");
      if (!targets.count(cid))
        targets[cid] = maintenance ? ComponentStatus::kUnderMaintenance : ComponentStatus::kMajorOutage;
    }
  }
  // Closing an incident restores its components unless told otherwise; a scheduled
  // maintenance does not touch components until its window starts.
  const bool closing = model::IsClosed(inc.status) && !model::IsClosed(old_status);
  std::vector<model::StatusChange> changes;
  std::vector<model::AffectedComponent> affected_now;
  if (closing) {
    for (const auto& ac : inc.components)
      if (!targets.count(ac.component_id)) targets[ac.component_id] = ComponentStatus::kOperational;
  }
  for (const auto& [cid, st] : targets) {
    const model::Component* c = find(cid);
    if (!c) continue;  // a component deleted since the incident began
    // An init-capture, not the structured binding itself: clang 14 (clang-tidy) cannot capture
    // bindings (a C++20 feature it lacks).
    auto it = std::find_if(inc.components.begin(), inc.components.end(),
                           [&id = cid](const auto& a) { return a.component_id == id; });
    if (it == inc.components.end()) {
      inc.components.push_back({cid, st, c->status});
    } else {
      it->new_status = st;
    }
  }
  // Each component shows the worst of everything active on it, this incident as it is about to
  // be written included: an incident or maintenance ending returns its components to the worst of
  // the rest, not to operational.
  std::set<std::string> touched;
  for (const auto& ac : inc.components)
    if (find(ac.component_id)) touched.insert(ac.component_id);
  auto shown = ComputeComponentStatuses(deps_.store, page_id, *components, touched, &inc);
  if (!shown) return shown.error();
  for (const auto& [cid, st] : *shown) {
    const model::Component* c = find(cid);
    if (c->status == st) continue;
    changes.push_back({cid, st, now});
    affected_now.push_back({cid, st, c->status});
  }
  if (in.impact) {
    inc.impact = *in.impact;
  } else if (maintenance) {
    inc.impact = model::Impact::kMaintenance;
  } else if (!targets.empty() && !model::IsClosed(inc.status)) {
    // A hidden component never reaches public output, nor through the impact it would imply.
    ComponentStatus worst = ComponentStatus::kOperational;
    for (const auto& [cid, st] : targets) {
      const model::Component* c = find(cid);
      if (c && !c->hidden && model::Severity(st) > model::Severity(worst)) worst = st;
    }
    inc.impact = std::max(inc.impact, ImpactFor(worst));
  }

  // Times.
  if (creating) {
    inc.created_at = now;
    inc.started_at = in.backfill_date.value_or(now);
    if (in.backfill_date && *in.backfill_date > now)
      return Error::Invalid("backfill_date", "backfill_date must be in the past");
  }
  if (inc.status == IncidentStatus::kMonitoring && !inc.monitoring_at) inc.monitoring_at = now;
  if (model::IsClosed(inc.status) && !inc.resolved_at) inc.resolved_at = inc.backfilled ? inc.started_at : now;
  if (!model::IsClosed(inc.status)) inc.resolved_at.reset();
  inc.updated_at = now;

  store::IncidentWrite write;
  const bool new_update = creating || in.status.has_value() || in.body.has_value();
  if (new_update) {
    model::IncidentUpdate u;
    u.id = NewId();
    u.incident_id = inc.id;
    u.status = inc.status;
    u.body = in.body.value_or("");
    u.created_at = now;
    u.updated_at = now;
    u.display_at = creating && in.backfill_date ? *in.backfill_date : now;
    u.deliver_notifications = in.deliver_notifications.value_or(!inc.backfilled) && !in.internal;
    u.next_update_at = in.next_update_at;
    u.internal = in.internal;
    u.affected_components = affected_now;
    u.variants = in.variants;
    write.new_updates.push_back(u);
  }
  boost::json::object payload{{"incident_id", inc.id}, {"status", std::string(model::ToString(inc.status))}};
  if (new_update) payload["incident_update_id"] = write.new_updates.front().id;
  payload["internal"] = in.internal;
  write.event = Event(page_id, creating ? "incident.created" : "incident.updated", inc.id, payload, now);
  write.status_changes = std::move(changes);
  auto updates = std::move(inc.updates);
  inc.updates.clear();
  write.incident = inc;
  inc.updates = write.new_updates;
  inc.updates.insert(inc.updates.end(), updates.begin(), updates.end());
  return PlannedIncident{std::move(write), std::move(inc)};
}

Status IncidentService::Delete(const std::string& page_id, const std::string& id) {
  auto inc = deps_.store.GetIncident(page_id, id);
  if (!inc) return inc.error();
  auto st = deps_.store.DeleteIncident(page_id, id, Event(page_id, "incident.deleted", id, {}, deps_.clock.Now()));
  if (!st) return st;
  // What the deleted incident held its components at ends with it.
  for (const auto& ac : inc->components) {
    auto r = RefreshComponentStatus(deps_, page_id, ac.component_id);
    if (!r && r.error().code != ErrorCode::kNotFound) return r.error();
  }
  deps_.on_change();
  return {};
}

Result<model::Incident> IncidentService::EditUpdate(const std::string& page_id, const std::string& incident_id,
                                                    const std::string& update_id,
                                                    const std::optional<std::string>& body,
                                                    const std::optional<TimeMs>& display_at) {
  auto inc = deps_.store.GetIncident(page_id, incident_id);
  if (!inc) return inc.error();
  auto it = std::find_if(inc->updates.begin(), inc->updates.end(), [&](const auto& u) { return u.id == update_id; });
  if (it == inc->updates.end()) return Error::NotFound("incident update not found");
  if (body) {
    if (!IsValidUtf8(*body)) return Error::Invalid("body", "body must be valid UTF-8");
    if (body->size() > kMaxBodyLength) return Error::Invalid("body", "body must be at most 65536 bytes");
    it->body = *body;
  }
  if (display_at) it->display_at = *display_at;
  const TimeMs now = deps_.clock.Now();
  it->updated_at = now;
  auto st = deps_.store.SaveIncidentUpdate(
      *it, Event(page_id, "incident_update.edited", incident_id, {{"incident_update_id", update_id}}, now));
  if (!st) return st.error();
  deps_.on_change();
  return *inc;
}

Result<int> IncidentService::RunMaintenanceTransitions() {
  auto pages = deps_.store.ListPages();
  if (!pages) return pages.error();
  int changed = 0;
  const TimeMs now = deps_.clock.Now();
  for (const auto& page : *pages) {
    store::IncidentFilter f;
    f.maintenance = true;
    f.unresolved_only = true;
    auto list = deps_.store.ListIncidents(page.id, f);
    if (!list) return list.error();
    for (const auto& m : *list) {
      if (!m.scheduled_auto_transition || !m.scheduled_for || !m.scheduled_until) continue;
      IncidentInput in;
      if (now >= *m.scheduled_until &&
          (m.status == IncidentStatus::kInProgress || m.status == IncidentStatus::kVerifying ||
           m.status == IncidentStatus::kScheduled)) {
        in.status = IncidentStatus::kCompleted;
        in.body = "The scheduled maintenance has been completed.";
        for (const auto& ac : m.components) in.components[ac.component_id] = ComponentStatus::kOperational;
      } else if (now >= *m.scheduled_for && now < *m.scheduled_until && m.status == IncidentStatus::kScheduled) {
        in.status = IncidentStatus::kInProgress;
        in.body = "Scheduled maintenance is currently in progress. We will provide updates as necessary.";
        for (const auto& ac : m.components) in.components[ac.component_id] = ComponentStatus::kUnderMaintenance;
      } else {
        continue;
      }
      auto r = Update(page.id, m.id, in);
      if (!r) return r.error();
      ++changed;
    }
  }
  return changed;
}

// ---------------------------------------------------------------------------------------------
// API keys

Result<CreatedKey> CreateApiKey(store::ApiStore& store, const Clock& clock, const std::string& name, model::Role role) {
  auto n = CheckText("name", name, kMaxNameLength, true);
  if (!n) return n.error();
  CreatedKey out;
  out.secret = "hrld_" + RandomHex(32);
  out.key.id = NewId();
  out.key.name = *n;
  out.key.role = role;
  out.key.key_hash = Sha256Hex(out.secret);
  out.key.created_at = clock.Now();
  auto st = store.SaveApiKey(out.key);
  if (!st) return st.error();
  return out;
}

Result<model::ApiKey> Authenticate(store::ApiStore& store, const std::string& secret) {
  if (secret.empty() || secret.size() > 200) return Error{ErrorCode::kUnauthorized, "invalid API key", {}};
  auto key = store.FindApiKeyByHash(Sha256Hex(secret));
  if (!key) {
    if (key.error().code == ErrorCode::kNotFound) return Error{ErrorCode::kUnauthorized, "invalid API key", {}};
    return key.error();
  }
  return key;
}

}  // namespace herald::service
