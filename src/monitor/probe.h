// Probe: one kind of check (HTTP, TCP, DNS, TLS, heartbeat). Each kind lives in its own folder
// under monitor/probes/ and is registered with one line in probes/registry.cc.
//
// A probe starts one check and reports its result through `done` exactly once, from any thread
// (usually the outbound engine's). Starting never blocks and no check holds a thread while it
// waits: HTTP runs on the libcurl multi engine, TCP/TLS/DNS on the asynchronous socket engine.
// A probe only says what it saw (verdict, status code, timings, error, evidence); thresholds
// over several checks (N of M), component status and alerts belong to the monitor engine.
//
// Thread safety: Start may be called concurrently from any thread.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "model/monitor.h"

namespace herald::monitor {

// What one check found. `sample.monitor_id` and `sample.at` (the scheduled start) are filled in
// by the caller; the probe fills the rest.
struct ProbeResult {
  model::MonitorSample sample;
};

class Probe {
 public:
  virtual ~Probe() = default;
  virtual model::MonitorKind Kind() const = 0;
  // Checks a spec given by staff and returns an Error::Invalid naming `field` ("target",
  // "expected_status", ...) when it cannot work (bad URL, port out of range, unknown record type).
  virtual Status Validate(const model::ProbeSpec& spec, const std::string& field) const = 0;
  // Runs one check of `monitor` with its timeout; `done` gets the result exactly once.
  virtual void Start(const model::Monitor& monitor, std::function<void(ProbeResult)> done) = 0;
};

}  // namespace herald::monitor
