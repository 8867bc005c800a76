// /admin/audit (read_audit_log: admins): the audit log newest first, filtered by actor, action
// prefix, target, page and time range (UTC), paged by index (service::AuditLog::List's cursor),
// each entry with its changes (before and after). /admin/audit/export.csv downloads the entries
// the same filters select, written by the API's CSV writer (AuditLog::ExportCsv).
#include <boost/json.hpp>

#include "console/calendar.h"
#include "console/screen_forms.h"
#include "core/time.h"

namespace herald::console {
namespace {

namespace json = boost::json;
using model::Permission;

// The filter fields of both the screen and the export, as the query names them.
constexpr const char* kFilterFields[] = {"actor", "action", "target_type", "target_id", "page_id", "since", "until"};

// The query's filters (and, for the screen, its cursor and limit) as an AuditQuery; errors name
// the form's fields.
Result<service::AuditQuery> ReadQuery(const ScreenContext& ctx) {
  service::AuditQuery q;
  q.actor = Field(ctx.query, "actor");
  q.action_prefix = Field(ctx.query, "action");
  q.target_type = Field(ctx.query, "target_type");
  q.target_id = Field(ctx.query, "target_id");
  q.page_id = Field(ctx.query, "page_id");
  q.cursor = Field(ctx.query, "cursor");
  if (!q.target_id.empty() && q.target_type.empty())
    return Error::Invalid("target_type", "Give the target type too (incident, component, ...).");
  for (auto [name, out] : {std::pair{"since", &q.since}, {"until", &q.until}}) {
    const std::string text = Field(ctx.query, name);
    if (text.empty()) continue;
    *out = ParseLocalDateTime(text, "UTC");
    if (!*out) return Error::Invalid(name, "Give a date and time like 2026-12-10T22:00 (UTC).");
  }
  if (q.since && q.until && *q.since >= *q.until)
    return Error::Invalid("since", "The start of the time range must be before its end.");
  if (const std::string limit = Field(ctx.query, "limit"); !limit.empty()) {
    q.limit = std::atoi(limit.c_str());
    if (q.limit < 1 || q.limit > service::AuditLog::kMaxLimit || limit.size() > 4)
      return Error::Invalid("limit", "Show 1 to 500 entries a page.");
  }
  return q;
}

// "actor=...&action=...": the filters of this request, for links that keep them.
std::string FilterQuery(const ScreenContext& ctx) {
  std::string out;
  for (const char* name : kFilterFields)
    if (const std::string v = Field(ctx.query, name); !v.empty())
      out += (out.empty() ? "" : "&") + std::string(name) + "=" + QueryEscape(v);
  return out;
}

mu::data Changes(const std::string& changes_json) {
  mu::data list{mu::data::type::list};
  boost::system::error_code ec;
  const json::value v = json::parse(changes_json, ec);
  if (ec || !v.is_array()) return list;
  for (const auto& c : v.as_array()) {
    if (!c.is_object()) continue;
    mu::data row;
    for (const char* key : {"field", "before", "after"}) {
      const auto* s = c.as_object().if_contains(key);
      row.set(key, s && s->is_string() ? std::string(s->as_string()) : std::string());
    }
    list.push_back(row);
  }
  return list;
}

mu::data Entry(const model::AuditEntry& e, const std::map<std::string, std::string>& page_names) {
  mu::data d;
  d.set("id", std::to_string(e.id));
  d.set("time", FormatInZone(e.at, "UTC", "%Y-%m-%d %H:%M:%S UTC"));
  d.set("time_iso", FormatIso8601(e.at));
  d.set("actor", e.actor);
  d.set("actor_name", e.actor_name);
  d.set("actor_href", "/admin/audit?actor=" + QueryEscape(e.actor));
  d.set("action", e.action);
  d.set("action_href", "/admin/audit?action=" + QueryEscape(e.action));
  if (!e.target_type.empty()) {
    d.set("target", e.target_type + (e.target_id.empty() ? "" : " " + e.target_id));
    d.set("target_href", "/admin/audit?target_type=" + QueryEscape(e.target_type) +
                             (e.target_id.empty() ? "" : "&target_id=" + QueryEscape(e.target_id)));
  }
  if (!e.page_id.empty()) {
    auto it = page_names.find(e.page_id);
    d.set("page", it == page_names.end() ? e.page_id : it->second);
  }
  d.set("source", e.source);
  d.set("summary", e.summary);
  mu::data changes = Changes(e.changes_json);
  d.set("has_changes", !changes.is_empty_list());
  d.set("changes", changes);
  return d;
}

http::Response Get(const ScreenContext& ctx) {
  if (!ctx.deps.audit_log) return Unavailable(ctx);
  mu::data d;
  for (const char* name : kFilterFields) d.set(std::string("f_") + name, Field(ctx.query, name));
  auto pages = ctx.deps.store.ListPages();
  if (!pages) return Unavailable(ctx);
  std::map<std::string, std::string> page_names;
  mu::data page_options{mu::data::type::list};
  for (const auto& p : *pages) {
    page_names[p.id] = p.name;
    mu::data o;
    o.set("value", p.id);
    o.set("label", p.name);
    if (p.id == Field(ctx.query, "page_id")) o.set("selected", true);
    page_options.push_back(o);
  }
  d.set("page_options", page_options);
  const std::string filters = FilterQuery(ctx);
  d.set("export_href", "/admin/audit/export.csv" + (filters.empty() ? "" : "?" + filters));
  d.set("filtered", !filters.empty());
  auto query = ReadQuery(ctx);
  if (!query) {
    SetFieldErrors(d, {FromError(query.error())}, "audit-");
    return ctx.Page(422, "Audit log", "audit", d);
  }
  auto page = ctx.deps.audit_log->List(*query);
  if (!page) {
    if (!IsInputError(page.error())) return Unavailable(ctx);
    SetFieldErrors(d, {FromError(page.error())}, "audit-");
    return ctx.Page(422, "Audit log", "audit", d);
  }
  mu::data entries{mu::data::type::list};
  for (const auto& e : page->entries) entries.push_back(Entry(e, page_names));
  d.set("entries", entries);
  d.set("empty", page->entries.empty());
  const std::string limit = Field(ctx.query, "limit");
  const std::string keep = filters + (limit.empty() ? "" : (filters.empty() ? "" : "&") + ("limit=" + limit));
  if (!page->next_cursor.empty())
    d.set("older_href",
          "/admin/audit?" + keep + (keep.empty() ? "" : "&") + "cursor=" + QueryEscape(page->next_cursor));
  if (!query->cursor.empty()) d.set("newest_href", "/admin/audit" + (keep.empty() ? "" : "?" + keep));
  return ctx.Page(200, "Audit log", "audit", d);
}

http::Response Export(const ScreenContext& ctx) {
  if (!ctx.deps.audit_log) return Unavailable(ctx);
  auto query = ReadQuery(ctx);
  if (!query) return ctx.Message(422, "Audit log", query.error().message);
  std::string body;
  auto st = ctx.deps.audit_log->ExportCsv(*query, [&](std::string_view chunk) {
    body += chunk;
    return true;
  });
  if (!st) return IsInputError(st.error()) ? ctx.Message(422, "Audit log", st.error().message) : Unavailable(ctx);
  http::Response r;
  r.body = std::move(body);
  SetConsoleHeaders(r);
  r.Set("Content-Type", "text/csv; charset=utf-8");
  r.Set("Content-Disposition", "attachment; filename=\"audit-log.csv\"");
  return r;
}

}  // namespace

ScreenDescriptor AuditScreen() {
  return {"/admin/audit", "Audit log", Permission::kReadAuditLog, Get, nullptr, std::nullopt};
}

ScreenDescriptor AuditExportScreen() {
  return {"/admin/audit/export.csv", "", Permission::kReadAuditLog, Export, nullptr, std::nullopt};
}

}  // namespace herald::console
