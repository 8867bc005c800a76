// The probe-kind list is complete: every model::MonitorKind has a descriptor, in enum order, with
// every fact filled in, and the names derived from it read back.
#include "model/probe_kinds.h"

#include <gtest/gtest.h>

#include <set>

namespace herald::model {
namespace {

TEST(ProbeKinds, EveryKindHasACompleteDescriptorInEnumOrder) {
  ASSERT_EQ(ProbeKinds().size(), 5u) << "a MonitorKind without a line in probe_kinds.cc (or a new one: update this)";
  std::set<std::string_view> wire_names;
  for (size_t i = 0; i < ProbeKinds().size(); ++i) {
    const ProbeKindDescriptor& d = ProbeKinds()[i];
    EXPECT_EQ(static_cast<size_t>(d.kind), i) << "probe_kinds.cc lists the kinds in MonitorKind order";
    EXPECT_EQ(&Describe(d.kind), &d);
    EXPECT_TRUE(wire_names.insert(d.wire_name).second) << d.wire_name;
    EXPECT_EQ(ToString(d.kind), d.wire_name);
    EXPECT_EQ(ParseMonitorKind(d.wire_name), d.kind);
    EXPECT_FALSE(d.label.empty()) << d.wire_name;
    EXPECT_EQ(d.target == ProbeTarget::kNone, d.target_help.empty()) << d.wire_name;
    std::set<ProbeField> fields(d.fields.begin(), d.fields.end());
    EXPECT_EQ(fields.size(), d.fields.size()) << d.wire_name << " lists a field twice";
    for (const ProbeField f : d.fields) {
      EXPECT_FALSE(ToString(f).empty()) << d.wire_name;
      EXPECT_TRUE(Takes(d.kind, f));
    }
  }
  EXPECT_FALSE(ParseMonitorKind("HTTP").has_value()) << "wire names are exact; the service lower-cases input";
  EXPECT_FALSE(ParseMonitorKind("").has_value());
}

TEST(ProbeKinds, NamesForMessages) {
  EXPECT_EQ(ProbeKindNames(), "http, tcp, dns, tls or heartbeat");
  EXPECT_TRUE(Takes(MonitorKind::kTls, ProbeField::kExpiryWarnDays));
  EXPECT_FALSE(Takes(MonitorKind::kHttp, ProbeField::kExpiryWarnDays));
  EXPECT_EQ(ToString(ProbeField::kGraceSeconds), "grace_seconds");
}

}  // namespace
}  // namespace herald::model
