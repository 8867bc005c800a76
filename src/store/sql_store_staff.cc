// SqlStore: the operator console's staff users, sessions, invitations and failed sign-in counters
// (the StaffStore part of the Store; see staff_store.h for the contracts).
//
// Choices within those contracts, the same on both backends:
// - Emails arrive normalised (the service lower-cases them); the UNIQUE index makes a second user
//   with the same email kConflict.
// - AcceptStaffInvite and RecordSignInFailure read and write in one write transaction, so two
//   uses of one link cannot both succeed and two failures are both counted.
#include <algorithm>
#include <string>

#include "core/encoding.h"
#include "store/sql/decoder.h"
#include "store/sql_store.h"

namespace herald::store {
namespace {

using sql::Connection;
using sql::Decoder;
using sql::ExpectChanged;
using sql::Row;

constexpr std::string_view kUserColumns =
    "id, email, role, password_hash, disabled, created_at, updated_at, last_sign_in_at";

model::StaffUser UserFromRow(const Row& r, Decoder& d) {
  model::StaffUser u;
  u.id = r.Text(0);
  u.email = r.Text(1);
  u.role = d.Enum(model::ParseRole, r.Text(2), "role");
  u.password_hash = r.Text(3);
  u.disabled = r.Int(4) != 0;
  u.created_at = r.Int(5);
  u.updated_at = r.Int(6);
  u.last_sign_in_at = r.Int(7);
  return u;
}

model::StaffSession SessionFromRow(const Row& r) {
  return model::StaffSession{r.Text(0), r.Text(1), r.Int(2), r.Int(3), r.Text(4)};
}

model::StaffInvite InviteFromRow(const Row& r) {
  return model::StaffInvite{r.Text(0), r.Text(1), r.Int(2), r.Int(3), r.Int(4)};
}

model::SignInFailures FailuresFromRow(const Row& r) {
  return model::SignInFailures{r.Text(0), static_cast<int>(r.Int(1)), r.Int(2)};
}

model::StaffSecondFactor SecondFactorFromRow(const Row& r) {
  model::StaffSecondFactor f;
  f.user_id = r.Text(0);
  f.secret = Base32Decode(r.Text(1)).value_or("");
  f.enabled = r.Int(2) != 0;
  f.last_step = r.Int(3);
  f.created_at = r.Int(4);
  f.updated_at = r.Int(5);
  return f;
}

std::string UserQuery(std::string_view where) {
  return "SELECT " + std::string(kUserColumns) + " FROM staff_users " + std::string(where);
}

}  // namespace

Status SqlStore::SaveStaffUser(const model::StaffUser& u) {
  auto st =
      WriteOne("INSERT INTO staff_users (" + std::string(kUserColumns) +
                   ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO UPDATE SET email = excluded.email, "
                   "role = excluded.role, password_hash = excluded.password_hash, disabled = excluded.disabled, "
                   "updated_at = excluded.updated_at, last_sign_in_at = excluded.last_sign_in_at",
               {u.id, u.email, model::ToString(u.role), u.password_hash, u.disabled ? 1 : 0, u.created_at, u.updated_at,
                u.last_sign_in_at});
  if (!st.ok() && st.error().code == ErrorCode::kConflict)
    return Error{ErrorCode::kConflict, "a staff user with this email exists", "email"};
  return sql::Executed(st);
}

Result<model::StaffUser> SqlStore::GetStaffUser(const std::string& id) {
  return ReadOne(UserQuery("WHERE id = $1"), {id}, UserFromRow, "staff user");
}

Result<std::optional<model::StaffUser>> SqlStore::FindStaffUserByEmail(const std::string& email) {
  return ReadFirst(UserQuery("WHERE email = $1"), {email}, UserFromRow);
}

Result<std::vector<model::StaffUser>> SqlStore::ListStaffUsers() {
  auto all = ReadAll(UserQuery(""), {}, UserFromRow);
  if (!all.ok()) return all.error();
  // Bytewise order, never the database's collation (which differs between engines).
  std::sort(all->begin(), all->end(), [](const auto& a, const auto& b) { return a.email < b.email; });
  return all;
}

Status SqlStore::CreateStaffSession(const model::StaffSession& s) {
  return sql::Executed(
      WriteOne("INSERT INTO staff_sessions (id_hash, user_id, created_at, last_seen_at, remote_addr) "
               "VALUES ($1, $2, $3, $4, $5)",
               {s.id_hash, s.user_id, s.created_at, s.last_seen_at, s.remote_addr}));
}

Result<std::optional<model::StaffSession>> SqlStore::FindStaffSession(const std::string& id_hash) {
  return ReadFirst(
      "SELECT id_hash, user_id, created_at, last_seen_at, remote_addr FROM staff_sessions WHERE id_hash = $1",
      {id_hash}, SessionFromRow);
}

Status SqlStore::TouchStaffSession(const std::string& id_hash, TimeMs last_seen_at) {
  return Write([&](Connection& conn) -> Status {
    auto found = sql::QueryFirst(conn, "SELECT id_hash FROM staff_sessions WHERE id_hash = $1", {id_hash},
                                 [](const Row& r) { return r.Text(0); });
    if (!found.ok()) return found.error();
    if (!*found) return Error::NotFound("session not found");
    return sql::Executed(
        conn.Exec("UPDATE staff_sessions SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at < $2",
                  {id_hash, last_seen_at}));
  });
}

Status SqlStore::DeleteStaffSession(const std::string& id_hash) {
  return sql::Executed(WriteOne("DELETE FROM staff_sessions WHERE id_hash = $1", {id_hash}));
}

Result<std::int64_t> SqlStore::DeleteStaffSessionsOfUser(const std::string& user_id) {
  return WriteOne("DELETE FROM staff_sessions WHERE user_id = $1", {user_id});
}

Result<std::int64_t> SqlStore::PurgeStaffSessions(TimeMs idle_before, TimeMs created_before) {
  return WriteOne("DELETE FROM staff_sessions WHERE last_seen_at < $1 OR created_at < $2",
                  {idle_before, created_before});
}

Status SqlStore::SaveStaffInvite(const model::StaffInvite& inv) {
  return Write([&](Connection& conn) -> Status {
    auto user = sql::QueryFirst(conn, "SELECT id FROM staff_users WHERE id = $1", {inv.user_id},
                                [](const Row& r) { return r.Text(0); });
    if (!user.ok()) return user.error();
    if (!*user) return Error::NotFound("staff user not found");
    if (auto st = conn.Exec("DELETE FROM staff_invites WHERE user_id = $1 AND used_at = 0", {inv.user_id}); !st.ok())
      return st.error();
    return sql::Executed(conn.Exec(
        "INSERT INTO staff_invites (token_hash, user_id, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $5)",
        {inv.token_hash, inv.user_id, inv.created_at, inv.expires_at, inv.used_at}));
  });
}

Result<std::optional<model::StaffInvite>> SqlStore::FindStaffInvite(const std::string& token_hash) {
  return ReadFirst(
      "SELECT token_hash, user_id, created_at, expires_at, used_at FROM staff_invites WHERE token_hash = $1",
      {token_hash}, InviteFromRow);
}

Result<model::StaffUser> SqlStore::AcceptStaffInvite(const std::string& token_hash, TimeMs now,
                                                     const std::string& password_hash) {
  return Transact<model::StaffUser>(Mode::kWrite, [&](Connection& conn) -> Result<model::StaffUser> {
    // The UPDATE's condition is the check: only one of two concurrent uses changes the row.
    auto used =
        conn.Exec("UPDATE staff_invites SET used_at = $2 WHERE token_hash = $1 AND used_at = 0 AND expires_at > $2",
                  {token_hash, now});
    if (auto st = ExpectChanged(used, "invitation (or it was used or has expired)"); !st.ok()) return st.error();
    auto invite = sql::QueryFirst(conn,
                                  "SELECT token_hash, user_id, created_at, expires_at, used_at FROM "
                                  "staff_invites WHERE token_hash = $1",
                                  {token_hash}, InviteFromRow);
    if (!invite.ok()) return invite.error();
    if (!*invite) return Error::NotFound("invitation not found");
    auto set = conn.Exec("UPDATE staff_users SET password_hash = $2, updated_at = $3 WHERE id = $1",
                         {(*invite)->user_id, password_hash, now});
    if (auto st = ExpectChanged(set, "staff user"); !st.ok()) return st.error();
    auto user = sql::QueryFirst(conn, UserQuery("WHERE id = $1"), {(*invite)->user_id}, UserFromRow);
    if (!user.ok()) return user.error();
    if (!*user) return Error::NotFound("staff user not found");
    return std::move(**user);
  });
}

Result<model::SignInFailures> SqlStore::RecordSignInFailure(const std::string& key, TimeMs now, TimeMs window_ms) {
  return Transact<model::SignInFailures>(Mode::kWrite, [&](Connection& conn) -> Result<model::SignInFailures> {
    auto row = sql::QueryFirst(conn, "SELECT key, failures, window_start FROM staff_sign_in_failures WHERE key = $1",
                               {key}, FailuresFromRow);
    if (!row.ok()) return row.error();
    model::SignInFailures f{key, 1, now};
    if (*row && (*row)->window_start + window_ms > now) f = {key, (*row)->failures + 1, (*row)->window_start};
    auto st = conn.Exec(
        "INSERT INTO staff_sign_in_failures (key, failures, window_start) VALUES ($1, $2, $3) "
        "ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start",
        {key, f.failures, f.window_start});
    if (!st.ok()) return st.error();
    return f;
  });
}

Result<std::optional<model::SignInFailures>> SqlStore::GetSignInFailures(const std::string& key) {
  return ReadFirst("SELECT key, failures, window_start FROM staff_sign_in_failures WHERE key = $1", {key},
                   FailuresFromRow);
}

Status SqlStore::ClearSignInFailures(const std::string& key) {
  return sql::Executed(WriteOne("DELETE FROM staff_sign_in_failures WHERE key = $1", {key}));
}

Status SqlStore::SaveStaffSecondFactor(const model::StaffSecondFactor& f,
                                       const std::optional<std::vector<std::string>>& recovery_hashes) {
  return Write([&](Connection& conn) -> Status {
    auto st = conn.Exec(
        "INSERT INTO staff_second_factors (user_id, secret, enabled, last_step, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, "
        "enabled = excluded.enabled, last_step = excluded.last_step, updated_at = excluded.updated_at",
        {f.user_id, Base32Encode(f.secret), f.enabled ? 1 : 0, f.last_step, f.created_at, f.updated_at});
    if (!st.ok()) return st.error();
    if (!recovery_hashes) return {};
    if (auto del = conn.Exec("DELETE FROM staff_recovery_codes WHERE user_id = $1", {f.user_id}); !del.ok())
      return del.error();
    for (const auto& h : *recovery_hashes)
      if (auto ins = conn.Exec("INSERT INTO staff_recovery_codes (user_id, code_hash) VALUES ($1, $2)", {f.user_id, h});
          !ins.ok())
        return ins.error();
    return {};
  });
}

Result<std::optional<model::StaffSecondFactor>> SqlStore::GetStaffSecondFactor(const std::string& user_id) {
  return ReadFirst(
      "SELECT user_id, secret, enabled, last_step, created_at, updated_at FROM staff_second_factors WHERE user_id = $1",
      {user_id}, SecondFactorFromRow);
}

Status SqlStore::DeleteStaffSecondFactor(const std::string& user_id) {
  return Write([&](Connection& conn) -> Status {
    if (auto st = conn.Exec("DELETE FROM staff_recovery_codes WHERE user_id = $1", {user_id}); !st.ok())
      return st.error();
    return sql::Executed(conn.Exec("DELETE FROM staff_second_factors WHERE user_id = $1", {user_id}));
  });
}

Result<bool> SqlStore::UseStaffTotpStep(const std::string& user_id, std::int64_t step) {
  // The condition is the check: of two sign-ins with the same code, one changes the row.
  auto changed =
      WriteOne("UPDATE staff_second_factors SET last_step = $2 WHERE user_id = $1 AND last_step < $2", {user_id, step});
  if (!changed.ok()) return changed.error();
  return *changed == 1;
}

Result<bool> SqlStore::UseStaffRecoveryCode(const std::string& user_id, const std::string& code_hash) {
  auto changed =
      WriteOne("DELETE FROM staff_recovery_codes WHERE user_id = $1 AND code_hash = $2", {user_id, code_hash});
  if (!changed.ok()) return changed.error();
  return *changed == 1;
}

Result<std::int64_t> SqlStore::CountStaffRecoveryCodes(const std::string& user_id) {
  auto n = ReadFirst("SELECT COUNT(*) FROM staff_recovery_codes WHERE user_id = $1", {user_id},
                     [](const Row& r) { return r.Int(0); });
  if (!n.ok()) return n.error();
  return n->value_or(0);
}

}  // namespace herald::store
