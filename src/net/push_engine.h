// PushEngine: the HttpClient of the notification channels (webhooks, chat, SMS provider APIs,
// web push). It sends the fan-out's many small POSTs over kept-alive HTTP/1.1 connections (TLS
// through OpenSSL) from one epoll thread, with a send and a receive per message and little else:
// at a million subscribers the outbound requests are the fan-out's largest cost, and libcurl's
// general machinery (per-transfer option setup, connection-liveness polls, its multi loop) cost
// about twice the CPU per message (docs/PERFORMANCE.md). Requests it does not handle (redirects
// to follow, a fresh connection per request, credentials in the URL, a proxy from the
// environment) are passed to the fallback HttpClient, CurlEngine.
//
// Behaviour shared with CurlEngine: at most max_host_connections per origin and max_concurrent
// requests at once, more wait in a FIFO per origin (their timeout starts when they get a
// connection); the SSRF AddressPolicy is applied, for guarded requests, to the address actually
// connected to (the engine resolves names itself and connects only to allowed addresses, and a
// kept-alive connection is checked again on reuse); a request on a kept-alive connection the
// server had already closed is retried once on a new connection.
//
// Thread safety: Send() may be called from any thread and never blocks. Every `done` callback
// runs exactly once on the engine's thread, except after Shutdown() began (kShutdown, on the
// caller's thread) and for requests handed to the fallback (its thread). Shutdown() (also run by
// the destructor) completes unfinished requests with kShutdown and joins the threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "net/address_policy.h"
#include "net/http_client.h"

namespace herald::net {

class PushEngine final : public HttpClient {
 public:
  struct Options {
    size_t max_concurrent = 2000;   // requests on a connection at once; more wait (FIFO per origin)
    long max_host_connections = 8;  // per origin, so one slow receiver is not flooded
    AddressPolicy policy;           // applied to requests with guard_address
    std::string user_agent = "Herald/1.0";
    std::string ca_file;                          // extra trusted CAs (PEM), besides the system's (tests)
    std::chrono::milliseconds idle_close{60000};  // kept-alive connections unused this long close
    std::chrono::milliseconds dns_ttl{60000};     // resolved addresses are reused this long
  };

  // `fallback` (not owned, must outlive this engine) sends what this engine does not handle.
  PushEngine(Options options, HttpClient& fallback);
  ~PushEngine() override;
  PushEngine(const PushEngine&) = delete;
  PushEngine& operator=(const PushEngine&) = delete;

  void Send(HttpRequest request, std::function<void(HttpResponse)> done) override;

  // Completes unfinished and queued requests with kShutdown; later Send()s complete at once with
  // kShutdown. Idempotent; blocks until the engine's threads have exited.
  void Shutdown();

  // Requests accepted and not yet completed (for metrics and tests).
  size_t InFlight() const;
  // Connections opened since start (tests: kept-alive reuse).
  size_t ConnectionsOpened() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  HttpClient& fallback_;
};

}  // namespace herald::net
