#include "api/admin_api.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <boost/json.hpp>
#include <cerrno>
#include <memory>
#include <mutex>
#include <set>

#include "api/console_api.h"
#include "api/incident_templates_api.h"
#include "api/audit_api.h"
#include "api/access.h"
#include "api/monitors_api.h"
#include "api/paging.h"
#include "api/request_body.h"
#include "api/routes.h"
#include "api/subscribers_api.h"
#include "assets/web_assets.h"
#include "core/encoding.h"
#include "core/text.h"
#include "core/time.h"
#include "http/auth.h"
#include "http/errors.h"
#include "service/dashboard.h"
#include "service/preview.h"
#include "service/services.h"
#include "statuspage/json.h"

namespace herald::api {
namespace json = boost::json;
using http::Request;
using http::Response;
using model::Permission;
using statuspage::Audience;
using statuspage::ComponentJson;
using statuspage::IncidentJson;

namespace {

// The SHA-256 of a body the server kept in a temporary file (the subscriber import), read in
// pieces: the Idempotency-Key check must cover it, without holding it in memory.
std::string FileSha256(int fd) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return "unreadable";
  std::array<char, 64 * 1024> buffer;
  for (off_t at = 0;;) {
    const ssize_t n = ::pread(fd, buffer.data(), buffer.size(), at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return "unreadable";
    if (n == 0) break;
    EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<size_t>(n));
    at += n;
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(md), len));
}

constexpr TimeMs kIdempotencyWindowMs = 24LL * 3600 * 1000;

// POST /v1/pages/{page_id}/incidents/preview (console_api.h).
bool IsPreview(const std::vector<std::string>& seg) {
  return seg.size() == 5 && seg[3] == "incidents" && seg[4] == "preview";
}

Response Json(int status, const json::value& v) { return http::JsonResponse(status, json::serialize(v)); }

// Notification-only versions of an update's body: {"technical": "...", "segment:enterprise": "..."}.
Result<std::map<std::string, std::string>> GetVariants(const json::object& o) {
  std::map<std::string, std::string> out;
  const json::value* v = o.if_contains("variants");
  if (!v || v->is_null()) return out;
  if (!v->is_object()) return Error::Invalid("variants", "variants must be an object of audience to text");
  for (const auto& [k, text] : v->as_object()) {
    if (!text.is_string()) return Error::Invalid("variants", "each variant must be a string");
    out[std::string(k)] = std::string(text.as_string());
  }
  return out;
}

Result<service::IncidentInput> ParseIncidentInput(const json::object& body) {
  json::object o = Unwrap(body, "incident");
  service::IncidentInput in;
  HERALD_TRY_ASSIGN(in.name, GetString(o, "name"));
  std::optional<std::string> s;
  HERALD_TRY_ASSIGN(s, GetString(o, "status"));
  if (s) {
    in.status = model::ParseIncidentStatus(*s);
    if (!in.status)
      return Error::Invalid("status",
                            "status must be one of investigating, identified, monitoring, resolved, "
                            "postmortem, scheduled, in_progress, verifying, completed");
  }
  HERALD_TRY_ASSIGN(s, GetString(o, "impact_override"));
  if (!s) HERALD_TRY_ASSIGN(s, GetString(o, "impact"));
  if (s) {
    in.impact = model::ParseImpact(*s);
    if (!in.impact) return Error::Invalid("impact", "impact must be none, minor, major, critical or maintenance");
  }
  HERALD_TRY_ASSIGN(s, GetString(o, "type"));
  if (s) {
    in.type = model::ParseNoticeType(*s);
    if (!in.type) return Error::Invalid("type", "type must be outage, maintenance, security, policy or product_update");
  }
  HERALD_TRY_ASSIGN(in.body, GetString(o, "body"));
  HERALD_TRY_ASSIGN(in.deliver_notifications, GetBool(o, "deliver_notifications"));
  HERALD_TRY_ASSIGN(in.next_update_at, GetTime(o, "next_update_at"));
  std::optional<bool> internal;
  HERALD_TRY_ASSIGN(internal, GetBool(o, "internal"));
  in.internal = internal.value_or(false);
  HERALD_TRY_ASSIGN(in.components, GetComponentMap(o));
  HERALD_TRY_ASSIGN(in.variants, GetVariants(o));
  HERALD_TRY_ASSIGN(in.component_ids, GetStringList(o, "component_ids"));
  HERALD_TRY_ASSIGN(in.scheduled_for, GetTime(o, "scheduled_for"));
  HERALD_TRY_ASSIGN(in.scheduled_until, GetTime(o, "scheduled_until"));
  std::optional<bool> auto_in_progress, auto_completed, auto_transition;
  HERALD_TRY_ASSIGN(auto_in_progress, GetBool(o, "scheduled_auto_in_progress"));
  HERALD_TRY_ASSIGN(auto_completed, GetBool(o, "scheduled_auto_completed"));
  HERALD_TRY_ASSIGN(auto_transition, GetBool(o, "scheduled_auto_transition"));
  if (auto_transition)
    in.scheduled_auto_transition = auto_transition;
  else if (auto_in_progress || auto_completed)
    in.scheduled_auto_transition = auto_in_progress.value_or(false) || auto_completed.value_or(false);
  HERALD_TRY_ASSIGN(in.backfilled, GetBool(o, "backfilled"));
  HERALD_TRY_ASSIGN(in.backfill_date, GetTime(o, "backfill_date"));
  HERALD_TRY_ASSIGN(in.postmortem_body, GetString(o, "postmortem_body"));
  return in;
}

Result<service::ComponentInput> ParseComponentInput(const json::object& body, bool group) {
  json::object o = Unwrap(body, group ? "component_group" : "component");
  service::ComponentInput in;
  HERALD_TRY_ASSIGN(in.name, GetString(o, "name"));
  HERALD_TRY_ASSIGN(in.description, GetString(o, "description"));
  if (group && !in.description) HERALD_TRY_ASSIGN(in.description, GetString(body, "description"));
  HERALD_TRY_ASSIGN(in.group_id, GetString(o, "group_id"));
  HERALD_TRY_ASSIGN(in.start_date, GetString(o, "start_date"));
  HERALD_TRY_ASSIGN(in.position, GetInt(o, "position"));
  std::optional<std::string> s;
  HERALD_TRY_ASSIGN(s, GetString(o, "status"));
  if (s) {
    in.status = model::ParseComponentStatus(*s);
    if (!in.status)
      return Error::Invalid("status",
                            "status must be operational, degraded_performance, partial_outage, "
                            "major_outage or under_maintenance");
  }
  HERALD_TRY_ASSIGN(in.showcase, GetBool(o, "showcase"));
  HERALD_TRY_ASSIGN(in.only_show_if_degraded, GetBool(o, "only_show_if_degraded"));
  HERALD_TRY_ASSIGN(in.hidden, GetBool(o, "hidden"));
  if (group) HERALD_TRY_ASSIGN(in.member_ids, GetStringList(o, "components"));
  return in;
}

Result<service::PageInput> ParsePageInput(const json::object& body) {
  json::object o = Unwrap(body, "page");
  service::PageInput in;
  HERALD_TRY_ASSIGN(in.name, GetString(o, "name"));
  HERALD_TRY_ASSIGN(in.slug, GetString(o, "slug"));
  HERALD_TRY_ASSIGN(in.url, GetString(o, "url"));
  HERALD_TRY_ASSIGN(in.hostname, GetString(o, "domain"));
  if (!in.hostname) HERALD_TRY_ASSIGN(in.hostname, GetString(o, "hostname"));
  HERALD_TRY_ASSIGN(in.time_zone, GetString(o, "time_zone"));
  HERALD_TRY_ASSIGN(in.logo_url, GetString(o, "logo_url"));
  HERALD_TRY_ASSIGN(in.accent_color, GetString(o, "accent_color"));
  HERALD_TRY_ASSIGN(in.is_default, GetBool(o, "is_default"));
  HERALD_TRY_ASSIGN(in.is_private, GetBool(o, "is_private"));
  return in;
}

json::object StaffPageJson(const model::Page& p) {
  return {{"id", p.id},
          {"name", p.name},
          {"slug", p.slug},
          {"url", p.url},
          {"domain", p.hostname.empty() ? json::value(nullptr) : json::value(p.hostname)},
          {"subdomain", p.slug},
          {"time_zone", p.time_zone},
          {"logo_url", p.logo_url},
          {"accent_color", p.accent_color},
          {"is_default", p.is_default},
          {"is_private", p.is_private},
          {"created_at", FormatIso8601(p.created_at)},
          {"updated_at", FormatIso8601(p.updated_at)}};
}

}  // namespace

struct AdminApi::Impl {
  AdminDeps deps;
  service::PageService pages;
  service::ComponentService components;
  service::IncidentService incidents;
  std::mutex idem_mu;
  std::set<std::string> idem_in_flight;  // keys being processed right now, so a racing replay waits

  explicit Impl(AdminDeps d)
      : deps(std::move(d)),
        pages(service::Deps{deps.store, deps.clock, deps.on_change}),
        components(service::Deps{deps.store, deps.clock, deps.on_change}),
        incidents(service::Deps{deps.store, deps.clock, deps.on_change}) {}

  Result<model::ApiKey> Auth(const Request& req) {
    // Scheme names are case-insensitive (RFC 9110 section 11.1): "BEARER" and "oauth" work too.
    const std::string secret(http::AuthorizationCredentials(req.Header("authorization"), {"Bearer", "OAuth"}));
    if (secret.empty())
      return Error{ErrorCode::kUnauthorized, "send an API key: Authorization: Bearer <key> (or OAuth <key>)", {}};
    return service::Authenticate(deps.store, secret);
  }

  Result<json::object> Body(const Request& req) { return ParseBody(req.Header("content-type"), req.body); }

  Result<std::vector<model::Component>> Components(const std::string& page_id) {
    return deps.store.ListComponents(page_id);
  }

  // An incident's `components` and `component_ids` may name components by id or, as the CLI
  // accepts, by their exact name (a name two components share is refused: use the id).
  Status ResolveComponentNames(const std::string& page_id, service::IncidentInput& in) {
    if (in.components.empty() && (!in.component_ids || in.component_ids->empty())) return {};
    auto all = Components(page_id);
    if (!all) return all.error();
    auto resolve = [&](const std::string& ref, const char* field) -> Result<std::string> {
      std::string found;
      for (const auto& c : *all) {
        if (c.is_group) continue;
        if (c.id == ref) return c.id;
        if (c.name == ref) {
          if (!found.empty())
            return Error::Invalid(field, "several components are named \"" + ref.substr(0, 64) + "\"; use the id");
          found = c.id;
        }
      }
      return found.empty() ? ref : found;  // unknown: the service names it
    };
    std::map<std::string, model::ComponentStatus> by_id;
    for (const auto& [ref, st] : in.components) {
      auto id = resolve(ref, "components");
      if (!id) return id.error();
      by_id[*id] = st;
    }
    in.components = std::move(by_id);
    if (in.component_ids)
      for (auto& ref : *in.component_ids) {
        auto id = resolve(ref, "component_ids");
        if (!id) return id.error();
        ref = *id;
      }
    return {};
  }

  Result<Response> IncidentResponse(int status, const model::Incident& inc) {
    auto all = Components(inc.page_id);
    if (!all) return all.error();
    return Json(status, IncidentJson(inc, *all, deps.public_url, Audience::kStaff));
  }

  // GET incidents with cursor=, status= or limit=: newest first, keyset-paged; the same objects
  // as the Statuspage-style list.
  Result<Response> CursorPage(const Request& req, const json::object& query, const std::string& pid) {
    if (query.contains("page") || query.contains("per_page"))
      return Error::Invalid("page", "page and per_page page by offset; with cursor, status or limit use cursor");
    store::IncidentPageQuery pq;
    std::optional<std::string> text;
    HERALD_TRY_ASSIGN(text, GetString(query, "status"));
    if (text) {
      pq.status = model::ParseIncidentStatus(*text);
      if (!pq.status)
        return Error::Invalid("status",
                              "status must be investigating, identified, monitoring, resolved, postmortem, "
                              "scheduled, in_progress, verifying or completed");
    }
    HERALD_TRY_ASSIGN(text, GetString(query, "type"));
    if (text) {
      if (*text != "incident" && *text != "maintenance")
        return Error::Invalid("type", "type must be incident or maintenance");
      pq.maintenance = *text == "maintenance";
    }
    std::optional<int> limit;
    HERALD_TRY_ASSIGN(limit, GetInt(query, "limit"));
    if (limit && (*limit < 1 || *limit > 1000)) return Error::Invalid("limit", "limit must be between 1 and 1000");
    HERALD_TRY_ASSIGN(text, GetString(query, "cursor"));
    std::optional<Cursor> cursor;
    HERALD_TRY_ASSIGN(cursor, DecodeCursor(text.value_or(""), "incidents", true));
    if (cursor) {
      pq.has_after = true;
      pq.after_key = cursor->int_key;
      pq.after_id = cursor->id;
    }
    pq.limit = limit.value_or(50) + 1;  // one more tells whether a next page exists
    auto list = deps.store.PageIncidents(pid, pq);
    if (!list) return list.error();
    const bool more = static_cast<int>(list->size()) >= pq.limit;
    if (more) list->pop_back();
    auto all = Components(pid);
    if (!all) return all.error();
    json::array arr;
    for (const auto& inc : *list) arr.push_back(IncidentJson(inc, *all, deps.public_url, Audience::kStaff));
    Response r = Json(200, arr);
    if (more)
      SetNextPage(r, req, EncodeCursor({"incidents", "", store::IncidentSortKey(list->back()), list->back().id}));
    return r;
  }

  Result<Response> Route(const Request& req, const model::ApiKey& key, const std::vector<std::string>& seg) {
    const std::string& m = req.method;
    const bool read = m == "GET" || m == "HEAD";
    auto need = [&](Permission p) { return Require(key, p); };
    if (seg.size() == 2 && seg[1] == "pages") {
      if (read) {
        auto list = deps.store.ListPages();
        if (!list) return list.error();
        json::array arr;
        for (const auto& p : *list) arr.push_back(StaffPageJson(p));
        return Json(200, arr);
      }
      if (m == "POST") {
        if (auto st = need(Permission::kManageSettings); !st) return st.error();
        auto body = Body(req);
        if (!body) return body.error();
        auto in = ParsePageInput(*body);
        if (!in) return in.error();
        auto p = pages.Create(*in);
        if (!p) return p.error();
        return Json(201, StaffPageJson(*p));
      }
      return MethodNotAllowed(seg);
    }
    if (AuditApi::Owns(seg)) {
      if (!deps.audit_log) return Error::Unavailable("the audit log is not available on this server");
      return AuditApi(*deps.audit_log).Route(req, key, seg);
    }
    if (seg.size() < 3 || seg[1] != "pages") return Error::NotFound("no such endpoint: " + req.path);
    auto page = deps.store.GetPage(seg[2]);
    if (!page) return page.error();
    // The console's dashboard and composer preview (api/console_api.h).
    if (seg.size() == 4 && seg[3] == "dashboard") {
      if (!read) return MethodNotAllowed(seg);
      auto d = service::LoadDashboard(deps.store, deps.clock, page->id);
      if (!d) return d.error();
      return Json(200, DashboardJson(*d));
    }
    if (IsPreview(seg)) {
      if (m != "POST") return MethodNotAllowed(seg);
      if (auto st = need(Permission::kPublishIncident); !st) return st.error();
      auto body = Body(req);
      if (!body) return body.error();
      std::optional<std::string> incident_id;
      HERALD_TRY_ASSIGN(incident_id, GetString(*body, "incident_id"));
      auto in = ParseIncidentInput(*body);
      if (!in) return in.error();
      if (auto st = ResolveComponentNames(page->id, *in); !st) return st.error();
      auto preview = service::PreviewIncident({deps.store, deps.clock, deps.public_url}, page->id, incident_id, *in);
      if (!preview) return preview.error();
      auto all = Components(page->id);
      if (!all) return all.error();
      return Json(200, PreviewJson(*preview, *all, deps.public_url));
    }
    if (IsIncidentTemplatesPath(seg)) return RouteIncidentTemplates(deps.store, deps.clock, key, page->id, req, seg);
    if (SubscribersApi::Owns(seg)) {
      auto* subscribers = deps.subscribers_api();
      if (!subscribers) return Error::Unavailable("notifications are starting; retry shortly");
      return subscribers->Route(req, key, *page, seg);
    }
    if (MonitorsApi::Owns(seg)) {
      auto* monitors = deps.monitors_api();
      if (!monitors) return Error::Unavailable("monitoring is starting; retry shortly");
      return monitors->Route(req, key, *page, seg);
    }
    const std::string& pid = page->id;
    if (seg.size() == 3) {
      if (read) return Json(200, StaffPageJson(*page));
      if (m == "PATCH" || m == "PUT") {
        if (auto st = need(Permission::kManageSettings); !st) return st.error();
        auto body = Body(req);
        if (!body) return body.error();
        auto in = ParsePageInput(*body);
        if (!in) return in.error();
        auto p = pages.Update(pid, *in);
        if (!p) return p.error();
        return Json(200, StaffPageJson(*p));
      }
      return MethodNotAllowed(seg);
    }
    const std::string& coll = seg[3];
    if (coll == "components" || coll == "component-groups" || coll == "component_groups") {
      return RouteComponents(req, need, pid, seg, coll != "components");
    }
    if (coll == "incidents") return RouteIncidents(req, need, pid, seg);
    return Error::NotFound("no such endpoint: " + req.path);
  }

  template <typename Need>
  Result<Response> RouteComponents(const Request& req, Need& need, const std::string& pid,
                                   const std::vector<std::string>& seg, bool group) {
    const std::string& m = req.method;
    const bool read = m == "GET" || m == "HEAD";
    if (seg.size() == 4) {
      if (read) {
        auto all = Components(pid);
        if (!all) return all.error();
        json::array arr;
        for (const auto& c : *all)
          if (c.is_group == group) arr.push_back(ComponentJson(c, *all, Audience::kStaff));
        return Json(200, arr);
      }
      if (m == "POST") {
        if (auto st = need(Permission::kManageComponents); !st) return st.error();
        auto body = Body(req);
        if (!body) return body.error();
        auto in = ParseComponentInput(*body, group);
        if (!in) return in.error();
        auto c = components.Create(pid, *in, group);
        if (!c) return c.error();
        auto all = Components(pid);
        if (!all) return all.error();
        return Json(201, ComponentJson(*c, *all, Audience::kStaff));
      }
      return MethodNotAllowed(seg);
    }
    if (seg.size() != 5) return Error::NotFound("no such endpoint: " + req.path);
    const std::string& id = seg[4];
    auto existing = deps.store.GetComponent(pid, id);
    if (!existing) return existing.error();
    if (existing->is_group != group)
      return Error::NotFound(group ? "component group not found" : "component not found");
    if (read) {
      auto all = Components(pid);
      if (!all) return all.error();
      return Json(200, ComponentJson(*existing, *all, Audience::kStaff));
    }
    if (m == "PATCH" || m == "PUT") {
      auto body = Body(req);
      if (!body) return body.error();
      auto in = ParseComponentInput(*body, group);
      if (!in) return in.error();
      // Responders may change a component's status during an incident; everything else about
      // the catalogue is the admin's.
      const bool status_only = !group && in->status && !in->name && !in->description && !in->group_id &&
                               !in->position && !in->showcase && !in->only_show_if_degraded && !in->hidden &&
                               !in->start_date;
      if (auto st = need(status_only ? Permission::kSetComponentStatus : Permission::kManageComponents); !st)
        return st.error();
      auto c = components.Update(pid, id, *in);
      if (!c) return c.error();
      auto all = Components(pid);
      if (!all) return all.error();
      return Json(200, ComponentJson(*c, *all, Audience::kStaff));
    }
    if (m == "DELETE") {
      if (auto st = need(Permission::kManageComponents); !st) return st.error();
      auto st = components.Delete(pid, id);
      if (!st) return st.error();
      Response r;
      r.status = 204;
      return r;
    }
    return MethodNotAllowed(seg);
  }

  template <typename Need>
  Result<Response> RouteIncidents(const Request& req, Need& need, const std::string& pid,
                                  const std::vector<std::string>& seg) {
    const std::string& m = req.method;
    const bool read = m == "GET" || m == "HEAD";
    static const std::set<std::string> kLists = {"unresolved", "scheduled", "upcoming", "active_maintenance"};
    if (seg.size() == 4 || (seg.size() == 5 && kLists.count(seg[4]))) {
      if (read) {
        store::IncidentFilter f;
        std::string which = seg.size() == 5 ? seg[4] : "";
        if (which == "unresolved") f.unresolved_only = true, f.maintenance = false;
        if (which == "scheduled" || which == "upcoming" || which == "active_maintenance")
          f.maintenance = true, f.unresolved_only = true;
        f.limit = 100;
        // The console's list: keyset-paged, filtered by status (api/paging.h).
        if (seg.size() == 4) {
          auto q = ParseForm(req.query);
          if (q && (q->contains("cursor") || q->contains("status") || q->contains("limit")))
            return CursorPage(req, *q, pid);
        }
        // Statuspage pages lists with ?page=N&per_page=M.
        auto q = ParseForm(req.query);
        if (q) {
          auto per = GetInt(*q, "per_page");
          auto pg = GetInt(*q, "page");
          if (per && *per && **per > 0 && **per <= 1000) f.limit = **per;
          if (pg && *pg && **pg > 1) f.offset = (**pg - 1) * f.limit;
        }
        auto list = deps.store.ListIncidents(pid, f);
        if (!list) return list.error();
        auto all = Components(pid);
        if (!all) return all.error();
        json::array arr;
        for (const auto& inc : *list) {
          if (which == "upcoming" && inc.status != model::IncidentStatus::kScheduled) continue;
          if (which == "active_maintenance" && inc.status != model::IncidentStatus::kInProgress &&
              inc.status != model::IncidentStatus::kVerifying)
            continue;
          arr.push_back(IncidentJson(inc, *all, deps.public_url, Audience::kStaff));
        }
        return Json(200, arr);
      }
      if (m == "POST" && seg.size() == 4) {
        if (auto st = need(Permission::kPublishIncident); !st) return st.error();
        auto body = Body(req);
        if (!body) return body.error();
        auto in = ParseIncidentInput(*body);
        if (!in) return in.error();
        if (auto st = ResolveComponentNames(pid, *in); !st) return st.error();
        auto inc = incidents.Create(pid, *in);
        if (!inc) return inc.error();
        return IncidentResponse(201, *inc);
      }
      return MethodNotAllowed(seg);
    }
    const std::string& id = seg[4];
    if (seg.size() == 5) {
      if (read) {
        auto inc = deps.store.GetIncident(pid, id);
        if (!inc) return inc.error();
        return IncidentResponse(200, *inc);
      }
      if (m == "PATCH" || m == "PUT") {
        if (auto st = need(Permission::kPublishIncident); !st) return st.error();
        auto body = Body(req);
        if (!body) return body.error();
        auto in = ParseIncidentInput(*body);
        if (!in) return in.error();
        if (auto st = ResolveComponentNames(pid, *in); !st) return st.error();
        auto inc = incidents.Update(pid, id, *in);
        if (!inc) return inc.error();
        return IncidentResponse(200, *inc);
      }
      if (m == "DELETE") {
        if (auto st = need(Permission::kPublishIncident); !st) return st.error();
        auto inc = deps.store.GetIncident(pid, id);
        if (!inc) return inc.error();
        auto st = incidents.Delete(pid, id);
        if (!st) return st.error();
        return IncidentResponse(200, *inc);
      }
      return MethodNotAllowed(seg);
    }
    if (seg[5] != "incident_updates") return Error::NotFound("no such endpoint: " + req.path);
    if (seg.size() == 6) {
      if (read) {
        auto inc = deps.store.GetIncident(pid, id);
        if (!inc) return inc.error();
        auto r = IncidentResponse(200, *inc);
        if (!r) return r;
        auto v = json::parse(r->body);
        return Json(200, v.as_object()["incident_updates"]);
      }
      if (m == "POST") {  // Herald extension: post an update without the incident wrapper
        if (auto st = need(Permission::kPublishIncident); !st) return st.error();
        auto body = Body(req);
        if (!body) return body.error();
        json::object inner = Unwrap(*body, "incident_update");
        auto in = ParseIncidentInput(inner);
        if (!in) return in.error();
        if (auto st = ResolveComponentNames(pid, *in); !st) return st.error();
        if (!in->body && !in->status) return Error::Invalid("body", "an update needs a body or a status");
        auto inc = incidents.Update(pid, id, *in);
        if (!inc) return inc.error();
        return IncidentResponse(201, *inc);
      }
      return MethodNotAllowed(seg);
    }
    if (seg.size() == 7 && (m == "PATCH" || m == "PUT")) {
      if (auto st = need(Permission::kPublishIncident); !st) return st.error();
      auto body = Body(req);
      if (!body) return body.error();
      json::object o = Unwrap(*body, "incident_update");
      auto text = GetString(o, "body");
      if (!text) return text.error();
      auto display = GetTime(o, "display_at");
      if (!display) return display.error();
      auto inc = incidents.EditUpdate(pid, id, seg[6], *text, *display);
      if (!inc) return inc.error();
      auto r = IncidentResponse(200, *inc);
      return r;
    }
    return Error::NotFound("no such endpoint: " + req.path);
  }

  Response Handle(const Request& req) {
    auto seg = SplitApiPath(req.path);
    if (seg.size() == 2 && seg[1] == "openapi" && (req.method == "GET" || req.method == "HEAD")) {
      Response r = http::JsonResponse(200, std::string(assets::FindWebAsset("openapi.json")));
      r.Set("Access-Control-Allow-Origin", "*");
      return r;
    }
    auto key = Auth(req);
    if (!key) return http::ErrorResponse(key.error());
    // The route table is the API's surface (and what web/openapi.json describes): nothing it
    // does not name reaches a handler.
    switch (MatchRoute(req.method, seg)) {
      case RouteMatch::kNoPath: return http::ErrorResponse(Error::NotFound("no such endpoint: " + req.path));
      case RouteMatch::kNoMethod: return MethodNotAllowed(seg);
      case RouteMatch::kFound: break;
    }
    // Every write is recorded here, once it has succeeded, and nowhere else (audit_api.h).
    const ApiRoute* route = deps.audit_log ? FindRoute(req.method, seg) : nullptr;
    const bool audited = route && !ActionOf(*route, seg).action.empty();
    const std::string before = audited ? BeforeImage(req, *key, seg) : "";
    Response r = Dispatch(req, *key, seg);
    if (audited) RecordApiWrite(*deps.audit_log, req, *key, *route, seg, r, before);
    return r;
  }

  // The object a PATCH or PUT changes, as GET shows it, for the audit entry's before/after; empty
  // when there is none or it cannot be read (the write goes on: it decides on its own).
  std::string BeforeImage(const Request& req, const model::ApiKey& key, const std::vector<std::string>& seg) {
    const std::string path = BeforeImagePath(req, seg);
    if (path.empty()) return "";
    Request get;
    get.method = "GET";
    get.path = path;
    get.target = path;
    auto r = Route(get, key, SplitApiPath(path));
    return r && r->status == 200 ? std::move(r->body) : "";
  }

  // Routes an authenticated request the table knows, honouring Idempotency-Key on POST.
  Response Dispatch(const Request& req, const model::ApiKey& key, const std::vector<std::string>& seg) {
    const std::string idem = std::string(req.Header("idempotency-key"));
    // A preview writes nothing, not even an idempotency record.
    if (req.method != "POST" || idem.empty() || IsPreview(seg)) {
      auto r = Route(req, key, seg);
      return r ? std::move(*r) : http::ErrorResponse(r.error());
    }
    if (idem.size() > 255)
      return http::ErrorResponse(Error::Invalid("Idempotency-Key", "Idempotency-Key must be at most 255 characters"));
    // Replays within 24 h return the first answer. The in-flight set makes a concurrent replay
    // wait its turn instead of writing twice.
    const std::string scoped = key.id + ":" + idem;
    const std::string request_hash = Sha256Hex(req.method + " " + req.path + "\n" +
                                               (req.body_file ? "file " + FileSha256(req.body_file->get()) : req.body));
    {
      std::unique_lock lock(idem_mu);
      if (!idem_in_flight.insert(scoped).second)
        return http::ErrorResponse(
            Error{ErrorCode::kConflict, "a request with this Idempotency-Key is in progress", "Idempotency-Key"});
    }
    struct Release {
      Impl* self;
      std::string key;
      ~Release() {
        std::lock_guard lock(self->idem_mu);
        self->idem_in_flight.erase(key);
      }
    } release{this, scoped};
    auto prior = deps.store.GetIdempotency(scoped);
    if (!prior) return http::ErrorResponse(prior.error());
    const TimeMs now = deps.clock.Now();
    if (*prior && (*prior)->created_at + kIdempotencyWindowMs > now) {
      if ((*prior)->request_hash != request_hash)
        return http::ErrorResponse(
            Error{ErrorCode::kInvalid, "this Idempotency-Key was used with a different request", "Idempotency-Key"});
      Response r = http::JsonResponse((*prior)->status, (*prior)->response_body);
      r.Set("Idempotent-Replayed", "true");
      return r;
    }
    auto routed = Route(req, key, seg);
    Response r = routed ? std::move(*routed) : http::ErrorResponse(routed.error());
    if (r.status < 500) {
      if (*prior) (void)deps.store.PurgeIdempotency(now - kIdempotencyWindowMs);
      model::IdempotencyRecord rec{scoped, request_hash, r.status, r.body, now};
      (void)deps.store.PutIdempotency(rec);
    }
    return r;
  }
};

AdminApi::AdminApi(AdminDeps deps) : impl_(std::make_unique<Impl>(std::move(deps))) {}
AdminApi::~AdminApi() = default;
Response AdminApi::Handle(const Request& request) { return impl_->Handle(request); }

}  // namespace herald::api
