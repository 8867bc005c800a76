// HeartbeatApi: the public endpoint that cron jobs and batch work call to say they ran.
//
//   GET | POST | HEAD /heartbeat/{token}   -> 200 {"ok":true}; unknown token -> 404
//
// The token is the secret (shown once when the heartbeat monitor is created or its token
// rotated); only its SHA-256 is stored. Requests are rate limited per client IP (429 with
// Retry-After) so the endpoint cannot be used to guess tokens quickly or to load the database.
// Responses are never cached.
//
// Thread safety: Handle may be called concurrently; it blocks on the store: call it on the
// worker pool (App sends Owns() paths there).
#pragma once

#include <memory>
#include <string>

#include "core/clock.h"
#include "http/message.h"
#include "http/rate_limiter.h"
#include "service/monitors.h"

namespace herald::api {

struct HeartbeatOptions {
  // Per client IP: a steady rate and a burst. Many jobs behind one NAT address share it.
  double ip_per_second = 2;
  double ip_burst = 60;
};

struct HeartbeatDeps {
  service::MonitorService& monitors;
  const Clock& clock;
  HeartbeatOptions options;
};

class HeartbeatApi {
 public:
  explicit HeartbeatApi(HeartbeatDeps deps);

  // True for /heartbeat/{token} (any method: Handle answers 405 for the wrong one).
  static bool Owns(const std::string& path);
  http::Response Handle(const http::Request& request);

 private:
  HeartbeatDeps deps_;
  http::RateLimiter by_ip_;
};

}  // namespace herald::api
