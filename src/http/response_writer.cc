// Writes responses: the head formatted in one pass (with a per-thread cache of shared header
// lists and of the Date), head and body in one gather write, large snapshot files by sendfile(2).
#include "http/response_writer.h"

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/status.hpp>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <ctime>
#include <tuple>
#include <utility>
#include <vector>

#include "http/ascii.h"
#include "http/errors.h"

namespace herald::http::internal {

namespace bhttp = boost::beast::http;

namespace {

// Bodies with a file region (snapshot files) at least this large go out with sendfile(2): the
// kernel references the memfd's pages instead of copying the bytes from our memory. Below it
// the one gather write (head and body in one sendmsg) costs less than two system calls: in
// bench/run.sh, sendfile cost ~15-20% more CPU time per request than the gather write for the
// 11 KB (`/` gzip) and 20 KB (summary.json) bodies, and 13-28% less for the 340 KB page.
constexpr std::size_t kSendfileMinBytes = 64 * 1024;

// A plain loop: find_first_of with a two-character set calls memchr once per input byte.
bool HasCrLf(std::string_view s) {
  for (char c : s)
    if (c == '\r' || c == '\n') return true;
  return false;
}

void AppendNumber(std::string& out, std::size_t n) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  (void)ec;
  out.append(digits, end);
}

struct HeaderFlags {
  bool has_server = false, has_date = false, close = false;
};

// Appends the header lines a handler may set (see HandlerMaySet) and notes what the server
// must not add again or must honour.
void FormatHeaders(const std::vector<std::pair<std::string, std::string>>& headers, std::string& out,
                   HeaderFlags& flags) {
  for (const auto& [name, value] : headers) {
    if (!HandlerMaySet(name, value)) continue;
    if (AsciiIEquals(name, "connection")) {
      if (AsciiIEquals(value, "close")) flags.close = true;
      continue;
    }
    flags.has_server = flags.has_server || AsciiIEquals(name, "server");
    flags.has_date = flags.has_date || AsciiIEquals(name, "date");
    out.append(name).append(": ").append(value).append("\r\n");
  }
}

// A shared header list (Response::shared_headers) formatted once per io thread. Snapshot files
// share a handful of lists across millions of responses; checking and formatting their ~8
// headers for every response was the largest cost left in WriteResponse. Direct-mapped by the
// list's address; the entry holds the list, so that address cannot be reused while cached.
struct HeaderBlock {
  std::shared_ptr<const std::vector<std::pair<std::string, std::string>>> key;
  std::string text;
  HeaderFlags flags;
};

const HeaderBlock& SharedHeaderBlock(const std::shared_ptr<const std::vector<std::pair<std::string, std::string>>>& h) {
  thread_local std::array<HeaderBlock, 64> cache;
  HeaderBlock& slot = cache[(reinterpret_cast<std::uintptr_t>(h.get()) >> 4) % cache.size()];
  if (slot.key != h) {
    slot.key = h;
    slot.text.clear();
    slot.flags = {};
    FormatHeaders(*h, slot.text, slot.flags);
  }
  return slot;
}

// RFC 9110 asks origin servers with a clock to send Date.
const std::string& HttpDateNow() {
  // Formatting the date costs more than the rest of a small response head; it changes once a
  // second, so each io thread keeps the last one.
  thread_local std::time_t cached_at = 0;
  thread_local std::string cached;
  std::time_t now = std::time(nullptr);
  if (now == cached_at && !cached.empty()) return cached;
  std::tm tm{};
  gmtime_r(&now, &tm);
  char out[40];
  std::size_t n = std::strftime(out, sizeof out, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  cached.assign(out, n);
  cached_at = now;
  return cached;
}

// Writes `head`, then `region` with sendfile(2); false when the connection failed or timed out.
asio::awaitable<bool> WriteWithSendfile(Connection& conn, std::string_view head, const FileRegion& region,
                                        int write_timeout_ms) {
  // MSG_MORE holds the head back until the body follows, so the two leave in full segments
  // (sendfile clears it with its last bytes). Non-blocking, like the gather write: most heads fit.
  ssize_t n = ::send(conn.socket.native_handle(), head.data(), head.size(), MSG_NOSIGNAL | MSG_MORE);
  if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) co_return false;
  const std::size_t sent = n > 0 ? static_cast<std::size_t>(n) : 0;
  // One deadline for everything that does not go out at once, as for async_write in WriteResponse.
  bool timed = false;
  if (sent < head.size()) {
    conn.SetTimeout(write_timeout_ms);
    timed = true;
    auto [ec, written] = co_await asio::async_write(conn.socket, asio::buffer(head.substr(sent)), kTuple);
    (void)written;
    if (ec) co_return false;
  }
  off_t offset = static_cast<off_t>(region.offset);
  std::size_t left = region.length;
  while (left > 0) {
    // The watchdog may have closed the socket while we waited; its descriptor number may
    // already belong to someone else.
    if (conn.closed) co_return false;
    ssize_t m = ::sendfile(conn.socket.native_handle(), region.file->get(), &offset, left);
    if (m > 0) {
      left -= static_cast<std::size_t>(m);
      continue;
    }
    if (m == 0) co_return false;  // the file is shorter than the region: cannot happen once sealed
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) co_return false;  // reset, EPIPE (SIGPIPE is blocked)
    if (!timed) {
      conn.SetTimeout(write_timeout_ms);
      timed = true;
    }
    auto [ec] = co_await conn.socket.async_wait(tcp::socket::wait_write, kTuple);
    if (ec) co_return false;
  }
  if (timed) conn.ClearDeadline();
  co_return true;
}

}  // namespace

// Hop-by-hop and framing headers are the server's business; a handler setting them would
// corrupt the framing (and CR/LF in a header is response splitting).
bool HandlerMaySet(std::string_view name, std::string_view value) {
  if (name.empty() || HasCrLf(value)) return false;
  for (unsigned char c : name)
    if (c <= 0x20 || c >= 0x7f || c == ':') return false;
  return !AsciiIEquals(name, "content-length") && !AsciiIEquals(name, "transfer-encoding");
}

asio::awaitable<bool> WriteResponse(Connection& conn, Response& resp, unsigned version, bool keep_alive, bool head,
                                    int write_timeout_ms) {
  // 1xx are interim responses (we send 100 Continue ourselves); as a final answer they would
  // leave the client waiting, so they count as a handler bug like any unknown code.
  if (resp.status < 200 || resp.status > 599) resp = ErrorResponse(500, "internal", "internal server error");
  // The head is formatted here into one string and written together with the body in a single
  // gather write. Beast's serializer walks a generic buffer-sequence view field by field, which
  // showed up as the largest cost of serving small snapshot files; this path does the same job
  // in one pass with one allocation.
  std::string& out = conn.head_buffer;
  out.clear();
  using namespace std::string_view_literals;  // appends without strlen
  out += version >= 11 ? "HTTP/1.1 "sv : "HTTP/1.0 "sv;
  AppendNumber(out, static_cast<std::size_t>(resp.status));
  out += ' ';
  const auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(resp.status));
  out.append(reason.data(), reason.size()).append("\r\n"sv);
  HeaderFlags flags;
  if (resp.shared_headers) {
    const HeaderBlock& block = SharedHeaderBlock(resp.shared_headers);
    out += block.text;
    flags = block.flags;
  }
  FormatHeaders(resp.headers, out, flags);
  if (flags.close) keep_alive = false;
  const bool has_server = flags.has_server, has_date = flags.has_date;
  if (!has_server) out += "Server: herald\r\n"sv;
  if (!has_date) out.append("Date: "sv).append(HttpDateNow()).append("\r\n"sv);
  std::string_view body = resp.Body();
  const bool bodiless = resp.status == 204 || resp.status == 304;
  if (!bodiless) {
    out += "Content-Length: "sv;
    AppendNumber(out, body.size());
    out += "\r\n"sv;
  }
  if (version >= 11 && !keep_alive) out += "Connection: close\r\n"sv;
  if (version < 11 && keep_alive) out += "Connection: keep-alive\r\n"sv;
  out += "\r\n"sv;
  if (head || bodiless) body = {};
  if (resp.body_file && body.size() >= kSendfileMinBytes && resp.body_file.length == body.size()) {
    // `resp` (in the caller's frame) holds the file open until the last byte is sent, even if
    // its snapshot is replaced meanwhile.
    if (!co_await WriteWithSendfile(conn, out, resp.body_file, write_timeout_ms)) co_return false;
    co_return keep_alive;
  }

  // The body is the Response's own bytes (or its shared snapshot buffer), which outlive the
  // write because `resp` lives in the calling coroutine's frame: no copy.
  std::array<asio::const_buffer, 2> buffers{asio::buffer(out), asio::buffer(body.data(), body.size())};
  // Most responses fit in the socket's send buffer: one sendmsg, no asynchronous operation, no
  // timer. Only what does not fit goes through async_write under the write timeout.
  beast::error_code ec;
  std::size_t n = conn.socket.write_some(buffers, ec);
  if (ec && ec != asio::error::would_block && ec != asio::error::try_again) co_return false;
  if (ec) n = 0;
  const std::size_t total = out.size() + body.size();
  if (n < total) {
    if (n >= out.size()) {
      buffers = {asio::const_buffer(), asio::buffer(body.data() + (n - out.size()), body.size() - (n - out.size()))};
    } else {
      buffers[0] = asio::buffer(out.data() + n, out.size() - n);
    }
    conn.SetTimeout(write_timeout_ms);
    std::tie(ec, std::ignore) = co_await asio::async_write(conn.socket, buffers, kTuple);
    conn.ClearDeadline();
    if (ec) co_return false;
  }
  co_return keep_alive;
}

}  // namespace herald::http::internal
