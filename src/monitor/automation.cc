#include "monitor/automation.h"

#include <cstdio>

#include "core/log.h"
#include "core/text.h"
#include "core/time.h"
#include "monitor/evaluator.h"
#include "notify/templates.h"

namespace herald::monitor {

using model::ComponentStatus;
using model::IncidentStatus;

std::string ClockTimeUtc(TimeMs t) {
  const TimeMs day_ms = 86'400'000;
  const TimeMs in_day = ((t % day_ms) + day_ms) % day_ms;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d UTC", static_cast<int>(in_day / 3'600'000),
                static_cast<int>(in_day / 60'000 % 60));
  return buf;
}

std::string ClockTimeIn(TimeMs t, const std::string& zone) {
  return IsValidTimeZone(zone) ? FormatInZone(t, zone, "%H:%M %Z") : ClockTimeUtc(t);
}

std::string DefaultIncidentName(ComponentStatus status) {
  switch (status) {
    case ComponentStatus::kDegradedPerformance: return "{{component}} is slow";
    case ComponentStatus::kPartialOutage: return "{{component}} is partly unavailable";
    default: return "{{component}} is down";
  }
}

std::string DefaultIncidentBody(ComponentStatus status) {
  switch (status) {
    case ComponentStatus::kDegradedPerformance:
      return "Our checks show that {{component}} is responding slowly since {{since}}. We are investigating.";
    case ComponentStatus::kPartialOutage:
      return "Our checks show that {{component}} is partly unavailable since {{since}}. We are investigating.";
    default: return "Our checks show that {{component}} is not responding since {{since}}. We are investigating.";
  }
}

namespace {
constexpr const char* kRecoveredBody =
    "A fix is in place: our checks of {{component}} are passing again since {{since}}. We are monitoring the "
    "results.";
constexpr const char* kResolvedBody =
    "{{component}} has been working normally since {{since}}. This incident has been resolved.";
constexpr const char* kFailingAgainBody =
    "Our checks show that {{component}} is failing again since {{since}}. We are investigating.";
}  // namespace

Automation::Automation(const service::Deps& deps, PublishDraftFn publish_draft)
    : deps_(deps), incidents_(deps), publish_draft_(std::move(publish_draft)) {}

void Automation::LoadExtras(Entry& e) {
  e.draft_publish_at = 0;
  e.resolved = false;
  e.resolved_at = 0;
  if (!e.rule.open_draft_id.empty()) {
    auto d = deps_.store.GetIncidentDraft(e.rule.page_id, e.rule.open_draft_id);
    if (d) e.draft_publish_at = d->publish_at;
  }
  if (!e.rule.open_incident_id.empty()) {
    auto inc = deps_.store.GetIncident(e.rule.page_id, e.rule.open_incident_id);
    if (inc && model::IsClosed(inc->status)) {
      e.resolved = true;
      e.resolved_at = inc->resolved_at.value_or(inc->updated_at);
    } else if (!inc && inc.error().code == ErrorCode::kNotFound) {
      e.rule.open_incident_id.clear();  // deleted by staff
      e.rule.recovered_at = 0;
    }
  }
}

Status Automation::Load() {
  auto pages = deps_.store.ListPages();
  if (!pages) return pages.error();
  std::map<std::string, Entry> fresh;
  for (const auto& page : *pages) {
    auto rules = deps_.store.ListAutomationRules(page.id);
    if (!rules) return rules.error();
    for (auto& r : *rules) {
      const std::string key = Key(r.page_id, r.component_id);
      Entry e;
      if (auto it = entries_.find(key); it != entries_.end()) e = it->second;
      const bool same_state = e.rule.open_draft_id == r.open_draft_id &&
                              e.rule.open_incident_id == r.open_incident_id && !e.rule.component_id.empty();
      e.rule = std::move(r);
      if (!same_state) LoadExtras(e);
      fresh[key] = std::move(e);
    }
  }
  entries_ = std::move(fresh);
  return {};
}

Automation::Entry* Automation::Refresh(const std::string& page_id, const std::string& component_id) {
  auto rules = deps_.store.ListAutomationRules(page_id);
  const std::string key = Key(page_id, component_id);
  if (!rules) {
    // The store is struggling: act on what we last read rather than not at all.
    auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : &it->second;
  }
  for (auto& r : *rules) {
    if (r.component_id != component_id) continue;
    Entry& e = entries_[key];
    const bool same_state = e.rule.open_draft_id == r.open_draft_id && e.rule.open_incident_id == r.open_incident_id &&
                            !e.rule.component_id.empty();
    e.rule = std::move(r);
    if (!same_state) LoadExtras(e);
    return &e;
  }
  entries_.erase(key);
  return nullptr;
}

bool Automation::Save(Entry& e) {
  e.rule.updated_at = deps_.clock.Now();
  auto st = deps_.store.SaveAutomationRule(e.rule);
  if (!st) {
    ++stats_.errors;
    log::Error("cannot save automation rule state",
               {{"component", e.rule.component_id}, {"error", st.error().message}});
    return false;
  }
  return true;
}

std::string Automation::Render(const std::string& tmpl, const std::string& fallback, const Entry& e) const {
  notify::TemplateVars vars(e.vars.begin(), e.vars.end());
  if (!tmpl.empty()) {
    auto r = notify::RenderTemplate(tmpl, vars, "template");
    if (r && !Trim(*r).empty()) return std::string(Trim(*r));
    log::Warn("automation template does not render; using the default", {{"component", e.rule.component_id}});
  }
  auto r = notify::RenderTemplate(fallback, vars, "template");
  return r ? *r : fallback;
}

// The page's time zone, for times in incident texts (empty when the page cannot be read: UTC).
std::string Automation::PageZone(const std::string& page_id) const {
  auto page = deps_.store.GetPage(page_id);
  return page ? page->time_zone : std::string();
}

void Automation::OnComponentStatus(const std::string& page_id, const std::string& component_id, ComponentStatus status,
                                   const FailureFacts& facts) {
  Entry* e = Refresh(page_id, component_id);
  if (!e || e->rule.mode == model::AutomationMode::kOff) return;
  e->status = status;
  e->vars = {{"component", facts.component_name},
             {"monitor_id", facts.monitor_id},
             {"monitor", facts.monitor_name},
             {"status", std::string(model::Label(status))},
             {"error", facts.error},
             {"since", ClockTimeIn(facts.since ? facts.since : deps_.clock.Now(), PageZone(page_id))}};
  if (status == ComponentStatus::kOperational) {
    Recovery(*e);
  } else if (facts.component_hidden) {
    log::Info("component is hidden: automation opens no public incident", {{"component", component_id}});
  } else {
    Failure(*e, status);
  }
}

bool Automation::SettleDraft(Entry& e) {
  if (e.rule.open_draft_id.empty()) return true;
  auto d = deps_.store.GetIncidentDraft(e.rule.page_id, e.rule.open_draft_id);
  if (!d) {
    if (d.error().code != ErrorCode::kNotFound) return false;
    e.rule.open_draft_id.clear();
    return true;
  }
  switch (d->state) {
    case model::DraftState::kWaiting: e.draft_publish_at = d->publish_at; return false;
    case model::DraftState::kPublished:
      e.rule.open_incident_id = d->incident_id;  // a human published it: it is our incident now
      e.rule.recovered_at = 0;
      e.resolved = false;
      break;
    case model::DraftState::kDiscarded: break;
  }
  e.rule.open_draft_id.clear();
  e.draft_publish_at = 0;
  return true;
}

Result<std::optional<model::Incident>> Automation::OpenIncidentOn(const std::string& page_id,
                                                                  const std::string& component_id) {
  store::IncidentFilter f;
  f.maintenance = false;
  f.unresolved_only = true;
  f.include_internal_updates = false;
  auto list = deps_.store.ListIncidents(page_id, f);
  if (!list) return list.error();
  for (auto& inc : *list) {  // newest first
    if (inc.backfilled || model::IsClosed(inc.status)) continue;
    for (const auto& a : inc.components)
      if (a.component_id == component_id) return std::optional<model::Incident>(std::move(inc));
  }
  return std::optional<model::Incident>();
}

bool Automation::Join(Entry& e, const model::Incident& inc, ComponentStatus status, const std::string& body) {
  service::IncidentInput in;
  in.body = body;  // the incident's status stays what its people set
  in.deliver_notifications = e.rule.notify;
  in.components[e.rule.component_id] = status;
  auto r = incidents_.Update(e.rule.page_id, inc.id, in);
  if (!r) {
    ++stats_.errors;
    log::Error("cannot post to the open incident", {{"incident", inc.id}, {"error", r.error().message}});
    return false;
  }
  ++stats_.joined;
  e.rule.open_incident_id = inc.id;
  e.rule.recovered_at = 0;
  e.resolved = false;
  e.resolved_at = 0;
  Save(e);
  return true;
}

void Automation::Failure(Entry& e, ComponentStatus status) {
  const TimeMs now = deps_.clock.Now();
  if (!SettleDraft(e)) {
    // A draft still waits for its human (or its time): it already says the component fails.
    if (e.rule.recovered_at != 0) {
      e.rule.recovered_at = 0;
      Save(e);
    }
    return;
  }
  if (!e.rule.open_incident_id.empty()) {
    auto inc = deps_.store.GetIncident(e.rule.page_id, e.rule.open_incident_id);
    if (!inc && inc.error().code != ErrorCode::kNotFound) {
      ++stats_.errors;
      return;  // try again on the next change or reload
    }
    if (inc) {
      const bool closed = model::IsClosed(inc->status);
      const TimeMs resolved_at = inc->resolved_at.value_or(inc->updated_at);
      if (!closed && e.rule.recovered_at == 0) return;  // already failing in this incident
      if (!closed || now - resolved_at <= e.rule.flap_window_ms) {
        // Flapping: back to investigating in the same incident.
        service::IncidentInput in;
        in.status = IncidentStatus::kInvestigating;
        in.body = Render("", kFailingAgainBody, e);
        in.deliver_notifications = e.rule.notify;
        in.components[e.rule.component_id] = status;
        auto r = incidents_.Update(e.rule.page_id, inc->id, in);
        if (!r) {
          ++stats_.errors;
          log::Error("cannot reopen automatic incident", {{"incident", inc->id}, {"error", r.error().message}});
          return;
        }
        ++stats_.rejoined;
        e.rule.recovered_at = 0;
        e.resolved = false;
        e.resolved_at = 0;
        Save(e);
        return;
      }
    }
    e.rule.open_incident_id.clear();  // long resolved (or deleted): a new failure, a new incident
    e.rule.recovered_at = 0;
    e.resolved = false;
  }

  const std::string name = Render(e.rule.incident_name, DefaultIncidentName(status), e);
  const std::string body = Render(e.rule.incident_body, DefaultIncidentBody(status), e);
  if (e.rule.mode == model::AutomationMode::kPublish) {
    // Someone is already telling customers about this component: add to their incident rather
    // than publish a second one beside it. (A draft waits for its human; PublishDue joins.)
    auto open = OpenIncidentOn(e.rule.page_id, e.rule.component_id);
    if (!open) {
      ++stats_.errors;
      return;  // try again on the next change or reload
    }
    if (*open) {
      Join(e, **open, status, body);
      return;
    }
  }
  if (e.rule.mode == model::AutomationMode::kDraft) {
    model::IncidentDraft d;
    d.id = NewId();
    d.page_id = e.rule.page_id;
    d.component_id = e.rule.component_id;
    d.monitor_id = e.vars["monitor_id"];
    d.name = name;
    d.body = body;
    d.impact = ImpactForStatus(status);
    d.component_status = status;
    d.state = model::DraftState::kWaiting;
    d.publish_at = now + std::max<TimeMs>(e.rule.draft_publish_after_ms, 0);
    d.created_at = now;
    d.updated_at = now;
    if (auto st = deps_.store.SaveIncidentDraft(d); !st) {
      ++stats_.errors;
      log::Error("cannot save incident draft", {{"component", e.rule.component_id}, {"error", st.error().message}});
      return;
    }
    ++stats_.drafts_created;
    e.rule.open_draft_id = d.id;
    e.draft_publish_at = d.publish_at;
    e.rule.recovered_at = 0;
    Save(e);
    return;
  }
  service::IncidentInput in;
  in.name = name;
  in.body = body;
  in.status = IncidentStatus::kInvestigating;
  in.impact = ImpactForStatus(status);
  in.deliver_notifications = e.rule.notify;
  in.components[e.rule.component_id] = status;
  auto r = incidents_.Create(e.rule.page_id, in);
  if (!r && r.error().code == ErrorCode::kInvalid && (!e.rule.incident_name.empty() || !e.rule.incident_body.empty())) {
    // A staff template produced something the service refuses (markup in the name): defaults.
    in.name = Render("", DefaultIncidentName(status), e);
    in.body = Render("", DefaultIncidentBody(status), e);
    r = incidents_.Create(e.rule.page_id, in);
  }
  if (!r) {
    ++stats_.errors;
    log::Error("cannot open automatic incident", {{"component", e.rule.component_id}, {"error", r.error().message}});
    return;
  }
  ++stats_.incidents_opened;
  e.rule.open_incident_id = r->id;
  e.rule.recovered_at = 0;
  e.resolved = false;
  Save(e);
}

void Automation::Recovery(Entry& e) {
  const TimeMs now = deps_.clock.Now();
  if (!e.rule.open_draft_id.empty()) {
    auto d = deps_.store.GetIncidentDraft(e.rule.page_id, e.rule.open_draft_id);
    if (d && d->state == model::DraftState::kWaiting) {
      d->state = model::DraftState::kDiscarded;
      d->updated_at = now;
      if (auto st = deps_.store.SaveIncidentDraft(*d); !st) {
        ++stats_.errors;
        return;
      }
      ++stats_.drafts_discarded;
      e.rule.open_draft_id.clear();
      e.draft_publish_at = 0;
      Save(e);
      return;
    }
    if (!SettleDraft(e)) return;
    Save(e);
  }
  if (e.rule.open_incident_id.empty() || e.rule.recovered_at != 0) return;
  auto inc = deps_.store.GetIncident(e.rule.page_id, e.rule.open_incident_id);
  if (!inc) {
    if (inc.error().code != ErrorCode::kNotFound) {
      ++stats_.errors;
      return;
    }
    e.rule.open_incident_id.clear();
    Save(e);
    return;
  }
  if (model::IsClosed(inc->status)) {
    // Staff resolved it already: only the flap window remains.
    e.resolved = true;
    e.resolved_at = inc->resolved_at.value_or(now);
    e.rule.recovered_at = now;
    Save(e);
    return;
  }
  service::IncidentInput in;
  in.status = IncidentStatus::kMonitoring;
  in.body = Render("", kRecoveredBody, e);
  in.deliver_notifications = e.rule.notify;
  // The checks pass: the incident no longer holds its component down (a component shows the
  // worst of what is active on it, this open incident included).
  in.components[e.rule.component_id] = ComponentStatus::kOperational;
  auto r = incidents_.Update(e.rule.page_id, inc->id, in);
  if (!r) {
    ++stats_.errors;
    log::Error("cannot post monitoring update", {{"incident", inc->id}, {"error", r.error().message}});
    return;
  }
  ++stats_.monitoring_updates;
  e.rule.recovered_at = now;
  Save(e);
}

void Automation::PublishDue(Entry& e) {
  auto d = deps_.store.GetIncidentDraft(e.rule.page_id, e.rule.open_draft_id);
  if (!d) {
    if (d.error().code == ErrorCode::kNotFound) {
      e.rule.open_draft_id.clear();
      Save(e);
    }
    return;
  }
  if (d->state == model::DraftState::kWaiting) {
    if (d->publish_at > deps_.clock.Now()) {  // a human moved it later
      e.draft_publish_at = d->publish_at;
      return;
    }
    if (!publish_draft_) return;
    // An incident opened on the component since the draft was made takes the draft's words as
    // an update instead of a second incident.
    auto open = OpenIncidentOn(e.rule.page_id, e.rule.component_id);
    if (!open) {
      ++stats_.errors;
      e.draft_publish_at = deps_.clock.Now() + 60'000;  // retry in a minute
      return;
    }
    if (*open) {
      const std::string incident_id = (*open)->id;
      e.rule.open_draft_id.clear();
      e.draft_publish_at = 0;
      if (!Join(e, **open, d->component_status, d->body)) {
        e.rule.open_draft_id = d->id;
        e.draft_publish_at = deps_.clock.Now() + 60'000;
        return;
      }
      d->state = model::DraftState::kPublished;
      d->incident_id = incident_id;
      d->updated_at = deps_.clock.Now();
      if (auto st = deps_.store.SaveIncidentDraft(*d); !st) ++stats_.errors;
      return;
    }
    auto inc = publish_draft_(*d);
    if (!inc) {
      ++stats_.errors;
      e.draft_publish_at = deps_.clock.Now() + 60'000;  // retry in a minute
      log::Error("cannot publish incident draft", {{"draft", d->id}, {"error", inc.error().message}});
      return;
    }
    ++stats_.drafts_published;
    // The publisher normally marks the draft; make sure a restart does not publish it twice.
    auto again = deps_.store.GetIncidentDraft(e.rule.page_id, d->id);
    if (again && again->state == model::DraftState::kWaiting) {
      again->state = model::DraftState::kPublished;
      again->incident_id = inc->id;
      again->updated_at = deps_.clock.Now();
      (void)deps_.store.SaveIncidentDraft(*again);
    }
    e.rule.open_incident_id = inc->id;
    e.rule.open_draft_id.clear();
    e.rule.recovered_at = 0;
    e.resolved = false;
    e.draft_publish_at = 0;
    Save(e);
    return;
  }
  SettleDraft(e);
  Save(e);
}

void Automation::ResolveDue(Entry& e) {
  const TimeMs now = deps_.clock.Now();
  auto inc = deps_.store.GetIncident(e.rule.page_id, e.rule.open_incident_id);
  if (!inc) {
    if (inc.error().code == ErrorCode::kNotFound) {
      e.rule.open_incident_id.clear();
      e.rule.recovered_at = 0;
      Save(e);
    }
    return;
  }
  if (!model::IsClosed(inc->status)) {
    service::IncidentInput in;
    in.status = IncidentStatus::kResolved;
    e.vars["since"] = ClockTimeIn(e.rule.recovered_at, PageZone(e.rule.page_id));
    if (e.vars["component"].empty()) {
      auto c = deps_.store.GetComponent(e.rule.page_id, e.rule.component_id);
      if (c) e.vars["component"] = c->name;
    }
    in.body = Render("", kResolvedBody, e);
    in.deliver_notifications = e.rule.notify;
    in.components[e.rule.component_id] = ComponentStatus::kOperational;
    auto r = incidents_.Update(e.rule.page_id, inc->id, in);
    if (!r) {
      ++stats_.errors;
      log::Error("cannot resolve automatic incident", {{"incident", inc->id}, {"error", r.error().message}});
      return;
    }
    ++stats_.resolved;
    e.resolved_at = now;
  } else {
    e.resolved_at = inc->resolved_at.value_or(now);
  }
  e.resolved = true;
}

void Automation::Tick() {
  const TimeMs now = deps_.clock.Now();
  for (auto& [key, e] : entries_) {
    if (e.rule.mode == model::AutomationMode::kOff) continue;
    if (!e.rule.open_draft_id.empty() && e.draft_publish_at <= now) PublishDue(e);
    if (e.rule.open_incident_id.empty() || e.rule.recovered_at == 0) continue;
    if (!e.resolved && now - e.rule.recovered_at >= e.rule.resolve_after_ms) ResolveDue(e);
    if (e.resolved && now - e.resolved_at >= e.rule.flap_window_ms) {
      // The flap window is over: the next failure is a new incident.
      e.rule.open_incident_id.clear();
      e.rule.recovered_at = 0;
      e.resolved = false;
      e.resolved_at = 0;
      Save(e);
    }
  }
}

}  // namespace herald::monitor
