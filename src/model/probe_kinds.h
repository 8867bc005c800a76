// The probe kinds Herald can run, described once. Everything that differs by kind outside the
// probe itself comes from this list: the wire names, the `--kind` help, the target a kind needs
// and how it is validated, which spec fields a kind takes (in the order the API writes them),
// and the OpenAPI enum (a test checks it). The probe implementations are registered separately,
// in monitor/probes/registry.cc, because they need the network layer; a test checks that every
// kind here has one. Adding a kind: a MonitorKind value, one line here, its folder under
// monitor/probes/ with one line in MakeProbes, and a docs section (docs/extending.md).
//
// Plain constant data; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "model/monitor.h"

namespace herald::model {

// What a kind's `target` is, which decides how it is validated.
enum class ProbeTarget {
  kUrl,       // an http:// or https:// URL
  kHostPort,  // host:port, such as db.example.com:5432 or [2001:db8::1]:443
  kHostname,  // a domain name to resolve
  kNone,      // no target (a heartbeat is called, it calls nothing)
};

// The kind-specific fields of ProbeSpec as the API names them.
enum class ProbeField {
  kMethod,
  kHeaders,
  kBody,
  kExpectedStatus,
  kKeyword,
  kKeywordAbsent,
  kJsonPath,
  kJsonExpected,
  kFollowRedirects,
  kVerifyTls,
  kRecordType,
  kExpectedAnswer,
  kDnsServer,
  kExpiryWarnDays,
  kSlowMs,
  kGraceSeconds,
};

struct ProbeKindDescriptor {
  MonitorKind kind;
  std::string_view wire_name;  // "http"; what the API, the CLI and `herald apply` accept
  std::string_view label;      // "HTTP(S) request", for people (forms, help)
  ProbeTarget target;
  // Completes "target is required: ..." (empty for kNone).
  std::string_view target_help;
  // The kind's own fields, in the order the API writes them and validates them.
  std::span<const ProbeField> fields;
};

// Every kind, in MonitorKind order.
std::span<const ProbeKindDescriptor> ProbeKinds();
// The descriptor of `kind` (every MonitorKind has one).
const ProbeKindDescriptor& Describe(MonitorKind kind);
// Whether `kind` takes `field`.
bool Takes(MonitorKind kind, ProbeField field);
// The API's name of `field` ("grace_seconds").
std::string_view ToString(ProbeField field);
// "http, tcp, dns, tls or heartbeat": for help texts and "must be one of" messages.
std::string ProbeKindNames();

}  // namespace herald::model
