// SqlStore's IncidentTemplateStore methods: incident templates (migration 9). A template and its
// components are written in one transaction; lists read both tables in one read snapshot.
#include <string>
#include <unordered_map>

#include "store/sql/decoder.h"
#include "store/sql/query.h"
#include "store/sql_store.h"

namespace herald::store {
namespace {

using sql::Connection;
using sql::Decoder;
using sql::Params;
using sql::Row;

constexpr std::string_view kTemplateColumns =
    "id, page_id, name, title, body, group_name, update_status, notice_type, deliver_notifications, created_at, "
    "updated_at";

model::IncidentTemplate TemplateFromRow(const Row& r, Decoder& d) {
  model::IncidentTemplate t;
  t.id = r.Text(0);
  t.page_id = r.Text(1);
  t.name = r.Text(2);
  t.title = r.Text(3);
  t.body = r.Text(4);
  t.group_name = r.Text(5);
  t.update_status = d.Enum(model::ParseIncidentStatus, r.Text(6), "incident status");
  t.type = d.Enum(model::ParseNoticeType, r.Text(7), "notice type");
  t.deliver_notifications = r.Int(8) != 0;
  t.created_at = r.Int(9);
  t.updated_at = r.Int(10);
  return t;
}

// The templates `where` selects (a condition on alias t over `params`) with their components.
Result<std::vector<model::IncidentTemplate>> LoadTemplates(Connection& conn, const std::string& where,
                                                           const Params& params, std::string_view bytewise) {
  const std::string b(bytewise);
  auto rows = conn.Query("SELECT " + std::string(kTemplateColumns) + " FROM incident_templates t WHERE " + where +
                             " ORDER BY t.group_name" + b + ", t.name" + b + ", t.id" + b,
                         params);
  if (!rows.ok()) return rows.error();
  Decoder d;
  std::vector<model::IncidentTemplate> out;
  std::unordered_map<std::string, size_t> index;
  for (const auto& r : *rows) {
    out.push_back(TemplateFromRow(r, d));
    index.emplace(out.back().id, out.size() - 1);
  }
  if (out.empty()) return out;
  auto comps = conn.Query(
      "SELECT c.template_id, c.component_id, c.status FROM incident_template_components c "
      "WHERE c.template_id IN (SELECT t.id FROM incident_templates t WHERE " +
          where + ")",
      params);
  if (!comps.ok()) return comps.error();
  for (const auto& r : *comps) {
    auto it = index.find(r.Text(0));
    if (it == index.end()) continue;
    out[it->second].components[r.Text(1)] = d.Enum(model::ParseComponentStatus, r.Text(2), "component status");
  }
  if (auto st = d.status(); !st) return st.error();
  return out;
}

}  // namespace

Result<std::vector<model::IncidentTemplate>> SqlStore::ListIncidentTemplates(const std::string& page_id) {
  return Transact<std::vector<model::IncidentTemplate>>(Mode::kRead, [&](Connection& conn) {
    return LoadTemplates(conn, "t.page_id = $1", {page_id}, db_->dialect().bytewise);
  });
}

Result<model::IncidentTemplate> SqlStore::GetIncidentTemplate(const std::string& page_id, const std::string& id) {
  return Transact<model::IncidentTemplate>(Mode::kRead, [&](Connection& conn) -> Result<model::IncidentTemplate> {
    auto list = LoadTemplates(conn, "t.page_id = $1 AND t.id = $2", {page_id, id}, db_->dialect().bytewise);
    if (!list.ok()) return list.error();
    if (list->empty()) return Error::NotFound("incident template '" + id + "' not found");
    return std::move(list->front());
  });
}

Status SqlStore::SaveIncidentTemplate(const model::IncidentTemplate& t) {
  return Write([&](Connection& conn) -> Status {
    auto r = conn.Exec(
        "INSERT INTO incident_templates (" + std::string(kTemplateColumns) +
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO UPDATE SET "
            "name = excluded.name, title = excluded.title, body = excluded.body, group_name = excluded.group_name, "
            "update_status = excluded.update_status, notice_type = excluded.notice_type, "
            "deliver_notifications = excluded.deliver_notifications, updated_at = excluded.updated_at "
            "WHERE incident_templates.page_id = excluded.page_id",
        {t.id, t.page_id, t.name, t.title, t.body, t.group_name, model::ToString(t.update_status),
         model::ToString(t.type), t.deliver_notifications ? 1 : 0, t.created_at, t.updated_at});
    if (!r.ok()) return r.error();
    if (*r == 0) return Error{ErrorCode::kConflict, "incident template id '" + t.id + "' belongs to another page", {}};
    auto del = conn.Exec("DELETE FROM incident_template_components WHERE template_id = $1", {t.id});
    if (!del.ok()) return del.error();
    for (const auto& [component_id, status] : t.components) {
      auto ins =
          conn.Exec("INSERT INTO incident_template_components (template_id, component_id, status) VALUES ($1, $2, $3)",
                    {t.id, component_id, model::ToString(status)});
      if (!ins.ok()) return ins.error();
    }
    return {};
  });
}

Status SqlStore::DeleteIncidentTemplate(const std::string& page_id, const std::string& id) {
  return sql::ExpectChanged(WriteOne("DELETE FROM incident_templates WHERE page_id = $1 AND id = $2", {page_id, id}),
                            "incident template '" + id + "'");
}

}  // namespace herald::store
