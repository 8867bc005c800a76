// Request and Response: the HTTP server's plain-data view of a message, so that handlers never
// include Boost.Beast (it stays inside http/server.cc, which keeps builds fast).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace herald::http {

// An open file descriptor shared by everything that reads from it (a snapshot's memfd: every
// asset of the snapshot and every response still sending from it); closed with the last
// reference, so a snapshot swapped out mid-response stays readable until that response is done.
class SharedFd {
 public:
  explicit SharedFd(int fd) : fd_(fd) {}
  ~SharedFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  SharedFd(const SharedFd&) = delete;
  SharedFd& operator=(const SharedFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

struct Request {
  std::string method;                                        // "GET", "POST", ...
  std::string target;                                        // as sent: path and query
  std::string path;                                          // decoded path without the query
  std::string query;                                         // raw query string without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  // Instead of `body`, for routes whose Handler::BodyRuleFor asks for it: the body in an unnamed
  // temporary file (read it with pread from offset 0), `body_file_bytes` long.
  std::shared_ptr<const SharedFd> body_file;
  std::uint64_t body_file_bytes = 0;
  std::string remote_addr;  // peer IP address

  // Value of the first header with this (lower-case) name, or empty.
  std::string_view Header(std::string_view name) const {
    for (const auto& [k, v] : headers)
      if (k == name) return v;
    return {};
  }
};

// `length` bytes at `offset` of a file that is never written again: the server sends them with
// sendfile(2) (the kernel references the file's pages instead of copying the bytes from user
// space).
struct FileRegion {
  std::shared_ptr<const SharedFd> file;
  std::uint64_t offset = 0;
  std::size_t length = 0;
  explicit operator bool() const { return file != nullptr; }
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, served instead of `body` without copying (snapshot assets are shared).
  std::shared_ptr<const std::string> shared_body;
  // When set, the same bytes as Body() in a file: the server may send them from there instead.
  FileRegion body_file;
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
