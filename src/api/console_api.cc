#include "api/console_api.h"

#include <boost/json.hpp>

#include "api/monitors_api.h"
#include "core/time.h"
#include "statuspage/json.h"

namespace herald::api {
namespace json = boost::json;

namespace {

json::value Time(std::optional<TimeMs> t) { return t ? json::value(FormatIso8601(*t)) : json::value(nullptr); }

json::object MaintenanceJson(const model::Incident& i) {
  return {{"id", i.id},
          {"name", i.name},
          {"status", model::ToString(i.status)},
          {"impact", model::ToString(i.impact)},
          {"scheduled_for", Time(i.scheduled_for)},
          {"scheduled_until", Time(i.scheduled_until)},
          {"scheduled_auto_transition", i.scheduled_auto_transition}};
}

json::value ParsedOrText(const std::string& body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  return ec ? json::value(body) : v;
}

}  // namespace

json::object DashboardJson(const service::Dashboard& d) {
  json::array incidents;
  for (const auto& di : d.open_incidents) {
    const auto& i = di.incident;
    json::object o{{"id", i.id},
                   {"name", i.name},
                   {"status", model::ToString(i.status)},
                   {"impact", model::ToString(i.impact)},
                   {"type", model::ToString(i.type)},
                   {"started_at", FormatIso8601(i.started_at)},
                   {"updated_at", FormatIso8601(i.updated_at)},
                   {"next_update_at", Time(di.next_update_at)},
                   {"next_update_due_in_seconds", nullptr},
                   {"next_update_overdue", di.next_update_overdue},
                   {"next_update_label", nullptr}};
    if (di.next_update_at) {
      o["next_update_due_in_seconds"] = (*di.next_update_at - d.now) / 1000;
      o["next_update_label"] = service::NextUpdateLabel(*di.next_update_at, d.now);
    }
    incidents.push_back(std::move(o));
  }
  json::array active, upcoming;
  for (const auto& m : d.active_maintenance) active.push_back(MaintenanceJson(m));
  for (const auto& m : d.upcoming_maintenance) upcoming.push_back(MaintenanceJson(m));
  json::array monitors;
  for (const auto& dm : d.monitors) {
    json::object o = MonitorJson(dm.monitor, false);
    o["flips_last_hour"] = dm.flips;
    o["flapping"] = dm.flapping;
    monitors.push_back(std::move(o));
  }
  json::array drafts;
  for (const auto& draft : d.drafts) drafts.push_back(DraftJson(draft));
  return {{"page", {{"id", d.page.id}, {"name", d.page.name}, {"slug", d.page.slug}}},
          {"generated_at", FormatIso8601(d.now)},
          {"status", {{"indicator", d.overall.indicator}, {"description", d.overall.description}}},
          {"open_incidents", incidents},
          {"maintenance", {{"active", active}, {"upcoming", upcoming}}},
          {"monitors", monitors},
          {"drafts", drafts},
          {"delivery",
           {{"failed_last_24h", d.delivery.failed},
            {"quarantined_subscribers", d.delivery.quarantined},
            {"pending_deliveries", d.delivery.pending_deliveries},
            {"fanouts_in_progress", d.delivery.fanouts_in_progress}}}};
}

json::object PreviewJson(const service::IncidentPreview& p, const std::vector<model::Component>& components,
                         const std::string& public_url) {
  json::array languages_in_use;
  for (const auto& l : p.languages_in_use) languages_in_use.push_back(json::value(l));
  json::array messages;
  for (const auto& lp : p.languages) {
    json::object o{{"language", lp.language}};
    for (const auto& c : lp.channels) {
      const auto& m = c.message;
      switch (c.channel) {
        case model::ChannelKind::kEmail:
          o["email"] = {{"subject", m.subject}, {"text", c.email_text}, {"html", c.email_html}};
          break;
        case model::ChannelKind::kSms:
          o["sms"] = {{"text", c.sms_text},
                      {"encoding", c.sms_length.encoding == notify::SmsEncoding::kGsm7 ? "gsm7" : "ucs2"},
                      {"length", c.sms_length.units},
                      {"segments", c.sms_length.segments}};
          break;
        default: o[model::ToString(c.channel)] = {{"payload", ParsedOrText(c.payload_json)}};
      }
    }
    messages.push_back(std::move(o));
  }
  return {{"incident", statuspage::IncidentJson(p.incident, components, public_url, statuspage::Audience::kStaff)},
          {"message_kind", p.message_kind},
          {"notifies", p.notifies},
          {"card_html", p.card_html},
          {"languages_in_use", languages_in_use},
          {"messages", messages}};
}

}  // namespace herald::api
