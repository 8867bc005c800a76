#include "net/curl_engine.h"

#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/log.h"
#include "core/text.h"
#include "core/thread_name.h"
#include "net/deliver.h"
#include "net/http_syntax.h"

namespace herald::net {
namespace {

// Easy handles kept for reuse after a transfer; more are cleaned up.
constexpr size_t kMaxPooledHandles = 256;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string_view TrimWs(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

FailureKind MapCode(CURLcode code) {
  switch (code) {
    case CURLE_OK: return FailureKind::kNone;
    case CURLE_OPERATION_TIMEDOUT: return FailureKind::kTimeout;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return FailureKind::kDns;
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE: return FailureKind::kConnect;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED: return FailureKind::kTls;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_BAD_FUNCTION_ARGUMENT: return FailureKind::kInvalidRequest;
    case CURLE_FILESIZE_EXCEEDED: return FailureKind::kTooLarge;
    default: return FailureKind::kOther;
  }
}

// One queued or running transfer: the request, its callback and what curl reports back.
struct Transfer {
  bool is_mail = false;
  std::string host_key;  // scheme://authority, or "smtp": transfers are queued per destination
  HttpRequest http;
  std::function<void(HttpResponse)> http_done;
  MailRequest mail;
  std::function<void(MailResult)> mail_done;

  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  curl_slist* rcpt_list = nullptr;
  std::string mail_from;
  size_t upload_offset = 0;
  HttpResponse response;
  const AddressPolicy* policy = nullptr;  // set for guarded requests
  std::string refused;                    // why the policy refused an address, when it did
  bool too_large = false;
  char errbuf[CURL_ERROR_SIZE] = {};

  ~Transfer() {
    curl_slist_free_all(header_list);
    curl_slist_free_all(rcpt_list);
  }
};

size_t WriteBody(char* data, size_t size, size_t n, void* user) noexcept {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  if (t->response.body.size() + len > t->http.max_response_bytes) {
    t->too_large = true;
    return 0;  // anything but `len` aborts the transfer
  }
  try {
    t->response.body.append(data, len);
  } catch (...) {
    return 0;
  }
  return len;
}

size_t WriteHeader(char* data, size_t size, size_t n, void* user) noexcept {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  try {
    std::string_view line(data, len);
    auto& headers = t->response.headers;
    if (line.starts_with("HTTP/")) {
      headers.clear();  // a new response (after 1xx or a followed redirect): keep only the last
      return len;
    }
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {  // obsolete line folding
      if (!headers.empty()) {
        auto more = TrimWs(line);
        if (!more.empty()) headers.back().second.append(" ").append(more);
      }
      return len;
    }
    line = TrimWs(line);
    if (line.empty()) return len;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return len;
    headers.emplace_back(Lower(TrimWs(line.substr(0, colon))), std::string(TrimWs(line.substr(colon + 1))));
  } catch (...) {
    return 0;
  }
  return len;
}

size_t ReadMail(char* buffer, size_t size, size_t n, void* user) noexcept {
  auto* t = static_cast<Transfer*>(user);
  size_t room = size * n;
  size_t left = t->mail.message.size() - t->upload_offset;
  size_t k = std::min(room, left);
  std::memcpy(buffer, t->mail.message.data() + t->upload_offset, k);
  t->upload_offset += k;
  return k;
}

// Connect-time SSRF guard, part 1: runs before curl opens a socket for an address (every address
// of every hop: redirects, happy eyeballs), so no packet reaches a forbidden address.
curl_socket_t OpenSocket(void* user, curlsocktype purpose, curl_sockaddr* address) noexcept {
  auto* t = static_cast<Transfer*>(user);
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  auto ip = IpAddress::FromSockaddr(&address->addr);
  if (!ip) {
    t->refused = "not an IPv4 or IPv6 address";
    return CURL_SOCKET_BAD;
  }
  if (auto why = t->policy->RefusalReason(*ip)) {
    try {
      t->refused = ip->ToString() + " is a " + *why;
    } catch (...) {
    }
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

// Part 2: runs once a connection is ready for the request, fresh or taken from the cache. A cached
// connection was opened by some earlier transfer (possibly an unguarded one to the same host name),
// so it is checked again here against the address it is actually connected to.
int PreRequest(void* user, char* primary_ip, char* /*local_ip*/, int /*primary_port*/, int /*local_port*/) noexcept {
  auto* t = static_cast<Transfer*>(user);
  auto ip = IpAddress::Parse(primary_ip != nullptr ? primary_ip : "");
  std::optional<std::string> why;
  if (!ip) {
    why = "unknown address";
  } else {
    why = t->policy->RefusalReason(*ip);
  }
  if (!why) return CURL_PREREQFUNC_OK;
  try {
    t->refused = std::string(primary_ip != nullptr ? primary_ip : "?") + " is a " + *why;
  } catch (...) {
  }
  return CURL_PREREQFUNC_ABORT;
}

double Ms(CURL* easy, CURLINFO info) {
  curl_off_t us = 0;
  if (curl_easy_getinfo(easy, info, &us) != CURLE_OK) return 0;
  return static_cast<double>(us) / 1000.0;
}

}  // namespace

class CurlEngine::Impl {
 public:
  explicit Impl(Options options) : options_(std::move(options)) {
    GlobalInit();
    multi_ = curl_multi_init();
    if (multi_ != nullptr) {
      curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, options_.max_host_connections);
      thread_ = std::thread([this] {
        SetThreadName(options_.thread_name.c_str());
        Run();
      });
    } else {
      log::Error("curl_multi_init failed: outbound requests will fail");
      stopping_ = true;
    }
  }

  ~Impl() {
    Shutdown();
    if (multi_ != nullptr) curl_multi_cleanup(multi_);  // closes cached connections (SMTP QUIT)
    for (CURL* e : pool_) curl_easy_cleanup(e);
  }

  void Enqueue(std::unique_ptr<Transfer> t) {
    {
      std::lock_guard lock(mu_);
      if (!stopping_) {
        const bool was_empty = incoming_.empty();
        incoming_.push_back(std::move(t));
        in_flight_.fetch_add(1);
        // Under the lock: Shutdown() cannot set stopping_ (and the multi handle cannot be cleaned
        // up) between our check and this call. A non-empty queue has a wakeup pending already
        // (the engine thread empties it under this lock), so a fan-out wakes it once per burst.
        if (was_empty) curl_multi_wakeup(multi_);
        return;
      }
    }
    in_flight_.fetch_add(1);
    Fail(*t, FailureKind::kShutdown, "outbound engine stopped");
  }

  void Shutdown() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      if (multi_ != nullptr) curl_multi_wakeup(multi_);
    }
    std::call_once(join_once_, [this] {
      if (thread_.joinable()) thread_.join();
    });
  }

  size_t InFlight() const { return in_flight_.load(); }

 private:
  void Run() {
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
      StartWaiting();
      int running = 0;
      curl_multi_perform(multi_, &running);
      Reap();
      StartWaiting();
      // Returns early on socket activity, curl's own timers, or curl_multi_wakeup from Send().
      curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
    }
    for (auto it = active_.begin(); it != active_.end();) {
      Transfer* t = *it;
      it = active_.erase(it);
      curl_multi_remove_handle(multi_, t->easy);
      Release(t->easy);
      t->easy = nullptr;
      std::unique_ptr<Transfer> owned(t);
      Fail(*owned, FailureKind::kShutdown, "outbound engine stopped before the transfer finished");
    }
    for (auto& [key, host] : hosts_) {
      while (!host.waiting.empty()) {
        auto t = std::move(host.waiting.front());
        host.waiting.pop_front();
        Fail(*t, FailureKind::kShutdown, "outbound engine stopped before the transfer started");
      }
    }
    hosts_.clear();
  }

  // Transfers wait here, per destination, until the destination has a free connection: inside
  // libcurl a transfer waiting for a connection would already be spending its timeout, so a
  // burst to one slow receiver would time out messages that never got to start.
  struct HostQueue {
    std::deque<std::unique_ptr<Transfer>> waiting;
    long active = 0;
    bool runnable = false;  // listed in runnable_
  };

  static std::string HostKey(const Transfer& t) {
    if (t.is_mail) return "smtp";
    const std::string& url = t.http.url;
    const size_t scheme = url.find("://");
    if (scheme == std::string::npos) return url;
    const size_t end = url.find_first_of("/?#", scheme + 3);
    return url.substr(0, end);
  }

  long HostLimit() const { return std::max(1L, options_.max_host_connections); }

  void MarkRunnable(const std::string& key, HostQueue& host) {
    if (!host.runnable && !host.waiting.empty() && host.active < HostLimit()) {
      host.runnable = true;
      runnable_.push_back(key);
    }
  }

  void Queue(std::unique_ptr<Transfer> t) {
    t->host_key = HostKey(*t);
    auto& host = hosts_[t->host_key];
    host.waiting.push_back(std::move(t));
    MarkRunnable(host.waiting.back()->host_key, host);
  }

  void StartWaiting() {
    while (!runnable_.empty() && active_.size() < std::max<size_t>(1, options_.max_concurrent)) {
      const std::string key = std::move(runnable_.front());
      runnable_.pop_front();
      auto it = hosts_.find(key);
      if (it == hosts_.end()) continue;
      HostQueue& host = it->second;
      host.runnable = false;
      if (host.waiting.empty() || host.active >= HostLimit()) continue;
      auto t = std::move(host.waiting.front());
      host.waiting.pop_front();
      ++host.active;
      const size_t before = active_.size();
      Start(std::move(t));
      if (active_.size() == before) {  // refused before it started: give the slot back
        Finished(key);
        continue;
      }
      MarkRunnable(key, host);  // round robin: back of the line
    }
  }

  // A transfer of `key` ended (or never started): free its connection slot.
  void Finished(const std::string& key) {
    auto it = hosts_.find(key);
    if (it == hosts_.end()) return;
    HostQueue& host = it->second;
    if (host.active > 0) --host.active;
    if (host.waiting.empty() && host.active == 0 && !host.runnable) {
      hosts_.erase(it);
      return;
    }
    MarkRunnable(key, host);
  }

  CURL* Acquire() {
    if (!pool_.empty()) {
      CURL* e = pool_.back();
      pool_.pop_back();
      return e;
    }
    return curl_easy_init();
  }

  void Release(CURL* e) {
    if (e == nullptr) return;
    if (pool_.size() < kMaxPooledHandles) {
      curl_easy_reset(e);
      pool_.push_back(e);
    } else {
      curl_easy_cleanup(e);
    }
  }

  void Start(std::unique_ptr<Transfer> t) {
    std::string invalid;
    if (t->is_mail) {
      if (options_.smtp.url.empty()) invalid = "no SMTP server configured";
      if (t->mail.recipients.empty()) invalid = "mail has no recipients";
      // A line break in an address would smuggle extra SMTP commands into the session.
      if (HasControl(t->mail.envelope_from)) invalid = "control character in the sender address";
      for (const auto& r : t->mail.recipients)
        if (HasControl(r)) invalid = "control character in a recipient address";
    } else {
      if (t->http.url.empty()) invalid = "empty URL";
      if (t->http.method.empty() || !IsToken(t->http.method)) invalid = "invalid HTTP method";
      // Line breaks in a header would let a value inject headers or a second request.
      for (const auto& [name, value] : t->http.headers)
        if (name.empty() || !IsToken(name) || HasControl(value)) invalid = "invalid header " + name;
    }
    if (!invalid.empty()) return Fail(*t, FailureKind::kInvalidRequest, invalid);

    CURL* e = Acquire();
    if (e == nullptr) return Fail(*t, FailureKind::kOther, "curl_easy_init failed");
    t->easy = e;
    bool configured = t->is_mail ? ConfigureMail(*t) : ConfigureHttp(*t);
    if (!configured) {
      Release(e);
      t->easy = nullptr;
      return Fail(*t, FailureKind::kInvalidRequest, "unsupported request options");
    }
    if (curl_multi_add_handle(multi_, e) != CURLM_OK) {
      Release(e);
      t->easy = nullptr;
      return Fail(*t, FailureKind::kOther, "curl_multi_add_handle failed");
    }
    active_.insert(t.release());
  }

  void Common(Transfer& t, const std::string& url, std::chrono::milliseconds timeout, bool verify_tls) {
    CURL* e = t.easy;
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.errbuf);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<std::int64_t>(1, timeout.count())));
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, verify_tls ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, verify_tls ? 2L : 0L);
  }

  bool ConfigureHttp(Transfer& t) {
    CURL* e = t.easy;
    const HttpRequest& r = t.http;
    Common(t, r.url, r.timeout, r.verify_tls);
    bool ok = curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") == CURLE_OK;
    curl_easy_setopt(e, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, r.follow_redirects ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, static_cast<long>(options_.max_redirects));
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, WriteBody);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, WriteHeader);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(r.max_response_bytes));
    if (r.fresh_connection) {
      curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
      curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    }

    if (r.method == "GET") {
      curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else if (r.method == "HEAD") {
      curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else {
      if (r.method != "POST") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str());
      if (r.method == "POST" || r.method == "PUT" || r.method == "PATCH" || !r.body.empty()) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.data());
      }
    }

    bool has_expect = false, has_content_type = false;
    for (const auto& [name, value] : r.headers) {
      std::string lname = Lower(name);
      has_expect |= lname == "expect";
      has_content_type |= lname == "content-type";
      // "Name;" is curl's way to send a header with an empty value ("Name:" would remove it).
      std::string line = value.empty() ? name + ";" : name + ": " + value;
      t.header_list = curl_slist_append(t.header_list, line.c_str());
    }
    // Never wait for "100 Continue": receivers are plain webhook endpoints.
    if (!has_expect) t.header_list = curl_slist_append(t.header_list, "Expect:");
    // curl would otherwise label any body as a form submission; send only what was asked for.
    if (!has_content_type) t.header_list = curl_slist_append(t.header_list, "Content-Type:");
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.header_list);

    if (r.guard_address) {
      t.policy = &options_.policy;
      curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, OpenSocket);
      curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &t);
      curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, PreRequest);
      curl_easy_setopt(e, CURLOPT_PREREQDATA, &t);
      // A proxy would make curl connect to the proxy, not to the destination we check.
      curl_easy_setopt(e, CURLOPT_PROXY, "");
    }
    return ok;
  }

  bool ConfigureMail(Transfer& t) {
    CURL* e = t.easy;
    const SmtpServer& s = options_.smtp;
    Common(t, s.url, s.timeout, s.verify_tls);
    bool ok = curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps") == CURLE_OK;
    auto bracket = [](const std::string& a) { return a.starts_with("<") ? a : "<" + a + ">"; };
    t.mail_from = bracket(t.mail.envelope_from);
    curl_easy_setopt(e, CURLOPT_MAIL_FROM, t.mail_from.c_str());
    for (const auto& r : t.mail.recipients) t.rcpt_list = curl_slist_append(t.rcpt_list, bracket(r).c_str());
    curl_easy_setopt(e, CURLOPT_MAIL_RCPT, t.rcpt_list);
    curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(e, CURLOPT_READFUNCTION, ReadMail);
    curl_easy_setopt(e, CURLOPT_READDATA, &t);
    curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(t.mail.message.size()));
    curl_easy_setopt(e, CURLOPT_USE_SSL,
                     s.require_starttls ? static_cast<long>(CURLUSESSL_ALL) : static_cast<long>(CURLUSESSL_TRY));
    if (!s.username.empty()) {
      curl_easy_setopt(e, CURLOPT_USERNAME, s.username.c_str());
      curl_easy_setopt(e, CURLOPT_PASSWORD, s.password.c_str());
    }
    return ok;
  }

  void Reap() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* e = msg->easy_handle;
      CURLcode code = msg->data.result;
      Transfer* raw = nullptr;
      curl_easy_getinfo(e, CURLINFO_PRIVATE, reinterpret_cast<char**>(&raw));
      active_.erase(raw);
      std::unique_ptr<Transfer> t(raw);
      curl_multi_remove_handle(multi_, e);
      Finished(t->host_key);
      in_flight_.fetch_sub(1);  // before the callback, which may look at InFlight()
      if (t->is_mail) {
        FinishMail(*t, code);
      } else {
        FinishHttp(*t, code);
      }
      t->easy = nullptr;
      Release(e);
    }
  }

  std::string ErrorText(const Transfer& t, CURLcode code) const {
    if (t.errbuf[0] != '\0') return t.errbuf;
    return curl_easy_strerror(code);
  }

  void FinishHttp(Transfer& t, CURLcode code) {
    CURL* e = t.easy;
    HttpResponse& r = t.response;
    HttpTimings& tm = r.timings;
    tm.dns_ms = Ms(e, CURLINFO_NAMELOOKUP_TIME_T);
    tm.connect_ms = Ms(e, CURLINFO_CONNECT_TIME_T);
    tm.tls_ms = Ms(e, CURLINFO_APPCONNECT_TIME_T);
    tm.first_byte_ms = Ms(e, CURLINFO_STARTTRANSFER_TIME_T);
    tm.total_ms = Ms(e, CURLINFO_TOTAL_TIME_T);
    char* ip = nullptr;
    if (curl_easy_getinfo(e, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip != nullptr) r.remote_ip = ip;
    if (code == CURLE_OK) {
      long status = 0;
      curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
      r.status = static_cast<int>(status);
      r.failure = FailureKind::kNone;
    } else {
      r.status = 0;
      r.body.clear();
      r.headers.clear();
      if (!t.refused.empty() && (code == CURLE_COULDNT_CONNECT || code == CURLE_ABORTED_BY_CALLBACK)) {
        r.failure = FailureKind::kRefusedAddress;
        r.error = "address refused by policy: " + t.refused;
      } else if (t.too_large || code == CURLE_FILESIZE_EXCEEDED) {
        r.failure = FailureKind::kTooLarge;
        r.error = "response body over " + std::to_string(t.http.max_response_bytes) + " bytes";
      } else {
        r.failure = MapCode(code);
        r.error = ErrorText(t, code);
        // curl's message says only "Couldn't connect to server"; the OS reason ("Connection
        // refused", "No route to host") is what staff reading a monitor's error need.
        long os_errno = 0;
        if (code == CURLE_COULDNT_CONNECT && curl_easy_getinfo(e, CURLINFO_OS_ERRNO, &os_errno) == CURLE_OK &&
            os_errno != 0)
          r.error += " (" + std::string(std::strerror(static_cast<int>(os_errno))) + ")";
      }
    }
    Deliver(t.http_done, std::move(r), "http");
  }

  void FinishMail(Transfer& t, CURLcode code) {
    MailResult m;
    long smtp = 0;
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &smtp);
    m.smtp_code = static_cast<int>(smtp);
    if (code == CURLE_OK) {
      m.ok = true;
    } else {
      m.error = ErrorText(t, code);
      if (smtp >= 400 && code != CURLE_LOGIN_DENIED && code != CURLE_USE_SSL_FAILED) {
        // The server answered with a rejection (MAIL, RCPT, DATA or the message itself). Login and
        // STARTTLS refusals are the relay's configuration, not the recipient's: never permanent.
        m.failure = FailureKind::kNone;
        m.permanent = smtp >= 500;
      } else {
        m.failure = code == CURLE_LOGIN_DENIED ? FailureKind::kOther : MapCode(code);
      }
    }
    Deliver(t.mail_done, std::move(m), "mail");
  }

  void Fail(Transfer& t, FailureKind kind, const std::string& why) {
    in_flight_.fetch_sub(1);
    if (t.is_mail) {
      MailResult m;
      m.failure = kind;
      m.error = why;
      Deliver(t.mail_done, std::move(m), "mail");
    } else {
      HttpResponse r;
      r.failure = kind;
      r.error = why;
      Deliver(t.http_done, std::move(r), "http");
    }
  }

  Options options_;
  CURLM* multi_ = nullptr;
  std::thread thread_;
  std::once_flag join_once_;
  std::atomic<size_t> in_flight_{0};

  std::mutex mu_;
  std::deque<std::unique_ptr<Transfer>> incoming_;  // guarded by mu_
  bool stopping_ = false;                           // guarded by mu_

  // Engine thread only.
  std::unordered_map<std::string, HostQueue> hosts_;
  std::deque<std::string> runnable_;      // hosts with waiting transfers and a free slot, round robin
  std::unordered_set<Transfer*> active_;  // owned; each is also its easy handle's CURLOPT_PRIVATE
  std::vector<CURL*> pool_;
};

CurlEngine::CurlEngine(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}

CurlEngine::~CurlEngine() = default;

void CurlEngine::Send(HttpRequest request, std::function<void(HttpResponse)> done) {
  auto t = std::make_unique<Transfer>();
  t->http = std::move(request);
  t->http_done = std::move(done);
  impl_->Enqueue(std::move(t));
}

void CurlEngine::Send(MailRequest request, std::function<void(MailResult)> done) {
  auto t = std::make_unique<Transfer>();
  t->is_mail = true;
  t->mail = std::move(request);
  t->mail_done = std::move(done);
  impl_->Enqueue(std::move(t));
}

void CurlEngine::Shutdown() { impl_->Shutdown(); }

size_t CurlEngine::InFlight() const { return impl_->InFlight(); }

}  // namespace herald::net
