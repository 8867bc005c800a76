#include "net/push_engine.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/url/parse.hpp>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/log.h"
#include "core/text.h"
#include "core/thread_name.h"
#include "net/deliver.h"
#include "net/http_response_reader.h"
#include "net/http_syntax.h"

namespace herald::net {
namespace {

constexpr int kResolverThreads = 4;

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;

double MsSince(TimePoint from, TimePoint to) { return std::chrono::duration<double, std::milli>(to - from).count(); }

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool ProxyFromEnvironment() {
  for (const char* name : {"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') return true;
  }
  return false;
}

// Where a request goes, from its URL.
struct Target {
  bool tls = false;
  std::string host;                  // name or address (IPv6 without brackets), for DNS, SNI and verification
  std::optional<IpAddress> literal;  // the host is an address
  std::uint16_t port = 0;
  std::string authority;   // Host header
  std::string path_query;  // request target
  std::string origin_key;  // connections are shared by requests with the same key
};

enum class Route { kHere, kFallback, kInvalid };

// Parses the URL (Boost.URL, RFC 3986). kFallback for what CurlEngine handles and this engine
// does not: other schemes and credentials in the URL.
Route ParseTarget(const HttpRequest& r, Target& t, std::string& why) {
  auto parsed = boost::urls::parse_uri(r.url);
  if (!parsed) {
    why = "malformed URL";
    return Route::kInvalid;
  }
  const auto& u = *parsed;
  const auto scheme = u.scheme_id();
  if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https) return Route::kFallback;
  if (u.has_userinfo()) return Route::kFallback;
  t.tls = scheme == boost::urls::scheme::https;
  switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::ipv6:
      t.host = u.host_address();
      t.literal = IpAddress::Parse(t.host);
      if (!t.literal) {
        why = "unsupported host address";
        return Route::kInvalid;
      }
      break;
    case boost::urls::host_type::name:
      t.host = Lower(u.host());
      if (t.host.empty() || !std::all_of(t.host.begin(), t.host.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
          })) {
        why = "invalid host name";
        return Route::kInvalid;
      }
      break;
    default: why = "unsupported host"; return Route::kInvalid;
  }
  t.port = t.tls ? 443 : 80;
  if (u.has_port() && !u.port().empty()) {
    const std::string_view p = u.port();
    unsigned v = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (ec != std::errc() || end != p.data() + p.size() || v == 0 || v > 65535) {
      why = "invalid port";
      return Route::kInvalid;
    }
    t.port = static_cast<std::uint16_t>(v);
  }
  t.authority = std::string(u.encoded_host_and_port());
  t.path_query = std::string(u.encoded_path());
  if (t.path_query.empty()) t.path_query = "/";
  if (u.has_query()) t.path_query.append("?").append(std::string_view(u.encoded_query()));
  // Guarded and unguarded requests never share a connection, nor do verified and unverified
  // TLS: a connection is only ever used under the rules it was opened with.
  t.origin_key = (t.tls ? "https://" : "http://") + t.host + ":" + std::to_string(t.port) +
                 (r.guard_address ? "" : " unguarded") + (t.tls && !r.verify_tls ? " unverified" : "");
  return Route::kHere;
}

struct Conn;

struct Transfer {
  HttpRequest request;
  std::function<void(HttpResponse)> done;
  Target target;
  std::string invalid;  // set: fails on the engine thread with kInvalidRequest
  TimePoint started{};
  std::multimap<TimePoint, Transfer*>::iterator timer;
  bool has_timer = false;
  Conn* conn = nullptr;
  bool retried = false;
  HttpResponse response;
};

struct Origin {
  std::string key;
  Target target;  // scheme, host, port (of the first request; the same for all)
  bool guard = true, verify = true;
  enum class Dns { kNone, kResolving, kReady } dns = Dns::kNone;
  bool refreshing = false;  // re-resolving while the old addresses stay in use
  std::vector<IpAddress> addresses;
  TimePoint resolved_at{}, dns_started{}, dns_deadline{};
  double dns_ms = 0;
  size_t next_address = 0;
  std::deque<std::unique_ptr<Transfer>> waiting;
  std::vector<Conn*> idle;
  long conns = 0;  // open: connecting, busy or idle
  bool runnable = false;
  TimePoint last_used{};
  SSL_SESSION* session = nullptr;  // for resuming TLS on the next connection

  ~Origin() {
    if (session != nullptr) SSL_SESSION_free(session);
  }
};

struct Conn {
  enum class State { kConnecting, kHandshake, kIdle, kWriting, kReading, kClosed };
  State state = State::kConnecting;
  int fd = -1;
  SSL* ssl = nullptr;
  Origin* origin = nullptr;
  Transfer* transfer = nullptr;
  std::vector<IpAddress> candidates;  // allowed addresses, tried in turn
  size_t attempt = 0;
  std::string peer;
  std::string out;          // request head (plain) or head and body (TLS)
  size_t sent = 0;          // bytes of out (+ body, plain) written
  bool body_apart = false;  // plain: the body is written from the request, not copied into out
  ResponseReader reader;
  bool reused = false;
  TimePoint idle_since{};
};

std::string TlsErrorText(SSL* ssl) {
  const long verify = ssl != nullptr ? SSL_get_verify_result(ssl) : X509_V_OK;
  if (verify != X509_V_OK)
    return std::string("TLS certificate verification failed: ") + X509_verify_cert_error_string(verify);
  const unsigned long e = ERR_get_error();
  if (e == 0) return "TLS handshake failed";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return std::string("TLS handshake failed: ") + buf;
}

// Resolves host names with getaddrinfo on its own threads (a slow resolver never stalls the
// engine). Shared with those threads, which may outlive the engine by one lookup each.
struct Resolver {
  struct Answer {
    std::string key;
    std::vector<IpAddress> addresses;
    std::string error;
  };
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::pair<std::string, std::string>> lookups;  // origin key, host
  std::vector<Answer> answers;
  bool stop = false;
  int wake_fd = -1;  // the engine's eventfd; written under mu while !stop

  void Run() {
    std::unique_lock lock(mu);
    while (true) {
      cv.wait(lock, [&] { return stop || !lookups.empty(); });
      if (stop) return;
      auto [key, host] = std::move(lookups.front());
      lookups.pop_front();
      lock.unlock();
      Answer a;
      a.key = std::move(key);
      addrinfo hints{};
      hints.ai_family = AF_UNSPEC;
      hints.ai_socktype = SOCK_STREAM;
      addrinfo* list = nullptr;
      if (const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &list); rc != 0) {
        a.error = "Could not resolve host: " + host + " (" + gai_strerror(rc) + ")";
      } else {
        for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
          auto ip = IpAddress::FromSockaddr(ai->ai_addr);
          if (ip && std::find(a.addresses.begin(), a.addresses.end(), *ip) == a.addresses.end())
            a.addresses.push_back(*ip);
        }
        freeaddrinfo(list);
        if (a.addresses.empty()) a.error = "Could not resolve host: " + host + " (no address)";
      }
      lock.lock();
      if (stop) return;
      answers.push_back(std::move(a));
      const std::uint64_t one = 1;
      [[maybe_unused]] auto n = write(wake_fd, &one, sizeof one);
    }
  }
};

}  // namespace

class PushEngine::Impl {
 public:
  explicit Impl(Options options) : options_(std::move(options)), proxy_env_(ProxyFromEnvironment()) {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    tls_ = SSL_CTX_new(TLS_client_method());
    if (epoll_fd_ < 0 || wake_fd_ < 0 || tls_ == nullptr) {
      log::Error("push engine could not start: notifications over HTTP will fail");
      stopping_ = true;
      return;
    }
    SSL_CTX_set_min_proto_version(tls_, TLS1_2_VERSION);
    SSL_CTX_set_default_verify_paths(tls_);
    if (!options_.ca_file.empty() && SSL_CTX_load_verify_locations(tls_, options_.ca_file.c_str(), nullptr) != 1)
      log::Warn("push engine: cannot load the CA file", {{"file", options_.ca_file}});
    SSL_CTX_set_mode(tls_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    static const unsigned char kAlpn[] = "\x08http/1.1";
    SSL_CTX_set_alpn_protos(tls_, kAlpn, sizeof kAlpn - 1);
    // Sessions for resumption are kept per origin (TLS 1.3 hands them over after the handshake).
    SSL_CTX_set_session_cache_mode(tls_, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(tls_, [](SSL* ssl, SSL_SESSION* session) -> int {
      auto* c = static_cast<Conn*>(SSL_get_app_data(ssl));
      if (c == nullptr || c->origin == nullptr) return 0;
      if (c->origin->session != nullptr) SSL_SESSION_free(c->origin->session);
      c->origin->session = session;
      return 1;  // we keep the reference
    });
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = nullptr;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
    resolver_ = std::make_shared<Resolver>();
    resolver_->wake_fd = wake_fd_;
    // A few lookups at a time, so that one slow name server does not hold up every other name.
    for (int i = 0; i < kResolverThreads; ++i) {
      std::thread([r = resolver_] {
        SetThreadName("herald-resolve");
        r->Run();
      }).detach();
    }
    thread_ = std::thread([this] {
      SetThreadName("herald-push");
      // SSL_write may write to a socket the peer closed; the error is handled, the signal is not wanted.
      sigset_t pipe;
      sigemptyset(&pipe);
      sigaddset(&pipe, SIGPIPE);
      pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
      Run();
    });
  }

  ~Impl() {
    Shutdown();
    if (resolver_) {
      std::lock_guard lock(resolver_->mu);
      resolver_->stop = true;
      resolver_->cv.notify_all();
    }
    if (wake_fd_ >= 0) close(wake_fd_);
    if (epoll_fd_ >= 0) close(epoll_fd_);
    if (tls_ != nullptr) SSL_CTX_free(tls_);
  }

  void Enqueue(std::unique_ptr<Transfer> t) {
    in_flight_.fetch_add(1);
    {
      std::lock_guard lock(mu_);
      if (!stopping_) {
        const bool was_empty = incoming_.empty();
        incoming_.push_back(std::move(t));
        if (was_empty) Wake();
        return;
      }
    }
    Fail(*t, FailureKind::kShutdown, "outbound engine stopped");
  }

  void Shutdown() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      if (wake_fd_ >= 0) Wake();
    }
    std::call_once(join_once_, [this] {
      if (thread_.joinable()) thread_.join();
    });
  }

  size_t InFlight() const { return in_flight_.load(); }
  size_t ConnectionsOpened() const { return opened_.load(); }
  bool proxy_env() const { return proxy_env_; }

 private:
  void Wake() {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof one);
  }

  void Run() {
    std::vector<epoll_event> events(256);
    TimePoint last_sweep = SteadyClock::now();
    while (true) {
      std::deque<std::unique_ptr<Transfer>> fresh;
      bool stop;
      {
        std::lock_guard lock(mu_);
        fresh.swap(incoming_);
        stop = stopping_;
      }
      for (auto& t : fresh) Queue(std::move(t));
      if (stop) break;
      TakeAnswers();
      StartWaiting();
      const int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), WaitMs());
      for (int i = 0; i < n; ++i) {
        auto* c = static_cast<Conn*>(events[i].data.ptr);
        if (c == nullptr) {
          std::uint64_t count;
          [[maybe_unused]] auto r = read(wake_fd_, &count, sizeof count);
          continue;
        }
        if (c->state != Conn::State::kClosed) OnEvent(*c, events[i].events);
      }
      graveyard_.clear();
      const TimePoint now = SteadyClock::now();
      ExpireTimers(now);
      if (now - last_sweep >= std::chrono::seconds(1)) {
        Sweep(now);
        last_sweep = now;
      }
      graveyard_.clear();
    }
    StopAll();
  }

  int WaitMs() const {
    auto wait = std::chrono::milliseconds(1000);
    const TimePoint now = SteadyClock::now();
    auto sooner = [&](TimePoint at) {
      auto d = std::chrono::ceil<std::chrono::milliseconds>(at - now);
      wait = std::min(wait, std::max(d, std::chrono::milliseconds(0)));
    };
    if (!timers_.empty()) sooner(timers_.begin()->first);
    for (const auto& key : resolving_)
      if (auto it = origins_.find(key); it != origins_.end()) sooner(it->second->dns_deadline);
    return static_cast<int>(wait.count());
  }

  // --- queueing ---

  void Queue(std::unique_ptr<Transfer> t) {
    if (!t->invalid.empty()) return Fail(*t, FailureKind::kInvalidRequest, t->invalid);
    auto& slot = origins_[t->target.origin_key];
    if (!slot) {
      slot = std::make_unique<Origin>();
      slot->key = t->target.origin_key;
      slot->target = t->target;
      slot->guard = t->request.guard_address;
      slot->verify = t->request.verify_tls;
      if (t->target.literal) {
        slot->addresses = {*t->target.literal};
        slot->dns = Origin::Dns::kReady;
        slot->resolved_at = TimePoint::max();  // never expires
      }
    }
    Origin& o = *slot;
    o.last_used = SteadyClock::now();
    o.waiting.push_back(std::move(t));
    MarkRunnable(o);
  }

  void MarkRunnable(Origin& o) {
    if (o.runnable || o.waiting.empty()) return;
    o.runnable = true;
    runnable_.push_back(&o);
  }

  void StartWaiting() {
    const TimePoint now = SteadyClock::now();
    while (!runnable_.empty() && active_ < std::max<size_t>(1, options_.max_concurrent)) {
      Origin& o = *runnable_.front();
      runnable_.pop_front();
      o.runnable = false;
      if (o.waiting.empty()) continue;
      if (o.dns != Origin::Dns::kReady) {
        if (o.dns == Origin::Dns::kNone) Resolve(o, now);
        continue;  // the answer makes it runnable again
      }
      if (!o.refreshing && o.resolved_at != TimePoint::max() && now - o.resolved_at > options_.dns_ttl) {
        o.refreshing = true;  // the current addresses serve until the new ones arrive
        Resolve(o, now);
      }
      if (!o.idle.empty()) {
        Conn* c = o.idle.back();
        o.idle.pop_back();
        auto t = std::move(o.waiting.front());
        o.waiting.pop_front();
        Begin(std::move(t), *c, now);
        WriteRequest(*c);
      } else if (o.conns < std::max(1L, options_.max_host_connections)) {
        auto t = std::move(o.waiting.front());
        o.waiting.pop_front();
        Open(o, std::move(t), now);
      } else {
        continue;  // every connection busy: a finishing one makes the origin runnable again
      }
      MarkRunnable(o);  // round robin: back of the line
    }
  }

  // --- DNS ---

  void Resolve(Origin& o, TimePoint now) {
    if (o.dns != Origin::Dns::kReady) {
      o.dns = Origin::Dns::kResolving;
      o.dns_started = now;
      o.dns_deadline =
          now + (o.waiting.empty() ? std::chrono::milliseconds(15000) : o.waiting.front()->request.timeout);
      resolving_.push_back(o.key);
    }
    std::lock_guard lock(resolver_->mu);
    resolver_->lookups.emplace_back(o.key, o.target.host);
    resolver_->cv.notify_one();
  }

  void TakeAnswers() {
    std::vector<Resolver::Answer> answers;
    {
      std::lock_guard lock(resolver_->mu);
      answers.swap(resolver_->answers);
    }
    const TimePoint now = SteadyClock::now();
    for (auto& a : answers) {
      auto it = origins_.find(a.key);
      if (it == origins_.end()) continue;
      Origin& o = *it->second;
      std::erase(resolving_, o.key);
      o.refreshing = false;
      if (!a.error.empty()) {
        if (o.dns == Origin::Dns::kReady) continue;  // a failed refresh: keep the known addresses
        o.dns = Origin::Dns::kNone;
        FailWaiting(o, FailureKind::kDns, a.error);
        continue;
      }
      if (o.dns != Origin::Dns::kReady) o.dns_ms = MsSince(o.dns_started, now);
      o.dns = Origin::Dns::kReady;
      o.addresses = std::move(a.addresses);
      o.resolved_at = now;
      o.next_address = 0;
      MarkRunnable(o);
    }
  }

  void FailWaiting(Origin& o, FailureKind kind, const std::string& why) {
    auto waiting = std::move(o.waiting);
    o.waiting.clear();
    for (auto& t : waiting) Fail(*t, kind, why);
  }

  // --- connections ---

  void Begin(std::unique_ptr<Transfer> owned, Conn& c, TimePoint now) {
    Transfer* t = owned.release();
    t->conn = &c;
    c.transfer = t;
    if (!t->retried) t->started = now;
    t->timer = timers_.emplace(t->started + t->request.timeout, t);
    t->has_timer = true;
    ++active_;
  }

  void Open(Origin& o, std::unique_ptr<Transfer> t, TimePoint now) {
    std::vector<IpAddress> allowed;
    std::string refused;
    const size_t n = o.addresses.size();
    for (size_t i = 0; i < n; ++i) {
      const IpAddress& ip = o.addresses[(o.next_address + i) % n];
      if (o.guard) {
        if (auto why = options_.policy.RefusalReason(ip)) {
          if (refused.empty()) refused = ip.ToString() + " is a " + *why;
          continue;
        }
      }
      allowed.push_back(ip);
    }
    o.next_address = n == 0 ? 0 : (o.next_address + 1) % n;
    if (allowed.empty()) {
      if (!refused.empty()) return Fail(*t, FailureKind::kRefusedAddress, "address refused by policy: " + refused);
      return Fail(*t, FailureKind::kDns, "no address for " + o.target.host);
    }
    auto* c = new Conn();
    conns_.insert(c);
    c->origin = &o;
    c->candidates = std::move(allowed);
    ++o.conns;
    Begin(std::move(t), *c, now);
    c->transfer->response.timings.dns_ms = o.dns_ms;
    Connect(*c);
  }

  void Connect(Conn& c) {
    const IpAddress& ip = c.candidates[c.attempt];
    c.peer = ip.ToString();
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (ip.v6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      a->sin6_port = htons(c.origin->target.port);
      std::memcpy(&a->sin6_addr, ip.bytes.data(), 16);
      len = sizeof *a;
    } else {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      a->sin_port = htons(c.origin->target.port);
      std::memcpy(&a->sin_addr, ip.bytes.data(), 4);
      len = sizeof *a;
    }
    c.fd = socket(ip.v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) return ConnectFailed(c, errno);
    ++opened_;
    const int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = &c;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c.fd, &ev) != 0) return ConnectFailed(c, errno);
    c.state = Conn::State::kConnecting;
    if (connect(c.fd, reinterpret_cast<sockaddr*>(&ss), len) == 0) return Connected(c);
    if (errno != EINPROGRESS) return ConnectFailed(c, errno);
  }

  void ConnectFailed(Conn& c, int err) {
    if (c.fd >= 0) {
      close(c.fd);
      c.fd = -1;
    }
    if (++c.attempt < c.candidates.size()) return Connect(c);
    FailConn(c, FailureKind::kConnect,
             "Couldn't connect to server: " + c.peer + " port " + std::to_string(c.origin->target.port) + " (" +
                 std::strerror(err) + ")");
  }

  void Connected(Conn& c) {
    Transfer* t = c.transfer;
    t->response.timings.connect_ms = MsSince(t->started, SteadyClock::now());
    if (!c.origin->target.tls) return WriteRequest(c);
    c.ssl = SSL_new(tls_);
    if (c.ssl == nullptr) return FailConn(c, FailureKind::kTls, "SSL_new failed");
    SSL_set_app_data(c.ssl, &c);
    SSL_set_fd(c.ssl, c.fd);
    SSL_set_connect_state(c.ssl);
    const Target& target = c.origin->target;
    if (c.origin->verify) {
      SSL_set_verify(c.ssl, SSL_VERIFY_PEER, nullptr);
      if (target.literal) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c.ssl), target.host.c_str());
      } else {
        SSL_set1_host(c.ssl, target.host.c_str());
      }
    } else {
      SSL_set_verify(c.ssl, SSL_VERIFY_NONE, nullptr);
    }
    if (!target.literal) SSL_set_tlsext_host_name(c.ssl, target.host.c_str());
    if (c.origin->session != nullptr) SSL_set_session(c.ssl, c.origin->session);
    c.state = Conn::State::kHandshake;
    Handshake(c);
  }

  void Handshake(Conn& c) {
    ERR_clear_error();
    const int r = SSL_connect(c.ssl);
    if (r == 1) {
      c.transfer->response.timings.tls_ms = MsSince(c.transfer->started, SteadyClock::now());
      return WriteRequest(c);
    }
    const int e = SSL_get_error(c.ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return;  // the next event continues
    FailConn(c, FailureKind::kTls, TlsErrorText(c.ssl));
  }

  // --- one request ---

  void WriteRequest(Conn& c) {
    Transfer& t = *c.transfer;
    const HttpRequest& r = t.request;
    std::string& out = c.out;
    out.clear();
    out.append(r.method).append(" ").append(t.target.path_query).append(" HTTP/1.1\r\nHost: ");
    out.append(t.target.authority).append("\r\nUser-Agent: ").append(options_.user_agent).append("\r\nAccept: */*\r\n");
    for (const auto& [name, value] : r.headers) out.append(name).append(": ").append(value).append("\r\n");
    if (!r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH")
      out.append("Content-Length: ").append(std::to_string(r.body.size())).append("\r\n");
    out.append("\r\n");
    c.body_apart = c.ssl == nullptr;
    if (!c.body_apart) out.append(r.body);
    c.sent = 0;
    c.reader.Reset(r.max_response_bytes, r.method == "HEAD");
    c.state = Conn::State::kWriting;
    ContinueWrite(c);
  }

  void ContinueWrite(Conn& c) {
    const std::string& body = c.transfer->request.body;
    const size_t total = c.out.size() + (c.body_apart ? body.size() : 0);
    while (c.sent < total) {
      if (c.ssl != nullptr) {
        ERR_clear_error();
        const int n = SSL_write(c.ssl, c.out.data() + c.sent, static_cast<int>(c.out.size() - c.sent));
        if (n > 0) {
          c.sent += static_cast<size_t>(n);
          continue;
        }
        const int e = SSL_get_error(c.ssl, n);
        if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) return;
        return Lost(c, "TLS write failed");
      }
      iovec iov[2];
      int count = 0;
      if (c.sent < c.out.size()) {
        iov[count++] = {c.out.data() + c.sent, c.out.size() - c.sent};
        if (!body.empty()) iov[count++] = {const_cast<char*>(body.data()), body.size()};
      } else {
        const size_t off = c.sent - c.out.size();
        iov[count++] = {const_cast<char*>(body.data()) + off, body.size() - off};
      }
      msghdr msg{};
      msg.msg_iov = iov;
      msg.msg_iovlen = static_cast<size_t>(count);
      const ssize_t n = sendmsg(c.fd, &msg, MSG_NOSIGNAL);
      if (n > 0) {
        c.sent += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      return Lost(c, std::string("send failed: ") + std::strerror(errno));
    }
    // The answer announces itself with an event: with edge-triggered readiness each arrival of
    // data after this point is reported, so no read is tried before then (one syscall less per
    // message).
    c.state = Conn::State::kReading;
  }

  void Read(Conn& c) {
    thread_local char buf[16384];
    while (c.state == Conn::State::kReading) {
      ssize_t n;
      if (c.ssl != nullptr) {
        ERR_clear_error();
        const int r = SSL_read(c.ssl, buf, sizeof buf);
        if (r > 0) {
          n = r;
        } else {
          const int e = SSL_get_error(c.ssl, r);
          if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return;
          if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)) {
            n = 0;
          } else {
            return Lost(c, "TLS read failed");
          }
        }
      } else {
        n = recv(c.fd, buf, sizeof buf, 0);
        if (n < 0) {
          if (errno == EINTR) continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK) return;
          return Lost(c, std::string("receive failed: ") + std::strerror(errno));
        }
      }
      if (n == 0) {
        if (!c.reader.started()) return Lost(c, "connection closed without a response");
        if (c.reader.FeedEof() == ResponseReader::State::kDone) return Complete(c, false);
        return FailConn(c, FailureKind::kConnect, c.reader.error());
      }
      Transfer& t = *c.transfer;
      if (!c.reader.started()) t.response.timings.first_byte_ms = MsSince(t.started, SteadyClock::now());
      switch (c.reader.Feed(std::string_view(buf, static_cast<size_t>(n)))) {
        case ResponseReader::State::kNeedMore: break;
        case ResponseReader::State::kDone: return Complete(c, c.reader.keep_alive());
        case ResponseReader::State::kTooLarge: return FailConn(c, FailureKind::kTooLarge, c.reader.error());
        case ResponseReader::State::kInvalid: return FailConn(c, FailureKind::kOther, c.reader.error());
      }
    }
  }

  void OnEvent(Conn& c, std::uint32_t events) {
    switch (c.state) {
      case Conn::State::kConnecting: {
        if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) return;
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) return ConnectFailed(c, err);
        return Connected(c);
      }
      case Conn::State::kHandshake: return Handshake(c);
      case Conn::State::kWriting:
        ContinueWrite(c);
        // A server may answer before it has read the whole request (413, 401): that answer's
        // event came while writing.
        if (c.state == Conn::State::kReading && (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP))) Read(c);
        return;
      case Conn::State::kReading: return Read(c);
      case Conn::State::kIdle:
        // The server closed a kept-alive connection (or sent something unasked): drop it.
        if (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) Close(c);
        return;
      case Conn::State::kClosed: return;
    }
  }

  // The connection broke before a complete response. A kept-alive connection the server closed
  // meanwhile fails this way on its next request: that request is sent again, once, on a new
  // connection (curl does the same); the idempotency key makes a duplicate recognisable.
  void Lost(Conn& c, const std::string& why) {
    Transfer* t = c.transfer;
    if (t != nullptr && c.reused && !c.reader.started() && !t->retried) {
      Detach(c);
      t->retried = true;
      Origin& o = *c.origin;
      Close(c);
      o.waiting.push_front(std::unique_ptr<Transfer>(t));
      MarkRunnable(o);
      return;
    }
    FailConn(c, FailureKind::kConnect, why);
  }

  // Takes the connection's transfer off it (and off the timers and the active count).
  Transfer* Detach(Conn& c) {
    Transfer* t = c.transfer;
    if (t == nullptr) return nullptr;
    c.transfer = nullptr;
    t->conn = nullptr;
    if (t->has_timer) {
      timers_.erase(t->timer);
      t->has_timer = false;
    }
    --active_;
    return t;
  }

  void FailConn(Conn& c, FailureKind kind, const std::string& why) {
    std::unique_ptr<Transfer> t(Detach(c));
    Close(c);
    if (t) Fail(*t, kind, why);
  }

  void Complete(Conn& c, bool keep) {
    std::unique_ptr<Transfer> t(Detach(c));
    HttpResponse& r = t->response;
    c.reader.TakeInto(r);
    r.timings.total_ms = MsSince(t->started, SteadyClock::now());
    r.remote_ip = c.peer;
    r.failure = FailureKind::kNone;
    Origin& o = *c.origin;
    if (keep) {
      c.state = Conn::State::kIdle;
      c.reused = true;
      c.idle_since = SteadyClock::now();
      o.idle.push_back(&c);
      MarkRunnable(o);
    } else {
      Close(c);
    }
    in_flight_.fetch_sub(1);  // before the callback, which may look at InFlight()
    Deliver(t->done, std::move(r), "push");
  }

  void Close(Conn& c) {
    if (c.state == Conn::State::kClosed) return;
    if (c.state == Conn::State::kIdle) std::erase(c.origin->idle, &c);
    c.state = Conn::State::kClosed;
    if (c.ssl != nullptr) {
      SSL_free(c.ssl);
      c.ssl = nullptr;
    }
    if (c.fd >= 0) {
      close(c.fd);  // also leaves the epoll set
      c.fd = -1;
    }
    Origin& o = *c.origin;
    --o.conns;
    MarkRunnable(o);  // a slot is free for a waiting request
    conns_.erase(&c);
    graveyard_.emplace_back(&c);  // events of this round may still point at it
  }

  void Fail(Transfer& t, FailureKind kind, const std::string& why) {
    HttpResponse& r = t.response;
    r.status = 0;
    r.headers.clear();
    r.body.clear();
    r.failure = kind;
    r.error = why;
    if (t.started != TimePoint{}) r.timings.total_ms = MsSince(t.started, SteadyClock::now());
    in_flight_.fetch_sub(1);
    Deliver(t.done, std::move(r), "push");
  }

  // --- time ---

  void ExpireTimers(TimePoint now) {
    while (!timers_.empty() && timers_.begin()->first <= now) {
      Transfer* t = timers_.begin()->second;
      Conn& c = *t->conn;
      FailConn(c, FailureKind::kTimeout,
               "Operation timed out after " + std::to_string(t->request.timeout.count()) + " milliseconds");
    }
    for (size_t i = 0; i < resolving_.size();) {
      auto it = origins_.find(resolving_[i]);
      if (it == origins_.end()) {
        resolving_.erase(resolving_.begin() + static_cast<long>(i));
        continue;
      }
      Origin& o = *it->second;
      if (o.dns == Origin::Dns::kResolving && o.dns_deadline <= now) {
        resolving_.erase(resolving_.begin() + static_cast<long>(i));
        o.dns = Origin::Dns::kNone;
        FailWaiting(o, FailureKind::kDns, "Resolving timed out: " + o.target.host);
        continue;
      }
      ++i;
    }
  }

  // Closes connections idle too long and forgets origins nobody used for a while.
  void Sweep(TimePoint now) {
    for (auto it = origins_.begin(); it != origins_.end();) {
      Origin& o = *it->second;
      std::vector<Conn*> stale;
      for (Conn* c : o.idle)
        if (now - c->idle_since >= options_.idle_close) stale.push_back(c);
      for (Conn* c : stale) Close(*c);
      const bool unused = o.conns == 0 && o.waiting.empty() && o.dns != Origin::Dns::kResolving && !o.refreshing &&
                          !o.runnable && now - o.last_used > options_.dns_ttl;
      it = unused ? origins_.erase(it) : std::next(it);
    }
  }

  void StopAll() {
    std::vector<Conn*> all(conns_.begin(), conns_.end());
    for (Conn* c : all) {
      if (c->transfer != nullptr) {
        FailConn(*c, FailureKind::kShutdown, "outbound engine stopped before the transfer finished");
      } else {
        Close(*c);
      }
    }
    graveyard_.clear();
    for (auto& [key, o] : origins_)
      FailWaiting(*o, FailureKind::kShutdown, "outbound engine stopped before the transfer started");
    std::deque<std::unique_ptr<Transfer>> late;
    {
      std::lock_guard lock(mu_);
      late.swap(incoming_);
    }
    for (auto& t : late) Fail(*t, FailureKind::kShutdown, "outbound engine stopped");
    runnable_.clear();
    origins_.clear();
  }

  Options options_;
  const bool proxy_env_;
  int epoll_fd_ = -1, wake_fd_ = -1;
  SSL_CTX* tls_ = nullptr;
  std::shared_ptr<Resolver> resolver_;
  std::thread thread_;
  std::once_flag join_once_;
  std::atomic<size_t> in_flight_{0}, opened_{0};

  std::mutex mu_;
  std::deque<std::unique_ptr<Transfer>> incoming_;  // guarded by mu_
  bool stopping_ = false;                           // guarded by mu_

  // Engine thread only.
  std::unordered_map<std::string, std::unique_ptr<Origin>> origins_;
  std::deque<Origin*> runnable_;  // origins with waiting requests, round robin (never erased while listed)
  std::vector<std::string> resolving_;
  std::multimap<TimePoint, Transfer*> timers_;  // deadlines of requests on a connection
  std::unordered_set<Conn*> conns_;             // owned
  std::vector<std::unique_ptr<Conn>> graveyard_;
  size_t active_ = 0;
};

PushEngine::PushEngine(Options options, HttpClient& fallback)
    : impl_(std::make_unique<Impl>(std::move(options))), fallback_(fallback) {}

PushEngine::~PushEngine() = default;

void PushEngine::Send(HttpRequest request, std::function<void(HttpResponse)> done) {
  bool fallback =
      request.follow_redirects || request.fresh_connection || (!request.guard_address && impl_->proxy_env());
  auto t = std::make_unique<Transfer>();
  if (!fallback) {
    switch (ParseTarget(request, t->target, t->invalid)) {
      case Route::kFallback: fallback = true; break;
      case Route::kInvalid: break;
      case Route::kHere: break;
    }
  }
  if (t->invalid.empty() && !fallback) {
    if (request.method.empty() || !IsToken(request.method)) t->invalid = "invalid HTTP method";
    for (const auto& [name, value] : request.headers) {
      // Line breaks in a header would let a value inject headers or a second request.
      if (!IsToken(name) || HasControl(value)) {
        t->invalid = "invalid header " + name;
        break;
      }
      // Framing headers are this engine's to write.
      if (EqualsNoCase(name, "host") || EqualsNoCase(name, "content-length") ||
          EqualsNoCase(name, "transfer-encoding") || EqualsNoCase(name, "connection") || EqualsNoCase(name, "expect"))
        fallback = true;
    }
  }
  if (fallback) return fallback_.Send(std::move(request), std::move(done));
  t->request = std::move(request);
  t->done = std::move(done);
  impl_->Enqueue(std::move(t));
}

void PushEngine::Shutdown() { impl_->Shutdown(); }

size_t PushEngine::InFlight() const { return impl_->InFlight(); }

size_t PushEngine::ConnectionsOpened() const { return impl_->ConnectionsOpened(); }

}  // namespace herald::net
