// Boost.Beast/Asio live only in this file and its parts (connection.h, response_writer.cc,
// sse_hub.cc) so that the rest of Herald compiles quickly.
//
// Threading model: ONE io_context run by `io_threads` threads, every connection on its own
// strand. We chose this over one io_context per thread because the load is very uneven: SSE
// streams live for hours and a hot keep-alive client can send thousands of requests, so pinning
// a connection to one thread at accept time would leave cores idle while another is saturated.
// The shared scheduler hands each ready handler to whichever thread is free, and the strand
// keeps one connection's handlers sequential without locks. Blocking handlers run on a separate
// thread_pool and their result is resumed on the connection's strand. With a single io thread
// there is nothing to order, so connections use the io_context's executor directly.
#include "http/server.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http/ascii.h"
#include "http/connection.h"
#include "http/errors.h"
#include "http/path.h"
#include "http/response_writer.h"
#include "http/sse_hub.h"

namespace herald::http {

namespace bhttp = boost::beast::http;
namespace asio = boost::asio;
namespace beast = boost::beast;
using internal::Connection;
using internal::kTuple;
using internal::SseHub;
using internal::SteadyClock;
using internal::tcp;

namespace {

// Bytes kept while waiting for the first byte of the next keep-alive request.
constexpr std::size_t kReadChunk = 4096;
// After an error response we read (and discard) what the client is still sending for a while
// before closing; closing with unread data makes the kernel send RST, which can destroy our
// error response in the client's receive buffer before it reads it.
constexpr std::size_t kLingerMaxBytes = 1 << 20;
constexpr auto kLingerTime = std::chrono::milliseconds(500);

Response InternalError() { return ErrorResponse(500, "internal", "internal server error"); }

// True for the parser's own errors (malformed input), as opposed to socket errors and timeouts.
bool IsParseError(const beast::error_code& ec) {
  return ec && ec.category() == beast::error_code(bhttp::error::bad_method).category();
}

std::string PeerAddress(const tcp::socket& socket) {
  beast::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  if (ec) return {};
  auto addr = ep.address();
  if (addr.is_v6() && addr.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6()).to_string();
  return addr.to_string();
}

// The key of the per-client caps: the address itself for IPv4, its /64 for IPv6, because one
// subscriber or host usually holds a whole /64 and could otherwise open its connections from
// as many addresses as it likes.
std::string ClientKey(const std::string& peer) {
  beast::error_code ec;
  auto addr = asio::ip::make_address(peer, ec);
  if (ec || !addr.is_v6()) return peer;
  auto bytes = addr.to_v6().to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return asio::ip::address_v6(bytes).to_string() + "/64";
}

// Parses one request straight into a reused Request: method, target and lower-cased header
// names are assigned into strings that keep their capacity from the previous request on the
// connection, so a keep-alive GET allocates nothing here (Beast's request_parser<string_body>
// built a fields container with one allocation per header, which we then copied again).
// Beast's basic_parser still does the HTTP/1 syntax, framing and the header/body limits.
class RequestParser final : public bhttp::basic_parser<true> {
 public:
  RequestParser(Request& req, std::size_t max_header_bytes, std::size_t max_body_bytes, Handler& handler)
      : req_(req), handler_(handler), max_body_(max_body_bytes) {
    header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(max_header_bytes, UINT32_MAX)));
    body_limit(max_body_bytes);
    req_.method.clear();
    req_.target.clear();
    req_.body.clear();
    req_.body_file.reset();
    req_.body_file_bytes = 0;
  }

  unsigned version() const { return version_; }
  bool expect_continue() const { return expect_continue_; }
  std::size_t max_body() const { return max_body_; }  // this request's limit
  bool spool_failed() const { return spool_failed_; }

 private:
  void on_request_impl(bhttp::verb, beast::string_view method, beast::string_view target, int version,
                       beast::error_code&) override {
    req_.method.assign(method.data(), method.size());
    req_.target.assign(target.data(), target.size());
    version_ = static_cast<unsigned>(version);
    // Before the headers, so that the Content-Length check at their end uses the route's limit.
    rule_ = handler_.BodyRuleFor(req_.method, req_.target);
    if (rule_.max_bytes > 0) {
      max_body_ = rule_.max_bytes;
      body_limit(max_body_);
    }
  }
  void on_response_impl(int, beast::string_view, int, beast::error_code& ec) override {
    ec = bhttp::error::bad_version;
  }
  void on_field_impl(bhttp::field field, beast::string_view name, beast::string_view value,
                     beast::error_code&) override {
    if (field == bhttp::field::expect) expect_continue_ = AsciiIEquals({value.data(), value.size()}, "100-continue");
    if (fields_ == req_.headers.size()) req_.headers.emplace_back();
    auto& [k, v] = req_.headers[fields_++];
    k.resize(name.size());
    for (std::size_t i = 0; i < name.size(); ++i) {
      char c = name[i];
      k[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    }
    v.assign(value.data(), value.size());
  }
  void on_header_impl(beast::error_code&) override { req_.headers.resize(fields_); }
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, beast::error_code& ec) override {
    if (rule_.to_file) {
      // An unnamed file in the temporary directory: page cache rather than the heap, and gone
      // with its last descriptor.
      const char* dir = std::getenv("TMPDIR");
      const int fd = ::open(dir && *dir ? dir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
      if (fd < 0) {
        spool_failed_ = true;
        ec = beast::errc::make_error_code(beast::errc::io_error);
        return;
      }
      req_.body_file = std::make_shared<const SharedFd>(fd);
      return;
    }
    if (length) req_.body.reserve(static_cast<std::size_t>(*length));  // within body_limit
  }
  std::size_t on_body_impl(beast::string_view body, beast::error_code& ec) override { return Take(body, ec); }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, beast::error_code& ec) override {
    return Take(body, ec);
  }
  void on_finish_impl(beast::error_code&) override {}

  std::size_t Take(beast::string_view body, beast::error_code& ec) {
    if (!req_.body_file) {
      req_.body.append(body.data(), body.size());
      return body.size();
    }
    for (std::size_t done = 0; done < body.size();) {
      const ssize_t n = ::write(req_.body_file->get(), body.data() + done, body.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        spool_failed_ = true;
        ec = beast::errc::make_error_code(beast::errc::io_error);
        return done;
      }
      done += static_cast<std::size_t>(n);
    }
    req_.body_file_bytes += body.size();
    return body.size();
  }

  Request& req_;
  Handler& handler_;
  std::size_t max_body_;
  BodyRule rule_;
  bool spool_failed_ = false;
  std::size_t fields_ = 0;
  unsigned version_ = 11;
  bool expect_continue_ = false;
};

// The codings of all Transfer-Encoding lines, in order, lower-cased; nullopt when there is none.
std::optional<std::vector<std::string>> TransferCodings(const Request& req) {
  std::optional<std::vector<std::string>> codings;
  for (const auto& [name, value] : req.headers) {
    if (name != "transfer-encoding") continue;
    if (!codings) codings.emplace();
    std::size_t pos = 0;
    while (pos <= value.size()) {
      std::size_t comma = std::min(value.find(',', pos), value.size());
      std::string_view token(value.data() + pos, comma - pos);
      while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
      while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
      if (!token.empty()) {
        std::string lower(token);
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        codings->push_back(std::move(lower));
      }
      pos = comma + 1;
    }
  }
  return codings;
}

// RFC 9110 section 7.2: uri-host [ ":" port ], so no spaces, slashes, userinfo or fragments.
bool ValidHost(std::string_view host) {
  for (unsigned char c : host)
    if (!std::isalnum(c) &&
        std::string_view("-._~!$&'()*+,;=%:[]").find(static_cast<char>(c)) == std::string_view::npos)
      return false;
  return true;
}

// Framing the parser accepts but we must not (RFC 9112 sections 3.2 and 6.1-6.3). Beast ignores a
// Transfer-Encoding whose last coding is not exactly "chunked" and reads no body, so the body
// would be parsed as the next request on the connection (request smuggling): such a request is
// refused and the connection closed. Only chunked is implemented: any other coding is 501.
std::optional<Response> FramingError(const Request& req, unsigned version) {
  if (auto codings = TransferCodings(req)) {
    if (version < 11)
      return ErrorResponse(400, "invalid", "Transfer-Encoding is not allowed in an HTTP/1.0 request",
                           "transfer-encoding");
    if (codings->empty() || codings->back() != "chunked")
      return ErrorResponse(400, "invalid", "the last Transfer-Encoding must be chunked", "transfer-encoding");
    if (codings->size() > 1) {
      const auto others = std::vector<std::string>(codings->begin(), codings->end() - 1);
      if (std::find(others.begin(), others.end(), "chunked") != others.end())
        return ErrorResponse(400, "invalid", "chunked may appear only once in Transfer-Encoding", "transfer-encoding");
      return ErrorResponse(501, "not_implemented", "unsupported transfer coding: " + others.front().substr(0, 64),
                           "transfer-encoding");
    }
  }
  int hosts = 0;
  std::string_view host;
  for (const auto& [name, value] : req.headers) {
    if (name == "host") {
      ++hosts;
      host = value;
    }
  }
  if (hosts > 1) return ErrorResponse(400, "invalid", "more than one Host header", "host");
  if (hosts == 0 && version >= 11)
    return ErrorResponse(400, "invalid", "an HTTP/1.1 request needs a Host header", "host");
  if (hosts == 1 && !ValidHost(host)) return ErrorResponse(400, "invalid", "malformed Host header", "host");
  return std::nullopt;
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, Handler& h) : options(std::move(o)), handler(h), hub(options.sse_max_queue_bytes) {}

  ServerOptions options;
  Handler& handler;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::optional<asio::thread_pool> workers;
  std::optional<tcp::acceptor> acceptor;  // on its own strand
  std::vector<std::thread> threads;
  std::atomic<std::uint16_t> bound_port{0};
  std::atomic<std::size_t> open{0};
  bool single_io_thread = false;  // set by Start before the first accept
  SseHub hub;

  std::mutex mu;  // guards everything below
  bool running = false;
  std::atomic<bool> stopping{false};  // written under mu; read lock-free on the request path
  std::condition_variable stopped_cv;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections;
  // Per client address: its connections that are not SSE streams, and its number of streams.
  struct Client {
    std::unordered_map<Connection*, std::weak_ptr<Connection>> connections;
    int streams = 0;
  };
  std::unordered_map<std::string, Client> clients;
  std::atomic<std::uint64_t> shed{0};  // connections closed to make room for their address's new ones

  // Under mu: makes room for one more connection of `client`; false when all its connections
  // are busy. The one shed is returned to be closed on its own strand.
  bool MakeRoom(Client& client, std::shared_ptr<Connection>& victim);
  // Under mu: `conn` leaves the per-client registry (at its end, or when it becomes a stream).
  void ForgetClientConnection(Connection& conn);
  // Under mu: whether `conn`'s address may open another SSE stream; counts it if so.
  bool AdmitStream(Connection& conn);

  asio::awaitable<void> Accept();
  asio::awaitable<void> Session(std::shared_ptr<Connection> conn);
  asio::awaitable<void> Watchdog(std::shared_ptr<Connection> conn);
  // Feeds `parser` from `buffer`, reading more from the socket as needed, until the head (or,
  // with `whole`, the whole message) is parsed. Returns the parser's error, or the socket's.
  asio::awaitable<beast::error_code> Parse(Connection& conn, beast::flat_buffer& buffer, RequestParser& parser,
                                           bool whole, SteadyClock::time_point deadline);
  asio::awaitable<void> LingeringClose(Connection& conn, beast::flat_buffer& buffer);
  std::optional<Response> HandleFast(const Request& req);
  void Finished(const Request& req, const Response& resp, SteadyClock::time_point start);
};

std::optional<Response> Server::Impl::HandleFast(const Request& req) {
  try {
    return handler.HandleFast(req);
  } catch (...) {
    return InternalError();
  }
}

void Server::Impl::Finished(const Request& req, const Response& resp, SteadyClock::time_point start) {
  double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  try {
    handler.OnResponse(req, resp, seconds);
  } catch (...) {
    // Metrics must never take a connection down.
  }
}

asio::awaitable<void> Server::Impl::Accept() {
  while (true) {
    // One io thread runs every handler in turn anyway: a strand would only add a queue and a
    // mutex to every completion (it showed in the profile of a single-threaded server).
    tcp::socket socket(single_io_thread ? asio::any_io_executor(ioc.get_executor())
                                        : asio::any_io_executor(asio::make_strand(ioc)));
    auto [ec] = co_await acceptor->async_accept(socket, kTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
      // EMFILE and friends: back off briefly instead of spinning on a hot error.
      asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(50));
      co_await pause.async_wait(kTuple);
      continue;
    }
    // Responses are written whole; Nagle would only delay the next pipelined response.
    beast::error_code opt_ec;
    socket.set_option(tcp::no_delay(true), opt_ec);
    // Responses are first written with a plain non-blocking send (see WriteResponse).
    socket.non_blocking(true, opt_ec);
    std::string peer = PeerAddress(socket);
    auto conn = std::make_shared<Connection>(std::move(socket), peer, ClientKey(peer));
    std::shared_ptr<Connection> victim;
    {
      std::lock_guard lock(mu);
      // Over a cap: close at once so a flood costs us one accept and one close.
      if (stopping || open.load() >= static_cast<std::size_t>(std::max(options.max_connections, 0))) {
        conn->Close();
        continue;
      }
      Client& client = clients[conn->client];
      if (!MakeRoom(client, victim)) {
        if (client.connections.empty() && client.streams == 0) clients.erase(conn->client);
        conn->Close();
        continue;
      }
      client.connections.emplace(conn.get(), conn);
      connections.emplace(conn.get(), conn);
      ++open;
    }
    if (victim) {
      auto victim_executor = victim->socket.get_executor();
      asio::post(victim_executor, [victim = std::move(victim)] { victim->Close(); });
    }
    auto executor = conn->socket.get_executor();
    asio::co_spawn(executor, Watchdog(conn), asio::detached);
    asio::co_spawn(executor, Session(std::move(conn)), asio::detached);
  }
}

bool Server::Impl::MakeRoom(Client& client, std::shared_ptr<Connection>& victim) {
  if (client.connections.size() < static_cast<std::size_t>(std::max(options.max_connections_per_client, 0)))
    return true;
  // Shed the slowest: the connection that has waited longest for its client. One address
  // flooding us with slow or idle connections thus recycles its own, and never reaches the
  // global cap that everybody else shares.
  Connection* oldest = nullptr;
  SteadyClock::rep oldest_since = 0;
  for (auto& [ptr, weak] : client.connections) {
    if (!ptr->waiting.load(std::memory_order_relaxed)) continue;
    const auto since = ptr->waiting_since.load(std::memory_order_relaxed);
    if (!oldest || since < oldest_since) {
      oldest = ptr;
      oldest_since = since;
    }
  }
  if (!oldest) return false;
  victim = client.connections[oldest].lock();
  client.connections.erase(oldest);  // no longer counted: its close is under way
  ++shed;
  return true;
}

void Server::Impl::ForgetClientConnection(Connection& conn) {
  auto it = clients.find(conn.client);
  if (it == clients.end()) return;
  it->second.connections.erase(&conn);
  if (it->second.connections.empty() && it->second.streams == 0) clients.erase(it);
}

bool Server::Impl::AdmitStream(Connection& conn) {
  Client& client = clients[conn.client];
  if (client.streams >= std::max(options.max_sse_per_client, 0)) return false;
  ++client.streams;
  client.connections.erase(&conn);
  conn.stream = true;
  return true;
}

asio::awaitable<void> Server::Impl::Watchdog(std::shared_ptr<Connection> conn) {
  // Sleeps until the deadline it last saw. A deadline pushed later in the meantime costs nothing
  // until then (the loop re-arms); one moved earlier wakes it through SetDeadline's cancel.
  while (!conn->closed) {
    if (conn->deadline <= SteadyClock::now()) {
      conn->Close();  // aborts the pending read or write: the session ends
      break;
    }
    conn->armed = conn->deadline;
    conn->watchdog.expires_at(conn->armed);
    auto [ec] = co_await conn->watchdog.async_wait(kTuple);
    (void)ec;
  }
}

asio::awaitable<beast::error_code> Server::Impl::Parse(Connection& conn, beast::flat_buffer& buffer,
                                                       RequestParser& parser, bool whole,
                                                       SteadyClock::time_point deadline) {
  bool deadline_set = false;
  while (whole ? !parser.is_done() : !parser.is_header_done()) {
    if (buffer.size() > 0) {
      beast::error_code ec;
      if (parser.is_header_done()) parser.eager(true);  // the body: take all that is there
      std::size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec && ec != bhttp::error::need_more) co_return ec;
      if (used > 0 && !ec) continue;
    }
    // Bytes are missing: from now on the phase's deadline applies (a whole request arriving at
    // once, the common case, never touches the timer).
    if (!deadline_set) {
      conn.SetDeadline(deadline);
      deadline_set = true;
    }
    auto [ec, n] = co_await conn.socket.async_read_some(buffer.prepare(kReadChunk), kTuple);
    if (ec == asio::error::eof) {
      // The client closed: a message cut short, or simply no next request.
      beast::error_code eof;
      if (parser.got_some()) {
        parser.put_eof(eof);
        co_return eof ? eof : beast::error_code(bhttp::error::partial_message);
      }
      co_return bhttp::error::end_of_stream;
    }
    if (ec) co_return ec;
    buffer.commit(n);
  }
  co_return beast::error_code{};
}

asio::awaitable<void> Server::Impl::LingeringClose(Connection& conn, beast::flat_buffer& buffer) {
  if (conn.closed) co_return;
  beast::error_code ec;
  conn.socket.shutdown(tcp::socket::shutdown_send, ec);
  conn.SetDeadline(SteadyClock::now() + kLingerTime);
  std::size_t drained = 0;
  while (drained < kLingerMaxBytes && !conn.closed) {
    buffer.clear();
    auto [rec, n] = co_await conn.socket.async_read_some(buffer.prepare(kReadChunk), kTuple);
    if (rec) break;
    drained += n;
  }
  conn.Close();
}

// GCC 12 reports -Wmismatched-new-delete for a coroutine that awaits a coroutine defined in
// another translation unit (internal::WriteResponse): it pairs the callee frame's sized
// operator delete, which it inlines here, with an allocation it cannot see. Both are Asio's
// awaitable_frame_base operators; the warning is a false positive of this pairing.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
asio::awaitable<void> Server::Impl::Session(std::shared_ptr<Connection> conn) {
  try {
    beast::flat_buffer buffer;
    // One Request per connection, refilled for each keep-alive request: its strings and header
    // list keep their capacity, so serving a GET allocates nothing for the request.
    Request req;
    req.remote_addr = conn->peer;
    // The first request's head must arrive within the header timeout of the connection opening.
    auto head_deadline = SteadyClock::now() + std::chrono::milliseconds(options.header_timeout_ms);
    bool first = true;
    while (!conn->closed) {
      if (!first && buffer.size() == 0) {
        // Between keep-alive requests the idle timeout applies until the next byte arrives;
        // from then on the (shorter) header deadline does.
        conn->SetTimeout(options.idle_timeout_ms);
        auto [ec, n] = co_await conn->socket.async_read_some(buffer.prepare(kReadChunk), kTuple);
        if (ec) break;
        buffer.commit(n);
        head_deadline = SteadyClock::now() + std::chrono::milliseconds(options.header_timeout_ms);
      } else if (!first) {
        head_deadline = SteadyClock::now() + std::chrono::milliseconds(options.header_timeout_ms);  // pipelined
      }
      first = false;

      RequestParser parser(req, options.max_header_bytes, options.max_body_bytes, handler);
      // A deadline for the whole head, not an inactivity timer: a client trickling one byte a
      // second (slow-loris) is cut off just like a silent one.
      beast::error_code hec = co_await Parse(*conn, buffer, parser, /*whole=*/false, head_deadline);
      const auto start = SteadyClock::now();
      std::optional<Response> error;
      if (hec == bhttp::error::header_limit) {
        error = ErrorResponse(431, "invalid", "request header too large");
      } else if (hec == bhttp::error::body_limit) {
        error = ErrorResponse(413, "too_large", "request body exceeds " + std::to_string(parser.max_body()) + " bytes",
                              "body");
      } else if (hec == bhttp::error::end_of_stream || hec == bhttp::error::partial_message) {
        break;
      } else if (IsParseError(hec)) {
        error = ErrorResponse(400, "invalid", "malformed request");
      } else if (hec) {
        break;  // timeout, reset, Stop(): nothing useful to say
      }

      conn->Waiting(false);
      unsigned version = 11;
      if (!error) {
        version = parser.version();
        error = FramingError(req, version);
      }
      if (!error) {
        if (parser.expect_continue()) {
          static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
          if (!parser.is_done() && version >= 11) {
            conn->SetTimeout(options.write_timeout_ms);
            auto [cec, cn] = co_await asio::async_write(conn->socket, asio::buffer(kContinue), kTuple);
            (void)cn;
            if (cec) break;
          }
        }
        if (!parser.is_done()) {
          auto body_deadline = SteadyClock::now() + std::chrono::milliseconds(options.body_timeout_ms);
          beast::error_code bec = co_await Parse(*conn, buffer, parser, /*whole=*/true, body_deadline);
          if (bec == bhttp::error::body_limit) {
            error = ErrorResponse(413, "too_large",
                                  "request body exceeds " + std::to_string(parser.max_body()) + " bytes", "body");
          } else if (parser.spool_failed()) {
            error = ErrorResponse(503, "unavailable", "the request body could not be stored; try again later");
          } else if (IsParseError(bec) && bec != bhttp::error::partial_message && bec != bhttp::error::end_of_stream) {
            error = ErrorResponse(400, "invalid", "malformed request body", "body");
          } else if (bec) {
            break;
          }
        }
      }
      if (!error && !ParseTargetInto(req.target, req.path, req.query))
        error = ErrorResponse(400, "invalid", "malformed or unsafe request path", "path");
      if (error) {
        // What the handler would have seen is not there: report the request as unparsed.
        req.path.clear();
        req.query.clear();
      }

      if (error) {
        // After a framing error the rest of the stream cannot be trusted: answer and close.
        co_await internal::WriteResponse(*conn, *error, version, /*keep_alive=*/false, /*head=*/false,
                                         options.write_timeout_ms);
        Finished(req, *error, start);
        co_await LingeringClose(*conn, buffer);
        break;
      }

      std::optional<Response> fast = HandleFast(req);
      Response resp;
      if (fast) {
        resp = std::move(*fast);
      } else {
        // The worker's completion is dispatched back through this coroutine's executor, the
        // connection strand, so the rest of the session stays single-threaded.
        conn->ClearDeadline();  // the handler takes what it takes; no timeout while it runs
        resp = co_await asio::co_spawn(
            workers->get_executor(),
            [this, &req]() -> asio::awaitable<Response> {
              try {
                co_return handler.HandleBlocking(req);
              } catch (...) {
                co_return InternalError();
              }
            },
            asio::use_awaitable);
        if (conn->closed) {
          Finished(req, resp, start);
          break;
        }
      }

      if (!resp.sse_topic.empty()) {
        bool admitted;
        {
          std::lock_guard lock(mu);
          admitted = AdmitStream(*conn);
        }
        if (admitted) {
          co_await ServeSse(hub, conn, resp, version, options.sse_keepalive_ms, options.write_timeout_ms);
          Finished(req, resp, start);
          break;
        }
        resp = ErrorResponse(503, "unavailable",
                             "too many event streams from your address (at most " +
                                 std::to_string(options.max_sse_per_client) + "); retry later");
        resp.Set("Retry-After", "30");
      }

      const bool keep_alive = parser.keep_alive() && !stopping;
      // From here on the client has what it asked for (or is slow to read it): the connection
      // waits for its client. Marked before the write, so that a client that reads the response
      // and at once opens another connection finds this one sheddable.
      conn->Waiting(true);
      bool again = co_await internal::WriteResponse(*conn, resp, version, keep_alive, req.method == "HEAD",
                                                    options.write_timeout_ms);
      Finished(req, resp, start);
      if (!again) break;
    }
  } catch (...) {
    // Only allocation failures can get here; the connection is dropped below.
  }
  conn->Close();
  {
    std::lock_guard lock(mu);
    connections.erase(conn.get());
    if (conn->stream) {
      if (auto it = clients.find(conn->client);
          it != clients.end() && --it->second.streams == 0 && it->second.connections.empty())
        clients.erase(it);
    } else {
      ForgetClientConnection(*conn);
    }
    --open;
  }
}
#pragma GCC diagnostic pop

Server::Server(ServerOptions options, Handler& handler) : impl_(std::make_unique<Impl>(std::move(options), handler)) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.mu);
    if (s.running || s.stopping) return Error{ErrorCode::kInvalid, "server already started", {}};
  }
  beast::error_code ec;
  std::string host = s.options.host;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  auto address = asio::ip::make_address(host, ec);
  if (ec) {
    return Error{ErrorCode::kInvalid,
                 "invalid listen address \"" + s.options.host + "\": expected an IP address such as 127.0.0.1 or ::1",
                 "host"};
  }
  tcp::endpoint endpoint(address, s.options.port);
  const std::string where = (address.is_v6() ? "[" + host + "]" : host) + ":" + std::to_string(s.options.port);
  s.acceptor.emplace(asio::make_strand(s.ioc));
  auto fail = [&](const char* what) -> Status {
    s.acceptor.reset();
    return Error{
        ErrorCode::kUnavailable, std::string("cannot listen on ") + where + ": " + what + ": " + ec.message(), {}};
  };
  s.acceptor->open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  // Restarting must not wait for TIME_WAIT sockets of the previous run to expire.
  s.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail("setsockopt");
  s.acceptor->bind(endpoint, ec);
  if (ec) return fail("bind");
  s.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  s.bound_port = s.acceptor->local_endpoint(ec).port();

  int io_threads = s.options.io_threads > 0 ? s.options.io_threads
                                            : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  s.single_io_thread = io_threads == 1;
  s.workers.emplace(static_cast<std::size_t>(std::max(s.options.worker_threads, 1)));
  s.work.emplace(s.ioc.get_executor());
  {
    std::lock_guard lock(s.mu);
    s.running = true;
  }
  asio::co_spawn(s.acceptor->get_executor(), s.Accept(), asio::detached);
  for (int i = 0; i < io_threads; ++i) {
    s.threads.emplace_back([&s] {
      // sendfile(2) has no MSG_NOSIGNAL: a peer that went away would raise SIGPIPE, which kills
      // the process by default. Blocked in the io threads (the only ones writing to sockets),
      // sendfile fails with EPIPE instead; the rest of the process keeps its disposition.
      sigset_t pipe;
      sigemptyset(&pipe);
      sigaddset(&pipe, SIGPIPE);
      pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
      while (true) {
        try {
          s.ioc.run();
          return;
        } catch (...) {
          // No exception may kill an io thread; handlers catch their own, this is a last line.
        }
      }
    });
  }
  return {};
}

void Server::Stop() {
  Impl& s = *impl_;
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard lock(s.mu);
    if (!s.running || s.stopping) return;
    s.stopping = true;
    for (auto& [ptr, weak] : s.connections)
      if (auto c = weak.lock()) live.push_back(std::move(c));
    s.hub.Close();
  }
  asio::post(s.acceptor->get_executor(), [&s] {
    beast::error_code ec;
    s.acceptor->close(ec);
  });
  for (auto& c : live) {
    auto executor = c->socket.get_executor();
    asio::post(executor, [c = std::move(c)] { c->Close(); });
  }
  // With the acceptor and every socket closed, each session finishes on its own and run()
  // returns once no work is left; in-flight blocking handlers are awaited, not abandoned.
  s.work.reset();
  for (auto& t : s.threads) t.join();
  s.threads.clear();
  s.workers->join();
  {
    std::lock_guard lock(s.mu);
    s.running = false;
  }
  s.stopped_cv.notify_all();
}

void Server::Wait() {
  Impl& s = *impl_;
  std::unique_lock lock(s.mu);
  s.stopped_cv.wait(lock, [&s] { return !s.running; });
}

std::uint16_t Server::port() const { return impl_->bound_port.load(); }

void Server::Broadcast(const std::string& topic, const std::string& event, const std::string& data) {
  impl_->hub.Broadcast(topic, event, data);
}

std::size_t Server::open_connections() const { return impl_->open.load(); }

std::uint64_t Server::shed_connections() const { return impl_->shed.load(); }

}  // namespace herald::http
