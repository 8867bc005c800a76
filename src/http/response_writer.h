// Server internals: writing one response on a connection. Included by server.cc and sse_hub.cc
// only (see connection.h).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string_view>

#include "http/connection.h"
#include "http/message.h"

namespace herald::http::internal {

// Whether a handler may set this header: not the framing ones (Content-Length,
// Transfer-Encoding), and nothing that would split the response (CR/LF, a bad name).
bool HandlerMaySet(std::string_view name, std::string_view value);

// Writes `resp` (its head without a body for HEAD, 204 and 304); a status outside 200-599 is
// written as a 500. True when the connection may carry another request (keep-alive, and the
// write completed within `write_timeout_ms`).
boost::asio::awaitable<bool> WriteResponse(Connection& conn, Response& resp, unsigned version, bool keep_alive,
                                           bool head, int write_timeout_ms);

}  // namespace herald::http::internal
