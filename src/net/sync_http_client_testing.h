// SyncHttpClient (tests only): the real CurlEngine behind an HttpClient whose Send returns only
// after `done` has run, so tests that drive a channel against a local receiver can assert right
// after the call. Loopback is allow-listed, as the tests' receivers live on 127.0.0.1.
#pragma once

#include <future>

#include "net/curl_engine.h"

namespace herald::net {

class SyncHttpClient : public HttpClient {
 public:
  SyncHttpClient() : engine_(LoopbackOptions()) {}
  void Send(HttpRequest request, std::function<void(HttpResponse)> done) override {
    std::promise<HttpResponse> result;
    auto arrived = result.get_future();
    engine_.Send(std::move(request), [&result](HttpResponse r) { result.set_value(std::move(r)); });
    done(arrived.get());
  }

 private:
  static CurlEngine::Options LoopbackOptions() {
    CurlEngine::Options o;
    o.policy.AllowCidr("127.0.0.0/8");
    return o;
  }
  CurlEngine engine_;
};

}  // namespace herald::net
