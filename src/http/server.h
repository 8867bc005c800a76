// Server: the inbound HTTP/1.1 server (Boost.Beast on Boost.Asio, C++20 coroutines, one
// io_context thread per core). Beast and Asio headers stay inside server.cc and its internal parts
// (connection.h: a connection's state; response_writer: writing a response; sse_hub: the
// Server-Sent Events streams and Broadcast).
//
// Requests first go to Handler::HandleFast on an io thread (it must not block: it serves the
// immutable snapshot). If that returns nullopt, the request is handed to a small worker pool and
// Handler::HandleBlocking answers it there (database writes, argon2, ...); the result is posted
// back to the connection's strand. A Response with `sse_topic` set turns the connection into a
// Server-Sent Events stream that receives every Broadcast() to that topic.
//
// Limits protect the server from bad clients: header and body size, a deadline for reading the
// whole request head (slow-loris), an idle keep-alive timeout, a connection cap, and a cap per
// client address (connections and SSE streams counted apart) so that one address cannot use up
// the global cap: over its cap, the address's connection that has waited longest for its
// client (idle keep-alive or a request head still arriving) is closed to make room.
//
// Framing: a request whose Transfer-Encoding is not exactly `chunked` (RFC 9112 section 6.3:
// an unknown coding, or a last coding other than chunked) and an HTTP/1.1 request without
// exactly one Host header are answered 501 or 400 and the connection is closed, because the
// rest of the stream cannot be trusted (request smuggling).
//
// Thread safety: Start/Stop from one thread (never from a handler: Stop joins the io threads);
// Wait, Broadcast, port() and open_connections() from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/message.h"

namespace herald::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: pick a free port (see Server::port())
  int io_threads = 0;         // 0: one per core
  int worker_threads = 4;     // blocking handlers
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  int header_timeout_ms = 10'000;  // whole request head must arrive within this
  int body_timeout_ms = 30'000;
  int idle_timeout_ms = 60'000;  // keep-alive connection with no request
  int max_connections = 10'000;
  // Per client IP address (IPv6: per /64): connections that are not SSE streams, and SSE streams. At the cap the
  // address's connection waiting longest for its client is shed; if none is waiting (all busy),
  // the new connection is closed (an SSE request is answered 503).
  int max_connections_per_client = 256;
  int max_sse_per_client = 64;
  int sse_keepalive_ms = 15'000;                  // comment line sent to idle SSE streams
  int write_timeout_ms = 30'000;                  // a client that stops reading a response is dropped
  std::size_t sse_max_queue_bytes = 1024 * 1024;  // per SSE stream; a client further behind is dropped
};

// How the server takes one request's body.
struct BodyRule {
  std::size_t max_bytes = 0;  // 0: ServerOptions::max_body_bytes
  bool to_file = false;       // into Request::body_file (a temporary file) instead of memory
};

class Handler {
 public:
  virtual ~Handler() = default;
  // On an io thread, as soon as the request line is read (before the headers): how to take this
  // request's body. Lets one route (a large upload) have its own limit without raising everyone's,
  // and without holding the whole upload in memory. Must not block.
  virtual BodyRule BodyRuleFor(std::string_view /*method*/, std::string_view /*target*/) { return {}; }
  // On an io thread; must not block. nullopt: hand over to HandleBlocking.
  virtual std::optional<Response> HandleFast(const Request& request) = 0;
  // On a worker thread; may block.
  virtual Response HandleBlocking(const Request& request) = 0;
  // After each response is written (any thread): for metrics and access logs. For an SSE stream,
  // once it ends, with `seconds` the stream's lifetime.
  virtual void OnResponse(const Request& /*request*/, const Response& /*response*/, double /*seconds*/) {}
};

class Server {
 public:
  Server(ServerOptions options, Handler& handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the threads; returns once listening (or with the bind error).
  Status Start();
  // Stops accepting, closes connections, joins threads. Idempotent.
  void Stop();
  // Blocks until Stop() is called from another thread or a signal handler.
  void Wait();
  std::uint16_t port() const;
  // Sends `data` as one SSE event ("event: <event>\ndata: ...") to every stream of `topic`.
  void Broadcast(const std::string& topic, const std::string& event, const std::string& data);
  std::size_t open_connections() const;
  // Connections closed to make room under their address's cap (max_connections_per_client).
  std::uint64_t shed_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace herald::http
