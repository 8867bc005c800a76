#include "net/curl_engine.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "testing/fixture_process.h"
#include "testing/loopback_http_server.h"

extern char** environ;

namespace herald::net {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using herald::testing::Collector;
using herald::testing::kPatience;
using herald::testing::TestHttpServer;

HttpResponse Fetch(HttpClient& client, HttpRequest req) {
  Collector<HttpResponse> c;
  client.Send(std::move(req), c.Callback());
  auto all = c.Wait(1);
  return all.empty() ? HttpResponse{} : all.front();
}

HttpRequest Get(const std::string& url, bool guard = false) {
  HttpRequest r;
  r.method = "GET";
  r.url = url;
  r.guard_address = guard;
  r.timeout = 10s;
  return r;
}

CurlEngine::Options LoopbackAllowed() {
  CurlEngine::Options o;
  EXPECT_TRUE(o.policy.AllowCidr("127.0.0.0/8"));
  return o;
}

TEST(CurlEngineTest, GetReturnsBodyHeadersAndTimings) {
  TestHttpServer server;
  CurlEngine engine({});
  auto r = Fetch(engine, Get(server.Url("/ok")));
  EXPECT_EQ(r.failure, FailureKind::kNone) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello world");
  EXPECT_EQ(r.Header("x-test"), "Yes");  // names lower-cased, values kept
  EXPECT_EQ(r.Header("content-type"), "text/plain");
  EXPECT_EQ(r.Header("content-length"), "11");
  EXPECT_EQ(r.remote_ip, "127.0.0.1");
  EXPECT_TRUE(r.error.empty());
  EXPECT_GT(r.timings.total_ms, 0);
  EXPECT_GT(r.timings.connect_ms, 0);
  EXPECT_GE(r.timings.first_byte_ms, r.timings.connect_ms);
  EXPECT_GE(r.timings.total_ms, r.timings.first_byte_ms);
  EXPECT_EQ(r.timings.tls_ms, 0);  // plain http
}

TEST(CurlEngineTest, SendsMethodHeadersAndBody) {
  TestHttpServer server;
  CurlEngine engine({});
  HttpRequest post = Get(server.Url("/echo"));
  post.method = "POST";
  post.headers = {{"X-Echo", "abc 123"}, {"Content-Type", "application/json"}};
  post.body = R"({"a":1})";
  auto r = Fetch(engine, post);
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.body, "POST\nabc 123\n{\"a\":1}");

  HttpRequest put = post;
  put.method = "PUT";
  put.body = std::string(5000, 'p');  // over curl's Expect: 100-continue threshold in older versions
  r = Fetch(engine, put);
  EXPECT_EQ(r.body, "PUT\nabc 123\n" + std::string(5000, 'p'));

  HttpRequest del = Get(server.Url("/echo"));
  del.method = "DELETE";
  r = Fetch(engine, del);
  EXPECT_EQ(r.body, "DELETE\n\n");
}

TEST(CurlEngineTest, ServerErrorIsAResponseNotAFailure) {
  TestHttpServer server;
  CurlEngine engine({});
  auto r = Fetch(engine, Get(server.Url("/status/500")));
  EXPECT_EQ(r.failure, FailureKind::kNone);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "boom");
}

TEST(CurlEngineTest, RedirectsAreNotFollowedUnlessAsked) {
  TestHttpServer server;
  CurlEngine engine({});
  auto r = Fetch(engine, Get(server.Url("/redirect")));
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(r.Header("location"), "/ok");
  EXPECT_EQ(server.requests(), 1);

  HttpRequest follow = Get(server.Url("/redirect"));
  follow.follow_redirects = true;
  r = Fetch(engine, follow);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello world");
  EXPECT_TRUE(r.Header("location").empty());  // only the final response's headers
}

TEST(CurlEngineTest, TimeoutWhenTheServerNeverAnswers) {
  TestHttpServer server;
  CurlEngine engine({});
  HttpRequest req = Get(server.Url("/hang"));
  req.timeout = 200ms;
  auto r = Fetch(engine, req);
  EXPECT_EQ(r.failure, FailureKind::kTimeout) << r.error;
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.error.empty());
}

TEST(CurlEngineTest, ConnectionRefused) {
  // A port that was just free: bind, read the number, close.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  CurlEngine engine({});
  auto r = Fetch(engine, Get("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/"));
  EXPECT_EQ(r.failure, FailureKind::kConnect) << r.error;
  EXPECT_EQ(r.status, 0);
}

TEST(CurlEngineTest, InvalidRequests) {
  CurlEngine engine({});
  EXPECT_EQ(Fetch(engine, Get("")).failure, FailureKind::kInvalidRequest);
  EXPECT_EQ(Fetch(engine, Get("ftp://127.0.0.1:1/file")).failure, FailureKind::kInvalidRequest);
  EXPECT_EQ(Fetch(engine, Get("file:///etc/passwd")).failure, FailureKind::kInvalidRequest);
  EXPECT_EQ(Fetch(engine, Get("http://[::1/")).failure, FailureKind::kInvalidRequest);
  // Nothing a caller passes can add headers or requests of its own.
  HttpRequest injected = Get("http://127.0.0.1:1/");
  injected.headers = {{"X-A", "1\r\nX-Injected: 1"}};
  EXPECT_EQ(Fetch(engine, injected).failure, FailureKind::kInvalidRequest);
  injected.headers = {{"X-A\r\nX-Injected", "1"}};
  EXPECT_EQ(Fetch(engine, injected).failure, FailureKind::kInvalidRequest);
  injected.headers = {};
  injected.method = "GET / HTTP/1.1\r\n";
  EXPECT_EQ(Fetch(engine, injected).failure, FailureKind::kInvalidRequest);
}

TEST(CurlEngineTest, GuardRefusesLoopbackUnlessAllowListed) {
  TestHttpServer server;
  {
    CurlEngine engine({});
    for (const std::string host : {"127.0.0.1", "localhost", "2130706433", "0x7f.1", "127.1", "[::ffff:127.0.0.1]"}) {
      auto r = Fetch(engine, Get("http://" + host + ":" + std::to_string(server.port()) + "/ok", true));
      EXPECT_EQ(r.failure, FailureKind::kRefusedAddress) << host << ": " << r.error;
      EXPECT_EQ(r.status, 0) << host;
      EXPECT_NE(r.error.find("loopback"), std::string::npos) << r.error;
    }
  }
  EXPECT_EQ(server.connections(), 0);  // refused before connecting: not even a SYN reached it

  CurlEngine engine(LoopbackAllowed());
  auto r = Fetch(engine, Get(server.Url("/ok"), true));
  EXPECT_EQ(r.failure, FailureKind::kNone) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(server.connections(), 1);
}

TEST(CurlEngineTest, GuardChecksReusedConnections) {
  // An operator endpoint (unguarded) leaves a connection to 127.0.0.1 in the cache; a guarded
  // request to the same host must not ride on it.
  TestHttpServer server;
  CurlEngine engine({});
  EXPECT_EQ(Fetch(engine, Get(server.Url("/ok"), false)).status, 200);
  auto r = Fetch(engine, Get(server.Url("/ok"), true));
  EXPECT_EQ(r.failure, FailureKind::kRefusedAddress) << r.error;
  EXPECT_EQ(server.requests(), 1);
  EXPECT_EQ(server.connections(), 1);  // no new connection: the cached one was checked and refused
  // Refusing it closed that connection; unguarded requests simply open a new one.
  EXPECT_EQ(Fetch(engine, Get(server.Url("/ok"), false)).status, 200);
  EXPECT_EQ(server.connections(), 2);
}

TEST(CurlEngineTest, GuardAppliesToRedirectTargets) {
  TestHttpServer server;
  CurlEngine::Options options;
  ASSERT_TRUE(options.policy.AllowCidr("127.0.0.1/32"));  // but not 127.0.0.2
  CurlEngine engine(std::move(options));
  HttpRequest req = Get(server.Url("/redirect-out"), true);
  req.follow_redirects = true;
  auto r = Fetch(engine, req);
  EXPECT_EQ(r.failure, FailureKind::kRefusedAddress) << r.error;
  EXPECT_NE(r.error.find("127.0.0.2"), std::string::npos) << r.error;
}

TEST(CurlEngineTest, ResponseBodyIsCapped) {
  TestHttpServer server;
  CurlEngine engine({});
  for (const char* path : {"/big", "/big-chunked"}) {
    HttpRequest req = Get(server.Url(path));
    req.max_response_bytes = 1000;
    auto r = Fetch(engine, req);
    EXPECT_EQ(r.failure, FailureKind::kTooLarge) << path << ": " << r.error;
    EXPECT_TRUE(r.body.empty());
    req.max_response_bytes = 100000;
    r = Fetch(engine, req);
    EXPECT_EQ(r.status, 200) << path << ": " << r.error;
    EXPECT_EQ(r.body.size(), 100000u) << path;
  }
}

TEST(CurlEngineTest, ManyConcurrentRequestsShareFewConnections) {
  TestHttpServer server;
  CurlEngine::Options options = LoopbackAllowed();
  options.max_host_connections = 8;
  CurlEngine engine(std::move(options));
  constexpr int kRequests = 500;
  Collector<HttpResponse> c;
  for (int i = 0; i < kRequests; ++i) engine.Send(Get(server.Url("/ok"), i % 2 == 0), c.Callback());
  auto all = c.Wait(kRequests);
  ASSERT_EQ(all.size(), static_cast<size_t>(kRequests));
  for (const auto& r : all) {
    EXPECT_EQ(r.status, 200) << r.error;
    EXPECT_EQ(r.body, "hello world");
    EXPECT_GT(r.timings.total_ms, 0);
  }
  EXPECT_EQ(server.requests(), kRequests);
  EXPECT_LE(server.connections(), 8);
  EXPECT_EQ(engine.InFlight(), 0u);
}

TEST(CurlEngineTest, FreshConnectionOpensOneConnectionPerRequest) {
  // Monitors ask for this so that every check measures connect time and sees a dead listener.
  TestHttpServer server;
  CurlEngine engine(LoopbackAllowed());
  for (int i = 0; i < 3; ++i) {
    Collector<HttpResponse> c;
    HttpRequest r = Get(server.Url("/ok"), false);
    r.fresh_connection = true;
    engine.Send(std::move(r), c.Callback());
    auto all = c.Wait(1);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].status, 200) << all[0].error;
    EXPECT_GT(all[0].timings.connect_ms, 0);
  }
  EXPECT_EQ(server.connections(), 3);
  // Without it, the next request reuses a kept-alive connection.
  for (int i = 0; i < 2; ++i) {
    Collector<HttpResponse> c;
    engine.Send(Get(server.Url("/ok"), false), c.Callback());
    ASSERT_EQ(c.Wait(1).size(), 1u);
  }
  EXPECT_EQ(server.connections(), 4);
}

TEST(CurlEngineTest, QueueBeyondMaxConcurrent) {
  TestHttpServer server;
  CurlEngine::Options options;
  options.max_concurrent = 2;
  CurlEngine engine(std::move(options));
  Collector<HttpResponse> c;
  for (int i = 0; i < 20; ++i) engine.Send(Get(server.Url("/ok")), c.Callback());
  auto all = c.Wait(20);
  for (const auto& r : all) EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_LE(server.connections(), 2);
}

// Transfers queue per destination before they start, so waiting for a busy receiver's
// connection does not eat into their timeout, and a stuck receiver does not hold back another.
TEST(CurlEngineTest, QueuedTransfersDoNotSpendTheirTimeoutWaitingForAConnection) {
  TestHttpServer slow, other;
  CurlEngine::Options options;
  options.max_host_connections = 1;
  CurlEngine engine(std::move(options));
  Collector<HttpResponse> c;
  for (int i = 0; i < 6; ++i) {
    HttpRequest r = Get(slow.Url("/slow"));
    r.timeout = 700ms;  // each takes 200 ms; the sixth waits about 1 s for its turn
    engine.Send(std::move(r), c.Callback());
  }
  HttpRequest hang = Get(other.Url("/hang"));
  hang.timeout = 5s;
  Collector<HttpResponse> stuck;
  engine.Send(std::move(hang), stuck.Callback());
  auto all = c.Wait(6);
  ASSERT_EQ(all.size(), 6u);
  for (const auto& r : all) EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(slow.connections(), 1);
  engine.Shutdown();
}

TEST(CurlEngineTest, ShutdownCompletesPendingTransfers) {
  TestHttpServer server;
  Collector<HttpResponse> c;
  auto engine = std::make_unique<CurlEngine>(CurlEngine::Options{});
  HttpRequest hang = Get(server.Url("/hang"));
  hang.timeout = 60s;
  for (int i = 0; i < 3; ++i) engine->Send(hang, c.Callback());
  // Wait until the server has all three requests, so they are really running.
  for (int i = 0; i < 3000 && server.requests() < 3; ++i) std::this_thread::sleep_for(1ms);
  ASSERT_EQ(server.requests(), 3);
  EXPECT_EQ(engine->InFlight(), 3u);
  engine->Shutdown();
  auto all = c.Wait(3);
  for (const auto& r : all) EXPECT_EQ(r.failure, FailureKind::kShutdown);

  // After shutdown, Send completes at once (on the caller's thread) with kShutdown.
  auto late = Fetch(*engine, Get(server.Url("/ok")));
  EXPECT_EQ(late.failure, FailureKind::kShutdown);
  Collector<MailResult> mail;
  engine->Send(MailRequest{}, mail.Callback());
  EXPECT_EQ(mail.Wait(1).front().failure, FailureKind::kShutdown);
  engine.reset();
}

TEST(CurlEngineTest, DestructorCompletesQueuedTransfers) {
  TestHttpServer server;
  Collector<HttpResponse> c;
  {
    CurlEngine::Options options;
    options.max_concurrent = 1;
    CurlEngine engine(std::move(options));
    HttpRequest hang = Get(server.Url("/hang"));
    hang.timeout = 60s;
    for (int i = 0; i < 5; ++i) engine.Send(hang, c.Callback());
  }
  auto all = c.Wait(5);
  ASSERT_EQ(all.size(), 5u);
  for (const auto& r : all) EXPECT_EQ(r.failure, FailureKind::kShutdown);
}

TEST(CurlEngineTest, ThrowingCallbackDoesNotStopTheEngine) {
  TestHttpServer server;
  CurlEngine engine({});
  engine.Send(Get(server.Url("/ok")), [](const HttpResponse&) { throw std::runtime_error("callback bug"); });
  auto r = Fetch(engine, Get(server.Url("/ok")));
  EXPECT_EQ(r.status, 200);
}

// ---- SMTP ----

// tests/fixtures/smtp_server.py running on 127.0.0.1; stops when destroyed (its stdin closes).
class SmtpSink {
 public:
  explicit SmtpSink(std::vector<std::string> extra_args = {}) {
    char tmpl[] = "/tmp/herald-smtp-sink-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::string script = herald::testing::FindFixture("smtp_server.py").value_or("").string();
    if (script.empty()) {
      ADD_FAILURE() << "tests/fixtures/smtp_server.py not found (set HERALD_SOURCE_DIR)";
      return;
    }
    // Debian's python3 has python3-aiosmtpd (scripts/deps.sh); a python3 earlier on PATH may not.
    std::string python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    std::vector<std::string> args = {python, script, "--out", dir_};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    int in[2], out[2];
    EXPECT_EQ(pipe2(in, O_CLOEXEC), 0);
    EXPECT_EQ(pipe2(out, O_CLOEXEC), 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    int rc = posix_spawnp(&pid_, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    if (rc != 0) {
      ADD_FAILURE() << "cannot start " << python;
      pid_ = 0;
      close(out[0]);
      return;
    }
    // The first line of output is the port.
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + kPatience;
    while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd p{out[0], POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char buf[64];
      ssize_t n = read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<size_t>(n));
    }
    close(out[0]);
    port_ = std::atoi(line.c_str());
    EXPECT_GT(port_, 0) << "smtp_server.py did not start (is python3-aiosmtpd installed?)";
  }

  ~SmtpSink() {
    if (stdin_ >= 0) close(stdin_);
    if (pid_ > 0) {
      int status = 0;
      for (int i = 0; i < 5000 && waitpid(pid_, &status, WNOHANG) == 0; ++i) {
        if (i == 3000) kill(pid_, SIGKILL);
        std::this_thread::sleep_for(1ms);
      }
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  int port() const { return port_; }
  std::string Url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

  // Messages stored so far, in arrival order.
  std::vector<boost::json::object> Messages() const {
    std::vector<boost::json::object> out;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir_))
      if (e.path().extension() == ".json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::ifstream in(f);
      std::stringstream ss;
      ss << in.rdbuf();
      out.push_back(boost::json::parse(ss.str()).as_object());
    }
    return out;
  }

 private:
  std::string dir_;
  pid_t pid_ = 0;
  int stdin_ = -1;
  int port_ = 0;
};

MailResult SendMail(MailSender& sender, MailRequest req) {
  std::promise<MailResult> p;
  auto f = p.get_future();
  sender.Send(std::move(req), [&p](MailResult r) { p.set_value(std::move(r)); });
  EXPECT_EQ(f.wait_for(kPatience), std::future_status::ready);
  return f.get();
}

MailRequest Mail(const std::string& to, int n) {
  MailRequest m;
  m.envelope_from = "status@herald.test";
  m.recipients = {to};
  m.message = "From: Status <status@herald.test>\r\nTo: <" + to + ">\r\nSubject: Update " + std::to_string(n) +
              "\r\nMessage-ID: <" + std::to_string(n) +
              "@herald.test>\r\n\r\nLine one.\r\n.A line starting with a "
              "dot\r\n.\r\nLast line.\r\n";
  return m;
}

CurlEngine::Options SmtpOptions(const SmtpSink& sink) {
  CurlEngine::Options o;
  o.smtp.url = sink.Url();
  o.smtp.timeout = 10s;
  return o;
}

TEST(CurlEngineSmtpTest, DeliversMessagesIntactOverOneConnection) {
  SmtpSink sink;
  ASSERT_GT(sink.port(), 0);
  CurlEngine engine(SmtpOptions(sink));
  constexpr int kMessages = 5;
  for (int i = 1; i <= kMessages; ++i) {
    auto r = SendMail(engine, Mail("user" + std::to_string(i) + "@example.test", i));
    EXPECT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.smtp_code, 250);
    EXPECT_FALSE(r.permanent);
    EXPECT_EQ(r.failure, FailureKind::kNone);
  }
  auto messages = sink.Messages();
  ASSERT_EQ(messages.size(), static_cast<size_t>(kMessages));
  std::set<std::string> peers;
  for (int i = 1; i <= kMessages; ++i) {
    const auto& m = messages[i - 1];
    std::string to = "user" + std::to_string(i) + "@example.test";
    EXPECT_EQ(m.at("mail_from").as_string(), "status@herald.test");
    ASSERT_EQ(m.at("rcpt_tos").as_array().size(), 1u);
    EXPECT_EQ(m.at("rcpt_tos").as_array()[0].as_string(), to);
    EXPECT_EQ(m.at("data").as_string(), Mail(to, i).message);  // dot-stuffing undone, bytes intact
    peers.insert(std::string(m.at("peer").as_string()));
  }
  EXPECT_EQ(peers.size(), 1u) << "consecutive messages should reuse one SMTP connection";
}

TEST(CurlEngineSmtpTest, RejectedRecipientIsPermanentTempfailIsNot) {
  SmtpSink sink({"--reject-rcpt", "gone@example.test", "--tempfail-rcpt", "busy@example.test"});
  ASSERT_GT(sink.port(), 0);
  CurlEngine engine(SmtpOptions(sink));
  auto gone = SendMail(engine, Mail("gone@example.test", 1));
  EXPECT_FALSE(gone.ok);
  EXPECT_EQ(gone.smtp_code, 550);
  EXPECT_TRUE(gone.permanent);
  EXPECT_EQ(gone.failure, FailureKind::kNone);  // the server answered; it said no
  EXPECT_FALSE(gone.error.empty());

  auto busy = SendMail(engine, Mail("busy@example.test", 2));
  EXPECT_FALSE(busy.ok);
  EXPECT_EQ(busy.smtp_code, 451);
  EXPECT_FALSE(busy.permanent);

  auto fine = SendMail(engine, Mail("fine@example.test", 3));
  EXPECT_TRUE(fine.ok) << fine.error;
  ASSERT_EQ(sink.Messages().size(), 1u);
}

TEST(CurlEngineSmtpTest, AuthenticatesWithConfiguredCredentials) {
  SmtpSink sink({"--auth", "herald:s3cret"});
  ASSERT_GT(sink.port(), 0);
  CurlEngine::Options options = SmtpOptions(sink);
  options.smtp.username = "herald";
  options.smtp.password = "s3cret";
  {
    CurlEngine engine(options);
    auto r = SendMail(engine, Mail("a@example.test", 1));
    EXPECT_TRUE(r.ok) << r.error;
    auto messages = sink.Messages();
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].at("user").as_string(), "herald");
  }
  options.smtp.password = "wrong";
  CurlEngine engine(options);
  auto r = SendMail(engine, Mail("a@example.test", 2));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.smtp_code, 535);
  EXPECT_FALSE(r.permanent);  // the relay's configuration is wrong, not the recipient
}

TEST(CurlEngineSmtpTest, RequiredStarttlsIsNotSilentlySkipped) {
  SmtpSink sink;  // offers no STARTTLS
  ASSERT_GT(sink.port(), 0);
  CurlEngine::Options options = SmtpOptions(sink);
  options.smtp.require_starttls = true;
  CurlEngine engine(options);
  auto r = SendMail(engine, Mail("a@example.test", 1));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.failure, FailureKind::kTls) << r.error;
  EXPECT_FALSE(r.permanent);
  EXPECT_TRUE(sink.Messages().empty());
}

TEST(CurlEngineSmtpTest, FailuresWithoutAServer) {
  CurlEngine unconfigured({});
  EXPECT_EQ(SendMail(unconfigured, Mail("a@example.test", 1)).failure, FailureKind::kInvalidRequest);

  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  CurlEngine::Options options;
  options.smtp.url = "smtp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  CurlEngine engine(options);
  auto r = SendMail(engine, Mail("a@example.test", 1));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.failure, FailureKind::kConnect) << r.error;
  EXPECT_EQ(r.smtp_code, 0);
  EXPECT_FALSE(r.permanent);

  MailRequest none = Mail("a@example.test", 2);
  none.recipients.clear();
  EXPECT_EQ(SendMail(engine, none).failure, FailureKind::kInvalidRequest);
  MailRequest smuggled = Mail("a@example.test\r\nRCPT TO:<b@example.test>", 3);
  EXPECT_EQ(SendMail(engine, smuggled).failure, FailureKind::kInvalidRequest);
}

}  // namespace
}  // namespace herald::net
