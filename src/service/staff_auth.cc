#include "service/staff_auth.h"

#include <sodium.h>

#include <algorithm>
#include <cstdlib>

#include "address/email_address.h"
#include "core/encoding.h"
#include "core/text.h"

namespace herald::service {
namespace {

constexpr TimeMs kMinute = 60 * 1000;
// last_seen_at moves at most this often: a page view is not a database write.
constexpr TimeMs kTouchEveryMs = kMinute;

std::string RandomSecret() {
  unsigned char bytes[32];  // 256 bits
  randombytes_buf(bytes, sizeof bytes);
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

std::string AccountKey(const std::string& email) { return "account:" + email; }
std::string ClientKey(const std::string& addr) { return "client:" + addr; }

Status CheckPassword(const std::string& password, const std::string& field) {
  if (password.size() < kMinPasswordLength)
    return Error::Invalid(field, "a password needs at least " + std::to_string(kMinPasswordLength) + " characters");
  if (password.size() > kMaxPasswordLength)
    return Error::Invalid(field, "a password may have at most " + std::to_string(kMaxPasswordLength) + " characters");
  return {};
}

}  // namespace

Result<std::string> NormalizeStaffEmail(const std::string& email) {
  return address::NormalizeEmailAddress(email, "email");
}

StaffAuthService::StaffAuthService(store::Store& store, const Clock& clock, StaffAuthOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {
  // Safe to call repeatedly and from several threads; picks the fastest implementations.
  if (sodium_init() < 0) std::abort();
  if (options_.pwhash_ops == 0) options_.pwhash_ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
  if (options_.pwhash_mem == 0) options_.pwhash_mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
}

Result<std::string> StaffAuthService::HashPassword(const std::string& password, const std::string& field) {
  if (auto st = CheckPassword(password, field); !st) return st.error();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), options_.pwhash_ops, options_.pwhash_mem) != 0)
    return Error::Internal("out of memory while hashing the password");
  return std::string(out);
}

bool StaffAuthService::VerifyPassword(const std::string& hash, const std::string& password) {
  std::string against = hash;
  if (against.empty()) {
    // No account, or no password yet: spend the same time on a hash nothing matches, so the
    // answer's timing does not tell which accounts exist.
    {
      std::lock_guard lock(mu_);
      if (dummy_hash_.empty()) {
        char out[crypto_pwhash_STRBYTES];
        const std::string random = RandomSecret();
        if (crypto_pwhash_str(out, random.data(), random.size(), options_.pwhash_ops, options_.pwhash_mem) == 0)
          dummy_hash_ = out;
      }
      against = dummy_hash_;
    }
    // The same work as a real check; the answer is no whatever it says.
    if (crypto_pwhash_str_verify(against.c_str(), password.data(), password.size()) == 0) return false;
    return false;
  }
  return crypto_pwhash_str_verify(against.c_str(), password.data(), password.size()) == 0;
}

Result<model::StaffUser> StaffAuthService::FindByEmail(const std::string& email) {
  auto normal = NormalizeStaffEmail(email);
  if (!normal) return normal.error();
  auto found = store_.FindStaffUserByEmail(*normal);
  if (!found) return found.error();
  if (!*found) return Error{ErrorCode::kNotFound, "no staff user has the email " + *normal, "email"};
  return std::move(**found);
}

Result<model::StaffUser> StaffAuthService::CreateUser(const std::string& email, model::Role role,
                                                      const std::string& password) {
  auto normal = NormalizeStaffEmail(email);
  if (!normal) return normal.error();
  auto hash = HashPassword(password, "password");
  if (!hash) return hash.error();
  const TimeMs now = clock_.Now();
  model::StaffUser u{NewId(), *normal, role, *hash, false, now, now, 0};
  if (auto st = store_.SaveStaffUser(u); !st) return st.error();
  return u;
}

Result<NewInvite> StaffAuthService::NewInviteFor(const model::StaffUser& user) {
  NewInvite out{user, RandomSecret(), clock_.Now() + options_.invite_ms};
  model::StaffInvite inv{Sha256Hex(out.token), user.id, clock_.Now(), out.expires_at, 0};
  if (auto st = store_.SaveStaffInvite(inv); !st) return st.error();
  return out;
}

Result<NewInvite> StaffAuthService::InviteUser(const std::string& email, model::Role role) {
  auto normal = NormalizeStaffEmail(email);
  if (!normal) return normal.error();
  const TimeMs now = clock_.Now();
  model::StaffUser u{NewId(), *normal, role, "", false, now, now, 0};
  if (auto st = store_.SaveStaffUser(u); !st) return st.error();
  return NewInviteFor(u);
}

Result<std::optional<NewInvite>> StaffAuthService::ResetUser(const std::string& email,
                                                             const std::optional<std::string>& password) {
  auto user = FindByEmail(email);
  if (!user) return user.error();
  std::string hash;
  if (password) {
    auto h = HashPassword(*password, "password");
    if (!h) return h.error();
    hash = *h;
  }
  user->password_hash = hash;
  user->updated_at = clock_.Now();
  if (auto st = store_.SaveStaffUser(*user); !st) return st.error();
  if (auto n = store_.DeleteStaffSessionsOfUser(user->id); !n) return n.error();
  // A reset is the way back in for someone who lost their authenticator and recovery codes: the
  // second factor goes too, and they can set up a new one.
  if (auto st = store_.DeleteStaffSecondFactor(user->id); !st) return st.error();
  if (password) return std::optional<NewInvite>();
  auto inv = NewInviteFor(*user);
  if (!inv) return inv.error();
  return std::optional<NewInvite>(std::move(*inv));
}

Result<model::StaffUser> StaffAuthService::SetDisabled(const std::string& email, bool disabled) {
  auto user = FindByEmail(email);
  if (!user) return user.error();
  user->disabled = disabled;
  user->updated_at = clock_.Now();
  if (auto st = store_.SaveStaffUser(*user); !st) return st.error();
  if (disabled)
    if (auto n = store_.DeleteStaffSessionsOfUser(user->id); !n) return n.error();
  return user;
}

Result<model::StaffUser> StaffAuthService::SetRole(const std::string& email, model::Role role) {
  auto user = FindByEmail(email);
  if (!user) return user.error();
  user->role = role;
  user->updated_at = clock_.Now();
  if (auto st = store_.SaveStaffUser(*user); !st) return st.error();
  return user;
}

Result<model::StaffUser> StaffAuthService::InviteFor(const std::string& token) {
  auto inv = store_.FindStaffInvite(Sha256Hex(token));
  if (!inv) return inv.error();
  if (!*inv || (*inv)->used_at != 0 || (*inv)->expires_at <= clock_.Now())
    return Error::NotFound("this invitation link is not valid: it was used, has expired or was replaced");
  return store_.GetStaffUser((*inv)->user_id);
}

Result<NewSession> StaffAuthService::AcceptInvite(const std::string& token, const std::string& password,
                                                  const std::string& remote_addr) {
  auto hash = HashPassword(password, "password");
  if (!hash) return hash.error();
  auto user = store_.AcceptStaffInvite(Sha256Hex(token), clock_.Now(), *hash);
  if (!user) {
    if (user.error().code == ErrorCode::kNotFound)
      return Error::NotFound("this invitation link is not valid: it was used, has expired or was replaced");
    return user.error();
  }
  if (user->disabled) return Error{ErrorCode::kForbidden, "this account is disabled", {}};
  return StartSession(*user, remote_addr);
}

Status StaffAuthService::ChangePassword(const CurrentStaff& who, const std::string& current,
                                        const std::string& password) {
  auto user = store_.GetStaffUser(who.user.id);
  if (!user) return user.error();
  if (!VerifyPassword(user->password_hash, current))
    return Error::Invalid("current_password", "the current password is wrong");
  auto hash = HashPassword(password, "password");
  if (!hash) return hash.error();
  user->password_hash = *hash;
  user->updated_at = clock_.Now();
  if (auto st = store_.SaveStaffUser(*user); !st) return st;
  // Other sessions may belong to whoever knew the old password: end them, keep this one.
  if (auto n = store_.DeleteStaffSessionsOfUser(user->id); !n) return n.error();
  return store_.CreateStaffSession(who.session);
}

std::optional<int> StaffAuthService::LockedMinutes(const std::string& key, int limit, TimeMs now) {
  auto f = store_.GetSignInFailures(key);
  if (!f || !*f) return std::nullopt;  // a store error here must not lock everyone out
  const TimeMs until = (*f)->window_start + options_.failure_window_ms;
  if ((*f)->failures < limit || until <= now) return std::nullopt;
  return static_cast<int>((until - now + kMinute - 1) / kMinute);
}

Result<SignInResult> StaffAuthService::SignIn(const std::string& email, const std::string& password,
                                              const std::string& remote_addr) {
  const TimeMs now = clock_.Now();
  auto normal = NormalizeStaffEmail(email);
  const std::string account = AccountKey(normal ? *normal : Lower(std::string(Trim(email))));
  const std::string client = ClientKey(remote_addr);
  SignInResult out;
  auto locked_account = LockedMinutes(account, options_.account_failures, now);
  auto locked_client = LockedMinutes(client, options_.client_failures, now);
  if (locked_account || locked_client) {
    out.outcome = SignInResult::Outcome::kThrottled;
    out.retry_minutes = std::max(locked_account.value_or(0), locked_client.value_or(0));
    return out;
  }
  std::optional<model::StaffUser> user;
  if (normal) {
    auto found = store_.FindStaffUserByEmail(*normal);
    if (!found) return found.error();
    user = std::move(*found);
  }
  const bool usable = user && !user->disabled && !user->password_hash.empty();
  const bool ok = VerifyPassword(usable ? user->password_hash : "", password) && usable;
  if (!ok) {
    if (auto f = store_.RecordSignInFailure(account, now, options_.failure_window_ms); !f) return f.error();
    if (auto f = store_.RecordSignInFailure(client, now, options_.failure_window_ms); !f) return f.error();
    out.outcome = SignInResult::Outcome::kWrongCredentials;
    return out;
  }
  if (auto st = store_.ClearSignInFailures(account); !st) return st.error();
  out.user = user;
  if (options_.needs_second_factor) {
    auto needs = options_.needs_second_factor(*user);
    if (!needs) return needs.error();
    if (*needs) {
      auto ticket = SecondFactorTicket(*user);
      if (!ticket) return ticket.error();
      out.outcome = SignInResult::Outcome::kNeedsSecondFactor;
      out.second_factor_ticket = std::move(*ticket);
      return out;
    }
  }
  auto session = StartSession(*user, remote_addr);
  if (!session) return session.error();
  out.outcome = SignInResult::Outcome::kSignedIn;
  out.user = session->user;
  out.session = std::move(*session);
  return out;
}

namespace {
// Binds a ticket to the password it was issued for: a reset or change voids it.
std::string PasswordFingerprint(const model::StaffUser& user) { return Sha256Hex(user.password_hash).substr(0, 16); }
}  // namespace

Result<std::string> StaffAuthService::SecondFactorTicket(const model::StaffUser& user) {
  auto key = LoginCsrfKey();
  if (!key) return key.error();
  const std::string payload =
      user.id + "." + std::to_string(clock_.Now() + options_.second_factor_ticket_ms) + "." + PasswordFingerprint(user);
  return Base64UrlEncode(payload) + "." + Base64UrlEncode(HmacSha256(*key, "second-factor:" + payload));
}

std::optional<std::string> StaffAuthService::TicketUser(const std::string& ticket) {
  const auto dot = ticket.find('.');
  if (ticket.size() > 512 || dot == std::string::npos) return std::nullopt;
  auto payload = Base64UrlDecode(std::string_view(ticket).substr(0, dot));
  auto key = LoginCsrfKey();
  if (!payload || !key) return std::nullopt;
  if (!ConstantTimeEquals(ticket.substr(dot + 1), Base64UrlEncode(HmacSha256(*key, "second-factor:" + *payload))))
    return std::nullopt;
  const auto a = payload->find('.'), b = payload->rfind('.');
  if (a == std::string::npos || a == b) return std::nullopt;
  const TimeMs expires = std::strtoll(payload->substr(a + 1, b - a - 1).c_str(), nullptr, 10);
  if (expires <= clock_.Now()) return std::nullopt;
  auto user = store_.GetStaffUser(payload->substr(0, a));
  if (!user || user->disabled || PasswordFingerprint(*user) != payload->substr(b + 1)) return std::nullopt;
  return user->id;
}

Result<SignInResult> StaffAuthService::FinishSecondFactor(const std::string& ticket, const std::string& code,
                                                          const std::string& remote_addr) {
  const TimeMs now = clock_.Now();
  SignInResult out;
  auto user_id = TicketUser(ticket);
  if (!user_id || !options_.verify_second_factor) return out;  // kWrongCredentials
  auto user = store_.GetStaffUser(*user_id);
  if (!user) return user.error();
  const std::string account = AccountKey(user->email);
  const std::string client = ClientKey(remote_addr);
  auto locked_account = LockedMinutes(account, options_.account_failures, now);
  auto locked_client = LockedMinutes(client, options_.client_failures, now);
  if (locked_account || locked_client) {
    out.outcome = SignInResult::Outcome::kThrottled;
    out.retry_minutes = std::max(locked_account.value_or(0), locked_client.value_or(0));
    return out;
  }
  auto ok = options_.verify_second_factor(*user, code);
  if (!ok) return ok.error();
  if (!*ok) {
    if (auto f = store_.RecordSignInFailure(account, now, options_.failure_window_ms); !f) return f.error();
    if (auto f = store_.RecordSignInFailure(client, now, options_.failure_window_ms); !f) return f.error();
    return out;
  }
  if (auto st = store_.ClearSignInFailures(account); !st) return st.error();
  auto session = StartSession(*user, remote_addr);
  if (!session) return session.error();
  out.outcome = SignInResult::Outcome::kSignedIn;
  out.user = session->user;
  out.session = std::move(*session);
  return out;
}

bool StaffAuthService::PasswordMatches(const model::StaffUser& user, const std::string& password) {
  return !user.password_hash.empty() && VerifyPassword(user.password_hash, password);
}

Result<NewSession> StaffAuthService::StartSession(const model::StaffUser& user, const std::string& remote_addr) {
  const TimeMs now = clock_.Now();
  NewSession out;
  out.secret = RandomSecret();
  out.session = model::StaffSession{Sha256Hex(out.secret), user.id, now, now, remote_addr};
  out.user = user;
  out.user.last_sign_in_at = now;
  // The user first: a new one (from an identity provider) must exist before its session.
  if (auto st = store_.SaveStaffUser(out.user); !st) return st.error();
  if (auto st = store_.CreateStaffSession(out.session); !st) return st.error();
  return out;
}

Result<NewSession> StaffAuthService::StartSessionForEmail(const std::string& email, model::Role role,
                                                          const std::string& remote_addr) {
  auto normal = NormalizeStaffEmail(email);
  if (!normal) return normal.error();
  auto found = store_.FindStaffUserByEmail(*normal);
  if (!found) return found.error();
  const TimeMs now = clock_.Now();
  model::StaffUser user = *found ? **found : model::StaffUser{NewId(), *normal, role, "", false, now, now, 0};
  if (user.disabled) return Error{ErrorCode::kForbidden, "this account is disabled", {}};
  user.role = role;  // the identity provider's groups decide
  return StartSession(user, remote_addr);
}

Result<std::optional<CurrentStaff>> StaffAuthService::Authenticate(const std::string& secret) {
  using Out = std::optional<CurrentStaff>;
  if (secret.empty() || secret.size() > 128) return Out();
  const std::string id_hash = Sha256Hex(secret);
  auto session = store_.FindStaffSession(id_hash);
  if (!session) return session.error();
  if (!*session) return Out();
  const TimeMs now = clock_.Now();
  const model::StaffSession& s = **session;
  if (now - s.last_seen_at >= options_.session_idle_ms || now - s.created_at >= options_.session_absolute_ms) {
    if (auto st = store_.DeleteStaffSession(id_hash); !st) return st.error();
    return Out();
  }
  auto user = store_.GetStaffUser(s.user_id);
  if (!user) {
    if (user.error().code == ErrorCode::kNotFound) return Out();
    return user.error();
  }
  if (user->disabled) {
    if (auto n = store_.DeleteStaffSessionsOfUser(user->id); !n) return n.error();
    return Out();
  }
  CurrentStaff who{std::move(*user), s, CsrfToken(secret)};
  if (now - s.last_seen_at >= kTouchEveryMs) {
    if (auto st = store_.TouchStaffSession(id_hash, now); !st) return st.error();
    who.session.last_seen_at = now;
  }
  return Out(std::move(who));
}

Status StaffAuthService::SignOut(const std::string& secret) { return store_.DeleteStaffSession(Sha256Hex(secret)); }

Result<std::int64_t> StaffAuthService::SignOutEverywhere(const std::string& user_id) {
  return store_.DeleteStaffSessionsOfUser(user_id);
}

std::string StaffAuthService::CsrfToken(const std::string& secret) { return Sha256Hex("herald-csrf:" + secret); }

bool StaffAuthService::CsrfMatches(const std::string& secret, const std::string& presented) {
  return !secret.empty() && ConstantTimeEquals(presented, CsrfToken(secret));
}

Result<std::string> StaffAuthService::LoginCsrfKey() {
  std::lock_guard lock(mu_);
  if (login_csrf_key_.empty()) {
    // InitSetting keeps the first value written, so instances sharing a database agree.
    auto key = store_.InitSetting("console.login_csrf_key", RandomHex(32), clock_.Now());
    if (!key) return key.error();
    login_csrf_key_ = *key;
  }
  return login_csrf_key_;
}

Result<std::string> StaffAuthService::ServerKey(std::string_view purpose) {
  auto key = LoginCsrfKey();
  if (!key) return key.error();
  std::string hex;
  for (unsigned char c : HmacSha256(*key, "server-key:" + std::string(purpose))) {
    static constexpr char kDigits[] = "0123456789abcdef";
    hex += kDigits[c >> 4];
    hex += kDigits[c & 15];
  }
  return hex;
}

Result<LoginCsrf> StaffAuthService::NewLoginCsrf() {
  auto key = LoginCsrfKey();
  if (!key) return key.error();
  LoginCsrf out;
  out.cookie = RandomSecret();
  out.token = Base64UrlEncode(HmacSha256(*key, out.cookie));
  return out;
}

bool StaffAuthService::LoginCsrfMatches(const std::string& cookie, const std::string& token) {
  if (cookie.empty() || token.empty()) return false;
  auto key = LoginCsrfKey();
  if (!key) return false;
  return ConstantTimeEquals(token, Base64UrlEncode(HmacSha256(*key, cookie)));
}

Result<std::int64_t> StaffAuthService::PurgeSessions() {
  const TimeMs now = clock_.Now();
  return store_.PurgeStaffSessions(now - options_.session_idle_ms, now - options_.session_absolute_ms);
}

}  // namespace herald::service
