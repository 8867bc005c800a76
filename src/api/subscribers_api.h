// SubscribersApi: the management API for subscribers, their deliveries and notification
// templates, under /v1/pages/{page_id}/. Follows Statuspage's subscribers resource (id, mode,
// email, phone_number, phone_country, endpoint, components, skip_confirmation_notification,
// quarantined_at, purge_at, created_at) and extends it with Herald's channels and preferences
// (channel, component_ids, language, time_zone, detail, event_types, quiet_hours, segment,
// priority, state). Endpoints:
//
//   GET    subscribers[?state=&channel=&segment=&after=&limit=]   viewer     (keyset pages by id)
//   GET    subscribers?q=&cursor=[&state=&channel=&segment=&limit=]  viewer  (by address, prefix
//                                            search, opaque cursor: Link rel="next", api/paging.h)
//   POST   subscribers                      JSON or form (subscriber[email]=...)      responder
//   GET    subscribers/{id}                                                            viewer
//   PATCH  subscribers/{id}                                                            responder
//   DELETE subscribers/{id}[?purge=true]    unsubscribes (Statuspage); purge erases    responder
//   GET    subscribers/{id}/deliveries[?limit=]                                        viewer
//   POST   subscribers/import               text/csv body (up to 32 MB, kept in a temporary file,
//                                            not in memory) -> {"imported","rows","failed","errors"}
//                                                                                     responder
//   GET    subscribers/export.csv                                                      responder
//   GET    incidents/{id}/deliveries        counts by state and channel                viewer
//   GET    templates                        every key: default and override            viewer
//   PUT    templates/{language}/{key}       {"body": "..."}                            admin
//   DELETE templates/{language}/{key}                                                  admin
//   POST   templates/preview                the rendered message, nothing sent         viewer
//
// AdminApi authenticates and resolves the page, then hands these paths to Route.
//
// Thread safety: Route may be called concurrently from worker threads; it blocks on the store
// (and, for webhook/chat sign-ups, on the test delivery): worker threads only.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "http/message.h"
#include "model/model.h"
#include "model/subscriber.h"
#include "notify/links.h"
#include "service/subscriptions.h"
#include "store/store.h"

namespace herald::api {

// The import's own body limit: the server takes this route's body into a temporary file up to
// this size (App::BodyRuleFor), not into memory under the general 1 MiB limit.
inline constexpr std::size_t kMaxImportBytes = 32 * 1024 * 1024;  // larger CSV files go through the CLI

struct SubscribersApiDeps {
  store::Store& store;
  const Clock& clock;
  service::SubscriptionService& subscriptions;
  const notify::LinkSigner& links;
  std::size_t max_import_bytes = kMaxImportBytes;
};

// Statuspage's subscriber object plus Herald's extensions. Never contains secrets.
boost::json::object SubscriberJson(const model::Subscriber& s, TimeMs pending_ttl_ms);
// Reads a subscriber from a request body (JSON or form, wrapped in "subscriber" or not). Type
// errors name the field.
Result<service::SubscriberInput> ParseSubscriberInput(const boost::json::object& body);

class SubscribersApi {
 public:
  explicit SubscribersApi(SubscribersApiDeps deps);

  // True when `seg` (the path split on '/', ".json" removed from the last segment, as AdminApi
  // does: {"v1","pages",page_id,...}) is one of the paths above.
  static bool Owns(const std::vector<std::string>& seg);
  // True for "POST /v1/pages/{page}/subscribers/import[?...]" (the raw request target), the
  // route whose body the server streams to a file.
  static bool IsImport(std::string_view method, std::string_view target);
  // Answers an authenticated request for one of those paths; checks the key's role.
  Result<http::Response> Route(const http::Request& req, const model::ApiKey& key, const model::Page& page,
                               const std::vector<std::string>& seg);

 private:
  // GET subscribers with q= or cursor=: the console's list, by address, keyset-paged.
  Result<http::Response> AddressPage(const http::Request& req, const boost::json::object& query,
                                     const std::string& page_id, const store::SubscriberFilter& filter);
  Result<http::Response> Subscribers(const http::Request& req, const model::ApiKey& key, const model::Page& page,
                                     const std::vector<std::string>& seg);
  Result<http::Response> Templates(const http::Request& req, const model::ApiKey& key, const model::Page& page,
                                   const std::vector<std::string>& seg);
  Result<http::Response> Preview(const http::Request& req, const model::Page& page);
  Result<http::Response> IncidentDeliveries(const model::Page& page, const std::string& incident_id);

  SubscribersApiDeps deps_;
};

}  // namespace herald::api
