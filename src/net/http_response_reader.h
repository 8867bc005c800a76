// ResponseReader: reads one HTTP/1.1 response from a connection's bytes as they arrive, for the
// outbound PushEngine. The parsing is Boost.Beast's (header and chunked framing, limits); this
// adds the outbound rules: interim 1xx responses are skipped, the body is capped, and a response
// framed by the end of the connection ends at EOF. Fuzzed by fuzz/http_response_fuzz.cc.
//
// Thread safety: one reader per connection, used by one thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "net/http_client.h"

namespace herald::net {

class ResponseReader {
 public:
  enum class State {
    kNeedMore,  // give it more bytes (or FeedEof)
    kDone,      // a complete final response: take it
    kTooLarge,  // the body is over max_body
    kInvalid,   // not HTTP, or malformed framing
  };

  ResponseReader();
  // `head_request`: the response to a HEAD has no body whatever its headers say.
  ResponseReader(size_t max_body, bool head_request);
  ~ResponseReader();
  ResponseReader(const ResponseReader&) = delete;
  ResponseReader& operator=(const ResponseReader&) = delete;

  // Ready for the next response on the same connection.
  void Reset(size_t max_body, bool head_request);
  // Consumes `data`. After kDone, bytes beyond the response are counted in extra_bytes().
  State Feed(std::string_view data);
  // The peer closed the connection: completes a response framed by EOF.
  State FeedEof();

  // After kDone.
  int status() const { return status_; }
  bool keep_alive() const { return keep_alive_ && extra_bytes_ == 0; }  // may carry another request
  size_t extra_bytes() const { return extra_bytes_; }
  // Moves the headers (names lower-cased) and body into `out`.
  void TakeInto(HttpResponse& out);
  // Why kInvalid / kTooLarge.
  const std::string& error() const { return error_; }
  bool started() const { return started_; }  // any byte of a response arrived

 private:
  struct Impl;
  State Step(std::string_view& data);
  std::unique_ptr<Impl> impl_;
  std::string pending_;  // bytes received but not yet consumed by the parser (a partial header)
  std::string error_;
  size_t extra_bytes_ = 0;
  bool started_ = false;
  int status_ = 0;
  bool keep_alive_ = false;
  State state_ = State::kNeedMore;
};

}  // namespace herald::net
