#include "api/heartbeat_api.h"

#include "http/errors.h"

namespace herald::api {

namespace {
constexpr std::string_view kPrefix = "/heartbeat/";
}

HeartbeatApi::HeartbeatApi(HeartbeatDeps deps)
    : deps_(deps), by_ip_(deps_.options.ip_per_second, deps_.options.ip_burst, deps_.clock) {}

bool HeartbeatApi::Owns(const std::string& path) {
  return path.size() > kPrefix.size() && path.starts_with(kPrefix) &&
         path.find('/', kPrefix.size()) == std::string::npos;
}

http::Response HeartbeatApi::Handle(const http::Request& req) {
  http::Response r;
  if (req.method != "GET" && req.method != "POST" && req.method != "HEAD") {
    r = http::MethodNotAllowed("GET, POST, HEAD", "use GET, POST or HEAD");
  } else if (!by_ip_.Allow(req.remote_addr)) {
    r = http::ErrorResponse(
        Error{ErrorCode::kRateLimited, "too many heartbeats from your network (the per-IP limit); slow down", "ip"});
    r.Set("Retry-After", "30");
  } else {
    auto m = deps_.monitors.Heartbeat(req.path.substr(kPrefix.size()));
    r = m ? http::JsonResponse(200, "{\"ok\":true}") : http::ErrorResponse(m.error());
  }
  r.Set("Referrer-Policy", "no-referrer");
  r.route = "/heartbeat/{token}";
  return r;
}

}  // namespace herald::api
