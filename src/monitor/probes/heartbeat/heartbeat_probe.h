// HeartbeatProbe: push monitoring for cron jobs and batch work. The job calls its secret URL
// (recorded elsewhere as monitor.last_heartbeat_at); this probe only compares that time with the
// clock: down when no call arrived within interval_ms + spec.grace_ms of the later of the last
// call and the monitor's creation. No network; `done` runs at once on the caller's thread.
//
// Thread safety: Start and Validate may be called concurrently from any thread.
#pragma once

#include "core/clock.h"
#include "monitor/probe.h"

namespace herald::monitor {

class HeartbeatProbe final : public Probe {
 public:
  explicit HeartbeatProbe(const Clock& clock) : clock_(clock) {}
  model::MonitorKind Kind() const override { return model::MonitorKind::kHeartbeat; }
  Status Validate(const model::ProbeSpec& spec, const std::string& field) const override;
  void Start(const model::Monitor& monitor, std::function<void(ProbeResult)> done) override;

 private:
  const Clock& clock_;
};

}  // namespace herald::monitor
