// SqlStore: settings, subscribers, dispatch jobs, deliveries and template overrides (the
// notification half of the Store; see store.h for the contracts).
#include <boost/json.hpp>
#include <string>

#include "store/sql/decoder.h"
#include "store/sql_store.h"
#include "store/sql_store_rows.h"

namespace herald::store {
namespace {

using sql::Connection;
using sql::Decoder;
using sql::ExpectChanged;
using sql::Params;
using sql::Row;

constexpr std::string_view kSubscriberColumns =
    "id, page_id, channel, address, state, component_ids, language, time_zone, detail, event_types, "
    "quiet_start_minute, quiet_end_minute, segment, priority, secret, push_p256dh, push_auth, confirm_code_hash, "
    "owner_email, created_at, updated_at, confirmed_at, failing_since, last_error";
constexpr std::string_view kSubscriberValues =
    "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24";

std::string IdsToJson(const std::vector<std::string>& ids) {
  boost::json::array a;
  for (const auto& id : ids) a.emplace_back(id);
  return boost::json::serialize(a);
}

std::vector<std::string> IdsFromJson(const std::string& text, Decoder& d) {
  std::vector<std::string> out;
  if (text == "[]") return out;  // most subscribers follow the whole page: no parser for them
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) {
    d.Fail("malformed subscriber component_ids in the database");
    return out;
  }
  for (const auto& e : v.as_array())
    if (e.is_string()) out.emplace_back(e.as_string());
  return out;
}

Params SubscriberParams(const model::Subscriber& s) {
  auto opt = [](const std::optional<int>& v) { return v ? sql::Param(*v) : sql::Param(); };
  return {s.id,
          s.page_id,
          model::ToString(s.channel),
          s.address,
          model::ToString(s.state),
          IdsToJson(s.component_ids),
          s.language,
          s.time_zone,
          model::ToString(s.detail),
          static_cast<std::int64_t>(s.event_types),
          opt(s.quiet_start_minute),
          opt(s.quiet_end_minute),
          s.segment,
          s.priority,
          s.secret,
          s.push_p256dh,
          s.push_auth,
          s.confirm_code_hash,
          s.owner_email,
          s.created_at,
          s.updated_at,
          s.confirmed_at,
          s.failing_since,
          s.last_error};
}

// Takes the text cells out of `r` (a fan-out decodes a million rows: no copy of each string).
model::Subscriber SubscriberFromRow(Row&& r, Decoder& d) {
  model::Subscriber s;
  s.id = r.TakeText(0);
  s.page_id = r.TakeText(1);
  s.channel = d.Enum(model::ParseChannelKind, r.Text(2), "channel");
  s.address = r.TakeText(3);
  s.state = d.Enum(model::ParseSubscriberState, r.Text(4), "subscriber state");
  s.component_ids = IdsFromJson(r.Text(5), d);
  s.language = r.TakeText(6);
  s.time_zone = r.TakeText(7);
  s.detail = d.Enum(model::ParseDetailLevel, r.Text(8), "detail level");
  s.event_types = static_cast<unsigned>(r.Int(9));
  if (auto v = r.OptInt(10)) s.quiet_start_minute = static_cast<int>(*v);
  if (auto v = r.OptInt(11)) s.quiet_end_minute = static_cast<int>(*v);
  s.segment = r.TakeText(12);
  s.priority = static_cast<int>(r.Int(13));
  s.secret = r.TakeText(14);
  s.push_p256dh = r.TakeText(15);
  s.push_auth = r.TakeText(16);
  s.confirm_code_hash = r.TakeText(17);
  s.owner_email = r.TakeText(18);
  s.created_at = r.Int(19);
  s.updated_at = r.Int(20);
  s.confirmed_at = r.Int(21);
  s.failing_since = r.Int(22);
  s.last_error = r.TakeText(23);
  return s;
}

model::Subscriber CopySubscriberFromRow(const Row& r, Decoder& d) { return SubscriberFromRow(Row(r), d); }

}  // namespace

// The console's queries (sql_store_console.cc) read subscribers as these do.
std::string_view SubscriberColumnsSql() { return kSubscriberColumns; }
model::Subscriber SubscriberFromSqlRow(const Row& r, Decoder& d) { return CopySubscriberFromRow(r, d); }

namespace {

constexpr std::string_view kDeliveryColumns =
    "id, event_id, page_id, subscriber_id, incident_id, channel, state, priority, attempts, next_attempt_at, "
    "created_at, updated_at, last_status, last_error";

model::Delivery DeliveryFromRow(const Row& r, Decoder& d) {
  model::Delivery x;
  x.id = r.Text(0);
  x.event_id = r.Int(1);
  x.page_id = r.Text(2);
  x.subscriber_id = r.Text(3);
  x.incident_id = r.Text(4);
  x.channel = d.Enum(model::ParseChannelKind, r.Text(5), "channel");
  x.state = d.Enum(model::ParseDeliveryState, r.Text(6), "delivery state");
  x.priority = static_cast<int>(r.Int(7));
  x.attempts = static_cast<int>(r.Int(8));
  x.next_attempt_at = r.Int(9);
  x.created_at = r.Int(10);
  x.updated_at = r.Int(11);
  x.last_status = static_cast<int>(r.Int(12));
  x.last_error = r.Text(13);
  return x;
}

constexpr std::string_view kJobColumns =
    "event_id, page_id, done, has_cursor, cursor_priority, cursor_id, matched, lease_owner, lease_until, created_at, "
    "updated_at";

model::DispatchJob JobFromRow(const Row& r) {
  model::DispatchJob j;
  j.event_id = r.Int(0);
  j.page_id = r.Text(1);
  j.done = r.Bool(2);
  j.has_cursor = r.Bool(3);
  j.cursor_priority = static_cast<int>(r.Int(4));
  j.cursor_id = r.Text(5);
  j.matched = r.Int(6);
  j.lease_owner = r.Text(7);
  j.lease_until = r.Int(8);
  j.created_at = r.Int(9);
  j.updated_at = r.Int(10);
  return j;
}

// Multi-row INSERT of deliveries, `kRowsPerInsert` at a time: a 1,000-row batch is 10 statements
// instead of 1,000 round trips.
constexpr size_t kRowsPerInsert = 100;
constexpr size_t kDeliveryFields = 14;

Status InsertDeliveries(Connection& conn, const std::vector<model::Delivery>& all) {
  for (size_t start = 0; start < all.size(); start += kRowsPerInsert) {
    const size_t end = std::min(all.size(), start + kRowsPerInsert);
    std::string sql = "INSERT INTO deliveries (" + std::string(kDeliveryColumns) + ") VALUES ";
    Params params;
    params.reserve((end - start) * kDeliveryFields);
    for (size_t i = start; i < end; ++i) {
      const auto& x = all[i];
      sql += i == start ? "(" : ", (";
      for (size_t f = 0; f < kDeliveryFields; ++f) {
        if (f) sql += ", ";
        sql += "$" + std::to_string(params.size() + f + 1);
      }
      sql += ")";
      for (auto&& p : Params{x.id, x.event_id, x.page_id, x.subscriber_id, x.incident_id, model::ToString(x.channel),
                             model::ToString(x.state), x.priority, x.attempts, x.next_attempt_at, x.created_at,
                             x.updated_at, x.last_status, x.last_error})
        params.push_back(std::move(p));
    }
    // A delivery recorded before (its batch sent by two instances) was sent once more: a resend
    // counts as an attempt; its recorded outcome stays.
    sql += " ON CONFLICT (id) DO UPDATE SET attempts = deliveries.attempts + excluded.attempts";
    if (auto st = conn.Exec(sql, params); !st.ok()) return st.error();
  }
  return {};
}

Status ApplyHealth(Connection& conn, const SubscriberHealth& h) {
  Result<std::int64_t> r = std::int64_t{0};
  switch (h.change) {
    case SubscriberHealth::Change::kRecovered:
      r = conn.Exec("UPDATE subscribers SET failing_since = 0, last_error = '' WHERE id = $1 AND failing_since <> 0",
                    {h.subscriber_id});
      break;
    case SubscriberHealth::Change::kQuarantined:
      r = conn.Exec(
          "UPDATE subscribers SET state = 'quarantined', last_error = $2, updated_at = $3, "
          "failing_since = CASE WHEN failing_since = 0 THEN $3 ELSE failing_since END "
          "WHERE id = $1 AND state = 'active'",
          {h.subscriber_id, h.error, h.at});
      break;
    case SubscriberHealth::Change::kFailing:
      r = conn.Exec(
          "UPDATE subscribers SET last_error = $2, "
          "failing_since = CASE WHEN failing_since = 0 THEN $3 ELSE failing_since END WHERE id = $1",
          {h.subscriber_id, h.error, h.at});
      break;
  }
  if (!r.ok()) return r.error();
  return {};
}

}  // namespace

// --- settings ----------------------------------------------------------------------------------

Result<std::optional<std::string>> SqlStore::GetSetting(const std::string& key) {
  return ReadFirst("SELECT value FROM settings WHERE key = $1", {key}, [](const Row& r) { return r.Text(0); });
}

Result<std::string> SqlStore::InitSetting(const std::string& key, const std::string& value, TimeMs now) {
  std::string out;
  auto st = Write([&](Connection& conn) -> Status {
    if (auto ins =
            conn.Exec("INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
                      {key, value, now});
        !ins.ok()) {
      return ins.error();
    }
    auto rows = conn.Query("SELECT value FROM settings WHERE key = $1", {key});
    if (!rows.ok()) return rows.error();
    if (rows->empty()) return Error::Internal("setting '" + key + "' vanished");
    out = rows->front().Text(0);
    return {};
  });
  if (!st.ok()) return st.error();
  return out;
}

Status SqlStore::PutSetting(const std::string& key, const std::string& value, TimeMs now) {
  return sql::Executed(
      WriteOne("INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET "
               "value = excluded.value, updated_at = excluded.updated_at",
               {key, value, now}));
}

// --- subscribers -------------------------------------------------------------------------------

Status SqlStore::SaveSubscriber(const model::Subscriber& s) {
  return Write([&](Connection& conn) -> Status {
    auto st = conn.Exec(
        "INSERT INTO subscribers (" + std::string(kSubscriberColumns) + ") VALUES (" + std::string(kSubscriberValues) +
            ") ON CONFLICT (id) DO UPDATE SET address = excluded.address, state = excluded.state, "
            "component_ids = excluded.component_ids, language = excluded.language, time_zone = excluded.time_zone, "
            "detail = excluded.detail, event_types = excluded.event_types, "
            "quiet_start_minute = excluded.quiet_start_minute, quiet_end_minute = excluded.quiet_end_minute, "
            "segment = excluded.segment, priority = excluded.priority, secret = excluded.secret, "
            "push_p256dh = excluded.push_p256dh, push_auth = excluded.push_auth, "
            "confirm_code_hash = excluded.confirm_code_hash, owner_email = excluded.owner_email, "
            "updated_at = excluded.updated_at, confirmed_at = excluded.confirmed_at, "
            "failing_since = excluded.failing_since, last_error = excluded.last_error "
            "WHERE subscribers.page_id = excluded.page_id AND subscribers.channel = excluded.channel",
        SubscriberParams(s));
    if (!st.ok()) return st.error();
    if (*st == 0) return Error{ErrorCode::kConflict, "subscriber id '" + s.id + "' belongs to another page", {}};
    return {};
  });
}

Result<model::Subscriber> SqlStore::GetSubscriber(const std::string& page_id, const std::string& id) {
  return ReadOne("SELECT " + std::string(kSubscriberColumns) + " FROM subscribers WHERE page_id = $1 AND id = $2",
                 {page_id, id}, CopySubscriberFromRow, "subscriber '" + id + "'");
}

Result<std::optional<model::Subscriber>> SqlStore::FindSubscriber(const std::string& page_id,
                                                                  model::ChannelKind channel,
                                                                  const std::string& address) {
  return ReadFirst("SELECT " + std::string(kSubscriberColumns) +
                       " FROM subscribers WHERE page_id = $1 AND channel = $2 AND address = $3",
                   {page_id, model::ToString(channel), address}, CopySubscriberFromRow);
}

Result<std::vector<model::Subscriber>> SqlStore::ListSubscribers(const std::string& page_id,
                                                                 const SubscriberFilter& filter) {
  std::string sql = "SELECT " + std::string(kSubscriberColumns) + " FROM subscribers WHERE page_id = $1 AND id > $2";
  Params params{page_id, filter.after_id};
  if (filter.state) {
    params.emplace_back(model::ToString(*filter.state));
    sql += " AND state = $" + std::to_string(params.size());
  }
  if (filter.channel) {
    params.emplace_back(model::ToString(*filter.channel));
    sql += " AND channel = $" + std::to_string(params.size());
  }
  if (!filter.segment.empty()) {
    params.emplace_back(filter.segment);
    sql += " AND segment = $" + std::to_string(params.size());
  }
  params.emplace_back(filter.limit > 0 ? filter.limit : 100);
  sql += " ORDER BY id LIMIT $" + std::to_string(params.size());
  return ReadAll(sql, params, CopySubscriberFromRow);
}

Result<std::int64_t> SqlStore::CountSubscribers(const std::string& page_id) {
  return ReadOne(
      "SELECT COUNT(*) FROM subscribers WHERE page_id = $1", {page_id}, [](const Row& r) { return r.Int(0); }, "count");
}

Status SqlStore::DeleteSubscriber(const std::string& page_id, const std::string& id) {
  return ExpectChanged(WriteOne("DELETE FROM subscribers WHERE page_id = $1 AND id = $2", {page_id, id}),
                       "subscriber '" + id + "'");
}

Result<std::int64_t> SqlStore::ImportSubscribers(const std::vector<model::Subscriber>& subscribers) {
  std::int64_t written = 0;
  auto st = Write([&](Connection& conn) -> Status {
    for (const auto& s : subscribers) {
      // A known address keeps its id, secrets and history; an unsubscribed one stays unsubscribed;
      // one whose preferences are the same is not written (and not counted).
      auto r = conn.Exec(
          "INSERT INTO subscribers (" + std::string(kSubscriberColumns) + ") VALUES (" +
              std::string(kSubscriberValues) +
              ") ON CONFLICT (page_id, channel, address) DO UPDATE SET component_ids = excluded.component_ids, "
              "language = excluded.language, time_zone = excluded.time_zone, detail = excluded.detail, "
              "segment = excluded.segment, priority = excluded.priority, updated_at = excluded.updated_at "
              "WHERE subscribers.state <> 'unsubscribed' AND (subscribers.component_ids IS DISTINCT FROM "
              "excluded.component_ids OR subscribers.language IS DISTINCT FROM excluded.language OR "
              "subscribers.time_zone IS DISTINCT FROM excluded.time_zone OR subscribers.detail IS DISTINCT FROM "
              "excluded.detail OR subscribers.segment IS DISTINCT FROM excluded.segment OR subscribers.priority IS "
              "DISTINCT FROM excluded.priority)",
          SubscriberParams(s));
      if (!r.ok()) return r.error();
      written += *r;
    }
    return {};
  });
  if (!st.ok()) return st.error();
  return written;
}

Result<std::int64_t> SqlStore::PurgePendingSubscribers(TimeMs created_before) {
  return WriteOne("DELETE FROM subscribers WHERE state = 'pending' AND created_at < $1", {created_before});
}

Result<std::vector<model::Subscriber>> SqlStore::StreamSubscribers(const std::string& page_id, bool has_cursor,
                                                                   int cursor_priority, const std::string& cursor_id,
                                                                   int limit) {
  std::vector<model::Subscriber> out;
  auto st = Read([&](Connection& conn) -> Status {
    // Two index ranges instead of "priority < p OR (priority = p AND id > c)", which neither
    // engine turns into one range scan: the rest of this priority, then, only if that did not
    // fill the batch, the lower priorities. Each is read in index order; as one UNION ALL ...
    // ORDER BY, SQLite read both ranges in full and sorted the rows (every column) in a temporary
    // B-tree on each batch of a fan-out.
    static const std::string kSame = "SELECT " + std::string(kSubscriberColumns) +
                                     " FROM subscribers WHERE page_id = $1 AND state = 'active' AND priority = $2 AND "
                                     "id > $3 ORDER BY id LIMIT $4";
    static const std::string kBelow = "SELECT " + std::string(kSubscriberColumns) +
                                      " FROM subscribers WHERE page_id = $1 AND state = 'active' AND priority < $2 "
                                      "ORDER BY priority DESC, id LIMIT $3";
    static const std::string kFirst = "SELECT " + std::string(kSubscriberColumns) +
                                      " FROM subscribers WHERE page_id = $1 AND state = 'active' "
                                      "ORDER BY priority DESC, id LIMIT $2";
    out.clear();
    Decoder d;
    auto take = [&](const std::string& sql, const Params& params) -> Status {
      auto rows = conn.Query(sql, params);
      if (!rows.ok()) return rows.error();
      out.reserve(static_cast<size_t>(limit));
      for (auto& r : *rows) out.push_back(SubscriberFromRow(std::move(r), d));
      return {};
    };
    if (!has_cursor) {
      if (auto s = take(kFirst, {page_id, limit}); !s.ok()) return s;
      return d.status();
    }
    if (auto s = take(kSame, {page_id, cursor_priority, cursor_id, limit}); !s.ok()) return s;
    const int rest = limit - static_cast<int>(out.size());
    if (rest > 0)
      if (auto s = take(kBelow, {page_id, cursor_priority, rest}); !s.ok()) return s;
    return d.status();
  });
  if (!st.ok()) return st.error();
  return out;
}

// --- dispatch ----------------------------------------------------------------------------------

Status SqlStore::CreateDispatchJobs(const std::vector<model::DispatchJob>& jobs, const std::string& cursor_key,
                                    std::int64_t outbox_cursor) {
  return Write([&](Connection& conn) -> Status {
    for (const auto& j : jobs) {
      auto r =
          conn.Exec("INSERT INTO dispatch_jobs (" + std::string(kJobColumns) +
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (event_id) DO NOTHING",
                    {j.event_id, j.page_id, j.done, j.has_cursor, j.cursor_priority, j.cursor_id, j.matched,
                     j.lease_owner, j.lease_until, j.created_at, j.updated_at});
      if (!r.ok()) return r.error();
    }
    auto r = conn.Exec(
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET "
        "value = excluded.value, updated_at = excluded.updated_at",
        {cursor_key, std::to_string(outbox_cursor), jobs.empty() ? std::int64_t{0} : jobs.back().created_at});
    if (!r.ok()) return r.error();
    return {};
  });
}

Result<std::optional<model::DispatchJob>> SqlStore::ClaimDispatchJob(const std::string& owner, TimeMs now,
                                                                     TimeMs lease_until) {
  std::optional<model::DispatchJob> out;
  auto st = Write([&](Connection& conn) -> Status {
    auto rows = conn.Query("SELECT " + std::string(kJobColumns) +
                               " FROM dispatch_jobs WHERE done = 0 AND (lease_owner = $1 OR lease_until <= $2) "
                               "ORDER BY event_id LIMIT 1" +
                               std::string(db_->dialect().skip_locked),
                           {owner, now});
    if (!rows.ok()) return rows.error();
    if (rows->empty()) return {};
    auto job = JobFromRow(rows->front());
    auto upd = conn.Exec("UPDATE dispatch_jobs SET lease_owner = $1, lease_until = $2 WHERE event_id = $3",
                         {owner, lease_until, job.event_id});
    if (!upd.ok()) return upd.error();
    job.lease_owner = owner;
    job.lease_until = lease_until;
    out = std::move(job);
    return {};
  });
  if (!st.ok()) return st.error();
  return out;
}

Status SqlStore::CommitDispatchBatch(const DispatchBatch& b) {
  return Write([&](Connection& conn) -> Status {
    const auto& job = b.job;
    // Compare-and-set on the cursor: batches are recorded in fan-out order, each exactly once, by
    // the instance holding the lease.
    auto upd = conn.Exec(
        "UPDATE dispatch_jobs SET done = $1, has_cursor = $2, cursor_priority = $3, cursor_id = $4, "
        "matched = matched + $5, lease_until = $6, updated_at = $7 WHERE event_id = $8 AND lease_owner = $9 AND "
        "has_cursor = $10 AND cursor_priority = $11 AND cursor_id = $12",
        {job.done, job.has_cursor, job.cursor_priority, job.cursor_id, static_cast<std::int64_t>(b.deliveries.size()),
         job.lease_until, job.updated_at, job.event_id, job.lease_owner, b.from_has_cursor, b.from_priority,
         b.from_id});
    if (!upd.ok()) return upd.error();
    if (*upd == 0) return Error{ErrorCode::kConflict, "dispatch job lease lost or cursor moved", {}};
    if (auto st = InsertDeliveries(conn, b.deliveries); !st.ok()) return st;
    for (const auto& h : b.health)
      if (auto st = ApplyHealth(conn, h); !st.ok()) return st;
    return {};
  });
}

Result<std::vector<model::Delivery>> SqlStore::ClaimDueDeliveries(TimeMs now, TimeMs lease_until, int limit) {
  std::vector<model::Delivery> out;
  auto st = Write([&](Connection& conn) -> Status {
    auto rows = conn.Query("SELECT " + std::string(kDeliveryColumns) +
                               " FROM deliveries WHERE state IN ('pending', 'retrying') AND next_attempt_at <= $1 "
                               "ORDER BY priority DESC, next_attempt_at LIMIT $2" +
                               std::string(db_->dialect().skip_locked),
                           {now, limit});
    if (!rows.ok()) return rows.error();
    Decoder d;
    for (const auto& r : *rows) {
      out.push_back(DeliveryFromRow(r, d));
      auto upd = conn.Exec("UPDATE deliveries SET next_attempt_at = $1 WHERE id = $2", {lease_until, out.back().id});
      if (!upd.ok()) return upd.error();
      out.back().next_attempt_at = lease_until;
    }
    return d.status();
  });
  if (!st.ok()) return st.error();
  return out;
}

Status SqlStore::FinishAttempts(const std::vector<AttemptRecord>& records) {
  return Write([&](Connection& conn) -> Status {
    // Successes of healthy subscribers are the bulk of a fan-out: one statement per chunk.
    std::vector<const AttemptRecord*> plain;
    for (const auto& a : records)
      if (a.state == model::DeliveryState::kDelivered && !a.subscriber_was_failing &&
          a.status == records.front().status)
        plain.push_back(&a);
    for (size_t start = 0; start < plain.size(); start += kRowsPerInsert * 4) {
      const size_t end = std::min(plain.size(), start + kRowsPerInsert * 4);
      std::string sql =
          "UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, next_attempt_at = 0, updated_at = $1, "
          "last_status = $2, last_error = '' WHERE state IN ('pending', 'retrying') AND id IN (";
      Params params{plain[start]->at, plain[start]->status};
      for (size_t i = start; i < end; ++i) {
        sql += (i == start ? "$" : ", $") + std::to_string(params.size() + 1);
        params.emplace_back(plain[i]->delivery_id);
      }
      sql += ")";
      if (auto r = conn.Exec(sql, params); !r.ok()) return r.error();
    }
    for (const auto& a : records) {
      if (a.state == model::DeliveryState::kDelivered && !a.subscriber_was_failing &&
          a.status == records.front().status)
        continue;  // done above
      auto upd = conn.Exec(
          "UPDATE deliveries SET state = $1, attempts = attempts + 1, next_attempt_at = $2, updated_at = $3, "
          "last_status = $4, last_error = $5 WHERE id = $6 AND state IN ('pending', 'retrying')",
          {model::ToString(a.state), a.next_attempt_at, a.at, a.status, a.error, a.delivery_id});
      if (!upd.ok()) return upd.error();
      if (auto health = HealthAfter(a))
        if (auto st = ApplyHealth(conn, *health); !st.ok()) return st;
    }
    return {};
  });
}

Result<std::vector<DeliveryCount>> SqlStore::CountDeliveries(const std::string& page_id,
                                                             const std::string& incident_id) {
  return ReadAll(
      "SELECT channel, state, COUNT(*) FROM deliveries WHERE page_id = $1 AND incident_id = $2 "
      "GROUP BY channel, state ORDER BY channel, state",
      {page_id, incident_id}, [](const Row& r, Decoder& d) {
        return DeliveryCount{d.Enum(model::ParseChannelKind, r.Text(0), "channel"),
                             d.Enum(model::ParseDeliveryState, r.Text(1), "delivery state"), r.Int(2)};
      });
}

Result<std::vector<model::Delivery>> SqlStore::ListDeliveries(const std::string& page_id,
                                                              const std::string& subscriber_id, int limit) {
  return ReadAll("SELECT " + std::string(kDeliveryColumns) +
                     " FROM deliveries WHERE page_id = $1 AND subscriber_id = $2 ORDER BY created_at DESC, id LIMIT $3",
                 {page_id, subscriber_id, limit}, DeliveryFromRow);
}

Result<model::OutboxEvent> SqlStore::GetOutboxEvent(std::int64_t id) {
  auto events = ReadOutbox(id - 1, 1);
  if (!events.ok()) return events.error();
  if (events->empty() || events->front().id != id) return Error::NotFound("event " + std::to_string(id) + " not found");
  return events->front();
}

// --- templates ---------------------------------------------------------------------------------

Result<std::vector<model::TemplateOverride>> SqlStore::ListTemplates(const std::string& page_id) {
  return ReadAll("SELECT page_id, key, body, updated_at FROM notification_templates WHERE page_id = $1 ORDER BY key",
                 {page_id}, [](const Row& r) {
                   return model::TemplateOverride{r.Text(0), r.Text(1), r.Text(2), r.Int(3)};
                 });
}

Status SqlStore::SaveTemplate(const model::TemplateOverride& t) {
  return sql::Executed(
      WriteOne("INSERT INTO notification_templates (page_id, key, body, updated_at) VALUES ($1, $2, $3, $4) "
               "ON CONFLICT (page_id, key) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
               {t.page_id, t.key, t.body, t.updated_at}));
}

Status SqlStore::DeleteTemplate(const std::string& page_id, const std::string& key) {
  return ExpectChanged(WriteOne("DELETE FROM notification_templates WHERE page_id = $1 AND key = $2", {page_id, key}),
                       "template override '" + key + "'");
}

}  // namespace herald::store
