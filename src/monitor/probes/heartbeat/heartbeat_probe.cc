#include "monitor/probes/heartbeat/heartbeat_probe.h"

#include <algorithm>

#include "core/time.h"
#include "monitor/probes/common.h"

namespace herald::monitor {
namespace {

// "2026-01-01T00:00:50Z": heartbeats are judged to the second.
std::string Time(TimeMs t) {
  std::string s = FormatIso8601(t);
  if (s.ends_with(".000Z")) s.replace(s.size() - 5, 5, "Z");
  return s;
}

}  // namespace

Status HeartbeatProbe::Validate(const model::ProbeSpec& spec, const std::string& field) const {
  if (spec.grace_ms < 0) return Error::Invalid(probes::FieldName(field, "grace_ms"), "must not be negative");
  return {};
}

void HeartbeatProbe::Start(const model::Monitor& monitor, std::function<void(ProbeResult)> done) {
  ProbeResult result;
  model::MonitorSample& s = result.sample;
  const TimeMs now = clock_.Now();
  const TimeMs since = std::max(monitor.last_heartbeat_at, monitor.created_at);
  const TimeMs deadline = since + monitor.interval_ms + monitor.spec.grace_ms;
  const std::string expected = "expected every " + probes::DurationText(monitor.interval_ms) + " with " +
                               probes::DurationText(monitor.spec.grace_ms) + " grace";
  if (monitor.last_heartbeat_at > 0)
    s.evidence = "last heartbeat at " + Time(monitor.last_heartbeat_at) + "; " + expected;
  else
    s.evidence = "no heartbeat yet; " + expected;
  if (now > deadline) {
    if (monitor.last_heartbeat_at >= monitor.created_at && monitor.last_heartbeat_at > 0)
      probes::Fail(s, "no heartbeat since " + Time(monitor.last_heartbeat_at) + " (" + expected + ")");
    else
      probes::Fail(s, "no heartbeat since the monitor was created at " + Time(monitor.created_at) + " (" +
                          expected + ")");
  } else {
    s.verdict = model::CheckVerdict::kUp;
  }
  done(std::move(result));
}

}  // namespace herald::monitor
