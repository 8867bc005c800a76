// Request and Response: the HTTP server's plain-data view of a message, so that handlers never
// include Boost.Beast (it stays inside http/server.cc, which keeps builds fast).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace herald::http {

struct Request {
  std::string method;                                        // "GET", "POST", ...
  std::string target;                                        // as sent: path and query
  std::string path;                                          // decoded path without the query
  std::string query;                                         // raw query string without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote_addr;  // peer IP address

  // Value of the first header with this (lower-case) name, or empty.
  std::string_view Header(std::string_view name) const {
    for (const auto& [k, v] : headers)
      if (k == name) return v;
    return {};
  }
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, served instead of `body` without copying (snapshot assets are shared).
  std::shared_ptr<const std::string> shared_body;
  // Headers shared by many responses (a snapshot file's Content-Type, ETag, Cache-Control...),
  // written before `headers` without being copied per request.
  std::shared_ptr<const std::vector<std::pair<std::string, std::string>>> shared_headers;
  // When set, the connection becomes a Server-Sent Events stream subscribed to this topic; the
  // status and headers are sent, then every Server::Broadcast to the topic.
  std::string sse_topic;
  // Route label for metrics ("/api/v2/summary.json", "/v1/pages/{id}/incidents"), set by the router.
  std::string route;

  void Set(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
  std::string_view Body() const { return shared_body ? std::string_view(*shared_body) : std::string_view(body); }
};

}  // namespace herald::http
