#include "http/sse_hub.h"

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <tuple>

#include "http/response_writer.h"

namespace herald::http::internal {

namespace bhttp = boost::beast::http;

bool SseHub::Subscribe(const std::string& topic, const std::shared_ptr<Connection>& conn) {
  std::lock_guard lock(mu_);
  if (closed_) return false;
  topics_[topic].emplace(conn.get(), conn);
  return true;
}

void SseHub::Unsubscribe(const std::string& topic, Connection* conn) {
  std::lock_guard lock(mu_);
  if (auto it = topics_.find(topic); it != topics_.end()) {
    it->second.erase(conn);
    if (it->second.empty()) topics_.erase(it);
  }
}

void SseHub::Broadcast(const std::string& topic, std::string_view event, std::string_view data) {
  // Formatted once, shared by every stream.
  auto text = std::make_shared<const std::string>(FormatSseEvent(event, data));
  const std::size_t max_bytes = max_queue_bytes_;
  // Posting never blocks on a client: each stream's strand appends to its own bounded queue.
  // It happens under the lock so that nothing is posted once Close() has begun the shutdown.
  std::lock_guard lock(mu_);
  if (closed_) return;
  auto it = topics_.find(topic);
  if (it == topics_.end()) return;
  for (auto& [ptr, weak] : it->second) {
    if (auto c = weak.lock()) {
      auto executor = c->socket.get_executor();
      asio::post(executor, [c = std::move(c), text, max_bytes] { c->Enqueue(text, max_bytes); });
    }
  }
}

void SseHub::Close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  topics_.clear();
}

std::string FormatSseEvent(std::string_view event, std::string_view data) {
  std::string out;
  out.reserve(event.size() + data.size() + 32);
  if (!event.empty()) {
    out += "event: ";
    for (char c : event) out += (c == '\r' || c == '\n') ? ' ' : c;
    out += '\n';
  }
  std::size_t start = 0;
  while (true) {
    std::size_t end = data.find('\n', start);
    std::string_view line = data.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out += "data: ";
    out += line;
    out += '\n';
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  out += '\n';
  return out;
}

asio::awaitable<void> ServeSse(SseHub& hub, std::shared_ptr<Connection> conn, const Response& resp, unsigned version,
                               int keepalive_ms, int write_timeout_ms) {
  if (!hub.Subscribe(resp.sse_topic, conn)) co_return;
  bhttp::response<bhttp::empty_body> res;
  res.version(version);
  res.result(resp.status >= 200 && resp.status <= 299 ? static_cast<unsigned>(resp.status) : 200u);
  for (const auto& [name, value] : resp.headers)
    if (HandlerMaySet(name, value)) res.insert(name, value);
  res.set(bhttp::field::server, "herald");
  res.set(bhttp::field::content_type, "text/event-stream");
  res.set(bhttp::field::cache_control, "no-cache");
  res.set("X-Accel-Buffering", "no");
  // HTTP/1.1 gets chunked framing; HTTP/1.0 has no chunks, so the body ends when we close.
  const bool chunked = version >= 11;
  if (chunked) {
    res.chunked(true);
  } else {
    res.keep_alive(false);
  }

  auto send = [&](std::string_view text) -> asio::awaitable<bool> {
    conn->SetTimeout(write_timeout_ms);
    beast::error_code ec;
    if (chunked) {
      std::tie(ec, std::ignore) =
          co_await asio::async_write(conn->socket, bhttp::make_chunk(asio::buffer(text)), kTuple);
    } else {
      std::tie(ec, std::ignore) = co_await asio::async_write(conn->socket, asio::buffer(text), kTuple);
    }
    conn->ClearDeadline();  // a stream lives as long as the client wants
    co_return !ec;
  };

  conn->SetTimeout(write_timeout_ms);
  bhttp::response_serializer<bhttp::empty_body> serializer(res);
  auto [hec, hn] = co_await bhttp::async_write_header(conn->socket, serializer, kTuple);
  (void)hn;
  conn->ClearDeadline();

  if (!hec && !conn->closed) {
    // The client never sends anything on an event stream; reading only tells us it went away
    // (EOF or reset), which writes alone might notice only at the next keep-alive.
    asio::co_spawn(
        conn->socket.get_executor(),
        [conn]() -> asio::awaitable<void> {
          char scratch[512];
          while (!conn->closed) {
            auto [ec, n] = co_await conn->socket.async_read_some(asio::buffer(scratch), kTuple);
            (void)n;
            if (ec) break;
          }
          conn->Close();
        },
        asio::detached);

    const auto keepalive = std::chrono::milliseconds(std::max(keepalive_ms, 1));
    while (!conn->closed) {
      if (!conn->queue.empty()) {
        // Everything queued goes out as one chunk: a client that fell behind catches up in one write.
        std::string batch;
        batch.reserve(conn->queued_bytes);
        for (const auto& event : conn->queue) batch += *event;
        conn->queue.clear();
        conn->queued_bytes = 0;
        if (!co_await send(batch)) break;
        continue;
      }
      conn->wake.expires_after(keepalive);
      auto [ec] = co_await conn->wake.async_wait(kTuple);
      if (conn->closed) break;
      if (!ec && !co_await send(": keepalive\n\n")) break;
    }
  }
  conn->Close();
  hub.Unsubscribe(resp.sse_topic, conn.get());
}

}  // namespace herald::http::internal
