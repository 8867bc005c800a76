// Test support (tests only): tests/fixtures/monitor_target.py — HTTP, TCP, TLS and DNS targets on
// 127.0.0.1 that can be made to fail — started once per test binary and shared by the suites, plus
// a helper that runs one probe check and waits for its result (bounded).
//
// Thread safety: none needed; tests use it from the main thread.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>

#include "monitor/probe.h"
#include "testing/fixture_process.h"

namespace herald::monitor::testing {

struct MonitorTarget {
  int http = 0, tcp_open = 0, tcp_closed = 0, tcp_silent = 0, tcp_full = 0, dns = 0;
  int tls_good = 0, tls_expiring = 0, tls_expired = 0, tls_self_signed = 0, tls_wrong_host = 0;
  std::string ca_file;
  std::string expiring_not_after;  // ISO 8601
  std::string error;               // set when the fixture could not start

  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(http) + path; }
  std::string Dns() const { return "127.0.0.1:" + std::to_string(dns); }

  // GET /_control?mode=M: "up", "down", "slow", "hang", "wrong". True when the target answered.
  bool SetMode(const std::string& mode) const {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(http));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    const std::string req = "GET /_control?mode=" + mode + " HTTP/1.0\r\nHost: x\r\n\r\n";
    ok = ok && write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size());
    std::string reply;
    char buf[512];
    for (ssize_t n; ok && (n = read(fd, buf, sizeof buf)) > 0;) reply.append(buf, static_cast<size_t>(n));
    close(fd);
    return reply.starts_with("HTTP/1.0 200") || reply.starts_with("HTTP/1.1 200");
  }

  // The one shared target, started on first use.
  static const MonitorTarget& Shared() {
    static herald::testing::FixtureProcess process;
    static const MonitorTarget target = [] {
      MonitorTarget t;
      auto script = herald::testing::FindFixture("monitor_target.py");
      if (!script) {
        t.error = "tests/fixtures/monitor_target.py not found (set HERALD_SOURCE_DIR)";
        return t;
      }
      // Debian's interpreter, where python3-cryptography and python3-dnslib live, even when
      // another python3 comes first on PATH.
      const std::string python = std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
      if (!process.Start({python, script->string()}, &t.error, false)) return t;
      boost::system::error_code ec;
      const auto doc = boost::json::parse(process.first_line(), ec);
      if (ec || !doc.is_object()) {
        t.error = "monitor_target.py did not start (scripts/deps.sh test installs python3-dnslib): '" +
                  process.first_line() + "'";
        return t;
      }
      const auto& o = doc.as_object();
      auto port = [&](const char* key) { return o.contains(key) ? static_cast<int>(o.at(key).to_number<int>()) : 0; };
      t.http = port("http");
      t.tcp_open = port("tcp_open");
      t.tcp_closed = port("tcp_closed");
      t.tcp_silent = port("tcp_silent");
      t.tcp_full = port("tcp_full");
      t.dns = port("dns");
      t.tls_good = port("tls_good");
      t.tls_expiring = port("tls_expiring");
      t.tls_expired = port("tls_expired");
      t.tls_self_signed = port("tls_self_signed");
      t.tls_wrong_host = port("tls_wrong_host");
      t.ca_file = std::string(o.at("ca_file").as_string());
      t.expiring_not_after = std::string(o.at("expiring_not_after").as_string());
      return t;
    }();
    return target;
  }
};

// Runs one check and waits for it (at most `patience`); nullopt when `done` never ran.
inline std::optional<ProbeResult> RunCheck(Probe& probe, const model::Monitor& monitor,
                                           std::chrono::seconds patience = std::chrono::seconds(30)) {
  auto promise = std::make_shared<std::promise<ProbeResult>>();
  auto future = promise->get_future();
  probe.Start(monitor, [promise](ProbeResult r) { promise->set_value(std::move(r)); });
  if (future.wait_for(patience) != std::future_status::ready) return std::nullopt;
  return future.get();
}

}  // namespace herald::monitor::testing
