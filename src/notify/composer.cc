#include "notify/composer.h"

#include <algorithm>
#include <boost/json.hpp>
#include <regex>

#include "core/text.h"
#include "core/time.h"
#include "page/markdown.h"
#include "statuspage/webhook.h"

namespace herald::notify {
namespace {

// `s` with its first letter lowered, to continue a sentence ("Investigating" -> "investigating").
std::string LowerFirst(std::string_view s) {
  std::string out(s);
  if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z') out[0] = static_cast<char>(out[0] - 'A' + 'a');
  return out;
}

std::string_view NoticeLabel(model::NoticeType t) {
  switch (t) {
    case model::NoticeType::kSecurity: return "Security notice";
    case model::NoticeType::kPolicy: return "Policy change";
    case model::NoticeType::kProductUpdate: return "Product update";
    case model::NoticeType::kMaintenance: return "Maintenance";
    case model::NoticeType::kOutage: return "Incident";
  }
  return "Notice";
}

unsigned WantBit(const model::Incident& inc) {
  if (inc.is_maintenance()) return model::kWantMaintenance;
  switch (inc.type) {
    case model::NoticeType::kOutage: return model::kWantIncidents;
    case model::NoticeType::kMaintenance: return model::kWantMaintenance;
    case model::NoticeType::kSecurity: return model::kWantSecurity;
    case model::NoticeType::kPolicy: return model::kWantPolicy;
    case model::NoticeType::kProductUpdate: return model::kWantProduct;
  }
  return model::kWantIncidents;
}

std::string Zone(const EventContext& ctx, const model::Subscriber& s) {
  return !s.time_zone.empty() ? s.time_zone : ctx.page.time_zone;
}

// "[label](https://...)" -> "label (https://...)": plain text keeps where a link goes.
std::string InlineLinks(const std::string& md) {
  static const std::regex kLink(R"(\[([^\]\n]+)\]\((https?://[^)\s]+)\))");
  return std::regex_replace(md, kLink, "$1 ($2)");
}

// Subjects and SMS texts are one line. Line breaks (from a template, or a name stored before
// names had to be one line) become spaces: cutting at the first one lost the rest of the subject.
std::string OneLine(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    if (ch != '\n' && ch != '\r') {
      out += ch;
    } else if (!out.empty() && out.back() != ' ') {
      out += ' ';
    }
  }
  return std::string(Trim(out));
}

// The components as they were at `at`: each one's status is the last recorded change at or before
// it (`history` holds, per component, the last change before a time after `at`, and later ones).
// A component with no such record (created since) keeps its current status.
std::vector<model::Component> ComponentsAsOf(std::vector<model::Component> components,
                                             const std::vector<model::StatusChange>& history, TimeMs at) {
  std::map<std::string, model::ComponentStatus> then;
  for (const auto& h : history)  // oldest first
    if (h.at <= at) then[h.component_id] = h.status;
  for (auto& c : components)
    if (auto it = then.find(c.id); it != then.end()) c.status = it->second;
  return components;
}

// The incident as it stood when `announced` was posted: updates written after it are left out,
// the status is the update's, and each affected component's target is what it was before a later
// update changed it (the earliest later change's old status). Name and impact are not versioned
// and stay as they are now.
model::Incident IncidentAsOf(model::Incident inc, const model::IncidentUpdate& announced) {
  const TimeMs at = announced.created_at;
  std::vector<model::IncidentUpdate> kept, later;  // both newest first, like Incident::updates
  bool seen = false;
  for (auto& u : inc.updates) {
    seen |= u.id == announced.id;
    // Same millisecond: the store's order (newest first) decides.
    const bool after = u.id != announced.id && (u.created_at > at || (u.created_at == at && !seen));
    (after ? later : kept).push_back(std::move(u));
  }
  inc.updates = std::move(kept);
  std::map<std::string, model::ComponentStatus> target_then;
  for (const auto& u : later)  // newest first: the earliest later change is written last
    for (const auto& a : u.affected_components) target_then[a.component_id] = a.old_status;
  for (auto& a : inc.components)
    if (auto it = target_then.find(a.component_id); it != target_then.end()) a.new_status = it->second;
  inc.status = announced.status;
  inc.updated_at = std::min(inc.updated_at, at);
  if (inc.monitoring_at && *inc.monitoring_at > at) inc.monitoring_at.reset();
  if (!model::IsClosed(announced.status) || (inc.resolved_at && *inc.resolved_at > at)) inc.resolved_at.reset();
  return inc;
}

}  // namespace

std::string PageUrl(const std::string& public_url, const model::Page& page) {
  std::string base = public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + (page.is_default ? "/" : "/pages/" + page.slug + "/");
}

std::string DeliveryId(std::int64_t event_id, const std::string& subscriber_id) {
  return "msg_" + std::to_string(event_id) + "_" + subscriber_id;
}

Result<std::optional<EventContext>> LoadEventContext(store::StatusStore& store, const model::OutboxEvent& event,
                                                     const std::string& public_url) {
  const bool incident_event = event.kind == "incident.created" || event.kind == "incident.updated";
  const bool component_event = event.kind == "component.updated";
  if (!incident_event && !component_event) return std::optional<EventContext>();
  boost::system::error_code ec;
  auto payload_value = boost::json::parse(event.payload_json, ec);
  if (ec || !payload_value.is_object()) return std::optional<EventContext>();
  const auto& payload = payload_value.as_object();
  auto str = [&](std::string_view k) -> std::string {
    const auto* v = payload.if_contains(k);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };

  EventContext ctx;
  ctx.event = event;
  auto page = store.GetPage(event.page_id);
  if (!page.ok())
    return page.error().code == ErrorCode::kNotFound ? Result<std::optional<EventContext>>(std::nullopt)
                                                     : Result<std::optional<EventContext>>(page.error());
  ctx.page = *page;
  ctx.page_url = PageUrl(public_url, ctx.page);
  // Everything in the message is as of the event, not as of when the dispatcher gets to it: a
  // quick monitoring -> resolved must announce "monitoring" first, with that moment's statuses.
  auto current = store.ListComponents(event.page_id);
  if (!current.ok()) return current.error();
  auto history = store.StatusHistory(event.page_id, event.created_at + 1);
  if (!history.ok()) return history.error();
  const auto components = ComponentsAsOf(std::move(*current), *history, event.created_at);
  for (const auto& c : components) ctx.components[c.id] = c;
  store::IncidentFilter open;
  open.unresolved_only = true;
  open.include_internal_updates = false;
  auto unresolved = store.ListIncidents(event.page_id, open);
  if (!unresolved.ok()) return unresolved.error();

  if (component_event) {
    const std::string old_status = str("old_status");
    auto parsed_old = model::ParseComponentStatus(old_status);
    auto parsed_new = model::ParseComponentStatus(str("status"));
    if (!parsed_old || !parsed_new || *parsed_old == *parsed_new) return std::optional<EventContext>();
    auto it = ctx.components.find(event.subject_id);
    if (it == ctx.components.end() || it->second.hidden) return std::optional<EventContext>();
    ctx.component = it->second;
    ctx.component->status = *parsed_new;  // as of the event, not as of now
    if (auto name = str("name"); !name.empty()) ctx.component->name = name;
    ctx.old_status = *parsed_old;
    ctx.family = "component";
    ctx.message_kind = "component.updated";
    ctx.affected_ids.insert(ctx.component->id);
    if (!ctx.component->group_id.empty()) ctx.affected_ids.insert(ctx.component->group_id);
    ctx.critical = *parsed_new == model::ComponentStatus::kMajorOutage;
    ctx.webhook_json =
        statuspage::ComponentUpdateWebhookBody(ctx.page, components, *unresolved, *ctx.component,
                                               DeliveryId(event.id, "component"), event.created_at, old_status);
    return std::optional<EventContext>(std::move(ctx));
  }

  const std::string update_id = str("incident_update_id");
  if (update_id.empty()) return std::optional<EventContext>();  // a field edit, no new update
  auto incident = store.GetIncident(event.page_id, event.subject_id);
  if (!incident.ok()) {
    if (incident.error().code == ErrorCode::kNotFound) return std::optional<EventContext>();  // deleted since
    return incident.error();
  }
  auto update = std::find_if(incident->updates.begin(), incident->updates.end(),
                             [&](const model::IncidentUpdate& u) { return u.id == update_id; });
  if (update == incident->updates.end() || update->internal || !update->deliver_notifications)
    return std::optional<EventContext>();
  // The copy, not *update: IncidentEventContext takes the incident apart, and *update lives in it.
  const model::IncidentUpdate announced = *update;
  return std::optional<EventContext>(IncidentEventContext(event, ctx.page, public_url, components,
                                                          std::move(*unresolved), std::move(*incident), announced));
}

EventContext IncidentEventContext(const model::OutboxEvent& event, const model::Page& page,
                                  const std::string& public_url, const std::vector<model::Component>& components,
                                  std::vector<model::Incident> unresolved, model::Incident incident,
                                  const model::IncidentUpdate& update) {
  EventContext ctx;
  ctx.event = event;
  ctx.page = page;
  ctx.page_url = PageUrl(public_url, page);
  for (const auto& c : components) ctx.components[c.id] = c;
  ctx.update = update;
  ctx.incident = IncidentAsOf(std::move(incident), update);
  // Internal notes never leave in any message.
  std::erase_if(ctx.incident->updates, [](const model::IncidentUpdate& u) { return u.internal; });
  const auto& inc = *ctx.incident;
  ctx.want_bit = WantBit(inc);
  ctx.critical = inc.impact == model::Impact::kCritical;
  if (inc.is_maintenance()) {
    ctx.family = "maintenance";
    switch (ctx.update->status) {
      case model::IncidentStatus::kScheduled: ctx.message_kind = "maintenance.scheduled"; break;
      case model::IncidentStatus::kInProgress: ctx.message_kind = "maintenance.started"; break;
      case model::IncidentStatus::kCompleted: ctx.message_kind = "maintenance.completed"; break;
      default: ctx.message_kind = "maintenance.updated";
    }
  } else {
    ctx.family =
        inc.type == model::NoticeType::kOutage || inc.type == model::NoticeType::kMaintenance ? "incident" : "notice";
    ctx.message_kind = event.kind == "incident.created"      ? "incident.created"
                       : model::IsClosed(ctx.update->status) ? "incident.resolved"
                                                             : "incident.updated";
  }
  for (const auto& a : inc.components) {
    ctx.affected_ids.insert(a.component_id);
    if (auto it = ctx.components.find(a.component_id); it != ctx.components.end() && !it->second.group_id.empty())
      ctx.affected_ids.insert(it->second.group_id);
  }
  // The page's status then: this incident as it was, the others as they are.
  std::erase_if(unresolved, [&](const model::Incident& i) { return i.id == inc.id; });
  if (!model::IsClosed(inc.status)) unresolved.push_back(inc);
  ctx.webhook_json = statuspage::IncidentWebhookBody(ctx.page, components, unresolved, inc, public_url);
  return ctx;
}

bool Matches(const EventContext& ctx, const model::Subscriber& s) {
  if (s.state != model::SubscriberState::kActive) return false;
  if (ctx.family == "component") {
    // Statuspage sends component changes to machine subscribers only; people hear about
    // incidents, which say which components they touch.
    const auto c = s.channel;
    if (c == model::ChannelKind::kEmail || c == model::ChannelKind::kSms || c == model::ChannelKind::kWebPush)
      return false;
  } else if ((s.event_types & ctx.want_bit) == 0) {
    return false;
  }
  if (s.component_ids.empty() || ctx.affected_ids.empty()) return true;  // whole page, or a page-wide notice
  return std::any_of(s.component_ids.begin(), s.component_ids.end(),
                     [&](const std::string& id) { return ctx.affected_ids.contains(id); });
}

std::string ChooseBody(const model::IncidentUpdate& update, const model::Subscriber& s) {
  if (!s.segment.empty()) {
    if (auto it = update.variants.find("segment:" + s.segment); it != update.variants.end()) return it->second;
  }
  if (auto it = update.variants.find(std::string(model::ToString(s.detail))); it != update.variants.end())
    return it->second;
  return update.body;
}

namespace {

// Wording of a status in the subscriber's language: "labels.{wire name}" in the language's
// template file, else English.
std::string LabelIn(const std::string& language, std::string_view wire, std::string_view english) {
  if (const auto* table = TemplateSet::Defaults().Language(language)) {
    if (auto it = table->find("labels." + std::string(wire)); it != table->end()) return it->second;
  }
  return std::string(english);
}

}  // namespace

TemplateVars EventVars(const EventContext& ctx, const model::Subscriber& s) {
  const std::string zone = Zone(ctx, s);
  const std::string lang = s.language.empty() ? std::string(kDefaultLanguage) : s.language;
  auto label = [&](auto status) { return LabelIn(lang, model::ToString(status), model::Label(status)); };
  // Date pattern of the language ("format.datetime"; date::format directives, numeric months in
  // languages other than English because the tz library names months in English only).
  std::string pattern = "%a %d %b %Y, %H:%M %Z";
  if (const auto* table = TemplateSet::Defaults().Language(lang)) {
    if (auto it = table->find("format.datetime"); it != table->end()) pattern = it->second;
  }
  auto When = [&](TimeMs t, const std::string& z) { return FormatInZone(t, z, pattern.c_str()); };
  TemplateVars v;
  v["page_name"] = ctx.page.name;
  v["page_url"] = ctx.page_url;
  if (ctx.component) {
    v["component_name"] = ctx.component->name;
    v["component_status"] = label(ctx.component->status);
    v["component_status_lower"] = LowerFirst(label(ctx.component->status));
    v["old_status_lower"] = LowerFirst(label(ctx.old_status));
    v["updated_at"] = When(ctx.event.created_at, zone);
    return v;
  }
  if (!ctx.incident || !ctx.update) return v;
  const auto& inc = *ctx.incident;
  const auto& up = *ctx.update;
  v["incident_name"] = inc.name;
  v["incident_id"] = inc.id;
  v["incident_url"] = ctx.page_url + "incidents/" + inc.id + ".html";
  v["status"] = label(up.status);
  v["status_lower"] = LowerFirst(label(up.status));
  v["impact"] = std::string(model::ToString(inc.impact));
  v["notice_type"] = LabelIn(lang, model::ToString(inc.type), NoticeLabel(inc.type));
  v["notice_type_lower"] = LowerFirst(v["notice_type"]);
  v["is_resolved"] = model::IsClosed(up.status) ? "1" : "";
  v["is_completed"] = up.status == model::IncidentStatus::kCompleted ? "1" : "";
  v["is_in_progress"] = up.status == model::IncidentStatus::kInProgress ? "1" : "";
  v["body"] = ChooseBody(up, s);
  v["started_at"] = When(inc.started_at, zone);
  v["updated_at"] = When(up.display_at, zone);
  v["next_update_at"] = up.next_update_at && !model::IsClosed(up.status) ? When(*up.next_update_at, zone) : "";
  if (inc.scheduled_for) v["window_start"] = When(*inc.scheduled_for, zone);
  if (inc.scheduled_until) v["window_end"] = When(*inc.scheduled_until, zone);
  std::string affected, detail, yours;
  for (const auto& a : inc.components) {
    auto it = ctx.components.find(a.component_id);
    if (it == ctx.components.end() || it->second.hidden) continue;
    const auto& name = it->second.name;
    affected += (affected.empty() ? "" : ", ") + name;
    detail += (detail.empty() ? "" : "; ") + name + " (" + LowerFirst(label(a.new_status)) + ")";
    const bool followed = std::any_of(s.component_ids.begin(), s.component_ids.end(), [&](const std::string& id) {
      return id == a.component_id || id == it->second.group_id;
    });
    if (followed) yours += (yours.empty() ? "" : ", ") + name;
  }
  v["affected"] = affected;
  v["affected_detail"] = detail;
  v["has_affected"] = affected.empty() ? "" : "1";
  v["your_components"] = yours;
  return v;
}

namespace {

Result<std::string> RenderPart(const TemplateOverrides& overrides, const std::string& language, std::string_view family,
                               std::string_view channel, std::string_view detail, std::string_view part,
                               const TemplateVars& vars) {
  auto choice = ResolveTemplate(TemplateSet::Defaults(), overrides, language, family, channel, detail, part);
  if (!choice) return std::string();
  return RenderTemplate(choice->text, vars, choice->key);
}

Result<Message> Build(std::string_view family, const model::Subscriber& s, const TemplateOverrides& overrides,
                      const TemplateVars& vars, Message m) {
  const std::string channel(model::ToString(s.channel));
  const std::string detail(model::ToString(s.detail));
  const std::string language = s.language.empty() ? std::string(kDefaultLanguage) : s.language;
  auto subject = RenderPart(overrides, language, family, channel, detail, "subject", vars);
  if (!subject.ok()) return subject.error();
  auto text = RenderPart(overrides, language, family, channel, detail, "text", vars);
  if (!text.ok()) return text.error();
  auto short_text = RenderPart(overrides, language, family, channel, detail, "short", vars);
  if (!short_text.ok()) return short_text.error();
  m.subject = OneLine(*subject);
  m.html = page::RenderMarkdown(*text);
  m.text = page::MarkdownToPlainText(InlineLinks(*text));
  m.short_text = OneLine(short_text->empty() ? *subject : *short_text);
  return m;
}

}  // namespace

Result<Message> Compose(const EventContext& ctx, const model::Subscriber& s, const TemplateOverrides& overrides,
                        const LinkSigner& links, const std::string& message_id) {
  Message m;
  m.id = message_id;
  m.kind = ctx.message_kind;
  m.page_name = ctx.page.name;
  m.page_url = ctx.page_url;
  m.manage_url = links.ManageUrl(s.id);
  m.unsubscribe_url = links.UnsubscribeUrl(s.id);
  m.webhook_json = ctx.webhook_json;
  m.webhook_json_without_meta = true;
  m.created_at = ctx.event.created_at;
  TemplateVars vars = EventVars(ctx, s);
  vars["manage_url"] = m.manage_url;
  vars["unsubscribe_url"] = m.unsubscribe_url;
  if (ctx.incident) {
    m.url = vars["incident_url"];
    m.impact = ctx.incident->is_maintenance() ? "maintenance" : std::string(model::ToString(ctx.incident->impact));
    m.status_label = vars["status"];
    const std::string lang = s.language.empty() ? std::string(kDefaultLanguage) : s.language;
    m.facts.emplace_back(LabelIn(lang, "fact_status", "Status"), vars["status"]);
    if (!vars["affected"].empty()) m.facts.emplace_back(LabelIn(lang, "fact_affected", "Affected"), vars["affected"]);
    if (!vars["window_start"].empty())
      m.facts.emplace_back(LabelIn(lang, "fact_window", "Window"), vars["window_start"] + " – " + vars["window_end"]);
    if (!vars["next_update_at"].empty())
      m.facts.emplace_back(LabelIn(lang, "fact_next_update", "Next update"), vars["next_update_at"]);
  } else if (ctx.component) {
    m.url = ctx.page_url;
    m.impact = ctx.component->status == model::ComponentStatus::kMajorOutage        ? "critical"
               : ctx.component->status == model::ComponentStatus::kPartialOutage    ? "major"
               : ctx.component->status == model::ComponentStatus::kOperational      ? "none"
               : ctx.component->status == model::ComponentStatus::kUnderMaintenance ? "maintenance"
                                                                                    : "minor";
    m.status_label = vars["component_status"];
    m.facts.emplace_back(ctx.component->name, vars["component_status"]);
  }
  return Build(ctx.family, s, overrides, vars, std::move(m));
}

Result<Message> ComposeSystemMessage(std::string_view family, const model::Page& page, const std::string& page_url,
                                     const model::Subscriber& s, const TemplateOverrides& overrides,
                                     const TemplateVars& extra, const std::string& message_id, TimeMs now) {
  Message m;
  m.id = message_id;
  m.kind = "subscription." + std::string(family);
  m.page_name = page.name;
  m.page_url = page_url;
  m.url = page_url;
  m.impact = "none";
  m.created_at = now;
  TemplateVars vars = extra;
  vars["page_name"] = page.name;
  vars["page_url"] = page_url;
  if (!vars.contains("address")) vars["address"] = s.address;  // "disabled" names the destination
  if (auto it = extra.find("confirm_url"); it != extra.end()) m.url = it->second;
  if (auto it = extra.find("manage_url"); it != extra.end()) m.manage_url = it->second;
  if (auto it = extra.find("unsubscribe_url"); it != extra.end()) m.unsubscribe_url = it->second;
  boost::json::object doc{{"page", {{"id", page.id}, {"name", page.name}, {"url", page_url}}},
                          {"test", family == "test"}};
  m.webhook_json = boost::json::serialize(doc);
  m.webhook_json_without_meta = true;
  return Build(family, s, overrides, vars, std::move(m));
}

}  // namespace herald::notify
