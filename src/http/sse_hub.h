// Server internals: Server-Sent Events. The hub knows which connections stream which topic and
// fans each Broadcast out to them; ServeSse runs one stream on its connection. Included by
// server.cc only (see connection.h).
//
// Thread safety: SseHub's methods from any thread (one mutex); ServeSse on its connection's strand.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "http/connection.h"
#include "http/message.h"

namespace herald::http::internal {

class SseHub {
 public:
  // A stream further behind than `max_queue_bytes` is dropped (see Connection::Enqueue).
  explicit SseHub(std::size_t max_queue_bytes) : max_queue_bytes_(max_queue_bytes) {}

  // Registers `conn` as a stream of `topic`; false once Close() was called.
  bool Subscribe(const std::string& topic, const std::shared_ptr<Connection>& conn);
  void Unsubscribe(const std::string& topic, Connection* conn);
  // Sends `data` as one event ("event: <event>\ndata: ...") to every stream of `topic`: posted to
  // each stream's strand, never blocking on a client.
  void Broadcast(const std::string& topic, std::string_view event, std::string_view data);
  // Forgets every stream and refuses new ones (the server is stopping).
  void Close();

 private:
  const std::size_t max_queue_bytes_;
  std::mutex mu_;  // guards the members below
  bool closed_ = false;
  std::unordered_map<std::string, std::unordered_map<Connection*, std::weak_ptr<Connection>>> topics_;
};

// One SSE event in wire format. Data lines are split on LF (a trailing CR is dropped) because a
// raw newline inside a "data:" line would end the field early in the browser.
std::string FormatSseEvent(std::string_view event, std::string_view data);

// Serves `conn` as an event stream of `resp.sse_topic` until the client goes away, the stream
// falls too far behind or the server stops: the head (with the handler's headers), then the
// hub's events as they come and a keep-alive comment every `keepalive_ms`.
boost::asio::awaitable<void> ServeSse(SseHub& hub, std::shared_ptr<Connection> conn, const Response& resp,
                                      unsigned version, int keepalive_ms, int write_timeout_ms);

}  // namespace herald::http::internal
