// FakeHttpClient (tests only): the one test double of net::HttpClient. It records every request
// and answers it either at once, on the calling thread (the default: with the next queued answer,
// or `default_response` when none is queued), or, with `hold` set, when the test says so
// (Answer/Fail complete the oldest request still held), so tests can look at a request before
// its outcome arrives.
//
//   herald::testing::FakeHttpClient http;
//   http.Answer(429, {{"retry-after", "7"}});  // the next request gets 429, later ones 200
//   channel.Send(...);
//   EXPECT_EQ(http.requests.back().url, "https://hooks.example.com/x");
//
// Thread safety: Send may be called from any thread (an engine's); the callback runs outside the
// fake's lock. Read `requests` directly only while no Send can run concurrently; otherwise use
// Requests() or Urls().
#pragma once

#include <cctype>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/http_client.h"

namespace herald::testing {

class FakeHttpClient final : public net::HttpClient {
 public:
  enum Mode { kAnswerAtOnce, kHold };
  // `status`: the answer when nothing is queued (default_response).
  explicit FakeHttpClient(Mode mode = kAnswerAtOnce, int status = 200)
      : hold(mode == kHold), default_response(Response(status)) {}

  // Hold requests until Answer/Fail instead of answering them at once.
  bool hold = false;
  // The answer to a request when nothing is queued (not holding).
  net::HttpResponse default_response;

  void Send(net::HttpRequest request, std::function<void(net::HttpResponse)> done) override {
    net::HttpResponse response = default_response;
    {
      std::lock_guard lock(mu_);
      requests.push_back(std::move(request));
      if (hold) {
        held_.push_back(std::move(done));
        return;
      }
      if (!queued_.empty()) {
        response = std::move(queued_.front());
        queued_.pop_front();
      }
    }
    done(std::move(response));
  }

  // Gives `response` to the oldest held request, or, with none held, to the next request.
  void Respond(net::HttpResponse response) {
    std::function<void(net::HttpResponse)> done;
    {
      std::lock_guard lock(mu_);
      if (held_.empty()) {
        queued_.push_back(std::move(response));
        return;
      }
      done = std::move(held_.front());
      held_.pop_front();
    }
    done(std::move(response));
  }
  // An answer with this status, headers (lower-case names) and body.
  void Answer(int status, net::Headers headers = {}, std::string body = {}) {
    net::HttpResponse r = Response(status);
    r.headers = std::move(headers);
    r.body = std::move(body);
    Respond(std::move(r));
  }
  // A transfer that failed before a response arrived.
  void Fail(net::FailureKind kind, std::string error) {
    net::HttpResponse r;
    r.failure = kind;
    r.error = std::move(error);
    Respond(std::move(r));
  }

  // Requests sent and not answered yet (holding).
  size_t held() const {
    std::lock_guard lock(mu_);
    return held_.size();
  }
  std::vector<net::HttpRequest> Requests() const {
    std::lock_guard lock(mu_);
    return requests;
  }
  std::vector<std::string> Urls() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& r : requests) out.push_back(r.url);
    return out;
  }
  // The value of a header of the last request, matched case-insensitively; empty if absent.
  std::string Header(std::string_view name) const {
    std::lock_guard lock(mu_);
    return requests.empty() ? std::string() : HeaderOf(requests.back(), name);
  }
  static std::string HeaderOf(const net::HttpRequest& request, std::string_view name) {
    for (const auto& [k, v] : request.headers) {
      if (k.size() != name.size()) continue;
      bool same = true;
      for (size_t i = 0; i < k.size() && same; ++i)
        same = std::tolower(static_cast<unsigned char>(k[i])) == std::tolower(static_cast<unsigned char>(name[i]));
      if (same) return v;
    }
    return {};
  }
  static net::HttpResponse Response(int status) {
    net::HttpResponse r;
    r.status = status;
    return r;
  }

  // Every request sent, oldest first.
  std::vector<net::HttpRequest> requests;

 private:
  mutable std::mutex mu_;  // guards requests, held_ and queued_
  std::deque<std::function<void(net::HttpResponse)>> held_;
  std::deque<net::HttpResponse> queued_;
};

}  // namespace herald::testing
