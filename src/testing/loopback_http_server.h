// Test support (tests only): a small HTTP/1.1 server on 127.0.0.1 with fixed routes, for the
// outbound engines' tests, and a Collector for completions that arrive on an engine's thread.
//
// Thread safety: the server serves each connection on its own thread; Collector is thread-safe.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace herald::testing {

using namespace std::chrono_literals;

// Upper bound for anything a test waits for; a correct engine finishes far sooner.
constexpr auto kPatience = 30s;

// A small HTTP/1.1 server on 127.0.0.1 (keep-alive, one thread per connection) with fixed routes:
//   /ok            200 "hello world", X-Test: Yes
//   /echo          200 "<method>\n<x-echo header>\n<body>"
//   /status/500    500 "boom"
//   /redirect      302 to /ok
//   /redirect-out  302 to http://127.0.0.2:<port>/ok (another loopback address)
//   /big           200 with 100000 bytes (Content-Length)
//   /big-chunked   200 with 100000 bytes (chunked, no length known up front)
//   /hang          never answers
//   /close-after   200 "bye", then closes the connection without saying so (a server dropping
//                  a kept-alive connection)
//   /drop          closes the connection without an answer
//   /drop-next     200 "armed"; the next request on the connection is read and not answered: the
//                  connection closes (a kept-alive connection the server dropped as it was reused)
class TestHttpServer {
 public:
  TestHttpServer() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(listen(listen_fd_, 1024), 0);
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }

  ~TestHttpServer() {
    stop_ = true;
    shutdown(listen_fd_, SHUT_RDWR);
    accept_thread_.join();
    close(listen_fd_);
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      for (int fd : open_fds_) shutdown(fd, SHUT_RDWR);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
  }

  int port() const { return port_; }
  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  int connections() const { return connections_.load(); }
  int requests() const { return requests_.load(); }

 private:
  void AcceptLoop() {
    while (!stop_) {
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (stop_) return;
        continue;
      }
      connections_++;
      std::lock_guard lock(mu_);
      open_fds_.insert(fd);
      threads_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  static bool SendAll(int fd, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }

  static std::string Response(int status, const std::string& reason, const std::string& body,
                              const std::string& extra_headers = "") {
    return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n" + extra_headers + "\r\n" + body;
  }

  void Serve(int fd) {
    std::string buf;
    bool drop_next = false;
    char tmp[16384];
    auto fill = [&]() {
      ssize_t n = recv(fd, tmp, sizeof tmp, 0);
      if (n <= 0) return false;
      buf.append(tmp, static_cast<size_t>(n));
      return true;
    };
    while (true) {
      size_t end;
      bool open = true;
      while ((end = buf.find("\r\n\r\n")) == std::string::npos && (open = fill())) {
      }
      if (!open) break;
      std::istringstream head(buf.substr(0, end));
      std::string method, path, version, line;
      head >> method >> path >> version;
      std::getline(head, line);
      size_t content_length = 0;
      std::string echo;
      while (std::getline(head, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        if (name == "content-length") content_length = std::stoul(value);
        if (name == "x-echo") echo = value;
      }
      while (buf.size() < end + 4 + content_length && (open = fill())) {
      }
      if (!open) break;
      std::string body = buf.substr(end + 4, content_length);
      buf.erase(0, end + 4 + content_length);
      requests_++;
      if (drop_next) break;

      std::string out;
      if (path == "/ok") {
        out = Response(200, "OK", "hello world", "X-Test: Yes\r\nContent-Type: text/plain\r\n");
      } else if (path == "/echo") {
        out = Response(200, "OK", method + "\n" + echo + "\n" + body);
      } else if (path == "/status/500") {
        out = Response(500, "Internal Server Error", "boom");
      } else if (path == "/redirect") {
        out = Response(302, "Found", "", "Location: /ok\r\n");
      } else if (path == "/redirect-out") {
        out = Response(302, "Found", "", "Location: http://127.0.0.2:" + std::to_string(port_) + "/ok\r\n");
      } else if (path == "/big") {
        out = Response(200, "OK", std::string(100000, 'x'));
      } else if (path == "/big-chunked") {
        out = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (int i = 0; i < 100; ++i) out += "3e8\r\n" + std::string(1000, 'y') + "\r\n";
        out += "0\r\n\r\n";
      } else if (path == "/slow") {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        out = Response(200, "OK", "slow");
      } else if (path == "/drop") {
        break;
      } else if (path == "/drop-next") {
        drop_next = true;
        out = Response(200, "OK", "armed");
      } else if (path == "/close-after") {
        SendAll(fd, Response(200, "OK", "bye"));
        break;
      } else if (path == "/hang") {
        continue;  // read on: returns when the client gives up and closes
      } else {
        out = Response(404, "Not Found", "");
      }
      if (!SendAll(fd, out)) break;
    }
    std::lock_guard lock(mu_);
    open_fds_.erase(fd);
    close(fd);
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
  std::thread accept_thread_;
  std::mutex mu_;
  std::set<int> open_fds_;
  std::vector<std::thread> threads_;
};

// Collects completions from the engine thread.
template <typename T>
class Collector {
 public:
  std::function<void(T)> Callback() {
    return [this](T v) {
      std::lock_guard lock(mu_);
      results_.push_back(std::move(v));
      cv_.notify_all();
    };
  }
  // Waits until `n` results arrived (bounded); returns them.
  std::vector<T> Wait(size_t n) {
    std::unique_lock lock(mu_);
    EXPECT_TRUE(cv_.wait_for(lock, kPatience, [&] { return results_.size() >= n; }))
        << "only " << results_.size() << " of " << n << " completions";
    return results_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<T> results_;
};

}  // namespace herald::testing
