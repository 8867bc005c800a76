// SqlStore: monitors, their samples and rollups, automation rules, incident drafts, alert targets
// and staff alerts (the monitoring part of the Store; see store.h for the contracts).
//
// Choices within those contracts, the same on both backends:
// - SaveMonitor writes the definition; on an existing monitor it leaves the engine's state
//   columns (state, state_since, last_check_at, last_heartbeat_at, last_error) alone, so a staff
//   edit based on a stale read cannot roll the confirmed state back. A monitor id that belongs
//   to another page is kConflict; a component of another page is kNotFound.
// - RecordMonitorResults drops samples and rollups of monitors deleted meanwhile and ignores
//   their state updates, so one deleted monitor cannot fail everyone's batch. last_heartbeat_at
//   only moves forward (a heartbeat recorded by another instance is never overwritten by an
//   older value).
// - Staff alerts have no foreign keys (a deleted target must not fail a results write); an
//   empty id or kind is kInvalid. ListStaffAlerts with an empty page_id lists every page's.
// - Text order (monitor names, ids) is bytewise, sorted here, never by a database collation.
#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "store/sql/decoder.h"
#include "store/sql_store.h"

namespace herald::store {
namespace {

using sql::Connection;
using sql::Decoder;
using sql::ExpectChanged;
using sql::Param;
using sql::Params;
using sql::Row;

// Doubles travel as text (sql::Param has no floating type); shortest round-trip form.
Param Double(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc()) return std::string("0");
  return std::string(buf, end);
}

double DoubleAt(const Row& r, size_t i) {
  if (r.IsNull(i)) return 0;
  const std::string& t = r.Text(i);
  double v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

// Engines whose writers run concurrently (PostgreSQL) need row locks that serial SQLite does not.
bool ConcurrentWriters(const sql::Dialect& d) { return !d.skip_locked.empty(); }

// Runs `head` VALUES (...), (...) `tail` over `n` rows of `fields` parameters each. Chunks are
// powers of two up to 128 rows, so a 500-row batch is a handful of statements and the SQLite
// driver's statement cache holds at most eight shapes per statement.
template <typename AddRow>
Status InsertRows(Connection& conn, std::string_view head, std::string_view tail, size_t fields, size_t n,
                  AddRow add_row) {
  constexpr size_t kMaxChunk = 128;
  size_t start = 0;
  while (start < n) {
    size_t chunk = kMaxChunk;
    while (chunk > n - start) chunk /= 2;
    std::string sql(head);
    sql += " VALUES ";
    Params params;
    params.reserve(chunk * fields);
    for (size_t i = 0; i < chunk; ++i) {
      sql += i == 0 ? "(" : ", (";
      for (size_t f = 0; f < fields; ++f) {
        if (f) sql += ", ";
        sql += "$" + std::to_string(i * fields + f + 1);
      }
      sql += ")";
      add_row(start + i, params);
    }
    sql += tail;
    if (auto r = conn.Exec(sql, params); !r.ok()) return r.error();
    start += chunk;
  }
  return {};
}

// --- monitors ----------------------------------------------------------------------------------

constexpr std::string_view kMonitorColumns =
    "id, page_id, component_id, name, kind, spec, interval_ms, timeout_ms, failures_to_down, failure_window, "
    "successes_to_up, down_status, slow_status, enabled, show_chart, heartbeat_token_hash, state, state_since, "
    "last_check_at, last_heartbeat_at, last_error, created_at, updated_at";

model::Monitor MonitorFromRow(const Row& r, Decoder& d) {
  model::Monitor m;
  m.id = r.Text(0);
  m.page_id = r.Text(1);
  m.component_id = r.IsNull(2) ? std::string() : r.Text(2);
  m.name = r.Text(3);
  m.kind = d.Enum(model::ParseMonitorKind, r.Text(4), "monitor kind");
  m.spec = model::ProbeSpecFromJson(r.Text(5));
  m.interval_ms = r.Int(6);
  m.timeout_ms = r.Int(7);
  m.failures_to_down = static_cast<int>(r.Int(8));
  m.failure_window = static_cast<int>(r.Int(9));
  m.successes_to_up = static_cast<int>(r.Int(10));
  m.down_status = d.Enum(model::ParseComponentStatus, r.Text(11), "component status");
  m.slow_status = d.Enum(model::ParseComponentStatus, r.Text(12), "component status");
  m.enabled = r.Bool(13);
  m.show_chart = r.Bool(14);
  m.heartbeat_token_hash = r.Text(15);
  m.state = d.Enum(model::ParseMonitorState, r.Text(16), "monitor state");
  m.state_since = r.Int(17);
  m.last_check_at = r.Int(18);
  m.last_heartbeat_at = r.Int(19);
  m.last_error = r.Text(20);
  m.created_at = r.Int(21);
  m.updated_at = r.Int(22);
  return m;
}

void SortMonitors(std::vector<model::Monitor>& v) {
  std::sort(v.begin(), v.end(), [](const model::Monitor& a, const model::Monitor& b) {
    return std::tie(a.page_id, a.name, a.id) < std::tie(b.page_id, b.name, b.id);
  });
}

constexpr std::string_view kSampleColumns =
    "monitor_id, at, verdict, status_code, dns_ms, connect_ms, tls_ms, first_byte_ms, total_ms, error, evidence";
constexpr size_t kSampleFields = 11;

model::MonitorSample SampleFromRow(const Row& r, Decoder& d) {
  model::MonitorSample s;
  s.monitor_id = r.Text(0);
  s.at = r.Int(1);
  s.verdict = d.Enum(model::ParseCheckVerdict, r.Text(2), "check verdict");
  s.status_code = static_cast<int>(r.Int(3));
  s.timings.dns_ms = DoubleAt(r, 4);
  s.timings.connect_ms = DoubleAt(r, 5);
  s.timings.tls_ms = DoubleAt(r, 6);
  s.timings.first_byte_ms = DoubleAt(r, 7);
  s.timings.total_ms = DoubleAt(r, 8);
  s.error = r.Text(9);
  s.evidence = r.Text(10);
  return s;
}

constexpr std::string_view kRollupColumns =
    "monitor_id, granularity, bucket_start, checks, up, slow, down, answered, latency_sum_ms, latency_max_ms";
constexpr size_t kRollupFields = 10;

model::MonitorRollup RollupFromRow(const Row& r, Decoder& d) {
  model::MonitorRollup x;
  x.monitor_id = r.Text(0);
  const std::string& g = r.Text(1);
  if (g.size() == 1 && (g[0] == 'm' || g[0] == 'd')) {
    x.granularity = g[0];
  } else {
    d.Fail("unknown rollup granularity '" + g + "' in the database");
  }
  x.bucket_start = r.Int(2);
  x.checks = r.Int(3);
  x.up = r.Int(4);
  x.slow = r.Int(5);
  x.down = r.Int(6);
  x.answered = r.Int(7);
  x.latency_sum_ms = DoubleAt(r, 8);
  x.latency_max_ms = DoubleAt(r, 9);
  return x;
}

// --- automation, drafts, targets, alerts --------------------------------------------------------

constexpr std::string_view kRuleColumns =
    "page_id, component_id, mode, draft_publish_after_ms, incident_name, incident_body, notify, resolve_after_ms, "
    "flap_window_ms, open_incident_id, open_draft_id, recovered_at, updated_at";

model::AutomationRule RuleFromRow(const Row& r, Decoder& d) {
  model::AutomationRule x;
  x.page_id = r.Text(0);
  x.component_id = r.Text(1);
  x.mode = d.Enum(model::ParseAutomationMode, r.Text(2), "automation mode");
  x.draft_publish_after_ms = r.Int(3);
  x.incident_name = r.Text(4);
  x.incident_body = r.Text(5);
  x.notify = r.Bool(6);
  x.resolve_after_ms = r.Int(7);
  x.flap_window_ms = r.Int(8);
  x.open_incident_id = r.Text(9);
  x.open_draft_id = r.Text(10);
  x.recovered_at = r.Int(11);
  x.updated_at = r.Int(12);
  return x;
}

constexpr std::string_view kDraftColumns =
    "id, page_id, component_id, monitor_id, name, body, impact, component_status, state, publish_at, incident_id, "
    "created_at, updated_at";

model::IncidentDraft DraftFromRow(const Row& r, Decoder& d) {
  model::IncidentDraft x;
  x.id = r.Text(0);
  x.page_id = r.Text(1);
  x.component_id = r.Text(2);
  x.monitor_id = r.Text(3);
  x.name = r.Text(4);
  x.body = r.Text(5);
  x.impact = d.Enum(model::ParseImpact, r.Text(6), "impact");
  x.component_status = d.Enum(model::ParseComponentStatus, r.Text(7), "component status");
  x.state = d.Enum(model::ParseDraftState, r.Text(8), "draft state");
  x.publish_at = r.Int(9);
  x.incident_id = r.Text(10);
  x.created_at = r.Int(11);
  x.updated_at = r.Int(12);
  return x;
}

constexpr std::string_view kTargetColumns = "id, page_id, name, channel, address, secret, created_at";

model::AlertTarget TargetFromRow(const Row& r, Decoder& d) {
  model::AlertTarget x;
  x.id = r.Text(0);
  x.page_id = r.Text(1);
  x.name = r.Text(2);
  x.channel = d.Enum(model::ParseChannelKind, r.Text(3), "channel");
  x.address = r.Text(4);
  x.secret = r.Text(5);
  x.created_at = r.Int(6);
  return x;
}

constexpr std::string_view kAlertColumns =
    "id, page_id, target_id, monitor_id, kind, subject, text, facts, state, attempts, next_attempt_at, created_at, "
    "updated_at, last_status, last_error";
constexpr size_t kAlertFields = 15;

// Facts keep their order (they are shown as a list): a JSON array of [name, value] pairs.
std::string FactsToJson(const std::vector<std::pair<std::string, std::string>>& facts) {
  boost::json::array a;
  for (const auto& [k, v] : facts) a.push_back(boost::json::array{boost::json::string(k), boost::json::string(v)});
  return boost::json::serialize(a);
}

std::vector<std::pair<std::string, std::string>> FactsFromJson(const std::string& text, Decoder& d) {
  std::vector<std::pair<std::string, std::string>> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) {
    d.Fail("malformed staff alert facts in the database");
    return out;
  }
  for (const auto& e : v.as_array()) {
    const auto* pair = e.if_array();
    if (!pair || pair->size() != 2 || !(*pair)[0].is_string() || !(*pair)[1].is_string()) {
      d.Fail("malformed staff alert fact in the database");
      continue;
    }
    out.emplace_back(std::string((*pair)[0].as_string()), std::string((*pair)[1].as_string()));
  }
  return out;
}

void AddAlertParams(const model::StaffAlert& a, Params& p) {
  for (auto&& v : Params{a.id, a.page_id, a.target_id, a.monitor_id, a.kind, a.subject, a.text, FactsToJson(a.facts),
                         model::ToString(a.state), a.attempts, a.next_attempt_at, a.created_at, a.updated_at,
                         a.last_status, a.last_error})
    p.push_back(std::move(v));
}

model::StaffAlert AlertFromRow(const Row& r, Decoder& d) {
  model::StaffAlert x;
  x.id = r.Text(0);
  x.page_id = r.Text(1);
  x.target_id = r.Text(2);
  x.monitor_id = r.Text(3);
  x.kind = r.Text(4);
  x.subject = r.Text(5);
  x.text = r.Text(6);
  x.facts = FactsFromJson(r.Text(7), d);
  x.state = d.Enum(model::ParseDeliveryState, r.Text(8), "delivery state");
  x.attempts = static_cast<int>(r.Int(9));
  x.next_attempt_at = r.Int(10);
  x.created_at = r.Int(11);
  x.updated_at = r.Int(12);
  x.last_status = static_cast<int>(r.Int(13));
  x.last_error = r.Text(14);
  return x;
}

Status InsertAlerts(Connection& conn, const std::vector<model::StaffAlert>& alerts) {
  return InsertRows(conn, "INSERT INTO staff_alerts (" + std::string(kAlertColumns) + ")",
                    " ON CONFLICT (id) DO NOTHING", kAlertFields, alerts.size(),
                    [&](size_t i, Params& p) { AddAlertParams(alerts[i], p); });
}

// Fails with kNotFound unless the component exists on the page (a foreign key alone would accept
// another page's component).
Status CheckComponent(Connection& conn, const std::string& page_id, const std::string& component_id) {
  auto rows = conn.Query("SELECT 1 FROM components WHERE id = $1 AND page_id = $2", {component_id, page_id});
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return Error::NotFound("component '" + component_id + "' not found");
  return {};
}

}  // namespace

// --- monitors ----------------------------------------------------------------------------------

Status SqlStore::SaveMonitor(const model::Monitor& m) {
  return Write([&](Connection& conn) -> Status {
    if (!m.component_id.empty()) {
      if (auto st = CheckComponent(conn, m.page_id, m.component_id); !st.ok()) return st;
    }
    auto r = conn.Exec(
        "INSERT INTO monitors (" + std::string(kMonitorColumns) +
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, "
            "$21, $22, $23) ON CONFLICT (id) DO UPDATE SET component_id = excluded.component_id, "
            "name = excluded.name, kind = excluded.kind, spec = excluded.spec, interval_ms = excluded.interval_ms, "
            "timeout_ms = excluded.timeout_ms, failures_to_down = excluded.failures_to_down, "
            "failure_window = excluded.failure_window, successes_to_up = excluded.successes_to_up, "
            "down_status = excluded.down_status, slow_status = excluded.slow_status, enabled = excluded.enabled, "
            "show_chart = excluded.show_chart, heartbeat_token_hash = excluded.heartbeat_token_hash, "
            "updated_at = excluded.updated_at WHERE monitors.page_id = excluded.page_id",
        {m.id,
         m.page_id,
         m.component_id.empty() ? Param() : Param(m.component_id),
         m.name,
         model::ToString(m.kind),
         model::ProbeSpecToJson(m.spec),
         m.interval_ms,
         m.timeout_ms,
         m.failures_to_down,
         m.failure_window,
         m.successes_to_up,
         model::ToString(m.down_status),
         model::ToString(m.slow_status),
         m.enabled,
         m.show_chart,
         m.heartbeat_token_hash,
         model::ToString(m.state),
         m.state_since,
         m.last_check_at,
         m.last_heartbeat_at,
         m.last_error,
         m.created_at,
         m.updated_at});
    if (!r.ok()) return r.error();
    if (*r == 0) return Error{ErrorCode::kConflict, "monitor id '" + m.id + "' belongs to another page", {}};
    return {};
  });
}

Result<model::Monitor> SqlStore::GetMonitor(const std::string& page_id, const std::string& id) {
  return ReadOne("SELECT " + std::string(kMonitorColumns) + " FROM monitors WHERE page_id = $1 AND id = $2",
                 {page_id, id}, MonitorFromRow, "monitor '" + id + "'");
}

Result<std::vector<model::Monitor>> SqlStore::ListMonitors(const std::string& page_id) {
  auto out = page_id.empty() ? ReadAll("SELECT " + std::string(kMonitorColumns) + " FROM monitors", {}, MonitorFromRow)
                             : ReadAll("SELECT " + std::string(kMonitorColumns) + " FROM monitors WHERE page_id = $1",
                                       {page_id}, MonitorFromRow);
  if (out.ok()) SortMonitors(*out);
  return out;
}

Status SqlStore::DeleteMonitor(const std::string& page_id, const std::string& id) {
  const bool lock_rows = ConcurrentWriters(db_->dialect());
  return Write([&](Connection& conn) -> Status {
    // The monitor row first: a concurrent RecordMonitorResults locks monitors before their
    // rollups, so taking them in the same order cannot deadlock.
    auto found = conn.Query(
        std::string("SELECT id FROM monitors WHERE id = $1 AND page_id = $2") + (lock_rows ? " FOR UPDATE" : ""),
        {id, page_id});
    if (!found.ok()) return found.error();
    if (found->empty()) return Error::NotFound("monitor '" + id + "' not found");
    // Explicit, so the cleanup does not hinge on the engine's foreign-key settings.
    for (std::string_view sql :
         {"DELETE FROM monitor_samples WHERE monitor_id = $1", "DELETE FROM monitor_rollups WHERE monitor_id = $1"}) {
      if (auto r = conn.Exec(sql, {id}); !r.ok()) return r.error();
    }
    return ExpectChanged(conn.Exec("DELETE FROM monitors WHERE page_id = $1 AND id = $2", {page_id, id}),
                         "monitor '" + id + "'");
  });
}

Result<std::optional<model::Monitor>> SqlStore::FindMonitorByHeartbeat(const std::string& token_hash) {
  if (token_hash.empty()) return std::optional<model::Monitor>();
  return ReadFirst("SELECT " + std::string(kMonitorColumns) + " FROM monitors WHERE heartbeat_token_hash = $1",
                   {token_hash}, MonitorFromRow);
}

Status SqlStore::RecordHeartbeat(const std::string& monitor_id, TimeMs at) {
  // Never backwards: instances may record calls out of order.
  return ExpectChanged(WriteOne("UPDATE monitors SET last_heartbeat_at = CASE WHEN last_heartbeat_at < $2 THEN $2 "
                                "ELSE last_heartbeat_at END WHERE id = $1",
                                {monitor_id, at}),
                       "monitor '" + monitor_id + "'");
}

Status SqlStore::RecordMonitorResults(const MonitorResultsWrite& write) {
  // Rollups of one bucket are merged here first: one statement may not upsert a row twice
  // (PostgreSQL refuses), and a sorted order keeps concurrent writers' row locks in one order.
  std::map<std::tuple<std::string, char, TimeMs>, model::MonitorRollup> rollups;
  for (const auto& r : write.rollups) {
    auto [it, fresh] = rollups.try_emplace({r.monitor_id, r.granularity, r.bucket_start}, r);
    if (fresh) continue;
    auto& m = it->second;
    m.checks += r.checks;
    m.up += r.up;
    m.slow += r.slow;
    m.down += r.down;
    m.answered += r.answered;
    m.latency_sum_ms += r.latency_sum_ms;
    m.latency_max_ms = std::max(m.latency_max_ms, r.latency_max_ms);
  }
  // The last write of a monitor wins; sorted by id for the same lock-order reason.
  std::map<std::string, const model::Monitor*> monitors;
  for (const auto& m : write.monitors) monitors[m.id] = &m;

  std::set<std::string> wanted;
  for (const auto& s : write.samples) wanted.insert(s.monitor_id);
  for (const auto& [key, r] : rollups) wanted.insert(std::get<0>(key));
  for (const auto& [id, m] : monitors) wanted.insert(id);

  const bool lock_rows = ConcurrentWriters(db_->dialect());
  return Write([&](Connection& conn) -> Status {
    // Which monitors still exist. On PostgreSQL their rows are locked first, in one (bytewise)
    // order: a concurrent DeleteMonitor then waits for this transaction instead of failing its
    // foreign keys, and two instances writing results of the same monitors (a lease changing
    // hands) queue instead of deadlocking over rows locked in different orders.
    std::set<std::string> present;
    const std::vector<std::string> ids(wanted.begin(), wanted.end());
    for (size_t start = 0; start < ids.size();) {
      size_t chunk = 256;
      while (chunk > ids.size() - start) chunk /= 2;
      std::string sql = "SELECT id FROM monitors WHERE id IN (";
      Params params;
      for (size_t i = 0; i < chunk; ++i) {
        sql += (i ? ", $" : "$") + std::to_string(i + 1);
        params.emplace_back(ids[start + i]);
      }
      sql += lock_rows ? ") ORDER BY id COLLATE \"C\" FOR NO KEY UPDATE" : ")";
      auto rows = conn.Query(sql, params);
      if (!rows.ok()) return rows.error();
      for (const auto& r : *rows) present.insert(r.Text(0));
      start += chunk;
    }

    // State columns only: the definition may have been edited since the engine read it.
    std::vector<const model::Monitor*> updates;
    updates.reserve(monitors.size());
    for (const auto& [id, m] : monitors)
      if (present.contains(id)) updates.push_back(m);
    for (size_t start = 0; start < updates.size();) {
      size_t chunk = 128;
      while (chunk > updates.size() - start) chunk /= 2;
      std::string sql =
          "UPDATE monitors SET state = v.column2, state_since = v.column3, last_check_at = v.column4, "
          "last_heartbeat_at = CASE WHEN v.column5 > monitors.last_heartbeat_at THEN v.column5 "
          "ELSE monitors.last_heartbeat_at END, last_error = v.column6 FROM (VALUES ";
      Params params;
      for (size_t i = 0; i < chunk; ++i) {
        const auto& m = *updates[start + i];
        auto p = [&](int k) { return "$" + std::to_string(i * 6 + k); };
        sql += (i ? ", (" : "(") + p(1) + ", " + p(2) + ", CAST(" + p(3) + " AS BIGINT), CAST(" + p(4) +
               " AS BIGINT), CAST(" + p(5) + " AS BIGINT), " + p(6) + ")";
        for (auto&& v :
             Params{m.id, model::ToString(m.state), m.state_since, m.last_check_at, m.last_heartbeat_at, m.last_error})
          params.push_back(std::move(v));
      }
      sql += ") AS v WHERE monitors.id = v.column1";
      if (auto r = conn.Exec(sql, params); !r.ok()) return r.error();
      start += chunk;
    }

    std::vector<const model::MonitorSample*> samples;
    samples.reserve(write.samples.size());
    for (const auto& s : write.samples)
      if (present.contains(s.monitor_id)) samples.push_back(&s);
    if (auto st = InsertRows(conn, "INSERT INTO monitor_samples (" + std::string(kSampleColumns) + ")", "",
                             kSampleFields, samples.size(),
                             [&](size_t i, Params& p) {
                               const auto& s = *samples[i];
                               for (auto&& v : Params{s.monitor_id, s.at, model::ToString(s.verdict), s.status_code,
                                                      Double(s.timings.dns_ms), Double(s.timings.connect_ms),
                                                      Double(s.timings.tls_ms), Double(s.timings.first_byte_ms),
                                                      Double(s.timings.total_ms), s.error, s.evidence})
                                 p.push_back(std::move(v));
                             });
        !st.ok()) {
      return st;
    }

    std::vector<const model::MonitorRollup*> merged;
    merged.reserve(rollups.size());
    for (const auto& [key, r] : rollups)
      if (present.contains(r.monitor_id)) merged.push_back(&r);
    if (auto st = InsertRows(
            conn, "INSERT INTO monitor_rollups (" + std::string(kRollupColumns) + ")",
            " ON CONFLICT (monitor_id, granularity, bucket_start) DO UPDATE SET "
            "checks = monitor_rollups.checks + excluded.checks, up = monitor_rollups.up + excluded.up, "
            "slow = monitor_rollups.slow + excluded.slow, down = monitor_rollups.down + excluded.down, "
            "answered = monitor_rollups.answered + excluded.answered, "
            "latency_sum_ms = monitor_rollups.latency_sum_ms + excluded.latency_sum_ms, "
            // CASE, not max()/GREATEST(): the engines spell the two-argument maximum differently.
            "latency_max_ms = CASE WHEN excluded.latency_max_ms > monitor_rollups.latency_max_ms "
            "THEN excluded.latency_max_ms ELSE monitor_rollups.latency_max_ms END",
            kRollupFields, merged.size(),
            [&](size_t i, Params& p) {
              const auto& r = *merged[i];
              for (auto&& v : Params{r.monitor_id, std::string(1, r.granularity), r.bucket_start, r.checks, r.up,
                                     r.slow, r.down, r.answered, Double(r.latency_sum_ms), Double(r.latency_max_ms)})
                p.push_back(std::move(v));
            });
        !st.ok()) {
      return st;
    }

    return InsertAlerts(conn, write.alerts);
  });
}

Result<std::vector<model::MonitorSample>> SqlStore::ListMonitorSamples(const std::string& monitor_id, TimeMs since,
                                                                       int limit) {
  std::string sql = "SELECT " + std::string(kSampleColumns) +
                    " FROM monitor_samples WHERE monitor_id = $1 AND at >= $2 ORDER BY at DESC";
  Params params{monitor_id, since};
  if (limit > 0) {
    sql += " LIMIT $3";
    params.emplace_back(limit);
  }
  return ReadAll(sql, params, SampleFromRow);
}

Result<std::vector<model::MonitorRollup>> SqlStore::ListMonitorRollups(const std::string& page_id,
                                                                       const std::string& monitor_id, char granularity,
                                                                       TimeMs since) {
  if (granularity != 'm' && granularity != 'd') return Error::Invalid("granularity", "must be 'm' or 'd'");
  std::string sql =
      "SELECT r.monitor_id, r.granularity, r.bucket_start, r.checks, r.up, r.slow, r.down, r.answered, "
      "r.latency_sum_ms, r.latency_max_ms FROM monitor_rollups r JOIN monitors m ON m.id = r.monitor_id "
      "WHERE r.granularity = $1 AND r.bucket_start >= $2";
  Params params{std::string(1, granularity), since};
  if (!page_id.empty()) {
    params.emplace_back(page_id);
    sql += " AND m.page_id = $" + std::to_string(params.size());
  }
  if (!monitor_id.empty()) {
    params.emplace_back(monitor_id);
    sql += " AND r.monitor_id = $" + std::to_string(params.size());
  }
  auto out = ReadAll(sql, params, RollupFromRow);
  if (out.ok()) {
    std::sort(out->begin(), out->end(), [](const model::MonitorRollup& a, const model::MonitorRollup& b) {
      return std::tie(a.monitor_id, a.bucket_start) < std::tie(b.monitor_id, b.bucket_start);
    });
  }
  return out;
}

Result<std::int64_t> SqlStore::PruneMonitorData(TimeMs samples_before, TimeMs minutes_before, TimeMs days_before) {
  std::int64_t deleted = 0;
  auto st = Write([&](Connection& conn) -> Status {
    const std::pair<std::string_view, TimeMs> deletes[] = {
        {"DELETE FROM monitor_samples WHERE at < $1", samples_before},
        {"DELETE FROM monitor_rollups WHERE granularity = 'm' AND bucket_start < $1", minutes_before},
        {"DELETE FROM monitor_rollups WHERE granularity = 'd' AND bucket_start < $1", days_before}};
    for (const auto& [sql, before] : deletes) {
      auto r = conn.Exec(sql, {before});
      if (!r.ok()) return r.error();
      deleted += *r;
    }
    return {};
  });
  if (!st.ok()) return st.error();
  return deleted;
}

// --- automation rules --------------------------------------------------------------------------

Result<std::vector<model::AutomationRule>> SqlStore::ListAutomationRules(const std::string& page_id) {
  auto out = ReadAll("SELECT " + std::string(kRuleColumns) + " FROM automation_rules WHERE page_id = $1", {page_id},
                     RuleFromRow);
  if (out.ok()) {
    std::sort(out->begin(), out->end(), [](const model::AutomationRule& a, const model::AutomationRule& b) {
      return a.component_id < b.component_id;
    });
  }
  return out;
}

Status SqlStore::SaveAutomationRule(const model::AutomationRule& x) {
  return Write([&](Connection& conn) -> Status {
    if (auto st = CheckComponent(conn, x.page_id, x.component_id); !st.ok()) return st;
    auto r = conn.Exec(
        "INSERT INTO automation_rules (" + std::string(kRuleColumns) +
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
            "ON CONFLICT (page_id, component_id) DO UPDATE SET mode = excluded.mode, "
            "draft_publish_after_ms = excluded.draft_publish_after_ms, incident_name = excluded.incident_name, "
            "incident_body = excluded.incident_body, notify = excluded.notify, "
            "resolve_after_ms = excluded.resolve_after_ms, flap_window_ms = excluded.flap_window_ms, "
            "open_incident_id = excluded.open_incident_id, open_draft_id = excluded.open_draft_id, "
            "recovered_at = excluded.recovered_at, updated_at = excluded.updated_at",
        {x.page_id, x.component_id, model::ToString(x.mode), x.draft_publish_after_ms, x.incident_name, x.incident_body,
         x.notify, x.resolve_after_ms, x.flap_window_ms, x.open_incident_id, x.open_draft_id, x.recovered_at,
         x.updated_at});
    if (!r.ok()) return r.error();
    return {};
  });
}

Status SqlStore::DeleteAutomationRule(const std::string& page_id, const std::string& component_id) {
  return ExpectChanged(
      WriteOne("DELETE FROM automation_rules WHERE page_id = $1 AND component_id = $2", {page_id, component_id}),
      "automation rule for component '" + component_id + "'");
}

// --- incident drafts ---------------------------------------------------------------------------

Status SqlStore::SaveIncidentDraft(const model::IncidentDraft& x) {
  auto r = WriteOne(
      "INSERT INTO incident_drafts (" + std::string(kDraftColumns) +
          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
          "ON CONFLICT (id) DO UPDATE SET component_id = excluded.component_id, monitor_id = excluded.monitor_id, "
          "name = excluded.name, body = excluded.body, impact = excluded.impact, "
          "component_status = excluded.component_status, state = excluded.state, publish_at = excluded.publish_at, "
          "incident_id = excluded.incident_id, updated_at = excluded.updated_at "
          "WHERE incident_drafts.page_id = excluded.page_id",
      {x.id, x.page_id, x.component_id, x.monitor_id, x.name, x.body, model::ToString(x.impact),
       model::ToString(x.component_status), model::ToString(x.state), x.publish_at, x.incident_id, x.created_at,
       x.updated_at});
  if (r.ok() && *r == 0) return Error{ErrorCode::kConflict, "draft id '" + x.id + "' belongs to another page", {}};
  return sql::Executed(r);
}

Result<model::IncidentDraft> SqlStore::GetIncidentDraft(const std::string& page_id, const std::string& id) {
  return ReadOne("SELECT " + std::string(kDraftColumns) + " FROM incident_drafts WHERE page_id = $1 AND id = $2",
                 {page_id, id}, DraftFromRow, "incident draft '" + id + "'");
}

Result<std::vector<model::IncidentDraft>> SqlStore::ListIncidentDrafts(const std::string& page_id, bool waiting_only) {
  std::string sql = "SELECT " + std::string(kDraftColumns) + " FROM incident_drafts WHERE 1 = 1";
  Params params;
  if (!page_id.empty()) {
    params.emplace_back(page_id);
    sql += " AND page_id = $1";
  }
  if (waiting_only) sql += " AND state = 'waiting'";
  sql += " ORDER BY created_at DESC, id DESC";
  return ReadAll(sql, params, DraftFromRow);
}

// --- alert targets and staff alerts ------------------------------------------------------------

Status SqlStore::SaveAlertTarget(const model::AlertTarget& x) {
  auto r = WriteOne("INSERT INTO alert_targets (" + std::string(kTargetColumns) +
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
                        "channel = excluded.channel, address = excluded.address, secret = excluded.secret "
                        "WHERE alert_targets.page_id = excluded.page_id",
                    {x.id, x.page_id, x.name, model::ToString(x.channel), x.address, x.secret, x.created_at});
  if (r.ok() && *r == 0)
    return Error{ErrorCode::kConflict, "alert target id '" + x.id + "' belongs to another page", {}};
  return sql::Executed(r);
}

Result<std::vector<model::AlertTarget>> SqlStore::ListAlertTargets(const std::string& page_id) {
  return ReadAll(
      "SELECT " + std::string(kTargetColumns) + " FROM alert_targets WHERE page_id = $1 ORDER BY created_at, id",
      {page_id}, TargetFromRow);
}

Status SqlStore::DeleteAlertTarget(const std::string& page_id, const std::string& id) {
  return ExpectChanged(WriteOne("DELETE FROM alert_targets WHERE page_id = $1 AND id = $2", {page_id, id}),
                       "alert target '" + id + "'");
}

Status SqlStore::AddStaffAlerts(const std::vector<model::StaffAlert>& alerts) {
  if (alerts.empty()) return {};
  return Write([&](Connection& conn) -> Status { return InsertAlerts(conn, alerts); });
}

Result<std::vector<model::StaffAlert>> SqlStore::ClaimDueStaffAlerts(TimeMs now, TimeMs lease_until, int limit) {
  std::vector<model::StaffAlert> out;
  if (limit <= 0) return out;
  auto st = Write([&](Connection& conn) -> Status {
    auto rows = conn.Query("SELECT " + std::string(kAlertColumns) +
                               " FROM staff_alerts WHERE state IN ('pending', 'retrying') AND next_attempt_at <= $1 "
                               "ORDER BY created_at, id LIMIT $2" +
                               std::string(db_->dialect().skip_locked),
                           {now, limit});
    if (!rows.ok()) return rows.error();
    Decoder d;
    for (const auto& r : *rows) {
      out.push_back(AlertFromRow(r, d));
      auto upd = conn.Exec("UPDATE staff_alerts SET next_attempt_at = $1 WHERE id = $2", {lease_until, out.back().id});
      if (!upd.ok()) return upd.error();
      out.back().next_attempt_at = lease_until;
    }
    return d.status();
  });
  if (!st.ok()) return st.error();
  return out;
}

Status SqlStore::FinishStaffAlerts(const std::vector<model::StaffAlert>& alerts) {
  if (alerts.empty()) return {};
  return Write([&](Connection& conn) -> Status {
    for (const auto& a : alerts) {
      auto r = conn.Exec(
          "UPDATE staff_alerts SET state = $1, attempts = $2, next_attempt_at = $3, updated_at = $4, "
          "last_status = $5, last_error = $6 WHERE id = $7",
          {model::ToString(a.state), a.attempts, a.next_attempt_at, a.updated_at, a.last_status, a.last_error, a.id});
      if (!r.ok()) return r.error();
    }
    return {};
  });
}

Result<std::vector<model::StaffAlert>> SqlStore::ListStaffAlerts(const std::string& page_id, int limit) {
  std::string sql = "SELECT " + std::string(kAlertColumns) + " FROM staff_alerts";
  Params params;
  if (!page_id.empty()) {
    params.emplace_back(page_id);
    sql += " WHERE page_id = $1";
  }
  sql += " ORDER BY created_at DESC, id DESC";
  if (limit > 0) {
    params.emplace_back(limit);
    sql += " LIMIT $" + std::to_string(params.size());
  }
  return ReadAll(sql, params, AlertFromRow);
}

}  // namespace herald::store
