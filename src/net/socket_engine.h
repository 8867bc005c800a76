// SocketEngine: asynchronous TCP connects, TLS handshakes and DNS queries for the monitors (TCP,
// TLS and DNS probes). One background thread runs a Boost.Asio io_context; DNS (host names and
// record-type queries) goes through c-ares driven from that same thread, so thousands of checks
// run at once without a thread each — nothing here ever blocks in getaddrinfo. Asio, OpenSSL and
// c-ares stay inside socket_engine.cc; this header is free of them.
//
// A check reports what it saw (connected or not, timings, the certificate, DNS answers); judging
// it (up/slow/down) is the probes' business.
//
// Thread safety: Connect() and Query() may be called from any thread and never block. Every
// `done` callback runs exactly once on the engine's thread — except for a call after Shutdown()
// began, which completes at once on the caller's thread with kShutdown. Shutdown() (also run by
// the destructor) completes unfinished checks with kShutdown and joins the thread; do not call it
// from a `done` callback. Exceptions thrown by a callback are caught and logged.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "net/http_client.h"

namespace herald::net {

struct TlsOptions {
  bool enabled = false;  // false: a plain TCP connect
  // SNI and the name the certificate must match; empty: the host given to Connect (an IP
  // literal is matched against the certificate's IP addresses and sent without SNI).
  std::string server_name;
};

// What one Connect saw. Timings are milliseconds from the start of the check (0 when the step
// was not reached; dns_ms is 0 for an IP literal).
struct ConnectResult {
  bool ok = false;                           // connected, and (with TLS) the handshake completed
  FailureKind failure = FailureKind::kNone;  // kTimeout, kDns, kConnect, kTls, kInvalidRequest, kShutdown
  std::string error;                         // plain words: "connection refused", "timed out after 2 s"
  double dns_ms = 0, connect_ms = 0, tls_ms = 0, total_ms = 0;
  std::string remote_ip;  // the address connected to (or last tried)
  // TLS, when the handshake completed. The handshake never fails because of the certificate:
  // verification (chain, validity dates, host name) is recorded here for the caller to judge.
  bool verify_ok = false;
  std::string verify_error;                        // OpenSSL's words for the first problem ("self-signed certificate")
  bool hostname_ok = false;                        // the certificate matches the server name
  TimeMs cert_not_before = 0, cert_not_after = 0;  // epoch ms
  std::string cert_subject, cert_issuer;           // RFC 2253 text
};

struct DnsQuery {
  std::string name;               // the name to look up
  std::string record_type = "A";  // A, AAAA, CNAME, MX, TXT, NS
  std::string server;             // "ip", "ip:port", "[v6]:port"; empty: the system resolver's
  std::chrono::milliseconds timeout{5000};
};

struct DnsResult {
  bool ok = false;                           // an answer with at least one record of the type arrived
  FailureKind failure = FailureKind::kNone;  // kDns (no such name, no data, server failure), kTimeout, ...
  std::string error;
  // The answers as text: A/AAAA the address, CNAME/NS the name, MX "10 mail.example.com", TXT
  // the strings of one record joined.
  std::vector<std::string> answers;
  double total_ms = 0;
};

class SocketEngine {
 public:
  struct Options {
    size_t max_concurrent = 4000;  // checks running at once; more wait in a queue (FIFO)
    // Extra trusted CA certificates (PEM file) besides the system's, for internal CAs.
    std::string ca_file;
  };

  explicit SocketEngine(Options options);
  ~SocketEngine();
  SocketEngine(const SocketEngine&) = delete;
  SocketEngine& operator=(const SocketEngine&) = delete;

  // Resolves `host` (unless it is an IP literal), connects to `port` within `timeout` (the whole
  // check: DNS, connect and handshake), and with TLS completes a handshake; then closes.
  void Connect(std::string host, int port, std::chrono::milliseconds timeout, TlsOptions tls,
               std::function<void(ConnectResult)> done);
  // One DNS query of `query.record_type` for `query.name`.
  void Query(DnsQuery query, std::function<void(DnsResult)> done);

  // Stops the engine: unfinished and queued checks complete with kShutdown, later calls complete
  // at once with kShutdown. Idempotent; blocks until the engine thread has exited.
  void Shutdown();

  // Checks queued or running (for metrics and tests).
  size_t InFlight() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace herald::net
