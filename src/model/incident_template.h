// Incident templates: the text and settings of a common situation ("Degraded API performance",
// "Payment provider outage"), kept per page so that a responder starts the composer from one
// instead of a blank form. Statuspage has them too (name, title, body, group, update status,
// components); Herald's also say which status each component is put in and the notice type.
// Plain data, no I/O.
#pragma once

#include <map>
#include <string>

#include "core/clock.h"
#include "model/model.h"

namespace herald::model {

struct IncidentTemplate {
  std::string id;
  std::string page_id;
  std::string name;        // what staff pick it by; unique within the page
  std::string title;       // the incident's name
  std::string body;        // Markdown of the first update
  std::string group_name;  // a label grouping templates in the list ("" for none)
  IncidentStatus update_status = IncidentStatus::kInvestigating;
  NoticeType type = NoticeType::kOutage;
  bool deliver_notifications = true;
  std::map<std::string, ComponentStatus> components;  // component id -> the status it is put in
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

}  // namespace herald::model
