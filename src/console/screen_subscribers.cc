// /admin/subscribers: the current page's subscribers by address, searched by address prefix and
// filtered by channel, state and segment, in keyset pages (store/console_store.h: an index seek
// per page at any size, never OFFSET); one subscriber with its deliveries, unquarantine and
// delete; the CSV export (the API's writer, SubscriptionService::ExportCsv) and the CSV import
// from an upload form, checked whole before anything is written.
//
// The import's progress: the POST runs the import on its worker thread and answers the result
// page; while it runs, ImportJobs (below) holds how far it got under a job id that the form
// carries, and console-subscribers.js polls /admin/subscribers/import/progress?job=... to move a
// <progress> bar (upload progress comes from the browser itself). The registry is per instance:
// behind a load balancer without sticky sessions a poll may miss it, and the bar then shows the
// upload only. Without JS the form posts normally and the result page comes back.
#include <chrono>
#include <istream>
#include <mutex>
#include <streambuf>
#include <unordered_map>

#include "console/screen.h"
#include "console/upload.h"
#include "core/encoding.h"
#include "core/text.h"
#include "core/time.h"

namespace herald::console {
namespace {

using model::Permission;

constexpr int kPageSize = 50;
constexpr int kDeliveriesShown = 50;
const char* const kUnavailable = "The database cannot be reached. Try again shortly.";
const char* const kNotificationsOff =
    "Subscribers cannot be changed right now: notifications have not started on this server yet. Try again shortly.";

std::string Lowered(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string When(TimeMs t) { return t ? FormatInZone(t, "UTC", "%Y-%m-%d %H:%M UTC") : std::string("-"); }

// A link to `path` on the current page with `extra` ("a=b&c=d", already escaped) appended.
std::string Link(const ScreenContext& ctx, const std::string& path, const std::string& extra = {}) {
  std::string q = ctx.PageQuery();
  if (!extra.empty()) q += (q.empty() ? "?" : "&") + extra;
  return path + q;
}

http::Response Failure(const ScreenContext& ctx, const Error& e) {
  if (e.code == ErrorCode::kNotFound) return ctx.Message(404, "Not found", e.message);
  return ctx.Message(503, "Unavailable", kUnavailable);
}

mu::data Options(const std::vector<std::string_view>& values, const std::string& selected, const char* any) {
  mu::data list{mu::data::type::list};
  mu::data first;
  first.set("value", "");
  first.set("label", any);
  list.push_back(first);
  for (auto v : values) {
    mu::data o;
    o.set("value", std::string(v));
    o.set("label", std::string(v));
    if (v == selected) o.set("selected", true);
    list.push_back(o);
  }
  return list;
}

// ---------------------------------------------------------------------------------------------
// The list

// The position after a page's last row: opaque to people, it holds that row's address and id.
std::string EncodeAfter(const model::Subscriber& s) { return Base64UrlEncode(s.address + '\n' + s.id); }
std::optional<std::pair<std::string, std::string>> DecodeAfter(const std::string& text) {
  auto raw = Base64UrlDecode(text);
  if (!raw) return std::nullopt;
  const size_t nl = raw->rfind('\n');
  if (nl == std::string::npos) return std::nullopt;
  return std::pair{raw->substr(0, nl), raw->substr(nl + 1)};
}

http::Response List(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return Failure(ctx, page.error());
  const std::string q = Field(ctx.query, "q"), channel = Field(ctx.query, "channel"), state = Field(ctx.query, "state"),
                    segment = Field(ctx.query, "segment"), cursor = Field(ctx.query, "cursor");
  store::SubscriberPageQuery pq;
  std::vector<std::string> errors;
  mu::data d;
  if (!channel.empty()) {
    if (auto k = model::ParseChannelKind(channel))
      pq.channel = *k;
    else
      errors.push_back("Channel: choose one from the list.");
  }
  if (!state.empty()) {
    if (auto s = model::ParseSubscriberState(state))
      pq.state = *s;
    else
      errors.push_back("State: choose one from the list.");
  }
  if (!segment.empty()) pq.segment = std::string(Trim(segment));
  // Addresses are stored normalised (email addresses in lower case) and hold no spaces: a space
  // is the '+' of a phone number typed into the search, as the API reads it.
  std::string typed = std::string(Trim(q));
  std::replace(typed.begin(), typed.end(), ' ', '+');
  pq.address_prefix = Lowered(typed);
  if (pq.address_prefix.size() > 320) errors.push_back("Search: at most 320 characters.");
  if (!cursor.empty()) {
    auto after = DecodeAfter(cursor);
    if (!after) {
      errors.push_back("That page of the list is not valid; start again from the first page.");
    } else {
      pq.has_after = true;
      pq.after_address = after->first;
      pq.after_id = after->second;
    }
  }
  mu::data rows{mu::data::type::list};
  bool more = false;
  if (errors.empty()) {
    pq.limit = kPageSize + 1;  // one more tells whether there is a next page
    auto list = ctx.deps.store.PageSubscribers(page->id, pq);
    if (!list) return Failure(ctx, list.error());
    more = static_cast<int>(list->size()) > kPageSize;
    if (more) list->pop_back();
    for (const auto& s : *list) {
      mu::data row;
      row.set("id", s.id);
      row.set("address", s.address);
      row.set("href", Link(ctx, "/admin/subscribers/" + QueryEscape(s.id)));
      row.set("channel", std::string(model::ToString(s.channel)));
      row.set("state", std::string(model::ToString(s.state)));
      row.set("quarantined", s.state == model::SubscriberState::kQuarantined);
      row.set("segment", s.segment.empty() ? std::string("-") : s.segment);
      row.set("created", When(s.created_at));
      rows.push_back(row);
    }
    if (more) {
      std::string extra;
      for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
               {"q", q}, {"channel", channel}, {"state", state}, {"segment", segment}})
        if (!v.empty()) extra += k + "=" + QueryEscape(v) + "&";
      d.set("next_href", Link(ctx, "/admin/subscribers", extra + "cursor=" + EncodeAfter(list->back())));
    }
    d.set("count", std::to_string(list->size()));
  }
  mu::data errs{mu::data::type::list};
  for (const auto& e : errors) errs.push_back(mu::data("message", e));
  if (!errors.empty()) {
    d.set("errors", errs);
    d.set("has_errors", true);
  }
  d.set("rows", rows);
  d.set("empty", rows.is_empty_list());
  d.set("filtered", !q.empty() || !channel.empty() || !state.empty() || !segment.empty());
  d.set("continued", !cursor.empty());
  d.set("page_id", page->id);
  d.set("page_name", page->name);
  d.set("q", q);
  d.set("segment", segment);
  d.set("channels", Options({"email", "sms", "webhook", "slack", "teams", "discord", "mattermost", "webpush"}, channel,
                            "Any channel"));
  d.set("states", Options({"pending", "active", "quarantined", "unsubscribed"}, state, "Any state"));
  d.set("first_href", Link(ctx, "/admin/subscribers"));
  d.set("can_manage", ctx.Can(Permission::kManageSubscribers));
  d.set("import_href", Link(ctx, "/admin/subscribers/import"));
  std::string export_extra;
  for (const auto& [k, v] :
       std::vector<std::pair<std::string, std::string>>{{"channel", channel}, {"state", state}, {"segment", segment}})
    if (!v.empty()) export_extra += (export_extra.empty() ? "" : "&") + k + "=" + QueryEscape(v);
  d.set("export_href", Link(ctx, "/admin/subscribers/export.csv", export_extra));
  const std::string done = Field(ctx.query, "done");
  if (done == "deleted") d.set("notice", "The subscriber was deleted.");
  return ctx.Page(errors.empty() ? 200 : 400, "Subscribers", "subscribers", d);
}

// ---------------------------------------------------------------------------------------------
// One subscriber

http::Response ShowOne(const ScreenContext& ctx, const model::Page& page, const model::Subscriber& s, int status,
                       const std::string& notice, const std::string& error) {
  mu::data d;
  d.set("id", s.id);
  d.set("page_id", page.id);
  d.set("address", s.address);
  mu::data facts{mu::data::type::list};
  auto fact = [&](const char* label, std::string value) {
    mu::data f;
    f.set("label", label);
    f.set("value", value.empty() ? std::string("-") : std::move(value));
    facts.push_back(f);
  };
  std::string components;
  for (const auto& c : s.component_ids) components += (components.empty() ? "" : ", ") + c;
  fact("Channel", std::string(model::ToString(s.channel)));
  fact("State", std::string(model::ToString(s.state)));
  fact("Components", components.empty() ? "the whole page" : components);
  fact("Language", s.language);
  fact("Time zone", s.time_zone.empty() ? "the page's (" + page.time_zone + ")" : s.time_zone);
  fact("Detail", std::string(model::ToString(s.detail)));
  fact("Segment", s.segment);
  fact("Priority", std::to_string(s.priority));
  fact("Created", When(s.created_at));
  fact("Confirmed", When(s.confirmed_at));
  fact("Failing since", When(s.failing_since));
  fact("Last error", s.last_error);
  d.set("facts", facts);
  auto deliveries = ctx.deps.store.ListDeliveries(page.id, s.id, kDeliveriesShown);
  if (!deliveries) return Failure(ctx, deliveries.error());
  mu::data rows{mu::data::type::list};
  for (const auto& del : *deliveries) {
    mu::data r;
    r.set("created", When(del.created_at));
    r.set("event", std::to_string(del.event_id));
    r.set("incident", del.incident_id.empty() ? std::string("-") : del.incident_id);
    r.set("state", std::string(model::ToString(del.state)));
    r.set("attempts", std::to_string(del.attempts));
    r.set("last_status", del.last_status ? std::to_string(del.last_status) : std::string("-"));
    r.set("last_error", del.last_error.empty() ? std::string("-") : del.last_error);
    rows.push_back(r);
  }
  d.set("deliveries", rows);
  d.set("no_deliveries", rows.is_empty_list());
  const bool manage = ctx.Can(Permission::kManageSubscribers);
  d.set("can_manage", manage);
  d.set("can_unquarantine", manage && s.state == model::SubscriberState::kQuarantined);
  d.set("confirm_delete", manage && Field(ctx.query, "confirm") == "delete");
  d.set("self_href", Link(ctx, "/admin/subscribers/" + QueryEscape(s.id)));
  d.set("delete_href", Link(ctx, "/admin/subscribers/" + QueryEscape(s.id), "confirm=delete"));
  d.set("list_href", Link(ctx, "/admin/subscribers"));
  d.set("action_path", "/admin/subscribers/" + QueryEscape(s.id));
  if (!notice.empty()) d.set("notice", notice);
  if (!error.empty()) d.set("error", error);
  return ctx.Page(status, "Subscriber " + s.address, "subscriber", d);
}

http::Response One(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return Failure(ctx, page.error());
  auto s = ctx.deps.store.GetSubscriber(page->id, ctx.Param("id"));
  if (!s) return Failure(ctx, s.error());
  const std::string done = Field(ctx.query, "done");
  return ShowOne(ctx, *page, *s, 200, done == "unquarantined" ? "The subscriber is active again." : "", "");
}

http::Response OnePost(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return Failure(ctx, page.error());
  const std::string id = ctx.Param("id");
  auto s = ctx.deps.store.GetSubscriber(page->id, id);
  if (!s) return Failure(ctx, s.error());
  service::SubscriptionService* svc = ctx.deps.subscriptions();
  if (!svc) return ctx.Message(503, "Unavailable", kNotificationsOff);
  const std::string action = Field(ctx.form, "action");
  if (action == "unquarantine") {
    if (s->state != model::SubscriberState::kQuarantined)
      return ShowOne(ctx, *page, *s, 409, "",
                     "This subscriber is not quarantined (it is " + std::string(model::ToString(s->state)) + ").");
    service::SubscriberInput in;
    in.state = "active";
    auto updated = svc->Update(page->id, id, in);
    if (!updated) return ShowOne(ctx, *page, *s, 422, "", updated.error().message);
    ctx.write = {"subscriber.update", "subscriber", id, page->id,
                 R"([{"field":"state","before":"quarantined","after":"active"}])"};
    return Redirect(Link(ctx, "/admin/subscribers/" + QueryEscape(id), "done=unquarantined"));
  }
  if (action == "delete") {
    if (auto st = svc->Delete(page->id, id); !st) return Failure(ctx, st.error());
    ctx.write = {"subscriber.delete", "subscriber", id, page->id, ""};
    return Redirect(Link(ctx, "/admin/subscribers", "done=deleted"));
  }
  return ShowOne(ctx, *page, *s, 422, "", "Unknown action.");
}

// ---------------------------------------------------------------------------------------------
// Export

http::Response Export(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return Failure(ctx, page.error());
  service::SubscriptionService* svc = ctx.deps.subscriptions();
  if (!svc) return ctx.Message(503, "Unavailable", kNotificationsOff);
  store::SubscriberFilter filter;
  if (auto k = model::ParseChannelKind(Field(ctx.query, "channel"))) filter.channel = *k;
  if (auto s = model::ParseSubscriberState(Field(ctx.query, "state"))) filter.state = *s;
  filter.segment = std::string(Trim(Field(ctx.query, "segment")));
  http::Response r;
  if (auto st = svc->ExportCsv(page->id, filter,
                               [&](std::string_view chunk) {
                                 r.body += chunk;
                                 return true;
                               });
      !st)
    return Failure(ctx, st.error());
  SetConsoleHeaders(r);
  r.Set("Content-Type", "text/csv; charset=utf-8");
  r.Set("Content-Disposition", "attachment; filename=\"subscribers-" + page->slug + ".csv\"");
  return r;
}

// ---------------------------------------------------------------------------------------------
// Import

// How far each running import got, by "<user id>:<job id>", for the progress endpoint.
struct ImportJob {
  std::string phase;  // "checking", "importing", "done", "failed"
  std::int64_t total_bytes = 0, checked_bytes = 0, imported_bytes = 0, rows = 0;
  std::chrono::steady_clock::time_point updated;
};

class ImportJobs {
 public:
  static ImportJobs& Get() {
    static ImportJobs jobs;
    return jobs;
  }
  void Set(const std::string& key, const std::function<void(ImportJob&)>& change) {
    std::lock_guard lock(mu_);
    const auto now = std::chrono::steady_clock::now();
    // Finished jobs are kept a while for a last poll, then forgotten; the map stays small.
    for (auto it = jobs_.begin(); it != jobs_.end();)
      it = now - it->second.updated > std::chrono::minutes(10) ? jobs_.erase(it) : std::next(it);
    if (jobs_.size() >= 1000 && !jobs_.count(key)) return;
    ImportJob& job = jobs_[key];
    change(job);
    job.updated = now;
  }
  std::optional<ImportJob> Find(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = jobs_.find(key);
    if (it == jobs_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, ImportJob> jobs_;
};

std::string JobKey(const ScreenContext& ctx, const std::string& job) { return ctx.staff.user.id + ":" + job; }

bool ValidJobId(const std::string& job) {
  return !job.empty() && job.size() <= 64 &&
         std::all_of(job.begin(), job.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
}

// Reads a view in place (the mapped upload) as an istream, without copying it.
class ViewStreambuf final : public std::streambuf {
 public:
  explicit ViewStreambuf(std::string_view v) {
    char* p = const_cast<char*>(v.data());  // only read: the get area is never written through
    setg(p, p, p + v.size());
  }
};

// The import's errors as table rows: line, field, message.
mu::data ErrorRows(const std::vector<service::ImportError>& errors) {
  mu::data rows{mu::data::type::list};
  for (const auto& e : errors) {
    mu::data row;
    row.set("line", e.line ? std::to_string(e.line) : std::string("-"));
    row.set("field", e.field.empty() ? std::string("-") : e.field);
    row.set("message", e.message);
    rows.push_back(row);
  }
  return rows;
}

mu::data ImportForm(const ScreenContext& ctx, const model::Page& page) {
  mu::data d;
  d.set("page_id", page.id);
  d.set("page_name", page.name);
  d.set("job", RandomHex(12));
  d.set("list_href", Link(ctx, "/admin/subscribers"));
  d.set("max_mb", std::to_string(kMaxImportUploadBytes / (1024 * 1024)));
  d.set("header", std::string(service::kCsvHeader));
  return d;
}

http::Response ImportGet(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return Failure(ctx, page.error());
  return ctx.Page(200, "Import subscribers", "subscribers_import", ImportForm(ctx, *page));
}

http::Response ImportFormError(const ScreenContext& ctx, const model::Page& page, int status,
                               const std::string& message) {
  mu::data d = ImportForm(ctx, page);
  d.set("file_error", message);
  return ctx.Page(status, "Import subscribers", "subscribers_import", d);
}

http::Response ImportPost(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return Failure(ctx, page.error());
  service::SubscriptionService* svc = ctx.deps.subscriptions();
  if (!svc) return ctx.Message(503, "Unavailable", kNotificationsOff);
  auto upload = ParseUpload(ctx.request);
  if (!upload) return ImportFormError(ctx, *page, 400, "The upload could not be read; choose the file again.");
  const http::MultipartPart* file = upload->File("file");
  if (!file || file->body.empty())
    return ImportFormError(ctx, *page, 422, "Choose a CSV file to import; the file chosen is empty.");
  const std::string job = Field(ctx.form, "job");
  const std::string key = ValidJobId(job) ? JobKey(ctx, job) : std::string();
  auto track = [&](const std::function<void(ImportJob&)>& change) {
    if (!key.empty()) ImportJobs::Get().Set(key, change);
  };
  const auto total = static_cast<std::int64_t>(file->body.size());
  track([&](ImportJob& j) { j = ImportJob{"checking", total, 0, 0, 0, {}}; });
  // The whole file is checked first and written only when every row is good: a file with a bad
  // row changes nothing, so fixing the row and uploading again gives the intended result.
  ViewStreambuf check_buf(file->body);
  std::istream check(&check_buf);
  auto checked = svc->ImportCsv(
      page->id, check,
      [&](std::int64_t rows, std::int64_t bytes) {
        track([&](ImportJob& j) { j.checked_bytes = bytes, j.rows = rows; });
      },
      false);
  mu::data d;
  d.set("page_id", page->id);
  d.set("list_href", Link(ctx, "/admin/subscribers"));
  d.set("again_href", Link(ctx, "/admin/subscribers/import"));
  d.set("filename", file->filename.empty() ? std::string("the file") : file->filename);
  auto finish = [&](const char* phase) { track([&](ImportJob& j) { j.phase = phase; }); };
  if (!checked) {
    finish("failed");
    if (checked.error().code != ErrorCode::kInvalid && checked.error().code != ErrorCode::kTooLarge)
      return Failure(ctx, checked.error());
    return ImportFormError(ctx, *page, 422, checked.error().message + " Nothing was imported.");
  }
  if (checked->failed > 0 || checked->rows == 0) {
    finish("failed");
    d.set("errors", ErrorRows(checked->errors));
    d.set("has_errors", !checked->errors.empty());
    d.set("failed", std::to_string(checked->failed));
    d.set("rows", std::to_string(checked->rows));
    d.set("no_rows", checked->rows == 0);
    return ctx.Page(422, "Import refused", "subscribers_import_result", d);
  }
  track([&](ImportJob& j) { j.phase = "importing", j.checked_bytes = total; });
  ViewStreambuf write_buf(file->body);
  std::istream write(&write_buf);
  auto report = svc->ImportCsv(page->id, write, [&](std::int64_t rows, std::int64_t bytes) {
    track([&](ImportJob& j) { j.imported_bytes = bytes, j.rows = rows; });
  });
  if (!report) {
    finish("failed");
    return Failure(ctx, report.error());
  }
  finish("done");
  track([&](ImportJob& j) { j.imported_bytes = total; });
  d.set("done", true);
  d.set("rows", std::to_string(report->rows));
  d.set("added", std::to_string(report->added));
  d.set("updated", std::to_string(report->updated));
  d.set("unchanged", std::to_string(report->unchanged));
  // Rows that went bad between the check and the write (a component deleted meanwhile).
  if (!report->errors.empty()) {
    d.set("late_errors", ErrorRows(report->errors));
    d.set("has_late_errors", true);
  }
  ctx.write = {"subscriber.import", "page", page->id, page->id, ""};
  return ctx.Page(200, "Import finished", "subscribers_import_result", d);
}

// JSON for console-subscribers.js: {"phase","total_bytes","checked_bytes","imported_bytes","rows"}.
http::Response ImportProgress(const ScreenContext& ctx) {
  const std::string job = Field(ctx.query, "job");
  std::optional<ImportJob> j;
  if (ValidJobId(job)) j = ImportJobs::Get().Find(JobKey(ctx, job));
  http::Response r;
  SetConsoleHeaders(r);
  r.Set("Content-Type", "application/json");
  if (!j) {
    r.status = 404;
    r.body = R"({"phase":"unknown"})";
    return r;
  }
  r.body = "{\"phase\":\"" + j->phase + "\",\"total_bytes\":" + std::to_string(j->total_bytes) +
           ",\"checked_bytes\":" + std::to_string(j->checked_bytes) +
           ",\"imported_bytes\":" + std::to_string(j->imported_bytes) + ",\"rows\":" + std::to_string(j->rows) + "}";
  return r;
}

}  // namespace

ScreenDescriptor SubscribersScreen() {
  return {"/admin/subscribers", "Subscribers", Permission::kReadInternal, List, nullptr, std::nullopt};
}
ScreenDescriptor SubscriberScreen() {
  return {"/admin/subscribers/{id}", "", Permission::kReadInternal, One, OnePost, Permission::kManageSubscribers};
}
ScreenDescriptor SubscribersExportScreen() {
  return {"/admin/subscribers/export.csv", "", Permission::kManageSubscribers, Export, nullptr, std::nullopt};
}
ScreenDescriptor SubscribersImportScreen() {
  return {"/admin/subscribers/import", "", Permission::kManageSubscribers, ImportGet, ImportPost, std::nullopt};
}
ScreenDescriptor SubscribersImportProgressScreen() {
  return {
      "/admin/subscribers/import/progress", "", Permission::kManageSubscribers, ImportProgress, nullptr, std::nullopt};
}

}  // namespace herald::console
