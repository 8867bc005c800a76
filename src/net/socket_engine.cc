#include "net/socket_engine.h"

#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "core/log.h"
#include "core/thread_name.h"

namespace herald::net {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

void AresGlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
}

// "2 s", "1.5 s", "500 ms": how a timeout reads in an error message.
std::string DurationText(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms < 1000) return std::to_string(ms) + " ms";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  return buf;
}

double MsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
}

std::string ConnectErrorText(const boost::system::error_code& ec) {
  if (ec == asio::error::connection_refused) return "connection refused";
  if (ec == asio::error::host_unreachable) return "host unreachable";
  if (ec == asio::error::network_unreachable) return "network unreachable";
  if (ec == asio::error::connection_reset) return "connection reset";
  if (ec == asio::error::timed_out) return "connection timed out";
  return ec.message();
}

std::string X509NameText(X509_NAME* name) {
  if (name == nullptr) return {};
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return {};
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string out(data != nullptr && len > 0 ? std::string(data, static_cast<size_t>(len)) : std::string());
  BIO_free(bio);
  return out;
}

TimeMs Asn1TimeMs(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<TimeMs>(timegm(&tm)) * 1000;
}

template <typename T>
void Deliver(std::function<void(T)>& done, T value, const char* what) noexcept {
  try {
    auto fn = std::move(done);
    done = nullptr;
    if (fn) fn(std::move(value));
  } catch (const std::exception& e) {
    log::Error("socket engine callback threw", {{"what", what}, {"error", e.what()}});
  } catch (...) {
    log::Error("socket engine callback threw", {{"what", what}});
  }
}

// The DNS record types a query may ask for.
std::optional<int> RecordType(const std::string& type) {
  if (type == "A") return ns_t_a;
  if (type == "AAAA") return ns_t_aaaa;
  if (type == "CNAME") return ns_t_cname;
  if (type == "MX") return ns_t_mx;
  if (type == "TXT") return ns_t_txt;
  if (type == "NS") return ns_t_ns;
  return std::nullopt;
}

std::string AddressText(int family, const void* addr) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(family, addr, buf, sizeof buf) == nullptr) return {};
  return buf;
}

// Turns a c-ares reply into text answers (see DnsResult::answers). c-ares parses the reply.
std::vector<std::string> ParseAnswers(int type, const unsigned char* abuf, int alen, int* status) {
  std::vector<std::string> out;
  if (type == ns_t_a) {
    ares_addrttl ttls[64];
    int n = 64;
    *status = ares_parse_a_reply(abuf, alen, nullptr, ttls, &n);
    if (*status == ARES_SUCCESS)
      for (int i = 0; i < n; ++i) out.push_back(AddressText(AF_INET, &ttls[i].ipaddr));
  } else if (type == ns_t_aaaa) {
    ares_addr6ttl ttls[64];
    int n = 64;
    *status = ares_parse_aaaa_reply(abuf, alen, nullptr, ttls, &n);
    if (*status == ARES_SUCCESS)
      for (int i = 0; i < n; ++i) out.push_back(AddressText(AF_INET6, &ttls[i].ip6addr));
  } else if (type == ns_t_cname) {
    // c-ares has no CNAME parser of its own; its A parser follows the CNAME records of the
    // answer and reports where the chain ends as the canonical name (with no A records, fine).
    hostent* host = nullptr;
    *status = ares_parse_a_reply(abuf, alen, &host, nullptr, nullptr);
    if (*status == ARES_SUCCESS && host != nullptr) {
      if (host->h_aliases != nullptr && host->h_aliases[0] != nullptr && host->h_name != nullptr)
        out.push_back(host->h_name);
    }
    if (host != nullptr) ares_free_hostent(host);
  } else if (type == ns_t_ns) {
    hostent* host = nullptr;
    *status = ares_parse_ns_reply(abuf, alen, &host);
    if (*status == ARES_SUCCESS && host != nullptr && host->h_aliases != nullptr)
      for (char** a = host->h_aliases; *a != nullptr; ++a) out.push_back(*a);
    if (host != nullptr) ares_free_hostent(host);
  } else if (type == ns_t_mx) {
    ares_mx_reply* mx = nullptr;
    *status = ares_parse_mx_reply(abuf, alen, &mx);
    if (*status == ARES_SUCCESS)
      for (ares_mx_reply* m = mx; m != nullptr; m = m->next)
        out.push_back(std::to_string(m->priority) + " " + (m->host != nullptr ? m->host : ""));
    if (mx != nullptr) ares_free_data(mx);
  } else if (type == ns_t_txt) {
    ares_txt_ext* txt = nullptr;
    *status = ares_parse_txt_reply_ext(abuf, alen, &txt);
    if (*status == ARES_SUCCESS) {
      for (ares_txt_ext* t = txt; t != nullptr; t = t->next) {
        std::string s(reinterpret_cast<const char*>(t->txt), t->length);
        if (t->record_start || out.empty())
          out.push_back(std::move(s));
        else
          out.back() += s;
      }
    }
    if (txt != nullptr) ares_free_data(txt);
  }
  return out;
}

}  // namespace

class SocketEngine::Impl {
 public:
  explicit Impl(Options options) : options_(std::move(options)), tls_(ssl::context::tls_client) {
    AresGlobalInit();
    boost::system::error_code ec;
    tls_.set_default_verify_paths(ec);
    if (!options_.ca_file.empty()) {
      tls_.load_verify_file(options_.ca_file, ec);
      if (ec) log::Warn("cannot load CA file", {{"file", options_.ca_file}, {"error", ec.message()}});
    }
    thread_ = std::thread([this] {
      SetThreadName("herald-sockets");
      Run();
    });
  }

  ~Impl() { Shutdown(); }

  void Connect(std::string host, int port, std::chrono::milliseconds timeout, TlsOptions tls,
               std::function<void(ConnectResult)> done);
  void Query(DnsQuery query, std::function<void(DnsResult)> done);

  void Shutdown() {
    {
      std::lock_guard lock(mu_);
      if (stopped_) {
        std::lock_guard join_lock(join_mu_);
        if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
        return;
      }
      stopped_ = true;
    }
    // Runs after every check posted before `stopped_` was set, so none is left behind.
    asio::post(ioc_, [this] {
      draining_ = true;
      while (!queue_.empty()) {
        auto op = std::move(queue_.front());
        queue_.pop_front();
        op->Abort(FailureKind::kShutdown, "socket engine stopped before the check started");
      }
      auto active = active_;
      for (auto& [id, op] : active)
        op->Abort(FailureKind::kShutdown, "socket engine stopped before the check finished");
      for (auto& [server, channel] : channels_) DestroyChannel(*channel);
      channels_.clear();
      work_.reset();
    });
    std::lock_guard join_lock(join_mu_);
    if (thread_.joinable()) thread_.join();
  }

  size_t InFlight() const { return in_flight_.load(); }

 private:
  // One check, queued until a slot is free, then running on the engine thread.
  struct Op : std::enable_shared_from_this<Op> {
    virtual ~Op() = default;
    virtual void Begin() = 0;
    virtual void Abort(FailureKind kind, std::string error) = 0;
    uint64_t id = 0;
  };

  // A watched c-ares socket. c-ares owns the descriptor: we only wait on it and release it
  // (without closing) when c-ares says it is done with it.
  struct Watch {
    Watch(asio::io_context& ioc, int fd) : desc(ioc, fd), fd(fd) {}
    asio::posix::stream_descriptor desc;
    int fd;
    bool want_read = false, want_write = false, read_pending = false, write_pending = false, closed = false;
  };

  // One c-ares channel per DNS server (empty: the system's resolv.conf).
  struct Channel {
    explicit Channel(asio::io_context& ioc) : timer(ioc) {}
    Impl* engine = nullptr;
    ares_channel ch = nullptr;
    asio::steady_timer timer;
    std::unordered_map<int, std::shared_ptr<Watch>> watches;
  };

  class ConnectOp;
  class DnsOp;

  void Run() {
    try {
      ioc_.run();
    } catch (const std::exception& e) {
      log::Error("socket engine stopped by an exception", {{"error", e.what()}});
    }
  }

  void Admit(std::shared_ptr<Op> op) {
    if (running_ >= options_.max_concurrent) {
      queue_.push_back(std::move(op));
      return;
    }
    Start(std::move(op));
  }

  void Start(const std::shared_ptr<Op>& op) {
    ++running_;
    op->id = ++next_id_;
    active_[op->id] = op;
    op->Begin();
  }

  // A check finished (its callback already ran): free its slot for the next in the queue.
  void Finished(uint64_t id) {
    if (id == 0) return;  // never started: aborted while queued
    active_.erase(id);
    --running_;
    if (!queue_.empty() && !draining_) {
      auto next = std::move(queue_.front());
      queue_.pop_front();
      Start(std::move(next));
    }
  }

  // ---- c-ares on the io_context ----

  Channel* GetChannel(const std::string& server, std::string* error) {
    auto it = channels_.find(server);
    if (it != channels_.end()) return it->second.get();
    auto c = std::make_unique<Channel>(ioc_);
    c->engine = this;
    ares_options opts{};
    opts.sock_state_cb = &SockState;
    opts.sock_state_cb_data = c.get();
    // Our own timer bounds each check; c-ares retries within it (a lost UDP packet is retried
    // after 2 s rather than failing the check).
    opts.timeout = 2000;
    opts.tries = 3;
    int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
    if (!server.empty()) {
      // A DNS check watches this one server: its SERVFAIL or REFUSED is the answer to report,
      // not a reason to retry (c-ares would retry and then say only "connection refused").
      opts.flags = ARES_FLAG_NOCHECKRESP;
      mask |= ARES_OPT_FLAGS;
    }
    int rc = ares_init_options(&c->ch, &opts, mask);
    if (rc != ARES_SUCCESS) {
      *error = std::string("DNS resolver setup failed: ") + ares_strerror(rc);
      return nullptr;
    }
    if (!server.empty()) {
      rc = ares_set_servers_ports_csv(c->ch, server.c_str());
      if (rc != ARES_SUCCESS) {
        *error = "bad DNS server \"" + server + "\": " + ares_strerror(rc);
        ares_destroy(c->ch);
        return nullptr;
      }
    }
    Channel* raw = c.get();
    channels_.emplace(server, std::move(c));
    return raw;
  }

  void DestroyChannel(Channel& c) {
    ares_destroy(c.ch);  // completes its queries with ARES_EDESTRUCTION and closes its sockets
    c.ch = nullptr;
    for (auto& [fd, w] : c.watches) {
      w->closed = true;
      w->desc.release();
    }
    c.watches.clear();
    c.timer.cancel();
  }

  // Called by c-ares (C code): nothing may throw through it.
  static void SockState(void* data, ares_socket_t fd, int readable, int writable) noexcept {
    try {
      WatchSocket(static_cast<Channel*>(data), fd, readable, writable);
    } catch (const std::exception& e) {
      log::Error("socket engine cannot watch a DNS socket", {{"error", e.what()}});
    }
  }

  static void WatchSocket(Channel* c, ares_socket_t fd, int readable, int writable) {
    auto it = c->watches.find(fd);
    if (!readable && !writable) {
      if (it != c->watches.end()) {
        it->second->closed = true;
        it->second->desc.release();  // cancels our waits; c-ares closes the descriptor itself
        c->watches.erase(it);
      }
      return;
    }
    std::shared_ptr<Watch> w;
    if (it == c->watches.end()) {
      w = std::make_shared<Watch>(c->engine->ioc_, fd);
      c->watches.emplace(fd, w);
    } else {
      w = it->second;
    }
    w->want_read = readable != 0;
    w->want_write = writable != 0;
    Arm(c, w);
  }

  static void Arm(Channel* c, const std::shared_ptr<Watch>& w) {
    if (w->closed) return;
    if (w->want_read && !w->read_pending) {
      w->read_pending = true;
      w->desc.async_wait(asio::posix::descriptor_base::wait_read, [c, w](boost::system::error_code ec) {
        w->read_pending = false;
        if (ec || w->closed || c->ch == nullptr) return;
        ares_process_fd(c->ch, w->fd, ARES_SOCKET_BAD);
        if (!w->closed) Arm(c, w);
        Reschedule(c);
      });
    }
    if (w->want_write && !w->write_pending) {
      w->write_pending = true;
      w->desc.async_wait(asio::posix::descriptor_base::wait_write, [c, w](boost::system::error_code ec) {
        w->write_pending = false;
        if (ec || w->closed || c->ch == nullptr) return;
        ares_process_fd(c->ch, ARES_SOCKET_BAD, w->fd);
        if (!w->closed) Arm(c, w);
        Reschedule(c);
      });
    }
  }

  // Wakes c-ares when its next retry or timeout is due.
  static void Reschedule(Channel* c) {
    if (c->ch == nullptr) return;
    timeval tv{};
    timeval* next = ares_timeout(c->ch, nullptr, &tv);
    if (next == nullptr) {
      c->timer.cancel();
      return;
    }
    c->timer.expires_after(std::chrono::seconds(next->tv_sec) + std::chrono::microseconds(next->tv_usec));
    c->timer.async_wait([c](boost::system::error_code ec) {
      if (ec || c->ch == nullptr) return;
      ares_process_fd(c->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
      Reschedule(c);
    });
  }

  Options options_;
  asio::io_context ioc_{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{ioc_.get_executor()};
  ssl::context tls_;
  std::thread thread_;

  std::mutex mu_;
  bool stopped_ = false;  // guarded by mu_
  std::mutex join_mu_;    // one thread joins; another Shutdown() waits for it
  std::atomic<size_t> in_flight_{0};

  // Engine thread only.
  size_t running_ = 0;
  bool draining_ = false;  // shutting down: start nothing more from the queue
  uint64_t next_id_ = 0;
  std::deque<std::shared_ptr<Op>> queue_;
  std::unordered_map<uint64_t, std::shared_ptr<Op>> active_;
  std::unordered_map<std::string, std::unique_ptr<Channel>> channels_;
};

// ---- TCP connect and TLS handshake ----

class SocketEngine::Impl::ConnectOp final : public Op {
 public:
  ConnectOp(Impl* engine, std::string host, int port, std::chrono::milliseconds timeout, TlsOptions tls,
            std::function<void(ConnectResult)> done)
      : engine_(engine),
        host_(std::move(host)),
        port_(port),
        timeout_(timeout),
        tls_(std::move(tls)),
        done_(std::move(done)),
        timer_(engine->ioc_),
        socket_(engine->ioc_) {}

  void Begin() override {
    start_ = SteadyClock::now();
    if (host_.size() > 2 && host_.front() == '[' && host_.back() == ']') host_ = host_.substr(1, host_.size() - 2);
    if (host_.empty() || port_ <= 0 || port_ > 65535)
      return Finish(FailureKind::kInvalidRequest, "invalid host or port");
    auto self = std::static_pointer_cast<ConnectOp>(shared_from_this());
    timer_.expires_after(timeout_);
    timer_.async_wait([self](boost::system::error_code ec) {
      if (!ec)
        self->Finish(FailureKind::kTimeout, "timed out after " + DurationText(self->timeout_) + self->PhaseText());
    });
    boost::system::error_code ec;
    const auto ip = asio::ip::make_address(host_, ec);
    if (!ec) {
      endpoints_.emplace_back(ip, static_cast<unsigned short>(port_));
      return TryNext();
    }
    std::string error;
    Channel* c = engine_->GetChannel("", &error);
    if (c == nullptr) return Finish(FailureKind::kDns, error);
    phase_ = Phase::kDns;
    ares_addrinfo_hints hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    ares_getaddrinfo(c->ch, host_.c_str(), nullptr, &hints, &ConnectOp::Resolved, new std::shared_ptr<ConnectOp>(self));
    Reschedule(c);
  }

  void Abort(FailureKind kind, std::string error) override { Finish(kind, std::move(error)); }

 private:
  enum class Phase { kStart, kDns, kConnect, kTls };

  std::string PhaseText() const {
    switch (phase_) {
      case Phase::kDns: return " (resolving " + host_ + ")";
      case Phase::kConnect: return " (connecting)";
      case Phase::kTls: return " (TLS handshake)";
      default: return {};
    }
  }

  static void Resolved(void* arg, int status, int /*timeouts*/, ares_addrinfo* res) {
    auto holder = std::unique_ptr<std::shared_ptr<ConnectOp>>(static_cast<std::shared_ptr<ConnectOp>*>(arg));
    ConnectOp& op = **holder;
    if (!op.finished_) {
      if (status == ARES_SUCCESS && res != nullptr) {
        for (ares_addrinfo_node* n = res->nodes; n != nullptr; n = n->ai_next) {
          if (n->ai_family == AF_INET) {
            const auto* sa = reinterpret_cast<const sockaddr_in*>(n->ai_addr);
            asio::ip::address_v4::bytes_type b;
            std::memcpy(b.data(), &sa->sin_addr, 4);
            op.endpoints_.emplace_back(asio::ip::address_v4(b), static_cast<unsigned short>(op.port_));
          } else if (n->ai_family == AF_INET6) {
            const auto* sa = reinterpret_cast<const sockaddr_in6*>(n->ai_addr);
            asio::ip::address_v6::bytes_type b;
            std::memcpy(b.data(), &sa->sin6_addr, 16);
            op.endpoints_.emplace_back(asio::ip::address_v6(b, sa->sin6_scope_id),
                                       static_cast<unsigned short>(op.port_));
          }
        }
      }
      op.result_.dns_ms = MsSince(op.start_);
      if (op.endpoints_.empty()) {
        std::string why = status == ARES_SUCCESS ? "no addresses" : ares_strerror(status);
        op.Finish(status == ARES_ETIMEOUT ? FailureKind::kTimeout : FailureKind::kDns,
                  "host not found: " + op.host_ + " (" + why + ")");
      } else {
        op.TryNext();
      }
    }
    if (res != nullptr) ares_freeaddrinfo(res);
  }

  void TryNext() {
    if (finished_) return;
    if (next_ >= endpoints_.size())
      return Finish(FailureKind::kConnect, last_error_.empty() ? "no address to connect to" : last_error_);
    phase_ = Phase::kConnect;
    const tcp::endpoint ep = endpoints_[next_++];
    result_.remote_ip = ep.address().to_string();
    boost::system::error_code ec;
    socket_.close(ec);
    auto self = std::static_pointer_cast<ConnectOp>(shared_from_this());
    socket_.async_connect(ep, [self](boost::system::error_code ec) {
      if (self->finished_) return;
      if (ec) {
        self->last_error_ = ConnectErrorText(ec);
        return self->TryNext();
      }
      self->result_.connect_ms = MsSince(self->start_);
      if (self->tls_.enabled) return self->Handshake();
      self->result_.ok = true;
      self->Finish(FailureKind::kNone, {});
    });
  }

  void Handshake() {
    phase_ = Phase::kTls;
    stream_ = std::make_unique<ssl::stream<tcp::socket>>(std::move(socket_), engine_->tls_);
    SSL* s = stream_->native_handle();
    const std::string name = tls_.server_name.empty() ? host_ : tls_.server_name;
    boost::system::error_code ec;
    asio::ip::make_address(name, ec);
    const bool name_is_ip = !ec;
    X509_VERIFY_PARAM* param = SSL_get0_param(s);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (name_is_ip) {
      X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
    } else {
      SSL_set_tlsext_host_name(s, name.c_str());
      X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
    }
    // Verify, but never fail the handshake over the certificate: record every problem and let
    // the probe judge (an expired certificate is "down" even when verification is off).
    stream_->set_verify_mode(ssl::verify_peer);
    stream_->set_verify_callback([this](bool preverified, ssl::verify_context& ctx) {
      if (!preverified) {
        const int err = X509_STORE_CTX_get_error(ctx.native_handle());
        if (err == X509_V_ERR_HOSTNAME_MISMATCH || err == X509_V_ERR_IP_ADDRESS_MISMATCH) hostname_mismatch_ = true;
        if (verify_error_.empty()) verify_error_ = X509_verify_cert_error_string(err);
      }
      return true;
    });
    auto self = std::static_pointer_cast<ConnectOp>(shared_from_this());
    stream_->async_handshake(ssl::stream_base::client, [self](boost::system::error_code ec) {
      if (self->finished_) return;
      if (ec) {
        std::string why = ec.message();
        return self->Finish(FailureKind::kTls, "TLS handshake failed: " + why);
      }
      self->result_.tls_ms = MsSince(self->start_);
      self->Inspect();
      self->result_.ok = true;
      self->Finish(FailureKind::kNone, {});
    });
  }

  void Inspect() {
    SSL* s = stream_->native_handle();
    X509* cert = SSL_get1_peer_certificate(s);
    if (cert != nullptr) {
      result_.cert_not_before = Asn1TimeMs(X509_get0_notBefore(cert));
      result_.cert_not_after = Asn1TimeMs(X509_get0_notAfter(cert));
      result_.cert_subject = X509NameText(X509_get_subject_name(cert));
      result_.cert_issuer = X509NameText(X509_get_issuer_name(cert));
      X509_free(cert);
    } else if (verify_error_.empty()) {
      verify_error_ = "no certificate presented";
    }
    const long rc = SSL_get_verify_result(s);
    if (verify_error_.empty() && rc != X509_V_OK) verify_error_ = X509_verify_cert_error_string(rc);
    result_.verify_ok = verify_error_.empty();
    result_.verify_error = verify_error_;
    result_.hostname_ok = cert != nullptr && !hostname_mismatch_;
  }

  void Finish(FailureKind kind, std::string error) {
    if (finished_) return;
    finished_ = true;
    boost::system::error_code ec;
    timer_.cancel();
    socket_.close(ec);
    if (stream_) stream_->lowest_layer().close(ec);
    result_.failure = kind;
    result_.error = std::move(error);
    if (kind != FailureKind::kNone) result_.ok = false;
    result_.total_ms = MsSince(start_);
    --engine_->in_flight_;  // before the callback, so a caller woken by it sees the count drop
    Deliver(done_, std::move(result_), "connect");
    engine_->Finished(id);
  }

  Impl* engine_;
  std::string host_;
  int port_;
  std::chrono::milliseconds timeout_;
  TlsOptions tls_;
  std::function<void(ConnectResult)> done_;
  asio::steady_timer timer_;
  tcp::socket socket_;
  std::unique_ptr<ssl::stream<tcp::socket>> stream_;
  std::vector<tcp::endpoint> endpoints_;
  size_t next_ = 0;
  bool finished_ = false;
  bool hostname_mismatch_ = false;
  Phase phase_ = Phase::kStart;
  std::string last_error_, verify_error_;
  SteadyClock::time_point start_;
  ConnectResult result_;
};

// ---- DNS queries ----

class SocketEngine::Impl::DnsOp final : public Op {
 public:
  DnsOp(Impl* engine, DnsQuery query, std::function<void(DnsResult)> done)
      : engine_(engine), query_(std::move(query)), done_(std::move(done)), timer_(engine->ioc_) {}

  void Begin() override {
    start_ = SteadyClock::now();
    const auto type = RecordType(query_.record_type);
    if (!type) return Finish(FailureKind::kInvalidRequest, "unsupported record type " + query_.record_type);
    if (query_.name.empty()) return Finish(FailureKind::kInvalidRequest, "no name to look up");
    type_ = *type;
    std::string error;
    Channel* c = engine_->GetChannel(query_.server, &error);
    if (c == nullptr) return Finish(FailureKind::kInvalidRequest, error);
    auto self = std::static_pointer_cast<DnsOp>(shared_from_this());
    timer_.expires_after(query_.timeout);
    timer_.async_wait([self](boost::system::error_code ec) {
      if (!ec) self->Finish(FailureKind::kTimeout, "timed out after " + DurationText(self->query_.timeout));
    });
    ares_query(c->ch, query_.name.c_str(), ns_c_in, type_, &DnsOp::Answered, new std::shared_ptr<DnsOp>(self));
    Reschedule(c);
  }

  void Abort(FailureKind kind, std::string error) override { Finish(kind, std::move(error)); }

 private:
  static void Answered(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
    auto holder = std::unique_ptr<std::shared_ptr<DnsOp>>(static_cast<std::shared_ptr<DnsOp>*>(arg));
    DnsOp& op = **holder;
    if (op.finished_) return;
    const std::string& t = op.query_.record_type;
    const std::string& name = op.query_.name;
    switch (status) {
      case ARES_SUCCESS: break;
      case ARES_ENOTFOUND: return op.Finish(FailureKind::kDns, "no such name: " + name);
      case ARES_ENODATA: return op.Finish(FailureKind::kDns, "no " + t + " records for " + name);
      case ARES_ETIMEOUT: return op.Finish(FailureKind::kTimeout, "DNS server did not answer");
      case ARES_ECONNREFUSED: return op.Finish(FailureKind::kConnect, "DNS server unreachable (connection refused)");
      case ARES_ESERVFAIL: return op.Finish(FailureKind::kDns, "DNS server failure (SERVFAIL) for " + name);
      case ARES_EREFUSED: return op.Finish(FailureKind::kDns, "DNS server refused the query (REFUSED)");
      case ARES_EDESTRUCTION: return op.Finish(FailureKind::kShutdown, "socket engine stopped");
      default: return op.Finish(FailureKind::kDns, std::string("DNS query failed: ") + ares_strerror(status));
    }
    int parse = ARES_SUCCESS;
    op.result_.answers = ParseAnswers(op.type_, abuf, alen, &parse);
    if (parse != ARES_SUCCESS && parse != ARES_ENODATA)
      return op.Finish(FailureKind::kDns, std::string("unreadable DNS reply: ") + ares_strerror(parse));
    if (op.result_.answers.empty()) return op.Finish(FailureKind::kDns, "no " + t + " records for " + name);
    op.result_.ok = true;
    op.Finish(FailureKind::kNone, {});
  }

  void Finish(FailureKind kind, std::string error) {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    result_.failure = kind;
    result_.error = std::move(error);
    if (kind != FailureKind::kNone) {
      result_.ok = false;
      result_.answers.clear();
    }
    result_.total_ms = MsSince(start_);
    --engine_->in_flight_;  // before the callback, so a caller woken by it sees the count drop
    Deliver(done_, std::move(result_), "dns");
    engine_->Finished(id);
  }

  Impl* engine_;
  DnsQuery query_;
  std::function<void(DnsResult)> done_;
  asio::steady_timer timer_;
  int type_ = 0;
  bool finished_ = false;
  SteadyClock::time_point start_;
  DnsResult result_;
};

void SocketEngine::Impl::Connect(std::string host, int port, std::chrono::milliseconds timeout, TlsOptions tls,
                                 std::function<void(ConnectResult)> done) {
  {
    std::lock_guard lock(mu_);
    if (!stopped_) {
      ++in_flight_;
      auto op = std::make_shared<ConnectOp>(this, std::move(host), port, timeout, std::move(tls), std::move(done));
      asio::post(ioc_, [this, op] { Admit(op); });
      return;
    }
  }
  ConnectResult r;
  r.failure = FailureKind::kShutdown;
  r.error = "socket engine stopped";
  Deliver(done, std::move(r), "connect");
}

void SocketEngine::Impl::Query(DnsQuery query, std::function<void(DnsResult)> done) {
  {
    std::lock_guard lock(mu_);
    if (!stopped_) {
      ++in_flight_;
      auto op = std::make_shared<DnsOp>(this, std::move(query), std::move(done));
      asio::post(ioc_, [this, op] { Admit(op); });
      return;
    }
  }
  DnsResult r;
  r.failure = FailureKind::kShutdown;
  r.error = "socket engine stopped";
  Deliver(done, std::move(r), "dns");
}

SocketEngine::SocketEngine(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}
SocketEngine::~SocketEngine() = default;

void SocketEngine::Connect(std::string host, int port, std::chrono::milliseconds timeout, TlsOptions tls,
                           std::function<void(ConnectResult)> done) {
  impl_->Connect(std::move(host), port, timeout, std::move(tls), std::move(done));
}

void SocketEngine::Query(DnsQuery query, std::function<void(DnsResult)> done) {
  impl_->Query(std::move(query), std::move(done));
}

void SocketEngine::Shutdown() { impl_->Shutdown(); }

size_t SocketEngine::InFlight() const { return impl_->InFlight(); }

}  // namespace herald::net
