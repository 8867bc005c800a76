// Two-factor sign-in end to end through StaffAuthService and StaffSecondFactorService, with a real
// SQLite store and a fake clock: enrolment switches on only after a right code; sign-in with the
// password alone gives a ticket, not a session; the app's code (computed here as an authenticator
// app does, from the base32 secret) finishes it, once; a recovery code works once; wrong codes
// are throttled like passwords; a forged, expired or outdated ticket is refused; a reset removes
// the factor.
#include "service/staff_second_factor.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include "core/encoding.h"
#include "core/totp.h"
#include "service/staff_auth.h"
#include "store/store.h"

namespace herald::service {
namespace {

using Outcome = SignInResult::Outcome;
const std::string kPassword = "correct horse battery";

class SecondFactorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::OpenStore("sqlite::memory:");
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Migrate().ok());
    factors_ = std::make_unique<StaffSecondFactorService>(*store_, clock_, "Herald status.example.com");
    StaffAuthOptions o;
    o.pwhash_ops = crypto_pwhash_OPSLIMIT_MIN;
    o.pwhash_mem = crypto_pwhash_MEMLIMIT_MIN;
    o.needs_second_factor = [this](const model::StaffUser& u) { return factors_->Enabled(u.id); };
    o.verify_second_factor = [this](const model::StaffUser& u, const std::string& code) {
      return factors_->Verify(u, code);
    };
    auth_ = std::make_unique<StaffAuthService>(*store_, clock_, o);
    auto u = auth_->CreateUser("ada@example.com", model::Role::kResponder, kPassword);
    ASSERT_TRUE(u.ok());
    user_ = *u;
  }
  // What the authenticator app shows now for the secret it was given as text.
  std::string AppCode(const TotpSetup& setup, TimeMs offset = 0) {
    return totp::Code(*Base32Decode(setup.secret_base32), totp::StepAt(clock_.Now() + offset));
  }
  std::vector<std::string> Enrol(TotpSetup& setup) {
    auto begun = factors_->Begin(user_);
    EXPECT_TRUE(begun.ok());
    setup = *begun;
    auto codes = factors_->Confirm(user_, AppCode(setup));
    EXPECT_TRUE(codes.ok());
    clock_.Advance(30'000);  // the confirming code is used; sign in with the next one
    return codes.ok() ? *codes : std::vector<std::string>{};
  }
  std::string Ticket() {
    auto r = auth_->SignIn("ada@example.com", kPassword, "192.0.2.1");
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r->outcome, Outcome::kNeedsSecondFactor);
    EXPECT_FALSE(r->session) << "no session before the second factor";
    return r->second_factor_ticket;
  }

  FakeClock clock_{1'800'000'000'000};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<StaffSecondFactorService> factors_;
  std::unique_ptr<StaffAuthService> auth_;
  model::StaffUser user_;
};

TEST_F(SecondFactorTest, EnrolmentNeedsARightCodeBeforeItIsOn) {
  auto setup = factors_->Begin(user_);
  ASSERT_TRUE(setup.ok());
  EXPECT_EQ(setup->secret_base32.size(), 32u);
  EXPECT_TRUE(setup->uri.starts_with("otpauth://totp/Herald%20status.example.com:ada%40example.com?secret=" +
                                     setup->secret_base32))
      << setup->uri;
  EXPECT_FALSE(*factors_->Enabled(user_.id)) << "not on before a code";
  EXPECT_EQ(auth_->SignIn("ada@example.com", kPassword, "192.0.2.1")->outcome, Outcome::kSignedIn);
  auto wrong = factors_->Confirm(user_, "000000");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().field, "code");
  EXPECT_FALSE(*factors_->Enabled(user_.id));
  EXPECT_EQ(factors_->Pending(user_)->secret_base32, setup->secret_base32) << "the same secret to try again";
  auto codes = factors_->Confirm(user_, AppCode(*setup));
  ASSERT_TRUE(codes.ok());
  EXPECT_EQ(codes->size(), 10u);
  EXPECT_TRUE(*factors_->Enabled(user_.id));
  EXPECT_EQ(*factors_->RecoveryCodesLeft(user_.id), 10);
  EXPECT_EQ(factors_->Begin(user_).error().code, ErrorCode::kConflict) << "on: turn it off first";
}

TEST_F(SecondFactorTest, SignInNeedsTheAppsCodeOnce) {
  TotpSetup setup;
  Enrol(setup);
  const std::string ticket = Ticket();
  ASSERT_FALSE(ticket.empty());
  auto wrong = auth_->FinishSecondFactor(ticket, "123456" == AppCode(setup) ? "654321" : "123456", "192.0.2.1");
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->outcome, Outcome::kWrongCredentials);
  const std::string code = AppCode(setup);
  auto ok = auth_->FinishSecondFactor(ticket, code.substr(0, 3) + " " + code.substr(3), "192.0.2.1");
  ASSERT_TRUE(ok.ok());
  ASSERT_EQ(ok->outcome, Outcome::kSignedIn);
  ASSERT_TRUE(ok->session);
  EXPECT_TRUE(*auth_->Authenticate(ok->session->secret));
  auto replay = auth_->FinishSecondFactor(Ticket(), code, "192.0.2.1");
  EXPECT_EQ(replay->outcome, Outcome::kWrongCredentials) << "a code works once";
  clock_.Advance(30'000);
  EXPECT_EQ(auth_->FinishSecondFactor(Ticket(), AppCode(setup), "192.0.2.1")->outcome, Outcome::kSignedIn);
  EXPECT_EQ(auth_->FinishSecondFactor(Ticket(), AppCode(setup, 30'000), "192.0.2.1")->outcome, Outcome::kSignedIn)
      << "the next step's code is accepted (a clock a little ahead)";
}

TEST_F(SecondFactorTest, RecoveryCodesWorkOnceEach) {
  TotpSetup setup;
  auto codes = Enrol(setup);
  ASSERT_EQ(codes.size(), 10u);
  std::string upper = codes[3];
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(auth_->FinishSecondFactor(Ticket(), upper, "192.0.2.1")->outcome, Outcome::kSignedIn)
      << "case does not matter";
  EXPECT_EQ(auth_->FinishSecondFactor(Ticket(), codes[3], "192.0.2.1")->outcome, Outcome::kWrongCredentials);
  EXPECT_EQ(*factors_->RecoveryCodesLeft(user_.id), 9);
  auto fresh = factors_->NewRecoveryCodes(user_);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(auth_->FinishSecondFactor(Ticket(), codes[4], "192.0.2.1")->outcome, Outcome::kWrongCredentials)
      << "new codes replace the old";
  EXPECT_EQ(auth_->FinishSecondFactor(Ticket(), (*fresh)[0], "192.0.2.1")->outcome, Outcome::kSignedIn);
}

TEST_F(SecondFactorTest, WrongCodesAreThrottledLikePasswords) {
  TotpSetup setup;
  Enrol(setup);
  const std::string ticket = Ticket();
  const std::string right = AppCode(setup);
  const std::string wrong = right == "111111" ? "222222" : "111111";
  for (int i = 0; i < auth_->options().account_failures; ++i)
    EXPECT_EQ(auth_->FinishSecondFactor(ticket, wrong, "192.0.2.1")->outcome, Outcome::kWrongCredentials);
  auto locked = auth_->FinishSecondFactor(ticket, right, "192.0.2.1");
  EXPECT_EQ(locked->outcome, Outcome::kThrottled) << "even the right code, past the limit";
  EXPECT_GT(locked->retry_minutes, 0);
}

TEST_F(SecondFactorTest, TicketsAreSignedShortLivedAndTiedToThePassword) {
  TotpSetup setup;
  Enrol(setup);
  std::string ticket = Ticket();
  std::string forged = ticket;
  forged[2] = forged[2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(auth_->FinishSecondFactor(forged, AppCode(setup), "192.0.2.1")->outcome, Outcome::kWrongCredentials);
  EXPECT_EQ(auth_->FinishSecondFactor("", AppCode(setup), "192.0.2.1")->outcome, Outcome::kWrongCredentials);
  EXPECT_EQ(auth_->FinishSecondFactor("x.y", AppCode(setup), "192.0.2.1")->outcome, Outcome::kWrongCredentials);
  clock_.Advance(auth_->options().second_factor_ticket_ms + 1);
  EXPECT_EQ(auth_->FinishSecondFactor(ticket, AppCode(setup), "192.0.2.1")->outcome, Outcome::kWrongCredentials)
      << "expired";
  ticket = Ticket();
  ASSERT_TRUE(auth_->ResetUser("ada@example.com", std::string("another long password")).ok());
  EXPECT_EQ(auth_->FinishSecondFactor(ticket, AppCode(setup), "192.0.2.1")->outcome, Outcome::kWrongCredentials)
      << "the password changed since";
  EXPECT_FALSE(*factors_->Enabled(user_.id)) << "a reset removes the factor: the way back in with a lost phone";
  EXPECT_EQ(auth_->SignIn("ada@example.com", "another long password", "192.0.2.1")->outcome, Outcome::kSignedIn);
}

TEST_F(SecondFactorTest, DisablingTurnsItOff) {
  TotpSetup setup;
  Enrol(setup);
  ASSERT_TRUE(factors_->Disable(user_.id).ok());
  EXPECT_FALSE(*factors_->Enabled(user_.id));
  EXPECT_EQ(auth_->SignIn("ada@example.com", kPassword, "192.0.2.1")->outcome, Outcome::kSignedIn);
  EXPECT_FALSE(*factors_->Verify(user_, AppCode(setup))) << "off: no code is accepted";
}

}  // namespace
}  // namespace herald::service
