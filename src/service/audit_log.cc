#include "service/audit_log.h"

#include <boost/json.hpp>
#include <charconv>
#include <map>

#include "core/csv.h"
#include "core/log.h"
#include "core/time.h"

namespace herald::service {
namespace json = boost::json;
namespace {

constexpr int kPurgeBatch = 5000;
constexpr size_t kMaxChanges = 20;
constexpr size_t kMaxChangeBytes = 4000;
constexpr size_t kMaxSummaryBytes = 300;

// The cursor is the last entry's (at, id): "<at>_<id>", both decimal.
std::string Cursor(const model::AuditEntry& e) { return std::to_string(e.at) + "_" + std::to_string(e.id); }

bool ParseCursor(std::string_view c, TimeMs& at, std::int64_t& id) {
  const size_t sep = c.find('_');
  if (sep == std::string_view::npos) return false;
  auto whole = [](std::string_view s, std::int64_t& out) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return !s.empty() && ec == std::errc() && end == s.data() + s.size() && out >= 0;
  };
  return whole(c.substr(0, sep), at) && whole(c.substr(sep + 1), id);
}

// Text cut to `max` bytes on a UTF-8 character boundary.
std::string Capped(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return std::string(s.substr(0, end)) + "…";
}

// Every string leaf of `v` under `path`, named as TextChanges describes.
void Flatten(const json::value& v, const std::string& path, std::map<std::string, std::string_view>& out) {
  if (v.is_string()) {
    out[path] = std::string_view(v.as_string());
  } else if (v.is_object()) {
    for (const auto& [k, child] : v.as_object()) {
      if (std::string_view(k).ends_with("_at")) continue;  // times move with every write
      Flatten(child, path.empty() ? std::string(k) : path + "." + std::string(k), out);
    }
  } else if (v.is_array()) {
    const auto& arr = v.as_array();
    for (size_t i = 0; i < arr.size(); ++i) {
      const auto* id = arr[i].is_object() ? arr[i].as_object().if_contains("id") : nullptr;
      const std::string name = id && id->is_string() ? std::string(id->as_string()) : std::to_string(i);
      Flatten(arr[i], path + "[" + name + "]", out);
    }
  }
}

}  // namespace

std::string TextChanges(std::string_view before_json, std::string_view after_json) {
  boost::system::error_code ec_before, ec_after;
  const json::value before = json::parse(before_json, ec_before);
  const json::value after = json::parse(after_json, ec_after);
  if (ec_before || ec_after || !before.is_object() || !after.is_object()) return "";
  const auto* before_id = before.as_object().if_contains("id");
  const auto* after_id = after.as_object().if_contains("id");
  if (!before_id || !after_id || *before_id != *after_id) return "";  // not the same object
  std::map<std::string, std::string_view> old_fields, new_fields;
  Flatten(before, "", old_fields);
  Flatten(after, "", new_fields);
  json::array changes;
  for (const auto& [field, old_value] : old_fields) {
    auto it = new_fields.find(field);
    if (it == new_fields.end() || it->second == old_value) continue;
    if (changes.size() == kMaxChanges) break;
    changes.push_back(json::object{{"field", field},
                                   {"before", Capped(old_value, kMaxChangeBytes)},
                                   {"after", Capped(it->second, kMaxChangeBytes)}});
  }
  return changes.empty() ? "" : json::serialize(changes);
}

Status AuditLog::Record(model::AuditEntry entry) {
  if (entry.at == 0) entry.at = clock_.Now();
  entry.summary = Capped(entry.summary, kMaxSummaryBytes);
  auto id = store_.AppendAudit(entry);
  if (id) return {};
  record_failures_.fetch_add(1);
  // The entry goes to the log instead, whole, so that it can be restored by hand.
  log::Error("audit entry not recorded", {{"error", id.error().message},
                                          {"at", FormatIso8601(entry.at)},
                                          {"actor", entry.ActorDisplay()},
                                          {"action", entry.action},
                                          {"target", entry.target_type + ":" + entry.target_id},
                                          {"page_id", entry.page_id},
                                          {"source", entry.source},
                                          {"summary", entry.summary},
                                          {"changes", entry.changes_json}});
  return id.error();
}

Status AuditLog::RecordUserWrite(const std::string& user_id, const std::string& email, std::string action,
                                 std::string target_type, std::string target_id, std::string page_id,
                                 std::string source, std::string summary, std::string changes_json) {
  const AuditActor actor = AuditActor::User(user_id, email);
  model::AuditEntry e;
  e.actor = actor.actor;
  e.actor_name = actor.name;
  e.action = std::move(action);
  e.target_type = std::move(target_type);
  e.target_id = std::move(target_id);
  e.page_id = std::move(page_id);
  e.source = std::move(source);
  e.summary = std::move(summary);
  e.changes_json = std::move(changes_json);
  return Record(std::move(e));
}

Result<store::AuditFilter> AuditLog::Filter(const AuditQuery& q) const {
  if (q.since && q.until && *q.since >= *q.until) return Error::Invalid("since", "since must be before until");
  store::AuditFilter f;
  f.actor = q.actor;
  f.action_prefix = q.action_prefix;
  f.target_type = q.target_type;
  f.target_id = q.target_id;
  f.page_id = q.page_id;
  f.since = q.since;
  f.until = q.until;
  return f;
}

Result<AuditPage> AuditLog::List(const AuditQuery& q) {
  if (q.limit < 1 || q.limit > kMaxLimit)
    return Error::Invalid("limit", "limit must be from 1 to " + std::to_string(kMaxLimit));
  auto f = Filter(q);
  if (!f) return f.error();
  if (!q.cursor.empty()) {
    TimeMs at = 0;
    if (!ParseCursor(q.cursor, at, f->before_id))
      return Error::Invalid("cursor", "cursor must be a next_cursor from a previous page");
    f->before_at = at;
  }
  f->limit = q.limit + 1;  // one more tells whether another page follows
  auto list = store_.ListAudit(*f);
  if (!list) return list.error();
  AuditPage page;
  page.entries = std::move(*list);
  if (static_cast<int>(page.entries.size()) > q.limit) {
    page.entries.resize(q.limit);
    page.next_cursor = Cursor(page.entries.back());
  }
  return page;
}

Status AuditLog::ExportCsv(AuditQuery q, const std::function<bool(std::string_view)>& sink) {
  auto f = Filter(q);
  if (!f) return f.error();
  if (!sink(std::string(kAuditCsvHeader) + "\n")) return {};
  f->limit = 1000;
  for (;;) {
    auto page = store_.ListAudit(*f);
    if (!page) return page.error();
    std::string out;
    for (const auto& e : *page) {
      out += std::to_string(e.id) + "," + csv::Cell(FormatIso8601(e.at)) + "," + csv::Cell(e.actor) + "," +
             csv::Cell(e.actor_name) + "," + csv::Cell(e.action) + "," + csv::Cell(e.target_type) + "," +
             csv::Cell(e.target_id) + "," + csv::Cell(e.page_id) + "," + csv::Cell(e.source) + "," +
             csv::Cell(e.summary) + "," + csv::Cell(e.changes_json) + "\n";
    }
    if (!out.empty() && !sink(out)) return {};
    if (static_cast<int>(page->size()) < f->limit) return {};
    f->before_at = page->back().at;
    f->before_id = page->back().id;
  }
}

Result<std::int64_t> AuditLog::Purge(int retention_days) {
  if (retention_days < 1) return Error::Invalid("audit.retention_days", "audit.retention_days must be at least 1");
  const TimeMs before = clock_.Now() - static_cast<TimeMs>(retention_days) * 24 * 3600 * 1000;
  std::int64_t total = 0;
  for (;;) {
    auto n = store_.PurgeAudit(before, kPurgeBatch);
    if (!n) return n.error();
    total += *n;
    if (*n < kPurgeBatch) return total;
  }
}

}  // namespace herald::service
