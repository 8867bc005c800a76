// MonitorsApi: the management API for monitoring, under /v1/pages/{page_id}/. Roles: viewers
// read everything; responders edit, publish and discard incident drafts; admins change monitors,
// automation rules and alert targets. Endpoints:
//
//   GET    monitors[?page=&per_page=&state=&component_id=]   each with its state         viewer
//   POST   monitors                          -> 201 (heartbeat: the token, shown once)     admin
//   GET    monitors/{id}                                                                   viewer
//   PATCH  monitors/{id}                     unset fields unchanged                        admin
//   DELETE monitors/{id}                     -> 204 (its samples and rollups too)          admin
//   GET    monitors/{id}/results[?limit=]    raw samples newest first with timings, minute
//                                            rollups of the last 24 h, state, state_since  viewer
//   POST   monitors/{id}/rotate_token        heartbeat: a new token, the old one dies      admin
//   GET    automation_rules                                                                viewer
//   GET    automation_rules/{component_id}                                                 viewer
//   PUT    automation_rules/{component_id}   creates or changes (unset fields unchanged)   admin
//   DELETE automation_rules/{component_id}   -> 204                                        admin
//   GET    alert_targets                     never secrets                                 viewer
//   POST   alert_targets                     -> 201 (webhook: the signing secret, once)    admin
//   DELETE alert_targets/{id}                -> 204                                        admin
//   GET    incident_drafts[?state=&page=&per_page=]                                        viewer
//   GET    incident_drafts/{id}                                                            viewer
//   PATCH  incident_drafts/{id}              name, body, publish_at                        responder
//   POST   incident_drafts/{id}/publish      -> 201 the incident                           responder
//   POST   incident_drafts/{id}/discard                                                    responder
//   GET    staff_alerts[?limit=]             newest first                                  viewer
//
// Bodies are JSON or form, optionally wrapped ({"monitor": {...}}). Durations are whole
// seconds (interval_seconds, timeout_seconds, grace_seconds, ..._after_seconds).
// AdminApi authenticates and resolves the page, then hands these paths to Route.
//
// Thread safety: Route may be called concurrently from worker threads; it blocks on the store:
// worker threads only.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "http/message.h"
#include "model/model.h"
#include "model/monitor.h"
#include "service/monitors.h"
#include "store/store.h"

namespace herald::api {

struct MonitorsApiDeps {
  store::Store& store;
  const Clock& clock;
  service::MonitorService& monitors;
  std::string public_url;  // heartbeat URLs shown with a new token
};

// A monitor as the API shows it: the definition (kind-specific fields of its kind only), its
// confirmed state and bookkeeping. `reveal_secrets` false (roles below admin) masks what often
// carries credentials: header values, the request body, and the target URL's user info and query
// values ("?token=********"). Alert target URLs (webhook, Slack, Teams, ...) are masked likewise.
boost::json::object MonitorJson(const model::Monitor& m, bool reveal_secrets);
// An incident draft as the API shows it (also on the console's dashboard).
boost::json::object DraftJson(const model::IncidentDraft& d);
// Reads a monitor from a request body; type errors name the field.
Result<service::MonitorInput> ParseMonitorInput(const boost::json::object& body);

class MonitorsApi {
 public:
  explicit MonitorsApi(MonitorsApiDeps deps) : deps_(std::move(deps)) {}

  // True when `seg` (the path split on '/', ".json" removed from the last segment, as AdminApi
  // does: {"v1","pages",page_id,...}) is one of the paths above.
  static bool Owns(const std::vector<std::string>& seg);
  // Answers an authenticated request for one of those paths; checks the key's role.
  Result<http::Response> Route(const http::Request& req, const model::ApiKey& key, const model::Page& page,
                               const std::vector<std::string>& seg);

 private:
  Result<http::Response> Monitors(const http::Request& req, const model::ApiKey& key, const model::Page& page,
                                  const std::vector<std::string>& seg);
  Result<http::Response> Rules(const http::Request& req, const model::ApiKey& key, const model::Page& page,
                               const std::vector<std::string>& seg);
  Result<http::Response> Targets(const http::Request& req, const model::ApiKey& key, const model::Page& page,
                                 const std::vector<std::string>& seg);
  Result<http::Response> Drafts(const http::Request& req, const model::ApiKey& key, const model::Page& page,
                                const std::vector<std::string>& seg);
  Result<http::Response> StaffAlerts(const http::Request& req, const model::ApiKey& key, const model::Page& page);

  MonitorsApiDeps deps_;
};

}  // namespace herald::api
