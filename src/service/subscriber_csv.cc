// The subscriber CSV import and export of SubscriptionService (the columns are kCsvHeader; the
// format itself is core/csv.h).
#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "core/csv.h"
#include "core/text.h"
#include "notify/registry.h"
#include "service/subscriptions.h"

namespace herald::service {
namespace {

using model::ChannelKind;
using model::SubscriberState;

constexpr size_t kMaxImportErrors = 1000;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

Result<ImportReport> SubscriptionService::ImportCsv(const std::string& page_id, std::istream& csv,
                                                    const ImportProgress& progress, bool write) {
  auto page = deps_.store.GetPage(page_id);
  if (!page) return page.error();
  csv::Reader reader(csv);
  std::vector<std::string> fields;
  std::int64_t line = 0;
  std::string error;
  if (!reader.Next(fields, line, error))
    return Error::Invalid("file", "the file is empty; the first line must be: " + std::string(kCsvHeader));
  if (!error.empty()) return Error::Invalid("file", "line 1: " + error);
  // Columns by name, so they may come in any order; channel and address are required.
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < fields.size(); ++i) {
    std::string name = Lower(Trim(fields[i]));
    if (i == 0 && name.starts_with("\xef\xbb\xbf")) name = name.substr(3);  // UTF-8 byte order mark
    if (name.empty()) continue;
    static const std::set<std::string> kKnown = {"channel",   "address", "component_ids", "language",
                                                 "time_zone", "detail",  "segment",       "priority"};
    if (!kKnown.count(name))
      return Error::Invalid(
          "file", "line 1: unknown column \"" + name.substr(0, 64) + "\"; the columns are " + std::string(kCsvHeader));
    col[name] = i;
  }
  if (!col.count("channel") || !col.count("address"))
    return Error::Invalid("file",
                          "line 1 must be a header naming at least channel and address: " + std::string(kCsvHeader));
  auto components = deps_.store.ListComponents(page_id);
  if (!components) return components.error();
  std::set<std::string> visible;
  for (const auto& c : *components)
    if (!c.hidden) visible.insert(c.id);

  ImportReport report;
  std::int64_t more_errors = 0;
  auto fail = [&](std::int64_t at, std::string f, std::string message) {
    ++report.failed;
    if (report.errors.size() < kMaxImportErrors)
      report.errors.push_back({at, std::move(f), std::move(message)});
    else
      ++more_errors;
  };
  std::map<std::pair<int, std::string>, std::int64_t> seen;  // (channel, address) -> line
  std::vector<model::Subscriber> chunk;
  const TimeMs now = deps_.clock.Now();
  std::int64_t valid = 0;
  Result<std::int64_t> count_before = std::int64_t{0};
  if (write) count_before = deps_.store.CountSubscribers(page_id);
  if (!count_before) return count_before.error();
  auto flush = [&]() -> Status {
    if (chunk.empty()) return {};
    if (!write) {
      chunk.clear();
      if (progress) progress(report.rows, reader.bytes());
      return {};
    }
    auto n = deps_.store.ImportSubscribers(chunk);
    if (!n) return n.error();
    report.imported += *n;
    valid += static_cast<std::int64_t>(chunk.size());
    chunk.clear();
    if (progress) progress(report.rows, reader.bytes());
    return {};
  };
  while (reader.Next(fields, line, error)) {
    if (fields.size() == 1 && Trim(fields[0]).empty() && error.empty()) continue;  // blank line
    ++report.rows;
    if (report.rows > deps_.options.max_import_rows) {
      if (auto st = flush(); !st) return st.error();
      return Error{ErrorCode::kTooLarge,
                   "the file has more than " + std::to_string(deps_.options.max_import_rows) +
                       " rows; split it (rows before line " + std::to_string(line) + " were imported)",
                   "file"};
    }
    if (!error.empty()) {
      fail(line, "", error);
      continue;
    }
    auto cell = [&](const char* name) -> std::optional<std::string> {
      auto it = col.find(name);
      if (it == col.end() || it->second >= fields.size()) return std::nullopt;
      std::string v(Trim(csv::WithoutFormulaQuote(Trim(fields[it->second]))));
      if (v.empty()) return std::nullopt;
      return v;
    };
    SubscriberInput in;
    in.channel = cell("channel");
    in.address = cell("address");
    if (!in.channel) {
      fail(line, "channel", "channel is required");
      continue;
    }
    if (!in.address) {
      fail(line, "address", "address is required");
      continue;
    }
    if (auto ids = cell("component_ids")) {
      std::vector<std::string> list;
      size_t pos = 0;
      while (pos <= ids->size()) {
        size_t semi = ids->find(';', pos);
        if (semi == std::string::npos) semi = ids->size();
        std::string id(Trim(std::string_view(*ids).substr(pos, semi - pos)));
        if (!id.empty()) list.push_back(id);
        pos = semi + 1;
      }
      in.component_ids = std::move(list);
    }
    in.language = cell("language");
    in.time_zone = cell("time_zone");
    in.detail = cell("detail");
    in.segment = cell("segment");
    if (auto p = cell("priority")) {
      int v = 0;
      auto [ptr, ec] = std::from_chars(p->data(), p->data() + p->size(), v);
      if (ec != std::errc() || ptr != p->data() + p->size()) {
        fail(line, "priority", "priority must be a whole number");
        continue;
      }
      in.priority = v;
    }
    auto kind = model::ParseChannelKind(Lower(*in.channel));
    if (!kind) {
      fail(line, "channel", "channel must be one of " + notify::KindNames(notify::TypedAddress, ", "));
      continue;
    }
    if (!notify::TypedAddress(notify::Describe(*kind))) {
      fail(line, "channel", "web push subscriptions come from a browser and cannot be imported");
      continue;
    }
    std::string field;
    auto address = NormalizeDestination(*kind, in, field);
    if (!address) {
      fail(line, "address", address.error().message);
      continue;
    }
    model::Subscriber s;
    s.page_id = page_id;
    s.channel = *kind;
    s.address = *address;
    // Component ids are checked against the list read once, not per row.
    if (in.component_ids) {
      auto bad = std::find_if(in.component_ids->begin(), in.component_ids->end(),
                              [&](const std::string& id) { return !visible.count(id); });
      if (bad != in.component_ids->end()) {
        fail(line, "component_ids", "no component \"" + bad->substr(0, 64) + "\" on this page");
        continue;
      }
      std::vector<std::string> ids;
      for (const auto& id : *in.component_ids)
        if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
      s.component_ids = std::move(ids);
      in.component_ids.reset();
    }
    if (auto st = ApplyPreferences(s, in, true); !st) {
      fail(line, st.error().field, st.error().message);
      continue;
    }
    auto [it, inserted] = seen.emplace(std::pair{static_cast<int>(*kind), *address}, line);
    if (!inserted) {
      fail(line, "address", "the same address is on line " + std::to_string(it->second));
      continue;
    }
    s.id = NewId();
    s.state = SubscriberState::kActive;  // staff vouch for imported subscribers
    s.created_at = s.updated_at = s.confirmed_at = now;
    if (*kind == ChannelKind::kWebhook) s.secret = NewSubscriberWebhookSecret();
    chunk.push_back(std::move(s));
    if (static_cast<int>(chunk.size()) >= deps_.options.import_chunk_rows)
      if (auto st = flush(); !st) return st.error();
  }
  if (auto st = flush(); !st) return st.error();
  if (!write) {
    if (more_errors > 0) report.errors.push_back({0, "", std::to_string(more_errors) + " more rows had errors"});
    if (progress) progress(report.rows, reader.bytes());
    return report;
  }
  // New subscribers are what the page's count grew by (two counts per import, not per row); the
  // other rows written were known addresses whose preferences changed. A subscriber added at the
  // same moment through the page would be counted as imported: the report is for people.
  auto after = deps_.store.CountSubscribers(page_id);
  if (!after) return after.error();
  report.added = std::clamp<std::int64_t>(*after - *count_before, 0, report.imported);
  report.updated = report.imported - report.added;
  report.unchanged = valid - report.imported;
  if (more_errors > 0) report.errors.push_back({0, "", std::to_string(more_errors) + " more rows had errors"});
  if (progress) progress(report.rows, reader.bytes());
  return report;
}

Status SubscriptionService::ExportCsv(const std::string& page_id, store::SubscriberFilter filter,
                                      const std::function<bool(std::string_view)>& sink) {
  if (!sink(std::string(kCsvHeader) + "\n")) return {};
  filter.limit = 1000;
  for (;;) {
    auto page = deps_.store.ListSubscribers(page_id, filter);
    if (!page) return page.error();
    std::string out;
    for (const auto& s : *page) {
      std::string ids;
      for (const auto& id : s.component_ids) ids += (ids.empty() ? "" : ";") + id;
      out += csv::Cell(model::ToString(s.channel)) + "," + csv::Cell(s.address) + "," + csv::Cell(ids) + "," +
             csv::Cell(s.language) + "," + csv::Cell(s.time_zone) + "," + csv::Cell(model::ToString(s.detail)) + "," +
             csv::Cell(s.segment) + "," + csv::Cell(std::to_string(s.priority)) + "\n";
    }
    if (!out.empty() && !sink(out)) return {};
    if (static_cast<int>(page->size()) < filter.limit) return {};
    filter.after_id = page->back().id;
  }
}

}  // namespace herald::service
