// StaffAuthService with a real SQLite store and a fake clock: passwords (length rules, Argon2id
// strings), sign-in answers that do not say which part was wrong, throttling per account and per
// client that survives a new service, sessions (new id each sign-in, idle and absolute expiry,
// sign out everywhere, disabled users), invitations used once within 24 h, CSRF tokens.
#include "service/staff_auth.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include "core/text.h"

namespace herald::service {
namespace {

using model::Role;
using Outcome = SignInResult::Outcome;

constexpr TimeMs kHour = 3600 * 1000;
const std::string kPassword = "correct horse battery";

class StaffAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::OpenStore("sqlite::memory:");
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Migrate().ok());
    auth_ = std::make_unique<StaffAuthService>(*store_, clock_, Options());
  }
  static StaffAuthOptions Options() {
    StaffAuthOptions o;
    o.pwhash_ops = crypto_pwhash_OPSLIMIT_MIN;  // fast tests; the format is the same
    o.pwhash_mem = crypto_pwhash_MEMLIMIT_MIN;
    return o;
  }
  NewSession SignedIn(const std::string& email = "ada@example.com", const std::string& addr = "192.0.2.1") {
    auto r = auth_->SignIn(email, kPassword, addr);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r->outcome, Outcome::kSignedIn);
    return *r->session;
  }
  bool Valid(const std::string& secret) {
    auto who = auth_->Authenticate(secret);
    EXPECT_TRUE(who.ok());
    return who.ok() && who->has_value();
  }

  FakeClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<StaffAuthService> auth_;
};

TEST_F(StaffAuthTest, CreatesUsersWithArgon2idAndNormalisedEmail) {
  auto u = auth_->CreateUser("  Ada@Example.COM ", Role::kAdmin, kPassword);
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->email, "ada@example.com");
  EXPECT_TRUE(u->password_hash.starts_with("$argon2id$")) << u->password_hash;
  EXPECT_EQ(auth_->CreateUser("ada@example.com", Role::kViewer, kPassword).error().code, ErrorCode::kConflict);
  auto short_pw = auth_->CreateUser("bob@example.com", Role::kViewer, "short");
  ASSERT_FALSE(short_pw.ok());
  EXPECT_EQ(short_pw.error().field, "password");
  EXPECT_EQ(auth_->CreateUser("not an email", Role::kViewer, kPassword).error().field, "email");
  EXPECT_EQ(store_->ListStaffUsers()->size(), 1u) << "refused input writes nothing";
}

TEST_F(StaffAuthTest, WrongEmailAndWrongPasswordLookTheSame) {
  ASSERT_TRUE(auth_->CreateUser("ada@example.com", Role::kAdmin, kPassword).ok());
  auto wrong_pw = auth_->SignIn("ada@example.com", "not the password", "192.0.2.1");
  auto wrong_email = auth_->SignIn("eve@example.com", kPassword, "192.0.2.1");
  ASSERT_TRUE(wrong_pw.ok() && wrong_email.ok());
  EXPECT_EQ(wrong_pw->outcome, Outcome::kWrongCredentials);
  EXPECT_EQ(wrong_email->outcome, Outcome::kWrongCredentials);
  EXPECT_FALSE(wrong_pw->session || wrong_email->session || wrong_pw->user || wrong_email->user);
  auto ok = auth_->SignIn("ADA@example.com", kPassword, "192.0.2.1");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->outcome, Outcome::kSignedIn);
  EXPECT_EQ(ok->user->last_sign_in_at, clock_.Now());
}

TEST_F(StaffAuthTest, EachSignInGetsANewSessionAndOldOnesDoNotBecomeValid) {
  ASSERT_TRUE(auth_->CreateUser("ada@example.com", Role::kAdmin, kPassword).ok());
  const NewSession a = SignedIn();
  const NewSession b = SignedIn();
  EXPECT_NE(a.secret, b.secret);
  EXPECT_GE(a.secret.size(), 22u) << "at least 128 bits";
  EXPECT_EQ(a.session.id_hash, Sha256Hex(a.secret)) << "stored hashed";
  EXPECT_FALSE(Valid("made-up-before-sign-in"));
  EXPECT_TRUE(Valid(a.secret));
  EXPECT_TRUE(Valid(b.secret));
}

TEST_F(StaffAuthTest, SessionsExpireWhenIdleAndWhenOld) {
  ASSERT_TRUE(auth_->CreateUser("ada@example.com", Role::kAdmin, kPassword).ok());
  const NewSession idle = SignedIn();
  clock_.Advance(12 * kHour - 1);
  EXPECT_TRUE(Valid(idle.secret)) << "used just before the idle limit: renewed";
  clock_.Advance(12 * kHour - 1);
  EXPECT_TRUE(Valid(idle.secret));
  clock_.Advance(12 * kHour);
  EXPECT_FALSE(Valid(idle.secret)) << "12 h unused";
  EXPECT_FALSE(*store_->FindStaffSession(idle.session.id_hash)) << "and deleted";

  const NewSession busy = SignedIn();
  for (int i = 0; i < 7 * 24 - 1; ++i) {
    clock_.Advance(kHour);
    ASSERT_TRUE(Valid(busy.secret)) << i;
  }
  clock_.Advance(kHour);
  EXPECT_FALSE(Valid(busy.secret)) << "7 days old, however busy";
}

TEST_F(StaffAuthTest, SignOutEverywhereAndDisablingEndSessions) {
  ASSERT_TRUE(auth_->CreateUser("ada@example.com", Role::kAdmin, kPassword).ok());
  const NewSession a = SignedIn(), b = SignedIn();
  ASSERT_TRUE(auth_->SignOut(a.secret).ok());
  EXPECT_FALSE(Valid(a.secret));
  EXPECT_TRUE(Valid(b.secret));
  const NewSession c = SignedIn();
  EXPECT_EQ(*auth_->SignOutEverywhere(c.user.id), 2);
  EXPECT_FALSE(Valid(b.secret) || Valid(c.secret));

  const NewSession d = SignedIn();
  // Disabled behind the service's back (another instance): the session stops working anyway.
  auto u = *store_->GetStaffUser(d.user.id);
  u.disabled = true;
  ASSERT_TRUE(store_->SaveStaffUser(u).ok());
  EXPECT_FALSE(Valid(d.secret));
  auto again = auth_->SignIn("ada@example.com", kPassword, "192.0.2.1");
  EXPECT_EQ(again->outcome, Outcome::kWrongCredentials) << "no hint that the account exists but is disabled";
  ASSERT_TRUE(auth_->SetDisabled("ada@example.com", false).ok());
  const NewSession e = SignedIn();
  ASSERT_TRUE(auth_->SetDisabled("ada@example.com", true).ok());
  EXPECT_FALSE(*store_->FindStaffSession(e.session.id_hash));
}

TEST_F(StaffAuthTest, FailedSignInsLockTheAccountAndTheClientAcrossRestarts) {
  ASSERT_TRUE(auth_->CreateUser("ada@example.com", Role::kAdmin, kPassword).ok());
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(auth_->SignIn("ada@example.com", "guess " + std::to_string(i), "192.0.2." + std::to_string(i))->outcome,
              Outcome::kWrongCredentials);
  // A new service (a restart) still knows.
  auth_ = std::make_unique<StaffAuthService>(*store_, clock_, Options());
  auto locked = auth_->SignIn("ada@example.com", kPassword, "198.51.100.7");
  ASSERT_TRUE(locked.ok());
  EXPECT_EQ(locked->outcome, Outcome::kThrottled) << "even with the right password";
  EXPECT_EQ(locked->retry_minutes, 15);
  clock_.Advance(10 * 60 * 1000);
  EXPECT_EQ(auth_->SignIn("ada@example.com", kPassword, "198.51.100.7")->retry_minutes, 5);
  clock_.Advance(5 * 60 * 1000);
  EXPECT_EQ(auth_->SignIn("ada@example.com", kPassword, "198.51.100.7")->outcome, Outcome::kSignedIn);

  // One client guessing many accounts.
  for (int i = 0; i < 20; ++i) (void)auth_->SignIn("user" + std::to_string(i) + "@example.com", "x", "203.0.113.9");
  EXPECT_EQ(auth_->SignIn("ada@example.com", kPassword, "203.0.113.9")->outcome, Outcome::kThrottled);
  EXPECT_EQ(auth_->SignIn("ada@example.com", kPassword, "203.0.113.10")->outcome, Outcome::kSignedIn);
}

TEST_F(StaffAuthTest, SecondFactorStopsBeforeTheSession) {
  auto o = Options();
  o.needs_second_factor = [](const model::StaffUser& u) { return u.email == "ada@example.com"; };
  auth_ = std::make_unique<StaffAuthService>(*store_, clock_, o);
  ASSERT_TRUE(auth_->CreateUser("ada@example.com", Role::kAdmin, kPassword).ok());
  auto r = auth_->SignIn("ada@example.com", kPassword, "192.0.2.1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, Outcome::kNeedsSecondFactor);
  EXPECT_FALSE(r->session);
  ASSERT_TRUE(r->user);
  auto s = auth_->StartSession(*r->user, "192.0.2.1");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(Valid(s->secret));
}

TEST_F(StaffAuthTest, InvitationsSetAPasswordOnceWithin24Hours) {
  auto inv = auth_->InviteUser("bob@example.com", Role::kResponder);
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->expires_at, clock_.Now() + 24 * kHour);
  EXPECT_EQ(auth_->SignIn("bob@example.com", "", "192.0.2.1")->outcome, Outcome::kWrongCredentials);
  EXPECT_EQ(auth_->InviteFor(inv->token)->email, "bob@example.com");
  EXPECT_EQ(auth_->AcceptInvite(inv->token, "short", "192.0.2.1").error().field, "password");
  auto s = auth_->AcceptInvite(inv->token, kPassword, "192.0.2.1");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE(Valid(s->secret));
  EXPECT_EQ(auth_->AcceptInvite(inv->token, kPassword + "!", "192.0.2.1").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(SignedIn("bob@example.com").user.role, Role::kResponder);

  auto late = auth_->InviteUser("carol@example.com", Role::kViewer);
  clock_.Advance(24 * kHour);
  EXPECT_EQ(auth_->InviteFor(late->token).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(auth_->AcceptInvite(late->token, kPassword, "192.0.2.1").error().code, ErrorCode::kNotFound);
}

TEST_F(StaffAuthTest, ResetEndsTheOldPasswordAndSessions) {
  ASSERT_TRUE(auth_->CreateUser("ada@example.com", Role::kAdmin, kPassword).ok());
  const NewSession a = SignedIn();
  auto inv = auth_->ResetUser("ada@example.com", std::nullopt);
  ASSERT_TRUE(inv.ok() && *inv);
  EXPECT_FALSE(Valid(a.secret));
  EXPECT_EQ(auth_->SignIn("ada@example.com", kPassword, "192.0.2.1")->outcome, Outcome::kWrongCredentials);
  ASSERT_TRUE(auth_->AcceptInvite((*inv)->token, "another long password", "192.0.2.1").ok());
  ASSERT_TRUE(auth_->ResetUser("ada@example.com", kPassword).ok());
  SignedIn();
  EXPECT_EQ(auth_->ResetUser("nobody@example.com", kPassword).error().code, ErrorCode::kNotFound);
}

TEST_F(StaffAuthTest, ChangePasswordNeedsTheCurrentOneAndKeepsOnlyThisSession) {
  ASSERT_TRUE(auth_->CreateUser("ada@example.com", Role::kAdmin, kPassword).ok());
  const NewSession other = SignedIn(), mine = SignedIn();
  auto who = **auth_->Authenticate(mine.secret);
  EXPECT_EQ(auth_->ChangePassword(who, "wrong", "a brand new password").error().field, "current_password");
  ASSERT_TRUE(auth_->ChangePassword(who, kPassword, "a brand new password").ok());
  EXPECT_FALSE(Valid(other.secret));
  EXPECT_TRUE(Valid(mine.secret));
  EXPECT_EQ(auth_->SignIn("ada@example.com", "a brand new password", "192.0.2.1")->outcome, Outcome::kSignedIn);
}

TEST_F(StaffAuthTest, ExternalIdentityFindsOrCreatesTheUser) {
  auto s = auth_->StartSessionForEmail("Dana@Example.com", Role::kSupport, "192.0.2.1");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->user.email, "dana@example.com");
  EXPECT_EQ(s->user.role, Role::kSupport);
  EXPECT_TRUE(Valid(s->secret));
  auto again = auth_->StartSessionForEmail("dana@example.com", Role::kResponder, "192.0.2.1");
  EXPECT_EQ(again->user.id, s->user.id);
  EXPECT_EQ(store_->GetStaffUser(s->user.id)->role, Role::kResponder);
  ASSERT_TRUE(auth_->SetDisabled("dana@example.com", true).ok());
  EXPECT_EQ(auth_->StartSessionForEmail("dana@example.com", Role::kAdmin, "1").error().code, ErrorCode::kForbidden);
}

TEST_F(StaffAuthTest, CsrfTokensBelongToTheirSession) {
  ASSERT_TRUE(auth_->CreateUser("ada@example.com", Role::kAdmin, kPassword).ok());
  const NewSession a = SignedIn(), b = SignedIn();
  const std::string token = (**auth_->Authenticate(a.secret)).csrf_token;
  EXPECT_TRUE(StaffAuthService::CsrfMatches(a.secret, token));
  EXPECT_FALSE(StaffAuthService::CsrfMatches(b.secret, token));
  EXPECT_FALSE(StaffAuthService::CsrfMatches(a.secret, ""));
  auto login = auth_->NewLoginCsrf();
  ASSERT_TRUE(login.ok());
  EXPECT_TRUE(auth_->LoginCsrfMatches(login->cookie, login->token));
  EXPECT_FALSE(auth_->LoginCsrfMatches(login->cookie, login->token + "x"));
  EXPECT_FALSE(auth_->LoginCsrfMatches(auth_->NewLoginCsrf()->cookie, login->token));
  EXPECT_FALSE(auth_->LoginCsrfMatches("", ""));
}

}  // namespace
}  // namespace herald::service
