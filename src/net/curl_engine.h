// CurlEngine: the production HttpClient and MailSender. One background thread drives libcurl's
// multi interface, so thousands of transfers (webhooks, chat, SMS provider APIs, HTTP monitors,
// SMTP submissions) run concurrently without a thread each. The multi handle's connection cache
// keeps HTTP and SMTP connections open between transfers to the same host.
//
// SSRF: a request with guard_address set is checked against the AddressPolicy at connect time —
// on the address curl is about to connect to (before any packet leaves) and again on the
// connection actually used, fresh or reused — so DNS rebinding, redirects and odd host encodings
// cannot reach a forbidden address. Such requests speak only http/https and ignore proxy settings
// from the environment.
//
// Thread safety: Send() may be called from any thread and never blocks. Every `done` callback
// runs exactly once on the engine's thread — except for a Send() after Shutdown() began, which
// completes at once on the caller's thread with kShutdown. Shutdown() (also run by the
// destructor) completes unfinished transfers with kShutdown and joins the thread; do not call it
// from a `done` callback. Exceptions thrown by a callback are caught and logged.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "net/address_policy.h"
#include "net/http_client.h"

namespace herald::net {

class CurlEngine final : public HttpClient, public MailSender {
 public:
  struct Options {
    size_t max_concurrent = 2000;   // transfers running at once; more wait in a queue (FIFO)
    long max_host_connections = 8;  // per host:port, so one slow receiver is not flooded
    AddressPolicy policy;           // applied to requests with guard_address
    std::string user_agent = "Herald/1.0";
    SmtpServer smtp;                          // where Send(MailRequest) submits mail; empty url = mail disabled
    size_t max_redirects = 5;                 // when a request asks to follow redirects
    std::string thread_name = "herald-curl";  // for top -H and profilers (15 characters at most)
  };

  explicit CurlEngine(Options options);
  ~CurlEngine() override;
  CurlEngine(const CurlEngine&) = delete;
  CurlEngine& operator=(const CurlEngine&) = delete;

  void Send(HttpRequest request, std::function<void(HttpResponse)> done) override;
  void Send(MailRequest request, std::function<void(MailResult)> done) override;

  // Stops the engine: unfinished and queued transfers complete with kShutdown, later Send()s
  // complete at once with kShutdown. Idempotent; blocks until the engine thread has exited.
  void Shutdown();

  // Transfers queued or running (for metrics and tests).
  size_t InFlight() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace herald::net
