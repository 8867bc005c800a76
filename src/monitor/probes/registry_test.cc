#include "monitor/probes/registry.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "assets/web_assets.h"
#include "model/probe_kinds.h"
#include "monitor/probes/heartbeat/heartbeat_probe.h"
#include "testing/fake_http_client.h"

namespace herald::monitor {
namespace {

TEST(ProbeRegistryTest, OneProbePerKind) {
  herald::testing::FakeHttpClient http;
  net::SocketEngine sockets(net::SocketEngine::Options{});
  FakeClock clock;
  Probes probes = MakeProbes({http, sockets, clock});
  ASSERT_FALSE(model::ProbeKinds().empty());
  for (const auto& d : model::ProbeKinds()) {
    const model::MonitorKind kind = d.kind;
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

// What web/openapi.json says about monitor kinds is what model/probe_kinds.cc lists: the "kind"
// enums, and a property of the Monitor schema for every field a kind takes.
TEST(ProbeRegistryTest, OpenApiDescribesEveryKindAndItsFields) {
  namespace json = boost::json;
  const json::value doc = json::parse(assets::FindWebAsset("openapi.json"));
  const auto& schemas = doc.at("components").at("schemas");
  std::vector<std::string> names;
  for (const auto& d : model::ProbeKinds()) names.emplace_back(d.wire_name);
  for (const char* schema : {"Monitor", "MonitorInput"}) {
    std::vector<std::string> described;
    for (const auto& v : schemas.at(schema).at("properties").at("kind").at("enum").as_array())
      described.emplace_back(v.as_string());
    EXPECT_EQ(described, names) << schema << ".kind";
  }
  const auto& properties = schemas.at("Monitor").at("properties").as_object();
  for (const auto& d : model::ProbeKinds())
    for (const auto field : d.fields)
      EXPECT_TRUE(properties.contains(model::ToString(field))) << d.wire_name << ": " << model::ToString(field);
}

}  // namespace
}  // namespace herald::monitor
