// Server internals: one inbound connection's state, shared by server.cc (accept, read, the
// session loop), response_writer.cc and sse_hub.cc. Included by those files only: Asio stays out
// of the rest of Herald (see server.h).
#pragma once

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <string>

namespace herald::http::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

// Completion token of every asynchronous operation here: errors as values, no exceptions.
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// A connection's state. Its socket, timer and SSE queue are touched only on its strand (the
// executor of `socket`); the server's registry and the SSE hub hold weak pointers to reach it from
// Stop and Broadcast, which post onto that strand.
//
// Timeouts: one watchdog timer per connection enforces `deadline` (see Watchdog). A phase sets
// the deadline with a plain store; the timer is only re-armed when a deadline moves earlier than
// the one it waits for. Beast's tcp_stream instead armed and cancelled a timer around every read
// and write, i.e. two timer operations and two extra handler runs per keep-alive request.
struct Connection : std::enable_shared_from_this<Connection> {
  Connection(tcp::socket s, std::string peer_address, std::string client_key)
      : peer(std::move(peer_address)),
        client(std::move(client_key)),
        socket(std::move(s)),
        wake(socket.get_executor()),
        watchdog(socket.get_executor()) {}

  const std::string peer;    // peer IP address
  const std::string client;  // the key of the per-client caps (see ClientKey)
  // Whether the connection waits for its client (idle keep-alive or a request head still arriving)
  // and since when (steady clock ticks): read by Accept on another strand to pick whom to shed.
  std::atomic<bool> waiting{true};
  std::atomic<SteadyClock::rep> waiting_since{SteadyClock::now().time_since_epoch().count()};
  bool stream = false;  // an SSE stream, counted apart (under the server's mutex)

  void Waiting(bool w) {
    if (w) waiting_since.store(SteadyClock::now().time_since_epoch().count(), std::memory_order_relaxed);
    waiting.store(w, std::memory_order_relaxed);
  }

  std::string head_buffer;  // response head being written; reused so keep-alive does not allocate

  void Close() {
    if (closed) return;
    closed = true;
    beast::error_code ec;
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
    wake.cancel();
    watchdog.cancel();
  }

  // The connection is closed once `at` passes, unless another deadline replaces it first.
  void SetDeadline(SteadyClock::time_point at) {
    deadline = at;
    if (at < armed) watchdog.cancel();  // it waits for a later time: wake it to re-arm
  }
  void SetTimeout(int ms) { SetDeadline(SteadyClock::now() + std::chrono::milliseconds(ms)); }
  void ClearDeadline() { deadline = SteadyClock::time_point::max(); }

  void Enqueue(std::shared_ptr<const std::string> event, std::size_t max_bytes) {
    if (closed) return;
    if (queued_bytes + event->size() > max_bytes) {
      // The client cannot keep up; dropping it is kinder than buffering without bound, and an
      // EventSource reconnects by itself and gets the current state on the next page load.
      Close();
      return;
    }
    queued_bytes += event->size();
    queue.push_back(std::move(event));
    wake.cancel();
  }

  tcp::socket socket;
  asio::steady_timer wake;      // wakes the SSE writer when events arrive or the stream closes
  asio::steady_timer watchdog;  // closes the connection when `deadline` passes
  SteadyClock::time_point deadline = SteadyClock::time_point::max();
  SteadyClock::time_point armed = SteadyClock::time_point::max();  // what `watchdog` waits for
  bool closed = false;
  std::deque<std::shared_ptr<const std::string>> queue;
  std::size_t queued_bytes = 0;
};

}  // namespace herald::http::internal
