#include "store/sql_store.h"

#include <algorithm>
#include <boost/json.hpp>
#include <limits>
#include <set>
#include <tuple>
#include <unordered_map>

#include "core/clock.h"
#include "store/migrations/migrations.h"
#include "store/sql/decoder.h"

namespace herald::store {
namespace {

using sql::Connection;
using sql::Decoder;
using sql::ExpectChanged;
using sql::Params;
using sql::Row;

// --- pages -------------------------------------------------------------------------------------

constexpr std::string_view kPageColumns =
    "id, slug, name, url, hostname, time_zone, logo_url, accent_color, is_default, is_private, created_at, updated_at";

model::Page PageFromRow(const Row& r) {
  model::Page p;
  p.id = r.Text(0);
  p.slug = r.Text(1);
  p.name = r.Text(2);
  p.url = r.Text(3);
  p.hostname = r.Text(4);
  p.time_zone = r.Text(5);
  p.logo_url = r.Text(6);
  p.accent_color = r.Text(7);
  p.is_default = r.Bool(8);
  p.is_private = r.Bool(9);
  p.created_at = r.Int(10);
  p.updated_at = r.Int(11);
  return p;
}

// --- components --------------------------------------------------------------------------------

constexpr std::string_view kComponentColumns =
    "id, page_id, group_id, is_group, name, description, position, status, showcase, only_show_if_degraded, hidden, "
    "start_date, created_at, updated_at";

model::Component ComponentFromRow(const Row& r, Decoder& d) {
  model::Component c;
  c.id = r.Text(0);
  c.page_id = r.Text(1);
  c.group_id = r.Text(2);
  c.is_group = r.Bool(3);
  c.name = r.Text(4);
  c.description = r.Text(5);
  c.position = static_cast<int>(r.Int(6));
  c.status = d.Enum(model::ParseComponentStatus, r.Text(7), "component status");
  c.showcase = r.Bool(8);
  c.only_show_if_degraded = r.Bool(9);
  c.hidden = r.Bool(10);
  c.start_date = r.OptText(11);
  c.created_at = r.Int(12);
  c.updated_at = r.Int(13);
  return c;
}

// --- incidents ---------------------------------------------------------------------------------

constexpr std::string_view kIncidentColumns =
    "i.id, i.page_id, i.name, i.type, i.impact, i.status, i.created_at, i.updated_at, i.started_at, i.monitoring_at, "
    "i.resolved_at, i.scheduled_for, i.scheduled_until, i.scheduled_auto_transition, i.backfilled, i.postmortem_body";

model::Incident IncidentFromRow(const Row& r, Decoder& d) {
  model::Incident i;
  i.id = r.Text(0);
  i.page_id = r.Text(1);
  i.name = r.Text(2);
  i.type = d.Enum(model::ParseNoticeType, r.Text(3), "notice type");
  i.impact = d.Enum(model::ParseImpact, r.Text(4), "impact");
  i.status = d.Enum(model::ParseIncidentStatus, r.Text(5), "incident status");
  i.created_at = r.Int(6);
  i.updated_at = r.Int(7);
  i.started_at = r.Int(8);
  i.monitoring_at = r.OptInt(9);
  i.resolved_at = r.OptInt(10);
  i.scheduled_for = r.OptInt(11);
  i.scheduled_until = r.OptInt(12);
  i.scheduled_auto_transition = r.Bool(13);
  i.backfilled = r.Bool(14);
  i.postmortem_body = r.Text(15);
  return i;
}

constexpr std::string_view kUpdateColumns =
    "u.id, u.incident_id, u.status, u.body, u.display_at, u.created_at, u.updated_at, u.deliver_notifications, "
    "u.next_update_at, u.internal, u.affected_components, u.variants";

std::string AffectedToJson(const std::vector<model::AffectedComponent>& affected) {
  boost::json::array a;
  for (const auto& c : affected) {
    a.push_back(boost::json::object{{"component_id", c.component_id},
                                    {"old_status", model::ToString(c.old_status)},
                                    {"new_status", model::ToString(c.new_status)}});
  }
  return boost::json::serialize(a);
}

std::vector<model::AffectedComponent> AffectedFromJson(const std::string& text, Decoder& d) {
  std::vector<model::AffectedComponent> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) {
    d.Fail("malformed affected_components in the database");
    return out;
  }
  for (const auto& e : v.as_array()) {
    const auto* o = e.if_object();
    const auto* id = o ? o->if_contains("component_id") : nullptr;
    const auto* old_status = o ? o->if_contains("old_status") : nullptr;
    const auto* new_status = o ? o->if_contains("new_status") : nullptr;
    if (!id || !id->is_string() || !old_status || !old_status->is_string() || !new_status || !new_status->is_string()) {
      d.Fail("malformed affected_components entry in the database");
      continue;
    }
    model::AffectedComponent c;
    c.component_id = std::string(id->as_string());
    c.old_status = d.Enum(model::ParseComponentStatus, std::string(old_status->as_string()), "component status");
    c.new_status = d.Enum(model::ParseComponentStatus, std::string(new_status->as_string()), "component status");
    out.push_back(std::move(c));
  }
  return out;
}

std::string VariantsToJson(const std::map<std::string, std::string>& variants) {
  boost::json::object o;
  for (const auto& [k, v] : variants) o[k] = v;
  return boost::json::serialize(o);
}

std::map<std::string, std::string> VariantsFromJson(const std::string& text, Decoder& d) {
  std::map<std::string, std::string> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) {
    d.Fail("malformed incident update variants in the database");
    return out;
  }
  for (const auto& [k, e] : v.as_object())
    if (e.is_string()) out[std::string(k)] = std::string(e.as_string());
  return out;
}

model::IncidentUpdate UpdateFromRow(const Row& r, Decoder& d) {
  model::IncidentUpdate u;
  u.id = r.Text(0);
  u.incident_id = r.Text(1);
  u.status = d.Enum(model::ParseIncidentStatus, r.Text(2), "incident status");
  u.body = r.Text(3);
  u.display_at = r.Int(4);
  u.created_at = r.Int(5);
  u.updated_at = r.Int(6);
  u.deliver_notifications = r.Bool(7);
  u.next_update_at = r.OptInt(8);
  u.internal = r.Bool(9);
  u.affected_components = AffectedFromJson(r.Text(10), d);
  u.variants = VariantsFromJson(r.Text(11), d);
  return u;
}

Status InsertUpdate(Connection& conn, const model::IncidentUpdate& u) {
  auto st = conn.Exec(
      "INSERT INTO incident_updates (id, incident_id, status, body, display_at, created_at, updated_at, "
      "deliver_notifications, next_update_at, internal, affected_components, variants) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
      {u.id, u.incident_id, model::ToString(u.status), u.body, u.display_at, u.created_at, u.updated_at,
       u.deliver_notifications, u.next_update_at, u.internal, AffectedToJson(u.affected_components),
       VariantsToJson(u.variants)});
  if (!st.ok()) return st.error();
  return {};
}

Status RecordStatusChange(Connection& conn, const std::string& page_id, const model::StatusChange& change) {
  auto st = conn.Exec(
      "INSERT INTO component_status_history (component_id, page_id, status, changed_at) VALUES ($1, $2, $3, $4)",
      {change.component_id, page_id, model::ToString(change.status), change.at});
  if (!st.ok()) return st.error();
  return {};
}

// --- outbox, api keys, idempotency -------------------------------------------------------------

model::OutboxEvent EventFromRow(const Row& r) {
  model::OutboxEvent e;
  e.id = r.Int(0);
  e.page_id = r.Text(1);
  e.kind = r.Text(2);
  e.subject_id = r.Text(3);
  e.payload_json = r.Text(4);
  e.created_at = r.Int(5);
  return e;
}

model::ApiKey ApiKeyFromRow(const Row& r, Decoder& d) {
  model::ApiKey k;
  k.id = r.Text(0);
  k.name = r.Text(1);
  k.role = d.Enum(model::ParseRole, r.Text(2), "role");
  k.key_hash = r.Text(3);
  k.created_at = r.Int(4);
  return k;
}

// A migration's SQL for one dialect: {{ID_PK}} and {{BYTEWISE}} replaced.
std::string Render(std::string_view sql, const sql::Dialect& dialect) {
  std::string out(sql);
  for (const auto& [marker, with] : {std::pair<std::string_view, std::string_view>{"{{ID_PK}}", dialect.id_primary_key},
                                     {"{{BYTEWISE}}", dialect.bytewise}}) {
    for (size_t pos = 0; (pos = out.find(marker, pos)) != std::string::npos; pos += with.size())
      out.replace(pos, marker.size(), with);
  }
  return out;
}

}  // namespace

// --- schema ------------------------------------------------------------------------------------

Status SqlStore::Migrate() {
  const auto& dialect = db_->dialect();
  return Write([&](Connection& conn) -> Status {
    if (!dialect.migration_lock.empty()) {
      if (auto r = conn.Query(dialect.migration_lock); !r.ok()) return r.error();
    }
    if (auto st = conn.ExecScript(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at BIGINT NOT NULL)");
        !st.ok()) {
      return st;
    }
    auto rows = conn.Query("SELECT version FROM schema_migrations");
    if (!rows.ok()) return rows.error();
    std::set<std::int64_t> applied;
    for (const auto& r : *rows) applied.insert(r.Int(0));
    const auto all = migrations::All();
    if (!applied.empty() && *applied.rbegin() > all.back().version) {
      return Error::Internal("the database schema (version " + std::to_string(*applied.rbegin()) +
                             ") is newer than this Herald understands (version " + std::to_string(all.back().version) +
                             "); upgrade Herald");
    }
    for (const auto& m : all) {
      if (applied.contains(m.version)) continue;
      if (auto st = conn.ExecScript(Render(m.sql, dialect)); !st.ok()) {
        return Error{st.error().code, "migration " + std::to_string(m.version) + " failed: " + st.error().message, {}};
      }
      auto st = conn.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                          {m.version, m.name, SystemClock::Instance().Now()});
      if (!st.ok()) return st.error();
    }
    return {};
  });
}

Status SqlStore::Ping() {
  return Read([](Connection& conn) -> Status {
    auto r = conn.Query("SELECT 1");
    if (!r.ok()) return r.error();
    return {};
  });
}

Status SqlStore::AppendOutbox(Connection& conn, const model::OutboxEvent& e) {
  if (const auto lock = db_->dialect().outbox_lock; !lock.empty()) {
    if (auto r = conn.Query(lock); !r.ok()) return r.error();
  }
  auto st =
      conn.Exec("INSERT INTO outbox (page_id, kind, subject_id, payload_json, created_at) VALUES ($1, $2, $3, $4, $5)",
                {e.page_id, e.kind, e.subject_id, e.payload_json, e.created_at});
  if (!st.ok()) return st.error();
  return {};
}

// --- pages -------------------------------------------------------------------------------------

Result<std::vector<model::Page>> SqlStore::ListPages() {
  return ReadAll("SELECT " + std::string(kPageColumns) + " FROM pages ORDER BY created_at, id", {}, PageFromRow);
}

Result<model::Page> SqlStore::GetPage(const std::string& id_or_slug) {
  // An id match wins over a slug match (a slug could look like another page's id).
  return ReadOne("SELECT " + std::string(kPageColumns) +
                     " FROM pages WHERE id = $1 OR slug = $1 ORDER BY CASE WHEN id = $1 THEN 0 ELSE 1 END LIMIT 1",
                 {id_or_slug}, PageFromRow, "page '" + id_or_slug + "'");
}

Status SqlStore::SavePage(const model::Page& p, const model::OutboxEvent& event) {
  return Write([&](Connection& conn) -> Status {
    auto st =
        conn.Exec("INSERT INTO pages (" + std::string(kPageColumns) +
                      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
                      "ON CONFLICT (id) DO UPDATE SET slug = excluded.slug, name = excluded.name, url = excluded.url, "
                      "hostname = excluded.hostname, time_zone = excluded.time_zone, logo_url = excluded.logo_url, "
                      "accent_color = excluded.accent_color, is_default = excluded.is_default, "
                      "is_private = excluded.is_private, updated_at = excluded.updated_at",
                  {p.id, p.slug, p.name, p.url, p.hostname, p.time_zone, p.logo_url, p.accent_color, p.is_default,
                   p.is_private, p.created_at, p.updated_at});
    if (!st.ok()) return st.error();
    return AppendOutbox(conn, event);
  });
}

// --- components --------------------------------------------------------------------------------

Result<std::vector<model::Component>> SqlStore::ListComponents(const std::string& page_id) {
  auto out = ReadAll("SELECT " + std::string(kComponentColumns) + " FROM components WHERE page_id = $1", {page_id},
                     ComponentFromRow);
  // Sorted here, bytewise, because SQL text ordering follows the database's collation, which
  // differs between SQLite (binary) and PostgreSQL (the cluster's locale).
  if (out.ok()) {
    std::sort(out->begin(), out->end(), [](const model::Component& a, const model::Component& b) {
      return std::tie(a.position, a.name, a.id) < std::tie(b.position, b.name, b.id);
    });
  }
  return out;
}

Result<model::Component> SqlStore::GetComponent(const std::string& page_id, const std::string& id) {
  return ReadOne("SELECT " + std::string(kComponentColumns) + " FROM components WHERE page_id = $1 AND id = $2",
                 {page_id, id}, ComponentFromRow, "component '" + id + "'");
}

Status SqlStore::SaveComponent(const model::Component& c, const std::optional<model::StatusChange>& change,
                               const model::OutboxEvent& event) {
  if (change && !change->component_id.empty() && change->component_id != c.id) {
    return Error::Invalid("component_id", "status change is for another component");
  }
  return Write([&](Connection& conn) -> Status {
    auto st =
        conn.Exec("INSERT INTO components (" + std::string(kComponentColumns) +
                      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) "
                      "ON CONFLICT (id) DO UPDATE SET group_id = excluded.group_id, is_group = excluded.is_group, "
                      "name = excluded.name, description = excluded.description, position = excluded.position, "
                      "status = excluded.status, showcase = excluded.showcase, "
                      "only_show_if_degraded = excluded.only_show_if_degraded, hidden = excluded.hidden, "
                      "start_date = excluded.start_date, updated_at = excluded.updated_at "
                      "WHERE components.page_id = excluded.page_id",
                  {c.id, c.page_id, c.group_id.empty() ? sql::Param() : sql::Param(c.group_id), c.is_group, c.name,
                   c.description, c.position, model::ToString(c.status), c.showcase, c.only_show_if_degraded, c.hidden,
                   c.start_date, c.created_at, c.updated_at});
    if (!st.ok()) return st.error();
    if (*st == 0) return Error{ErrorCode::kConflict, "component id '" + c.id + "' belongs to another page", {}};
    if (change) {
      model::StatusChange ch = *change;
      ch.component_id = c.id;
      if (auto h = RecordStatusChange(conn, c.page_id, ch); !h.ok()) return h;
    }
    return AppendOutbox(conn, event);
  });
}

Status SqlStore::DeleteComponent(const std::string& page_id, const std::string& id, const model::OutboxEvent& event) {
  return Write([&](Connection& conn) -> Status {
    // Ungroup members explicitly (the foreign key would too) so the rule does not hinge on the
    // engine's foreign-key settings.
    if (auto st =
            conn.Exec("UPDATE components SET group_id = NULL WHERE page_id = $1 AND group_id = $2", {page_id, id});
        !st.ok()) {
      return st.error();
    }
    if (auto st =
            conn.Exec("DELETE FROM component_status_history WHERE component_id = $1 AND page_id = $2", {id, page_id});
        !st.ok()) {
      return st.error();
    }
    auto del = conn.Exec("DELETE FROM components WHERE page_id = $1 AND id = $2", {page_id, id});
    if (auto st = ExpectChanged(del, "component '" + id + "'"); !st.ok()) return st;
    return AppendOutbox(conn, event);
  });
}

Result<std::vector<model::StatusChange>> SqlStore::StatusHistory(const std::string& page_id, TimeMs since) {
  // Changes since `since`, plus per component the one change just before it (index seek each).
  return ReadAll(
      "SELECT component_id, status, changed_at, id FROM component_status_history "
      "WHERE page_id = $1 AND changed_at >= $2 "
      "UNION ALL "
      "SELECT h.component_id, h.status, h.changed_at, h.id FROM components c "
      "JOIN component_status_history h ON h.id = ("
      "  SELECT p.id FROM component_status_history p WHERE p.component_id = c.id AND p.changed_at < $2 "
      "  ORDER BY p.changed_at DESC, p.id DESC LIMIT 1) "
      "WHERE c.page_id = $1 "
      "ORDER BY changed_at, id",
      {page_id, since}, [](const Row& r, Decoder& d) {
        return model::StatusChange{r.Text(0), d.Enum(model::ParseComponentStatus, r.Text(1), "component status"),
                                   r.Int(2)};
      });
}

// --- incidents ---------------------------------------------------------------------------------

Result<std::vector<model::Incident>> SqlStore::LoadIncidents(Connection& conn, const std::string& where,
                                                             const std::string& order_limit, const Params& params,
                                                             bool include_internal_updates) {
  auto rows =
      conn.Query("SELECT " + std::string(kIncidentColumns) + " FROM incidents i WHERE " + where + order_limit, params);
  if (!rows.ok()) return rows.error();
  std::vector<model::Incident> out;
  if (rows->empty()) return out;
  Decoder d;
  std::unordered_map<std::string, size_t> index;
  for (const auto& r : *rows) {
    out.push_back(IncidentFromRow(r, d));
    index.emplace(out.back().id, out.size() - 1);
  }
  // The same selection again as a subquery: no parameter list that grows with the result.
  const std::string ids = "(SELECT i.id FROM incidents i WHERE " + where + order_limit + ")";

  auto comps = conn.Query(
      "SELECT ic.incident_id, ic.component_id, ic.old_status, ic.new_status FROM incident_components ic "
      "WHERE ic.incident_id IN " +
          ids + " ORDER BY ic.incident_id, ic.position",
      params);
  if (!comps.ok()) return comps.error();
  for (const auto& r : *comps) {
    auto it = index.find(r.Text(0));
    if (it == index.end()) continue;
    out[it->second].components.push_back({r.Text(1), d.Enum(model::ParseComponentStatus, r.Text(3), "status"),
                                          d.Enum(model::ParseComponentStatus, r.Text(2), "status")});
  }

  auto updates =
      conn.Query("SELECT " + std::string(kUpdateColumns) + " FROM incident_updates u WHERE u.incident_id IN " + ids +
                     (include_internal_updates ? "" : " AND u.internal = 0") +
                     " ORDER BY u.display_at DESC, u.created_at DESC, u.id DESC",
                 params);
  if (!updates.ok()) return updates.error();
  for (const auto& r : *updates) {
    auto it = index.find(r.Text(1));
    if (it == index.end()) continue;
    out[it->second].updates.push_back(UpdateFromRow(r, d));
  }
  if (auto st = d.status(); !st.ok()) return st.error();
  return out;
}

Result<std::vector<model::Incident>> SqlStore::ListIncidents(const std::string& page_id, const IncidentFilter& filter) {
  std::string where = "i.page_id = $1";
  if (filter.maintenance)
    where += *filter.maintenance ? " AND i.scheduled_for IS NOT NULL" : " AND i.scheduled_for IS NULL";
  if (filter.unresolved_only) {
    where += " AND i.status NOT IN ('" + std::string(model::ToString(model::IncidentStatus::kResolved)) + "', '" +
             std::string(model::ToString(model::IncidentStatus::kPostmortem)) + "', '" +
             std::string(model::ToString(model::IncidentStatus::kCompleted)) + "')";
  }
  const std::int64_t limit = filter.limit > 0 ? filter.limit : std::numeric_limits<std::int64_t>::max();
  const std::int64_t offset = std::max(filter.offset, 0);
  const std::string order_limit =
      " ORDER BY COALESCE(i.scheduled_for, i.started_at) DESC, i.created_at DESC, i.id DESC LIMIT $2 OFFSET $3";
  return Transact<std::vector<model::Incident>>(Mode::kRead, [&](Connection& conn) {
    return LoadIncidents(conn, where, order_limit, {page_id, limit, offset}, filter.include_internal_updates);
  });
}

Result<model::Incident> SqlStore::GetIncident(const std::string& page_id, const std::string& id) {
  auto found = Transact<std::vector<model::Incident>>(Mode::kRead, [&](Connection& conn) {
    return LoadIncidents(conn, "i.page_id = $1 AND i.id = $2", "", {page_id, id}, true);
  });
  if (!found.ok()) return found.error();
  if (found->empty()) return Error::NotFound("incident '" + id + "' not found");
  return std::move(found->front());
}

Status SqlStore::SaveIncident(const IncidentWrite& write) {
  const model::Incident& i = write.incident;
  for (const auto& u : write.new_updates) {
    if (!u.incident_id.empty() && u.incident_id != i.id) {
      return Error::Invalid("incident_id", "update '" + u.id + "' belongs to another incident");
    }
  }
  // A stable order of row locks across writers avoids deadlocks on PostgreSQL; changes to the same
  // component keep their relative order.
  std::vector<model::StatusChange> changes = write.status_changes;
  std::stable_sort(changes.begin(), changes.end(),
                   [](const auto& a, const auto& b) { return a.component_id < b.component_id; });

  return Write([&](Connection& conn) -> Status {
    auto st = conn.Exec(
        "INSERT INTO incidents (id, page_id, name, type, impact, status, created_at, updated_at, started_at, "
        "monitoring_at, resolved_at, scheduled_for, scheduled_until, scheduled_auto_transition, backfilled, "
        "postmortem_body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) "
        "ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type, impact = excluded.impact, "
        "status = excluded.status, updated_at = excluded.updated_at, started_at = excluded.started_at, "
        "monitoring_at = excluded.monitoring_at, resolved_at = excluded.resolved_at, "
        "scheduled_for = excluded.scheduled_for, scheduled_until = excluded.scheduled_until, "
        "scheduled_auto_transition = excluded.scheduled_auto_transition, backfilled = excluded.backfilled, "
        "postmortem_body = excluded.postmortem_body "
        "WHERE incidents.page_id = excluded.page_id",
        {i.id, i.page_id, i.name, model::ToString(i.type), model::ToString(i.impact), model::ToString(i.status),
         i.created_at, i.updated_at, i.started_at, i.monitoring_at, i.resolved_at, i.scheduled_for, i.scheduled_until,
         i.scheduled_auto_transition, i.backfilled, i.postmortem_body});
    if (!st.ok()) return st.error();
    if (*st == 0) return Error{ErrorCode::kConflict, "incident id '" + i.id + "' belongs to another page", {}};

    if (auto d = conn.Exec("DELETE FROM incident_components WHERE incident_id = $1", {i.id}); !d.ok()) {
      return d.error();
    }
    for (size_t n = 0; n < i.components.size(); ++n) {
      const auto& c = i.components[n];
      auto ins = conn.Exec(
          "INSERT INTO incident_components (incident_id, component_id, position, old_status, new_status) "
          "VALUES ($1, $2, $3, $4, $5)",
          {i.id, c.component_id, static_cast<std::int64_t>(n), model::ToString(c.old_status),
           model::ToString(c.new_status)});
      if (!ins.ok()) return ins.error();
    }
    for (const auto& u : write.new_updates) {
      model::IncidentUpdate copy;
      const model::IncidentUpdate* up = &u;
      if (u.incident_id.empty()) {
        copy = u;
        copy.incident_id = i.id;
        up = &copy;
      }
      if (auto s = InsertUpdate(conn, *up); !s.ok()) return s;
    }
    for (const auto& ch : changes) {
      auto upd = conn.Exec("UPDATE components SET status = $1, updated_at = $2 WHERE id = $3 AND page_id = $4",
                           {model::ToString(ch.status), ch.at, ch.component_id, i.page_id});
      if (auto s = ExpectChanged(upd, "component '" + ch.component_id + "'"); !s.ok()) return s;
      if (auto s = RecordStatusChange(conn, i.page_id, ch); !s.ok()) return s;
    }
    return AppendOutbox(conn, write.event);
  });
}

Status SqlStore::DeleteIncident(const std::string& page_id, const std::string& id, const model::OutboxEvent& event) {
  return Write([&](Connection& conn) -> Status {
    // Children go explicitly too, for the same reason as in DeleteComponent.
    if (auto st = conn.Exec("DELETE FROM incident_updates WHERE incident_id IN (SELECT id FROM incidents WHERE page_id "
                            "= $1 AND id = $2)",
                            {page_id, id});
        !st.ok()) {
      return st.error();
    }
    if (auto st = conn.Exec("DELETE FROM incident_components WHERE incident_id IN "
                            "(SELECT id FROM incidents WHERE page_id = $1 AND id = $2)",
                            {page_id, id});
        !st.ok()) {
      return st.error();
    }
    auto del = conn.Exec("DELETE FROM incidents WHERE page_id = $1 AND id = $2", {page_id, id});
    if (auto st = ExpectChanged(del, "incident '" + id + "'"); !st.ok()) return st;
    return AppendOutbox(conn, event);
  });
}

Status SqlStore::SaveIncidentUpdate(const model::IncidentUpdate& u, const model::OutboxEvent& event) {
  return Write([&](Connection& conn) -> Status {
    // Only what an editor may correct; status, visibility and affected components are history.
    auto upd = conn.Exec(
        "UPDATE incident_updates SET body = $1, display_at = $2, updated_at = $3, next_update_at = $4, "
        "deliver_notifications = $5, variants = $8 WHERE id = $6 AND incident_id = $7",
        {u.body, u.display_at, u.updated_at, u.next_update_at, u.deliver_notifications, u.id, u.incident_id,
         VariantsToJson(u.variants)});
    if (auto st = ExpectChanged(upd, "incident update '" + u.id + "'"); !st.ok()) return st;
    return AppendOutbox(conn, event);
  });
}

// --- outbox ------------------------------------------------------------------------------------

Result<std::vector<model::OutboxEvent>> SqlStore::ReadOutbox(std::int64_t after_id, int limit) {
  const std::int64_t n = limit > 0 ? limit : std::numeric_limits<std::int64_t>::max();
  return ReadAll(
      "SELECT id, page_id, kind, subject_id, payload_json, created_at FROM outbox WHERE id > $1 ORDER BY id LIMIT $2",
      {after_id, n}, EventFromRow);
}

Result<std::int64_t> SqlStore::LastOutboxId() {
  auto last = ReadFirst("SELECT COALESCE(MAX(id), 0) FROM outbox", {}, [](const Row& r) { return r.Int(0); });
  if (!last.ok()) return last.error();
  return last->value_or(0);
}

// --- api keys ----------------------------------------------------------------------------------

Status SqlStore::SaveApiKey(const model::ApiKey& k) {
  return sql::Executed(WriteOne(
      "INSERT INTO api_keys (id, name, role, key_hash, created_at) VALUES ($1, $2, $3, $4, $5) "
      "ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role, key_hash = excluded.key_hash",
      {k.id, k.name, model::ToString(k.role), k.key_hash, k.created_at}));
}

Result<model::ApiKey> SqlStore::FindApiKeyByHash(const std::string& key_hash) {
  return ReadOne("SELECT id, name, role, key_hash, created_at FROM api_keys WHERE key_hash = $1", {key_hash},
                 ApiKeyFromRow, "API key");  // never echo the hash
}

Result<std::vector<model::ApiKey>> SqlStore::ListApiKeys() {
  return ReadAll("SELECT id, name, role, key_hash, created_at FROM api_keys ORDER BY created_at, id", {},
                 ApiKeyFromRow);
}

Status SqlStore::DeleteApiKey(const std::string& id) {
  return ExpectChanged(WriteOne("DELETE FROM api_keys WHERE id = $1", {id}), "API key '" + id + "'");
}

// --- idempotency -------------------------------------------------------------------------------

Result<std::optional<model::IdempotencyRecord>> SqlStore::GetIdempotency(const std::string& key) {
  return ReadFirst(
      "SELECT key, request_hash, status, response_body, created_at FROM idempotency WHERE key = $1", {key},
      [](const Row& r) {
        return model::IdempotencyRecord{r.Text(0), r.Text(1), static_cast<int>(r.Int(2)), r.Text(3), r.Int(4)};
      });
}

Status SqlStore::PutIdempotency(const model::IdempotencyRecord& rec) {
  auto st = WriteOne(
      "INSERT INTO idempotency (key, request_hash, status, response_body, created_at) VALUES ($1, $2, $3, $4, $5)",
      {rec.key, rec.request_hash, rec.status, rec.response_body, rec.created_at});
  if (!st.ok() && st.error().code == ErrorCode::kConflict) {
    return Error{ErrorCode::kConflict, "idempotency key already used", {}};
  }
  return sql::Executed(st);
}

Status SqlStore::PurgeIdempotency(TimeMs older_than) {
  return sql::Executed(WriteOne("DELETE FROM idempotency WHERE created_at < $1", {older_than}));
}

}  // namespace herald::store
