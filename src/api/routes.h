// The management API's route table: every method and path under /v1 that AdminApi (and the
// subscribers and monitoring APIs it hands paths to) answers. AdminApi consults it before
// dispatching: a path the table does not name answers 404 and a method it does not name for
// that path answers 405 with `Allow`, so the table is the API's surface, and web/openapi.json
// must describe exactly these routes (routes_test.cc checks both ways).
//
// Thread safety: immutable; safe from any thread.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace herald::api {

struct ApiRoute {
  std::string_view method;  // GET, POST, PUT, PATCH or DELETE; HEAD is answered wherever GET is
  std::string_view path;    // "/v1/pages/{page_id}/incidents/{incident_id}": {name} is one segment
};

// Every route, in the order of docs/api.md.
std::span<const ApiRoute> ManagementRoutes();

// A request path split on '/' (empty segments dropped) with ".json" removed from the last
// segment, as Statuspage accepts it on any path: what PathMatches and the handlers take.
std::vector<std::string> SplitApiPath(std::string_view path);

// True when `seg` (as SplitApiPath gives it) has the shape of `pattern`. `component_groups` is accepted for
// `component-groups`.
bool PathMatches(std::string_view pattern, const std::vector<std::string>& seg);

enum class RouteMatch { kFound, kNoPath, kNoMethod };
// Looks `method` and `seg` up in ManagementRoutes(). On kNoMethod, `allow` (when given) gets
// the methods the path does answer, comma-separated, HEAD included wherever GET is.
RouteMatch MatchRoute(std::string_view method, const std::vector<std::string>& seg, std::string* allow = nullptr);

// The methods the table lists for `seg`'s path, as MatchRoute's `allow`; empty for no such path.
std::string AllowedMethods(const std::vector<std::string>& seg);

// The answer to a method the table does not list for `seg`'s path: 405 with `Allow` naming the
// ones it does. AdminApi answers it before routing; a handler that does not serve a method the
// table lists (they disagree: a bug) answers the same.
http::Response MethodNotAllowed(const std::vector<std::string>& seg);

// The route `method` and `seg` reach (as MatchRoute decides), or nullptr.
const ApiRoute* FindRoute(std::string_view method, const std::vector<std::string>& seg);

// What a write route does, in the audit log's words, named from the route's pattern and method
// so that a new route is named without a list to keep: POST on a collection creates
// ("incident.create"), PATCH/PUT on an object updates ("component.update"; an incident update's
// is "incident_update.edit"), DELETE deletes, POST on a verb does it ("monitor.rotate_token",
// "incident_draft.publish", "subscriber.import").
struct RouteAction {
  std::string action;  // empty: the route writes nothing (GET, the template preview)
  std::string target_type;
  std::string target_id;  // from the path (several ids joined by '/'); empty for a create
  std::string page_id;    // the {page_id} of the path, as the request wrote it
  bool create = false;    // the new object's id is in the answer's "id"
};
RouteAction ActionOf(const ApiRoute& route, const std::vector<std::string>& seg);

}  // namespace herald::api
