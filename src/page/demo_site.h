// A realistic demo status page (groups, an ongoing incident, maintenance, 90 days of history,
// past incidents) for tests, previews and `herald export --demo`. Pure; thread-safe.
#pragma once

#include "page/render.h"

namespace herald::page {

// Everything is relative to `now`, so the demo always looks current.
SiteInput DemoSite(TimeMs now);

// Synthetic results of one demo monitor checked every minute: minute rollups of the last 24
// hours and day rollups (UTC days) of the last `days` days, deterministic for a given `now`.
// Latency follows a daily curve around `base_ms` with noise; a 40-minute stretch three hours ago
// has no results (a gap), and with `trouble_minutes` > 0 the last that many minutes are slow
// with one check in five failing. Day rollups agree with the minute rollups for the last day.
struct DemoMonitorData {
  std::vector<model::MonitorRollup> minutes;
  std::vector<model::MonitorRollup> days;
};
DemoMonitorData DemoMonitorResults(const std::string& monitor_id, TimeMs now, int days, double base_ms,
                                   int trouble_minutes);

}  // namespace herald::page
