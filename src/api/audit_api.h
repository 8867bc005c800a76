// The audit log over the management API: `GET /v1/audit_log` (filters, cursor paging) and
// `GET /v1/audit_log/export.csv` for admin keys, and RecordApiWrite, which AdminApi calls once per
// successful write so that every write through /v1 is recorded in one place, named from the route
// table (routes.h ActionOf).
//
// API keys are not scoped to a page, so neither is the log: one log for the server, filterable by
// page_id.
//
// Thread safety: as AuditLog (thread-safe); blocking (worker threads).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/routes.h"
#include "core/result.h"
#include "http/message.h"
#include "model/model.h"
#include "service/audit_log.h"

namespace herald::api {

class AuditApi {
 public:
  explicit AuditApi(service::AuditLog& log) : log_(log) {}
  static bool Owns(const std::vector<std::string>& seg) { return seg.size() >= 2 && seg[1] == "audit_log"; }
  Result<http::Response> Route(const http::Request& req, const model::ApiKey& key, const std::vector<std::string>& seg);

 private:
  service::AuditLog& log_;
};

// For a PATCH or PUT: the path whose GET shows the object before the write (the request's own
// path, or the object it belongs to: an incident for one of its updates), so that the entry can
// say which text changed; empty when there is none.
std::string BeforeImagePath(const http::Request& req, const std::vector<std::string>& seg);

// Records `response` to a write through /v1 when it succeeded (2xx, not an idempotent replay):
// actor the key, action and target from the route, source the client's address, and for edits
// the text that changed between `before_json` and the answer.
void RecordApiWrite(service::AuditLog& log, const http::Request& req, const model::ApiKey& key, const ApiRoute& route,
                    const std::vector<std::string>& seg, const http::Response& response, std::string_view before_json);

}  // namespace herald::api
