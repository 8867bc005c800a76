// SocketEngine against tests/fixtures/monitor_target.py on 127.0.0.1: many checks at once, and
// shutdown completing what is still running.
#include "net/socket_engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "monitor/probes/monitor_target_testing.h"

namespace herald::net {
namespace {

using monitor::testing::MonitorTarget;
using namespace std::chrono_literals;

class SocketEngineTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(target().error, "") << "the local test servers did not start"; }
  static const MonitorTarget& target() { return MonitorTarget::Shared(); }
};

// Counts completions; waits (bounded) for a number of them.
class Countdown {
 public:
  void Done() {
    std::lock_guard lock(mu_);
    ++count_;
    cv_.notify_all();
  }
  bool WaitFor(int n, std::chrono::seconds patience) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, patience, [&] { return count_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int count_ = 0;
};

TEST_F(SocketEngineTest, TwoThousandConnectsAtOnceAllComplete) {
  constexpr int kChecks = 2000;
  SocketEngine engine(SocketEngine::Options{});
  Countdown done;
  std::atomic<int> ok{0};
  std::atomic<int> failed{0};
  std::mutex error_mu;
  std::string first_error;
  for (int i = 0; i < kChecks; ++i) {
    engine.Connect("127.0.0.1", target().tcp_open, 20s, TlsOptions{}, [&](const ConnectResult& r) {
      if (r.ok) {
        ++ok;
      } else {
        ++failed;
        std::lock_guard lock(error_mu);
        if (first_error.empty()) first_error = r.error;
      }
      done.Done();
    });
  }
  ASSERT_TRUE(done.WaitFor(kChecks, 60s)) << ok << " ok, " << failed << " failed";
  EXPECT_EQ(ok.load(), kChecks) << first_error;
  EXPECT_EQ(engine.InFlight(), 0u);
}

TEST_F(SocketEngineTest, QueueBeyondTheConcurrencyLimitStillCompletes) {
  SocketEngine::Options o;
  o.max_concurrent = 4;
  SocketEngine engine(o);
  Countdown done;
  std::atomic<int> ok{0};
  for (int i = 0; i < 50; ++i) {
    DnsQuery q;
    q.name = "www.test.herald";
    q.server = target().Dns();
    engine.Query(q, [&](const DnsResult& r) {
      if (r.ok && r.answers == std::vector<std::string>{"127.0.0.10"}) ++ok;
      done.Done();
    });
  }
  ASSERT_TRUE(done.WaitFor(50, 30s));
  EXPECT_EQ(ok.load(), 50);
}

TEST_F(SocketEngineTest, ShutdownCompletesWhatIsRunningAndRefusesNewWork) {
  SocketEngine::Options o;
  o.max_concurrent = 5;  // most of the checks below wait in the queue
  auto engine = std::make_unique<SocketEngine>(o);
  Countdown done;
  std::atomic<int> shutdown_seen{0};
  for (int i = 0; i < 20; ++i) {
    DnsQuery q;
    q.name = "hang.test.herald";  // never answered
    q.server = target().Dns();
    q.timeout = 60s;
    engine->Query(q, [&](const DnsResult& r) {
      if (r.failure == FailureKind::kShutdown) ++shutdown_seen;
      done.Done();
    });
    engine->Connect("127.0.0.1", target().tcp_silent, 60s, TlsOptions{true, ""}, [&](const ConnectResult& r) {
      if (r.failure == FailureKind::kShutdown) ++shutdown_seen;
      done.Done();
    });
  }
  const auto started = std::chrono::steady_clock::now();
  engine->Shutdown();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  ASSERT_TRUE(done.WaitFor(40, 1s));
  EXPECT_EQ(shutdown_seen.load(), 40);

  ConnectResult late;
  engine->Connect("127.0.0.1", target().tcp_open, 1s, TlsOptions{}, [&](ConnectResult r) { late = std::move(r); });
  EXPECT_EQ(late.failure, FailureKind::kShutdown);  // completed at once, on this thread
  engine.reset();
}

TEST_F(SocketEngineTest, BadDnsServerAndRecordTypeFailCleanly) {
  SocketEngine engine(SocketEngine::Options{});
  std::promise<DnsResult> p1, p2;
  DnsQuery q;
  q.name = "www.test.herald";
  q.server = "not-an-ip:53";
  engine.Query(q, [&](const DnsResult& r) { p1.set_value(r); });
  q.server = target().Dns();
  q.record_type = "SRV";
  engine.Query(q, [&](const DnsResult& r) { p2.set_value(r); });
  auto f1 = p1.get_future(), f2 = p2.get_future();
  ASSERT_EQ(f1.wait_for(10s), std::future_status::ready);
  ASSERT_EQ(f2.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(f1.get().failure, FailureKind::kInvalidRequest);
  EXPECT_EQ(f2.get().failure, FailureKind::kInvalidRequest);
}

}  // namespace
}  // namespace herald::net
