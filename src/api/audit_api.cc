#include "api/audit_api.h"

#include <boost/json.hpp>

#include "api/access.h"
#include "api/csv_download.h"
#include "api/request_body.h"
#include "core/time.h"
#include "http/errors.h"

namespace herald::api {
namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

json::object EntryJson(const model::AuditEntry& e) {
  json::value changes = json::array();
  if (!e.changes_json.empty()) {
    boost::system::error_code ec;
    json::value parsed = json::parse(e.changes_json, ec);
    if (!ec) changes = std::move(parsed);
  }
  return {{"id", std::to_string(e.id)},
          {"time", FormatIso8601(e.at)},
          {"actor", e.actor},
          {"actor_name", e.actor_name},
          {"actor_display", e.ActorDisplay()},
          {"action", e.action},
          {"target_type", e.target_type},
          {"target_id", e.target_id},
          {"page_id", e.page_id},
          {"source", e.source},
          {"summary", e.summary},
          {"changes", std::move(changes)}};
}

Result<service::AuditQuery> ParseQuery(std::string_view query) {
  auto q = ParseForm(query);
  if (!q) return q.error();
  service::AuditQuery out;
  std::optional<std::string> s;
  for (auto [name, field] : {std::pair{"actor", &out.actor},
                             {"action", &out.action_prefix},
                             {"target_type", &out.target_type},
                             {"target_id", &out.target_id},
                             {"page_id", &out.page_id},
                             {"cursor", &out.cursor}}) {
    HERALD_TRY_ASSIGN(s, GetString(*q, name));
    if (s) *field = std::move(*s);
  }
  if (!out.target_id.empty() && out.target_type.empty())
    return Error::Invalid("target_type", "target_id needs target_type (e.g. target_type=incident)");
  HERALD_TRY_ASSIGN(out.since, GetTime(*q, "since"));
  HERALD_TRY_ASSIGN(out.until, GetTime(*q, "until"));
  std::optional<int> limit;
  HERALD_TRY_ASSIGN(limit, GetInt(*q, "limit"));
  if (limit) out.limit = *limit;
  return out;
}

}  // namespace

Result<Response> AuditApi::Route(const Request& req, const model::ApiKey& key, const std::vector<std::string>& seg) {
  // The log shows every key's and person's doings: admins only.
  if (auto st = Require(key, model::Permission::kReadAuditLog); !st) return st.error();
  auto query = ParseQuery(req.query);
  if (!query) return query.error();
  if (seg.size() == 2) {
    auto page = log_.List(*query);
    if (!page) return page.error();
    json::array entries;
    for (const auto& e : page->entries) entries.push_back(EntryJson(e));
    json::object body{
        {"entries", std::move(entries)},
        {"next_cursor", page->next_cursor.empty() ? json::value(nullptr) : json::value(page->next_cursor)}};
    return http::JsonResponse(200, json::serialize(body));
  }
  if (seg.size() == 3 && seg[2] == "export.csv") {
    return CsvDownload([&](const CsvSink& sink) { return log_.ExportCsv(*query, sink); }, "audit-log.csv");
  }
  return Error::NotFound("no such endpoint: " + req.path);
}

std::string BeforeImagePath(const Request& req, const std::vector<std::string>& seg) {
  if (req.method != "PATCH" && req.method != "PUT") return "";
  // The request's path, else shorter ones, until one that GET answers and that ends in an id (an
  // object, not a list).
  for (size_t n = seg.size(); n >= 3; --n) {
    std::vector<std::string> prefix(seg.begin(), seg.begin() + static_cast<std::ptrdiff_t>(n));
    const ApiRoute* get = FindRoute("GET", prefix);
    if (!get || !std::string_view(get->path).ends_with("}")) continue;
    std::string path;
    for (const auto& s : prefix) path += "/" + s;
    return path;
  }
  return "";
}

void RecordApiWrite(service::AuditLog& log, const Request& req, const model::ApiKey& key, const ApiRoute& route,
                    const std::vector<std::string>& seg, const Response& response, std::string_view before_json) {
  if (response.status < 200 || response.status >= 300) return;  // refused or failed: nothing was done
  for (const auto& [name, value] : response.headers)
    if (name == "Idempotent-Replayed") return;  // the first answer was recorded; nothing was written now
  RouteAction what = ActionOf(route, seg);
  if (what.action.empty()) return;
  model::AuditEntry e;
  const auto actor = service::AuditActor::ApiKey(key);
  e.actor = actor.actor;
  e.actor_name = actor.name;
  e.action = std::move(what.action);
  e.target_type = std::move(what.target_type);
  e.target_id = std::move(what.target_id);
  e.page_id = std::move(what.page_id);
  e.source = req.remote_addr;
  e.summary = req.method + " " + req.path;
  // The answer names what was made: its id (for a create) and its name, and the page's id when
  // the path named the page by its slug.
  boost::system::error_code ec;
  const json::value answer = json::parse(response.Body(), ec);
  if (!ec && answer.is_object()) {
    const auto& o = answer.as_object();
    if (const auto* id = o.if_contains("id"); id && id->is_string() && what.create) e.target_id = id->as_string();
    if (const auto* name = o.if_contains("name"); name && name->is_string())
      e.summary += " \"" + std::string(name->as_string()) + "\"";
    if (const auto* page_id = o.if_contains("page_id"); page_id && page_id->is_string())
      e.page_id = page_id->as_string();
    // A page may be named by its slug in the path; the answer has its id.
    if (const auto* id = o.if_contains("id"); id && id->is_string() && e.target_type == "page")
      e.target_id = e.page_id = id->as_string();
  }
  if (!before_json.empty()) e.changes_json = service::TextChanges(before_json, response.Body());
  (void)log.Record(std::move(e));
}

}  // namespace herald::api
