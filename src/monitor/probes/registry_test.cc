#include "monitor/probes/registry.h"

#include <gtest/gtest.h>

#include "monitor/probes/heartbeat/heartbeat_probe.h"
#include "testing/fake_http_client.h"

namespace herald::monitor {
namespace {

TEST(ProbeRegistryTest, OneProbePerKind) {
  herald::testing::FakeHttpClient http;
  net::SocketEngine sockets(net::SocketEngine::Options{});
  FakeClock clock;
  Probes probes = MakeProbes({http, sockets, clock});
  for (auto kind : {model::MonitorKind::kHttp, model::MonitorKind::kTcp, model::MonitorKind::kDns,
                    model::MonitorKind::kTls, model::MonitorKind::kHeartbeat}) {
    Probe* p = probes.Find(kind);
    ASSERT_NE(p, nullptr) << model::ToString(kind);
    EXPECT_EQ(p->Kind(), kind);
  }
}

TEST(ProbeRegistryTest, AddReplacesTheSameKind) {
  Probes probes;
  EXPECT_EQ(probes.Find(model::MonitorKind::kHeartbeat), nullptr);
  FakeClock a, b;
  probes.Add(std::make_unique<HeartbeatProbe>(a));
  Probe* first = probes.Find(model::MonitorKind::kHeartbeat);
  probes.Add(std::make_unique<HeartbeatProbe>(b));
  EXPECT_NE(probes.Find(model::MonitorKind::kHeartbeat), nullptr);
  EXPECT_NE(probes.Find(model::MonitorKind::kHeartbeat), first);
}

}  // namespace
}  // namespace herald::monitor
