// Outbound I/O interfaces: HTTP requests (webhooks, chat, SMS providers, web push, monitors) and
// SMTP submissions (email). Two production implementations, each driving thousands of transfers
// from one thread: PushEngine (push_engine.h) carries the notification channels' requests, and
// CurlEngine (curl_engine.h, libcurl's multi interface) SMTP, the monitors' HTTP checks and what
// PushEngine passes on. Tests inject fakes or point the real engines at servers on 127.0.0.1.
//
// Contract shared by both interfaces: Send() never blocks and may be called from any thread; the
// `done` callback runs exactly once, on the engine's thread (keep it short: post real work
// elsewhere). A request that cannot even start (bad URL, address refused by policy, engine shut
// down) still completes through `done` with an error, never by throwing.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace herald::net {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Why a transfer failed before a complete response arrived.
enum class FailureKind {
  kNone,            // a response (of any status) arrived
  kTimeout,         // no complete response within the request's timeout
  kDns,             // the host name did not resolve
  kConnect,         // connection refused or reset
  kTls,             // handshake or certificate failure
  kRefusedAddress,  // the address connected to is forbidden by the AddressPolicy (SSRF guard)
  kInvalidRequest,  // malformed URL or unsupported scheme
  kTooLarge,        // response body over the limit
  kShutdown,        // the engine stopped before the transfer finished
  kOther,
};

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  Headers headers;
  std::string body;
  std::chrono::milliseconds timeout{15000};
  bool follow_redirects = false;  // notification channels never follow redirects (3xx = failure)
  bool verify_tls = true;
  // Open a new connection and close it afterwards instead of reusing one: monitors do, so that
  // every check measures DNS, connect and TLS and sees a dead listener at once.
  bool fresh_connection = false;
  // Apply the SSRF AddressPolicy to the address actually connected to. True for every URL that
  // the public or a customer supplied; false only for operator-configured endpoints.
  bool guard_address = true;
  size_t max_response_bytes = 64 * 1024;
};

// Milliseconds from the start of the transfer, as libcurl measures them (0 when not reached).
struct HttpTimings {
  double dns_ms = 0, connect_ms = 0, tls_ms = 0, first_byte_ms = 0, total_ms = 0;
};

struct HttpResponse {
  int status = 0;   // 0 when failure != kNone
  Headers headers;  // names lower-cased
  std::string body;
  HttpTimings timings;
  FailureKind failure = FailureKind::kNone;
  std::string error;      // human-readable, empty on success
  std::string remote_ip;  // the address actually connected to, when known

  // First header with this (lower-case) name, or empty.
  std::string Header(std::string_view name) const {
    for (const auto& [k, v] : headers)
      if (k == name) return v;
    return {};
  }
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual void Send(HttpRequest request, std::function<void(HttpResponse)> done) = 0;
};

// An SMTP relay the operator configured ("smtp://host:587" with STARTTLS, "smtps://host:465").
struct SmtpServer {
  std::string url;                // smtp://host:port or smtps://host:port
  bool require_starttls = false;  // smtp:// only: refuse to send unless STARTTLS succeeds
  bool verify_tls = true;
  std::string username, password;  // AUTH when username is set
  std::chrono::milliseconds timeout{15000};
};

struct MailRequest {
  std::string envelope_from;            // MAIL FROM
  std::vector<std::string> recipients;  // RCPT TO
  std::string message;                  // the complete RFC 5322 message, CRLF line endings
};

struct MailResult {
  bool ok = false;
  int smtp_code = 0;       // last SMTP reply code when known (250, 550, ...)
  bool permanent = false;  // a 5xx rejection: retrying will not help (hard bounce)
  FailureKind failure = FailureKind::kNone;
  std::string error;
};

// Sends mail to one configured relay, reusing connections between messages.
class MailSender {
 public:
  virtual ~MailSender() = default;
  virtual void Send(MailRequest request, std::function<void(MailResult)> done) = 0;
};

}  // namespace herald::net
