#include "net/http_response_reader.h"

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <optional>

#include "core/text.h"
#include "net/http_syntax.h"

namespace herald::net {

namespace http = boost::beast::http;

struct ResponseReader::Impl {
  size_t max_body;
  bool head_request;
  std::optional<http::response_parser<http::string_body>> parser;

  void Reset() {
    parser.emplace();
    parser->eager(true);
    parser->header_limit(64 * 1024);
    parser->body_limit(max_body);
    if (head_request) parser->skip(true);
  }
};

ResponseReader::ResponseReader() : ResponseReader(64 * 1024, false) {}

ResponseReader::ResponseReader(size_t max_body, bool head_request) : impl_(std::make_unique<Impl>()) {
  Reset(max_body, head_request);
}

void ResponseReader::Reset(size_t max_body, bool head_request) {
  impl_->max_body = max_body;
  impl_->head_request = head_request;
  impl_->Reset();
  pending_.clear();
  error_.clear();
  extra_bytes_ = 0;
  started_ = false;
  status_ = 0;
  keep_alive_ = false;
  state_ = State::kNeedMore;
}

ResponseReader::~ResponseReader() = default;

ResponseReader::State ResponseReader::Step(std::string_view& data) {
  auto& p = *impl_->parser;
  while (!data.empty()) {
    boost::system::error_code ec;
    const size_t used = p.put(boost::asio::const_buffer(data.data(), data.size()), ec);
    data.remove_prefix(used);
    if (ec == http::error::need_more) return State::kNeedMore;
    if (ec == http::error::body_limit) {
      error_ = "response body over " + std::to_string(impl_->max_body) + " bytes";
      return State::kTooLarge;
    }
    if (ec) {
      error_ = "malformed HTTP response: " + ec.message();
      return State::kInvalid;
    }
    if (p.is_done()) {
      const unsigned status = p.get().result_int();
      if (status < 100 || status > 599) {  // three digits, but no HTTP status (RFC 9110, 15)
        error_ = "malformed HTTP response: status " + std::to_string(status);
        return State::kInvalid;
      }
      // An interim response (100 Continue, 103 Early Hints): the final one follows.
      if (status >= 100 && status < 200 && status != 101) {
        impl_->Reset();
        continue;
      }
      status_ = static_cast<int>(status);
      keep_alive_ = p.get().keep_alive();
      return State::kDone;
    }
    if (used == 0) return State::kNeedMore;
  }
  return State::kNeedMore;
}

ResponseReader::State ResponseReader::Feed(std::string_view data) {
  if (state_ != State::kNeedMore) {
    if (state_ == State::kDone) extra_bytes_ += data.size();
    return state_;
  }
  if (!data.empty()) started_ = true;
  // Beast wants a partial header back with what follows it, in one buffer.
  std::string_view rest;
  if (pending_.empty()) {
    rest = data;
  } else {
    pending_.append(data);
    rest = pending_;
  }
  state_ = Step(rest);
  if (state_ == State::kDone) extra_bytes_ += rest.size();
  if (state_ == State::kNeedMore) {
    if (pending_.empty()) {
      pending_.assign(rest);
    } else {
      pending_.erase(0, pending_.size() - rest.size());
    }
  } else {
    pending_.clear();
  }
  return state_;
}

ResponseReader::State ResponseReader::FeedEof() {
  if (state_ != State::kNeedMore) return state_;
  boost::system::error_code ec;
  impl_->parser->put_eof(ec);
  if (!ec && impl_->parser->is_done()) {
    status_ = static_cast<int>(impl_->parser->get().result_int());
    if (status_ < 100 || status_ > 599) {
      error_ = "malformed HTTP response: status " + std::to_string(status_);
      return state_ = State::kInvalid;
    }
    keep_alive_ = false;
    return state_ = State::kDone;
  }
  error_ = started_ ? "connection closed before the response was complete" : "connection closed without a response";
  return state_ = State::kInvalid;
}

void ResponseReader::TakeInto(HttpResponse& out) {
  auto message = impl_->parser->release();
  out.status = static_cast<int>(message.result_int());
  out.headers.clear();
  for (const auto& field : message) out.headers.emplace_back(Lower(field.name_string()), std::string(field.value()));
  out.body = std::move(message.body());
}

}  // namespace herald::net
