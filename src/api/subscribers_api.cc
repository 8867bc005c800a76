#include "api/subscribers_api.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cerrno>
#include <set>
#include <sstream>
#include <streambuf>

#include "api/paging.h"
#include "api/csv_download.h"
#include "api/access.h"
#include "api/request_body.h"
#include "api/routes.h"
#include "core/text.h"
#include "core/time.h"
#include "http/errors.h"
#include "notify/composer.h"
#include "notify/registry.h"
#include "notify/templates.h"

namespace herald::api {
namespace json = boost::json;
using http::Request;
using http::Response;
using model::Permission;

namespace {

constexpr size_t kMaxTemplateBytes = 64 * 1024;

Response Json(int status, const json::value& v) { return http::JsonResponse(status, json::serialize(v)); }

// Reads a file from its start with pread (the descriptor's offset is left alone).
class FileReader final : public std::streambuf {
 public:
  explicit FileReader(int fd) : fd_(fd) {}

 private:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (fd_ < 0) return traits_type::eof();
    ssize_t n;
    do n = ::pread(fd_, buffer_.data(), buffer_.size(), offset_);
    while (n < 0 && errno == EINTR);
    if (n <= 0) return traits_type::eof();
    offset_ += n;
    setg(buffer_.data(), buffer_.data(), buffer_.data() + n);
    return traits_type::to_int_type(*gptr());
  }

  int fd_;
  off_t offset_ = 0;
  std::array<char, 64 * 1024> buffer_;
};

json::value Time(TimeMs t) { return t ? json::value(FormatIso8601(t)) : json::value(nullptr); }

json::object DeliveryJson(const model::Delivery& d) {
  return {{"id", d.id},
          {"event_id", d.event_id},
          {"incident_id", d.incident_id.empty() ? json::value(nullptr) : json::value(d.incident_id)},
          {"subscriber_id", d.subscriber_id},
          {"channel", model::ToString(d.channel)},
          {"state", model::ToString(d.state)},
          {"priority", d.priority},
          {"attempts", d.attempts},
          {"last_status", d.last_status},
          {"last_error", d.last_error},
          {"next_attempt_at", d.state == model::DeliveryState::kRetrying ? Time(d.next_attempt_at) : nullptr},
          {"created_at", Time(d.created_at)},
          {"updated_at", Time(d.updated_at)}};
}

json::object MessageJson(const notify::Message& m) {
  json::array facts;
  for (const auto& [k, v] : m.facts) facts.push_back({{"label", k}, {"value", v}});
  return {{"kind", m.kind},     {"subject", m.subject},           {"text", m.text},
          {"html", m.html},     {"short_text", m.short_text},     {"url", m.url},
          {"impact", m.impact}, {"status_label", m.status_label}, {"facts", facts}};
}

Result<notify::TemplateOverrides> Overrides(store::Store& store, const std::string& page_id) {
  auto list = store.ListTemplates(page_id);
  if (!list) return list.error();
  notify::TemplateOverrides out;
  for (const auto& t : *list) out[t.key] = t.body;
  return out;
}

// "en/incident.technical.text" -> {"en", "incident"}.
std::pair<std::string, std::string> SplitKey(const std::string& key) {
  const auto slash = key.find('/');
  const std::string lang = slash == std::string::npos ? "" : key.substr(0, slash);
  const std::string rest = slash == std::string::npos ? key : key.substr(slash + 1);
  return {lang, rest.substr(0, rest.find('.'))};
}

}  // namespace

json::object SubscriberJson(const model::Subscriber& s, TimeMs pending_ttl_ms) {
  const bool email = s.channel == model::ChannelKind::kEmail;
  const bool sms = s.channel == model::ChannelKind::kSms;
  json::array comps;
  for (const auto& id : s.component_ids) comps.push_back(json::value(id));
  json::array events;
  for (const auto& e : service::EventTypeNames(s.event_types)) events.push_back(json::value(e));
  json::value quiet = nullptr;
  if (s.quiet_start_minute && s.quiet_end_minute)
    quiet = json::object{{"start", service::FormatClockTime(*s.quiet_start_minute)},
                         {"end", service::FormatClockTime(*s.quiet_end_minute)}};
  // Statuspage's "mode" has no web push or Discord value; Herald's channel names are used for all.
  return {{"id", s.id},
          {"page_id", s.page_id},
          {"mode", model::ToString(s.channel)},
          {"channel", model::ToString(s.channel)},
          {"email", email ? json::value(s.address) : json::value(nullptr)},
          {"phone_number", sms ? json::value(s.address) : json::value(nullptr)},
          {"display_phone_number", sms ? json::value(s.address) : json::value(nullptr)},
          {"endpoint", !email && !sms ? json::value(s.address) : json::value(nullptr)},
          {"skip_confirmation_notification", false},
          {"state", model::ToString(s.state)},
          {"quarantined_at", s.state == model::SubscriberState::kQuarantined ? Time(s.updated_at) : nullptr},
          {"purge_at", s.state == model::SubscriberState::kPending ? Time(s.created_at + pending_ttl_ms) : nullptr},
          {"components", comps},
          {"component_ids", comps},
          {"language", s.language},
          {"time_zone", s.time_zone.empty() ? json::value(nullptr) : json::value(s.time_zone)},
          {"detail", model::ToString(s.detail)},
          {"event_types", events},
          {"quiet_hours", quiet},
          {"segment", s.segment},
          {"priority", s.priority},
          {"owner_email", s.owner_email.empty() ? json::value(nullptr) : json::value(s.owner_email)},
          {"failing_since", Time(s.failing_since)},
          {"last_error", s.last_error.empty() ? json::value(nullptr) : json::value(s.last_error)},
          {"confirmed_at", Time(s.confirmed_at)},
          {"created_at", Time(s.created_at)},
          {"updated_at", Time(s.updated_at)}};
}

Result<service::SubscriberInput> ParseSubscriberInput(const json::object& body) {
  json::object o = Unwrap(body, "subscriber");
  service::SubscriberInput in;
  HERALD_TRY_ASSIGN(in.channel, GetString(o, "channel"));
  if (!in.channel) HERALD_TRY_ASSIGN(in.channel, GetString(o, "mode"));
  HERALD_TRY_ASSIGN(in.address, GetString(o, "address"));
  HERALD_TRY_ASSIGN(in.email, GetString(o, "email"));
  HERALD_TRY_ASSIGN(in.phone_number, GetString(o, "phone_number"));
  HERALD_TRY_ASSIGN(in.phone_country, GetString(o, "phone_country"));
  HERALD_TRY_ASSIGN(in.endpoint, GetString(o, "endpoint"));
  HERALD_TRY_ASSIGN(in.component_ids, GetStringList(o, "component_ids"));
  if (!in.component_ids) HERALD_TRY_ASSIGN(in.component_ids, GetStringList(o, "components"));
  HERALD_TRY_ASSIGN(in.language, GetString(o, "language"));
  HERALD_TRY_ASSIGN(in.time_zone, GetString(o, "time_zone"));
  HERALD_TRY_ASSIGN(in.detail, GetString(o, "detail"));
  HERALD_TRY_ASSIGN(in.event_types, GetStringList(o, "event_types"));
  if (const json::value* q = o.if_contains("quiet_hours")) {
    if (q->is_null()) {
      in.quiet_start = "";
      in.quiet_end = "";
    } else if (!q->is_object()) {
      return Error::Invalid("quiet_hours", "quiet_hours must be an object {\"start\":\"HH:MM\",\"end\":\"HH:MM\"}");
    } else {
      std::optional<std::string> start, end;
      HERALD_TRY_ASSIGN(start, GetString(q->as_object(), "start"));
      HERALD_TRY_ASSIGN(end, GetString(q->as_object(), "end"));
      in.quiet_start = start.value_or("");
      in.quiet_end = end.value_or("");
    }
  }
  HERALD_TRY_ASSIGN(in.segment, GetString(o, "segment"));
  HERALD_TRY_ASSIGN(in.priority, GetInt(o, "priority"));
  HERALD_TRY_ASSIGN(in.owner_email, GetString(o, "owner_email"));
  HERALD_TRY_ASSIGN(in.state, GetString(o, "state"));
  HERALD_TRY_ASSIGN(in.secret, GetString(o, "secret"));
  if (const json::value* k = o.if_contains("keys"); k && !k->is_null()) {
    if (!k->is_object()) return Error::Invalid("keys", "keys must be an object {\"p256dh\":...,\"auth\":...}");
    auto p = GetString(k->as_object(), "p256dh");
    if (!p) return Error::Invalid("keys.p256dh", "keys.p256dh must be a string");
    auto a = GetString(k->as_object(), "auth");
    if (!a) return Error::Invalid("keys.auth", "keys.auth must be a string");
    in.push_p256dh = *p;
    in.push_auth = *a;
  }
  std::optional<bool> skip;
  HERALD_TRY_ASSIGN(skip, GetBool(o, "skip_confirmation_notification"));
  in.skip_confirmation = skip.value_or(false);
  return in;
}

SubscribersApi::SubscribersApi(SubscribersApiDeps deps) : deps_(deps) {}

bool SubscribersApi::IsImport(std::string_view method, std::string_view target) {
  if (method != "POST") return false;
  target = target.substr(0, target.find('?'));
  constexpr std::string_view kPrefix = "/v1/pages/", kSuffix = "/subscribers/import";
  if (!target.starts_with(kPrefix) || !target.ends_with(kSuffix)) return false;
  const std::string_view page = target.substr(kPrefix.size(), target.size() - kPrefix.size() - kSuffix.size());
  return !page.empty() && page.find('/') == std::string_view::npos;
}

bool SubscribersApi::Owns(const std::vector<std::string>& seg) {
  if (seg.size() < 4 || seg[0] != "v1" || seg[1] != "pages") return false;
  if (seg[3] == "subscribers" || seg[3] == "templates") return true;
  return seg.size() == 6 && seg[3] == "incidents" && seg[5] == "deliveries";
}

Result<Response> SubscribersApi::Route(const Request& req, const model::ApiKey& key, const model::Page& page,
                                       const std::vector<std::string>& seg) {
  if (!Owns(seg)) return Error::NotFound("no such endpoint: " + req.path);
  if (seg[3] == "subscribers") return Subscribers(req, key, page, seg);
  if (seg[3] == "templates") return Templates(req, key, page, seg);
  if (req.method != "GET" && req.method != "HEAD") return MethodNotAllowed(seg);
  return IncidentDeliveries(page, seg[4]);
}

Result<Response> SubscribersApi::AddressPage(const Request& req, const json::object& query, const std::string& pid,
                                             const store::SubscriberFilter& filter) {
  if (!filter.after_id.empty())
    return Error::Invalid("after", "after pages by id; with q or cursor the list pages by address: use cursor");
  store::SubscriberPageQuery pq;
  pq.state = filter.state;
  pq.channel = filter.channel;
  if (!filter.segment.empty()) pq.segment = filter.segment;  // empty: any, as in the list by id
  pq.limit = query.contains("limit") || query.contains("per_page") ? filter.limit : 50;
  std::optional<std::string> text;
  HERALD_TRY_ASSIGN(text, GetString(query, "q"));
  // Addresses are stored normalised, email addresses in lower case: so is the search. No address
  // holds a space, so a space is the '+' of a phone number that was not percent-encoded.
  std::string typed = text.value_or("");
  std::replace(typed.begin(), typed.end(), ' ', '+');
  pq.address_prefix = Lower(Trim(typed));
  if (pq.address_prefix.size() > 320) return Error::Invalid("q", "q must be at most 320 characters");
  HERALD_TRY_ASSIGN(text, GetString(query, "cursor"));
  std::optional<Cursor> cursor;
  HERALD_TRY_ASSIGN(cursor, DecodeCursor(text.value_or(""), "subscribers", false));
  if (cursor) {
    pq.has_after = true;
    pq.after_address = cursor->text_key;
    pq.after_id = cursor->id;
  }
  const int limit = pq.limit;
  pq.limit = limit + 1;  // one more tells whether a next page exists
  auto list = deps_.store.PageSubscribers(pid, pq);
  if (!list) return list.error();
  const bool more = static_cast<int>(list->size()) > limit;
  if (more) list->pop_back();
  json::array arr;
  const TimeMs ttl = deps_.subscriptions.options().pending_ttl_ms;
  for (const auto& sub : *list) arr.push_back(SubscriberJson(sub, ttl));
  Response r = Json(200, arr);
  if (more) SetNextPage(r, req, EncodeCursor({"subscribers", list->back().address, 0, list->back().id}));
  return r;
}

Result<Response> SubscribersApi::Subscribers(const Request& req, const model::ApiKey& key, const model::Page& page,
                                             const std::vector<std::string>& seg) {
  const std::string& m = req.method;
  const bool read = m == "GET" || m == "HEAD";
  auto need = [&](Permission p) { return Require(key, p); };
  auto& svc = deps_.subscriptions;
  const TimeMs ttl = svc.options().pending_ttl_ms;
  const std::string& pid = page.id;
  if (seg.size() == 4) {
    if (read) {
      auto q = ParseForm(req.query);
      if (!q) return q.error();
      store::SubscriberFilter f;
      std::optional<std::string> s;
      HERALD_TRY_ASSIGN(s, GetString(*q, "state"));
      if (s) {
        f.state = model::ParseSubscriberState(*s);
        if (!f.state) return Error::Invalid("state", "state must be pending, active, quarantined or unsubscribed");
      }
      HERALD_TRY_ASSIGN(s, GetString(*q, "channel"));
      if (s) {
        f.channel = model::ParseChannelKind(*s);
        if (!f.channel) return Error::Invalid("channel", "channel must be " + notify::KindNames(nullptr));
      }
      HERALD_TRY_ASSIGN(s, GetString(*q, "segment"));
      f.segment = s.value_or("");
      HERALD_TRY_ASSIGN(s, GetString(*q, "after"));
      f.after_id = s.value_or("");
      std::optional<int> limit;
      HERALD_TRY_ASSIGN(limit, GetInt(*q, "limit"));
      if (!limit) HERALD_TRY_ASSIGN(limit, GetInt(*q, "per_page"));
      if (limit && (*limit < 1 || *limit > 1000)) return Error::Invalid("limit", "limit must be between 1 and 1000");
      f.limit = limit.value_or(100);
      // The console's list: by address, searchable, with an opaque cursor (api/paging.h).
      if (q->contains("q") || q->contains("cursor")) return AddressPage(req, *q, pid, f);
      auto list = svc.List(pid, f);
      if (!list) return list.error();
      json::array arr;
      for (const auto& sub : *list) arr.push_back(SubscriberJson(sub, ttl));
      Response r = Json(200, arr);
      // Keyset pagination: the next page starts after the last id.
      if (static_cast<int>(list->size()) == f.limit) r.Set("X-Next-After", list->back().id);
      return r;
    }
    if (m == "POST") {
      if (auto st = need(Permission::kManageSubscribers); !st) return st.error();
      auto body = ParseBody(req.Header("content-type"), req.body);
      if (!body) return body.error();
      auto in = ParseSubscriberInput(*body);
      if (!in) return in.error();
      auto out = svc.Subscribe(pid, *in, true);
      if (!out) return out.error();
      json::object o = SubscriberJson(out->subscriber, ttl);
      o["skip_confirmation_notification"] = in->skip_confirmation;
      if (!out->secret.empty()) o["secret"] = out->secret;  // shown once
      return Json(201, o);
    }
    return MethodNotAllowed(seg);
  }
  const std::string& id = seg[4];
  if (seg.size() == 5 && id == "import") {
    if (m != "POST") return MethodNotAllowed(seg);
    if (auto st = need(Permission::kManageSubscribers); !st) return st.error();
    const std::uint64_t size = req.body_file ? req.body_file_bytes : req.body.size();
    if (size > deps_.max_import_bytes)
      return Error{ErrorCode::kTooLarge,
                   "the CSV is larger than " + std::to_string(deps_.max_import_bytes / (1024 * 1024)) +
                       " MB; import it with `herald subscriber import`",
                   "body"};
    // Streamed from the server's temporary file (or the in-memory body of a direct call).
    FileReader file(req.body_file ? req.body_file->get() : -1);
    std::istringstream memory(req.body_file ? std::string() : req.body);
    std::istream from_file(&file);
    auto report = svc.ImportCsv(pid, req.body_file ? from_file : static_cast<std::istream&>(memory));
    if (!report) return report.error();
    json::array errors;
    for (const auto& e : report->errors)
      errors.push_back({{"line", e.line}, {"field", e.field}, {"message", e.message}});
    return Json(
        200,
        json::object{
            {"imported", report->imported}, {"rows", report->rows}, {"failed", report->failed}, {"errors", errors}});
  }
  if (seg.size() == 5 && id == "export.csv") {
    if (!read) return MethodNotAllowed(seg);
    if (auto st = need(Permission::kManageSubscribers); !st) return st.error();
    return CsvDownload([&](const CsvSink& sink) { return svc.ExportCsv(pid, {}, sink); },
                       "subscribers-" + page.slug + ".csv");
  }
  if (seg.size() == 6 && seg[5] == "deliveries") {
    if (!read) return MethodNotAllowed(seg);
    auto q = ParseForm(req.query);
    if (!q) return q.error();
    std::optional<int> limit;
    HERALD_TRY_ASSIGN(limit, GetInt(*q, "limit"));
    if (limit && (*limit < 1 || *limit > 1000)) return Error::Invalid("limit", "limit must be between 1 and 1000");
    auto sub = svc.Get(pid, id);
    if (!sub) return sub.error();
    auto list = deps_.store.ListDeliveries(pid, id, limit.value_or(100));
    if (!list) return list.error();
    json::array arr;
    for (const auto& d : *list) arr.push_back(DeliveryJson(d));
    return Json(200, arr);
  }
  if (seg.size() != 5) return Error::NotFound("no such endpoint: " + req.path);
  if (read) {
    auto sub = svc.Get(pid, id);
    if (!sub) return sub.error();
    return Json(200, SubscriberJson(*sub, ttl));
  }
  if (m == "PATCH" || m == "PUT") {
    if (auto st = need(Permission::kManageSubscribers); !st) return st.error();
    auto body = ParseBody(req.Header("content-type"), req.body);
    if (!body) return body.error();
    auto in = ParseSubscriberInput(*body);
    if (!in) return in.error();
    auto sub = svc.Update(pid, id, *in);
    if (!sub) return sub.error();
    return Json(200, SubscriberJson(*sub, ttl));
  }
  if (m == "DELETE") {
    if (auto st = need(Permission::kManageSubscribers); !st) return st.error();
    auto q = ParseForm(req.query);
    if (!q) return q.error();
    std::optional<bool> purge;
    HERALD_TRY_ASSIGN(purge, GetBool(*q, "purge"));
    auto sub = svc.Get(pid, id);
    if (!sub) return sub.error();
    if (purge.value_or(false)) {
      if (auto st = svc.Delete(pid, id); !st) return st.error();
      Response r;
      r.status = 204;
      return r;
    }
    // Statuspage's DELETE unsubscribes. The row stays so an import cannot resubscribe silently.
    service::SubscriberInput in;
    in.state = "unsubscribed";
    auto updated = svc.Update(pid, id, in);
    if (!updated) return updated.error();
    return Json(200, SubscriberJson(*updated, ttl));
  }
  return MethodNotAllowed(seg);
}

Result<Response> SubscribersApi::IncidentDeliveries(const model::Page& page, const std::string& incident_id) {
  auto inc = deps_.store.GetIncident(page.id, incident_id);
  if (!inc) return inc.error();
  auto counts = deps_.store.CountDeliveries(page.id, incident_id);
  if (!counts) return counts.error();
  std::int64_t total = 0;
  std::map<std::string, std::int64_t> by_state{{"delivered", 0}, {"failed", 0}, {"pending", 0}, {"retrying", 0}};
  json::object by_channel;
  for (const auto& c : *counts) {
    total += c.count;
    by_state[std::string(model::ToString(c.state))] += c.count;
    auto& ch = by_channel[model::ToString(c.channel)];
    if (!ch.is_object())
      ch = json::object{{"total", 0}, {"delivered", 0}, {"failed", 0}, {"pending", 0}, {"retrying", 0}};
    auto& o = ch.as_object();
    o["total"] = o["total"].as_int64() + c.count;
    o[model::ToString(c.state)] = o[model::ToString(c.state)].as_int64() + c.count;
  }
  json::object out{{"incident_id", incident_id}, {"total", total}};
  for (const auto& [k, v] : by_state) out[k] = v;
  out["by_channel"] = std::move(by_channel);
  return Json(200, out);
}

Result<Response> SubscribersApi::Templates(const Request& req, const model::ApiKey& key, const model::Page& page,
                                           const std::vector<std::string>& seg) {
  const std::string& m = req.method;
  auto need = [&](Permission p) { return Require(key, p); };
  if (seg.size() == 4) {
    if (m != "GET" && m != "HEAD") return MethodNotAllowed(seg);
    auto overrides = deps_.store.ListTemplates(page.id);
    if (!overrides) return overrides.error();
    std::map<std::string, std::pair<std::string, const model::TemplateOverride*>> all;
    const auto& defaults = notify::TemplateSet::Defaults();
    for (const auto& lang : defaults.Languages())
      if (const auto* keys = defaults.Language(lang))
        for (const auto& [k, text] : *keys) all[lang + "/" + k].first = text;
    for (const auto& o : *overrides) all[o.key].second = &o;
    json::array arr;
    for (const auto& [k, v] : all) {
      arr.push_back({{"key", k},
                     {"default", v.first.empty() ? json::value(nullptr) : json::value(v.first)},
                     {"override", v.second ? json::value(v.second->body) : json::value(nullptr)},
                     {"updated_at", v.second ? Time(v.second->updated_at) : nullptr}});
    }
    return Json(200, json::object{{"templates", arr}});
  }
  if (seg.size() == 5 && seg[4] == "preview") {
    if (m != "POST") return MethodNotAllowed(seg);
    return Preview(req, page);
  }
  // The key holds a '/' ("en/incident.subject"): it arrives as two segments, or one when the
  // client encoded the slash.
  std::string key_text;
  for (size_t i = 4; i < seg.size(); ++i) key_text += (key_text.empty() ? "" : "/") + seg[i];
  if (!notify::IsValidTemplateKey(key_text))
    return Error::Invalid("key", "not a template key; keys look like en/incident.subject or en/incident.sms.short");
  if (m == "PUT" || m == "PATCH") {
    if (auto st = need(Permission::kManageSettings); !st) return st.error();
    auto body = ParseBody(req.Header("content-type"), req.body);
    if (!body) return body.error();
    std::optional<std::string> text;
    HERALD_TRY_ASSIGN(text, GetString(Unwrap(*body, "template"), "body"));
    if (!text) return Error::Invalid("body", "body is required");
    if (text->size() > kMaxTemplateBytes) return Error::Invalid("body", "body must be at most 64 KiB");
    if (!IsValidUtf8(*text)) return Error::Invalid("body", "body must be valid UTF-8");
    if (auto st = notify::ValidateTemplate(*text, "body"); !st) return st.error();
    model::TemplateOverride t;
    t.page_id = page.id;
    t.key = key_text;
    t.body = *text;
    t.updated_at = deps_.clock.Now();
    if (auto st = deps_.store.SaveTemplate(t); !st) return st.error();
    return Json(200, json::object{{"key", t.key}, {"override", t.body}, {"updated_at", Time(t.updated_at)}});
  }
  if (m == "DELETE") {
    if (auto st = need(Permission::kManageSettings); !st) return st.error();
    if (auto st = deps_.store.DeleteTemplate(page.id, key_text); !st) return st.error();
    Response r;
    r.status = 204;
    return r;
  }
  return MethodNotAllowed(seg);
}

Result<Response> SubscribersApi::Preview(const Request& req, const model::Page& page) {
  auto body = ParseBody(req.Header("content-type"), req.body);
  if (!body) return body.error();
  const json::object& o = *body;
  std::optional<std::string> key, family, draft, incident_id, subscriber_id;
  HERALD_TRY_ASSIGN(key, GetString(o, "key"));
  HERALD_TRY_ASSIGN(family, GetString(o, "event_family"));
  HERALD_TRY_ASSIGN(draft, GetString(o, "body"));
  HERALD_TRY_ASSIGN(incident_id, GetString(o, "incident_id"));
  HERALD_TRY_ASSIGN(subscriber_id, GetString(o, "subscriber_id"));
  auto overrides = Overrides(deps_.store, page.id);
  if (!overrides) return overrides.error();
  std::string language;
  if (key) {
    if (!notify::IsValidTemplateKey(*key)) return Error::Invalid("key", "not a template key");
    auto [lang, fam] = SplitKey(*key);
    language = lang;
    if (!family) family = fam;
    // Preview an unsaved draft of this key.
    if (draft) {
      if (auto st = notify::ValidateTemplate(*draft, "body"); !st) return st.error();
      (*overrides)[*key] = *draft;
    }
  }
  if (!family) return Error::Invalid("event_family", "give a template key or an event_family");
  static const std::set<std::string> kFamilies = {"incident", "maintenance", "notice", "confirm", "test", "disabled"};
  if (!kFamilies.count(*family))
    return Error::Invalid("event_family",
                          "event_family must be incident, maintenance, notice, confirm, test or disabled");

  // The subscriber: a stored one, or preferences given inline.
  model::Subscriber s;
  if (subscriber_id) {
    auto found = deps_.store.GetSubscriber(page.id, *subscriber_id);
    if (!found) {
      if (found.error().code == ErrorCode::kNotFound) return Error::Invalid("subscriber_id", "no such subscriber");
      return found.error();
    }
    s = *found;
  } else {
    s.id = "preview";
    s.page_id = page.id;
    s.address = "subscriber@example.com";
    std::optional<std::string> v;
    HERALD_TRY_ASSIGN(v, GetString(o, "channel"));
    if (v) {
      auto k = model::ParseChannelKind(*v);
      if (!k) return Error::Invalid("channel", "unknown channel");
      s.channel = *k;
    }
    HERALD_TRY_ASSIGN(v, GetString(o, "detail"));
    if (v) {
      auto d = model::ParseDetailLevel(*v);
      if (!d) return Error::Invalid("detail", "detail must be brief, standard or technical");
      s.detail = *d;
    }
    HERALD_TRY_ASSIGN(v, GetString(o, "language"));
    if (v) s.language = *v;
    HERALD_TRY_ASSIGN(v, GetString(o, "time_zone"));
    if (v) {
      if (!v->empty() && !IsValidTimeZone(*v)) return Error::Invalid("time_zone", "unknown time zone");
      s.time_zone = *v;
    }
    HERALD_TRY_ASSIGN(v, GetString(o, "segment"));
    if (v) s.segment = *v;
    if (!language.empty()) s.language = language;
  }
  const TimeMs now = deps_.clock.Now();
  const std::string page_url = deps_.links.public_url() + (page.is_default ? "/" : "/pages/" + page.slug + "/");
  // Viewers may preview, and may name a stored subscriber: signed links would let them confirm
  // (skipping double opt-in), manage or unsubscribe that subscriber. Previews get inert links.
  const auto links = notify::LinkSigner::Placeholder(deps_.links.public_url());
  Result<notify::Message> msg = Error::Internal("no message");
  if (*family == "confirm" || *family == "test" || *family == "disabled") {
    notify::TemplateVars extra{{"confirm_url", links.ConfirmUrl(s.id, now + 24LL * 3600 * 1000)},
                               {"manage_url", links.ManageUrl(s.id)},
                               {"unsubscribe_url", links.UnsubscribeUrl(s.id)},
                               {"code", "123456"},
                               {"failing_since", FormatIso8601(now)},
                               {"last_error", "HTTP 503"}};
    msg = notify::ComposeSystemMessage(*family, page, page_url, s, *overrides, extra, "preview", now);
  } else {
    if (!incident_id) return Error::Invalid("incident_id", "incident_id is required to preview " + *family);
    auto inc = deps_.store.GetIncident(page.id, *incident_id);
    if (!inc) {
      if (inc.error().code == ErrorCode::kNotFound) return Error::Invalid("incident_id", "no such incident");
      return inc.error();
    }
    // The newest update that would notify anyone (updates are newest first).
    const model::IncidentUpdate* update = nullptr;
    for (const auto& u : inc->updates)
      if (!u.internal && u.deliver_notifications) {
        update = &u;
        break;
      }
    if (!update) return Error::Invalid("incident_id", "this incident has no update that notifies subscribers");
    model::OutboxEvent ev;
    ev.page_id = page.id;
    ev.kind = inc->updates.size() == 1 ? "incident.created" : "incident.updated";
    ev.subject_id = inc->id;
    ev.payload_json = json::serialize(json::object{{"incident_update_id", update->id}});
    ev.created_at = update->created_at;
    auto ctx = notify::LoadEventContext(deps_.store, ev, deps_.links.public_url());
    if (!ctx) return ctx.error();
    if (!*ctx) return Error::Invalid("incident_id", "this incident notifies nobody");
    msg = notify::Compose(**ctx, s, *overrides, links, "preview");
  }
  if (!msg) {
    Error e = msg.error();
    if (e.code == ErrorCode::kInvalid && !e.field.empty()) e.field = "body";
    return e;
  }
  return Json(200, MessageJson(*msg));
}

}  // namespace herald::api
