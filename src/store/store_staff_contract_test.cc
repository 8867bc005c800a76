// The staff part of the Store contract (staff_store.h), on SQLite and PostgreSQL: users with
// unique emails, sessions found by hash, touched forward only, deleted per user and purged by
// age; invitations used once, before they expire; failed sign-in counters per window.
#include <gtest/gtest.h>

#include "store/contract_fixture_testing.h"

namespace herald::store {
namespace {

model::StaffUser MakeUser(std::string id, std::string email, model::Role role = model::Role::kAdmin) {
  model::StaffUser u;
  u.id = std::move(id);
  u.email = std::move(email);
  u.role = role;
  u.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$stub";
  u.created_at = 100;
  u.updated_at = 100;
  return u;
}

class StoreStaffContract : public FreshStoreContract {};

TEST_P(StoreStaffContract, UsersRoundTripAndEmailsAreUnique) {
  auto u = MakeUser("u1", "ada@example.com", model::Role::kSupport);
  u.last_sign_in_at = 500;
  ASSERT_TRUE(store_->SaveStaffUser(u).ok());
  ASSERT_TRUE(store_->SaveStaffUser(MakeUser("u2", "bob@example.com")).ok());
  auto got = store_->GetStaffUser("u1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->email, "ada@example.com");
  EXPECT_EQ(got->role, model::Role::kSupport);
  EXPECT_EQ(got->password_hash, u.password_hash);
  EXPECT_FALSE(got->disabled);
  EXPECT_EQ(got->last_sign_in_at, 500);
  auto dup = store_->SaveStaffUser(MakeUser("u3", "ada@example.com"));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->GetStaffUser("nobody").error().code, ErrorCode::kNotFound);

  u.disabled = true;
  u.role = model::Role::kViewer;
  ASSERT_TRUE(store_->SaveStaffUser(u).ok());
  auto found = store_->FindStaffUserByEmail("ada@example.com");
  ASSERT_TRUE(found.ok() && *found);
  EXPECT_TRUE((*found)->disabled);
  EXPECT_EQ((*found)->role, model::Role::kViewer);
  EXPECT_FALSE(*store_->FindStaffUserByEmail("eve@example.com"));
  auto list = store_->ListStaffUsers();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].email, "ada@example.com");
  EXPECT_EQ((*list)[1].email, "bob@example.com");
}

TEST_P(StoreStaffContract, SessionsAreFoundTouchedAndDeleted) {
  ASSERT_TRUE(store_->SaveStaffUser(MakeUser("u1", "ada@example.com")).ok());
  ASSERT_TRUE(store_->SaveStaffUser(MakeUser("u2", "bob@example.com")).ok());
  ASSERT_TRUE(store_->CreateStaffSession({"h1", "u1", 1000, 1000, "127.0.0.1"}).ok());
  ASSERT_TRUE(store_->CreateStaffSession({"h2", "u1", 2000, 2000, "::1"}).ok());
  ASSERT_TRUE(store_->CreateStaffSession({"h3", "u2", 3000, 3000, ""}).ok());
  EXPECT_EQ(store_->CreateStaffSession({"h4", "ghost", 1, 1, ""}).error().code, ErrorCode::kNotFound);
  auto s = store_->FindStaffSession("h1");
  ASSERT_TRUE(s.ok() && *s);
  EXPECT_EQ((*s)->user_id, "u1");
  EXPECT_EQ((*s)->remote_addr, "127.0.0.1");
  EXPECT_FALSE(*store_->FindStaffSession("nope"));

  ASSERT_TRUE(store_->TouchStaffSession("h1", 5000).ok());
  ASSERT_TRUE(store_->TouchStaffSession("h1", 4000).ok());  // never backwards
  EXPECT_EQ((*store_->FindStaffSession("h1"))->last_seen_at, 5000);
  EXPECT_EQ(store_->TouchStaffSession("nope", 1).error().code, ErrorCode::kNotFound);

  EXPECT_EQ(*store_->DeleteStaffSessionsOfUser("u1"), 2);
  EXPECT_FALSE(*store_->FindStaffSession("h1"));
  EXPECT_TRUE(*store_->FindStaffSession("h3"));
  ASSERT_TRUE(store_->DeleteStaffSession("h3").ok());
  ASSERT_TRUE(store_->DeleteStaffSession("h3").ok());  // gone already: fine
  EXPECT_FALSE(*store_->FindStaffSession("h3"));
}

TEST_P(StoreStaffContract, PurgeDropsIdleAndOldSessions) {
  ASSERT_TRUE(store_->SaveStaffUser(MakeUser("u1", "ada@example.com")).ok());
  ASSERT_TRUE(store_->CreateStaffSession({"idle", "u1", 9000, 1000, ""}).ok());
  ASSERT_TRUE(store_->CreateStaffSession({"old", "u1", 1000, 9000, ""}).ok());
  ASSERT_TRUE(store_->CreateStaffSession({"fresh", "u1", 9000, 9000, ""}).ok());
  EXPECT_EQ(*store_->PurgeStaffSessions(5000, 5000), 2);
  EXPECT_TRUE(*store_->FindStaffSession("fresh"));
  EXPECT_FALSE(*store_->FindStaffSession("idle"));
}

TEST_P(StoreStaffContract, InvitesAreUsedOnceBeforeTheyExpire) {
  auto u = MakeUser("u1", "ada@example.com");
  u.password_hash = "";
  ASSERT_TRUE(store_->SaveStaffUser(u).ok());
  ASSERT_TRUE(store_->SaveStaffInvite({"t1", "u1", 1000, 2000, 0}).ok());
  EXPECT_EQ(store_->SaveStaffInvite({"t0", "ghost", 1000, 2000, 0}).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(*store_->FindStaffInvite("t1"));
  // A newer link replaces the unused older one.
  ASSERT_TRUE(store_->SaveStaffInvite({"t2", "u1", 1500, 5000, 0}).ok());
  EXPECT_FALSE(*store_->FindStaffInvite("t1"));
  EXPECT_EQ(store_->AcceptStaffInvite("t1", 1600, "new").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->AcceptStaffInvite("t2", 5000, "new").error().code, ErrorCode::kNotFound) << "expired";
  EXPECT_EQ(store_->GetStaffUser("u1")->password_hash, "") << "a refused invite changes nothing";
  auto accepted = store_->AcceptStaffInvite("t2", 4000, "new-hash");
  ASSERT_TRUE(accepted.ok()) << accepted.error().message;
  EXPECT_EQ(accepted->password_hash, "new-hash");
  EXPECT_EQ(accepted->updated_at, 4000);
  EXPECT_EQ((*store_->FindStaffInvite("t2"))->used_at, 4000);
  EXPECT_EQ(store_->AcceptStaffInvite("t2", 4001, "again").error().code, ErrorCode::kNotFound) << "used";
  EXPECT_EQ(store_->GetStaffUser("u1")->password_hash, "new-hash");
}

TEST_P(StoreStaffContract, SignInFailuresCountPerWindowAndSurviveReopening) {
  auto f = store_->RecordSignInFailure("account:ada@example.com", 1000, 600);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->failures, 1);
  EXPECT_EQ(store_->RecordSignInFailure("account:ada@example.com", 1500, 600)->failures, 2);
  EXPECT_EQ(store_->RecordSignInFailure("client:127.0.0.1", 1500, 600)->failures, 1);
  // Reopened (a restart): the count is still there.
  store_.reset();
  auto s = OpenStore(url_);
  ASSERT_TRUE(s.ok());
  store_ = std::move(*s);
  auto got = store_->GetSignInFailures("account:ada@example.com");
  ASSERT_TRUE(got.ok() && *got);
  EXPECT_EQ((*got)->failures, 2);
  EXPECT_EQ((*got)->window_start, 1000);
  // The window is over: a new one starts.
  auto next = store_->RecordSignInFailure("account:ada@example.com", 1600, 600);
  EXPECT_EQ(next->failures, 1);
  EXPECT_EQ(next->window_start, 1600);
  ASSERT_TRUE(store_->ClearSignInFailures("account:ada@example.com").ok());
  EXPECT_FALSE(*store_->GetSignInFailures("account:ada@example.com"));
}

TEST_P(StoreStaffContract, SecondFactorStepsAndRecoveryCodesWorkOnce) {
  ASSERT_TRUE(store_->SaveStaffUser(MakeUser("u1", "ada@example.com")).ok());
  EXPECT_FALSE(*store_->GetStaffSecondFactor("u1"));
  model::StaffSecondFactor f{"u1", std::string("\x00\xff secret bytes \x01", 17), false, -1, 100, 100};
  ASSERT_TRUE(store_->SaveStaffSecondFactor(f, std::nullopt).ok());
  auto got = store_->GetStaffSecondFactor("u1");
  ASSERT_TRUE(got.ok() && *got);
  EXPECT_EQ((*got)->secret, f.secret) << "raw bytes round-trip";
  EXPECT_FALSE((*got)->enabled);
  EXPECT_EQ((*got)->last_step, -1);
  EXPECT_EQ(*store_->CountStaffRecoveryCodes("u1"), 0);

  f.enabled = true;
  f.updated_at = 200;
  ASSERT_TRUE(store_->SaveStaffSecondFactor(f, std::vector<std::string>{"h1", "h2", "h3"}).ok());
  EXPECT_TRUE((*store_->GetStaffSecondFactor("u1"))->enabled);
  EXPECT_EQ(*store_->CountStaffRecoveryCodes("u1"), 3);

  EXPECT_TRUE(*store_->UseStaffTotpStep("u1", 50));
  EXPECT_FALSE(*store_->UseStaffTotpStep("u1", 50)) << "the same step twice";
  EXPECT_FALSE(*store_->UseStaffTotpStep("u1", 49)) << "an older step";
  EXPECT_TRUE(*store_->UseStaffTotpStep("u1", 51));
  EXPECT_EQ((*store_->GetStaffSecondFactor("u1"))->last_step, 51);
  EXPECT_FALSE(*store_->UseStaffTotpStep("nobody", 99));

  EXPECT_TRUE(*store_->UseStaffRecoveryCode("u1", "h2"));
  EXPECT_FALSE(*store_->UseStaffRecoveryCode("u1", "h2")) << "a recovery code works once";
  EXPECT_FALSE(*store_->UseStaffRecoveryCode("u1", "h9"));
  EXPECT_EQ(*store_->CountStaffRecoveryCodes("u1"), 2);

  // New codes replace the old; saving without codes keeps them.
  ASSERT_TRUE(store_->SaveStaffSecondFactor(f, std::vector<std::string>{"n1"}).ok());
  EXPECT_FALSE(*store_->UseStaffRecoveryCode("u1", "h1"));
  ASSERT_TRUE(store_->SaveStaffSecondFactor(f, std::nullopt).ok());
  EXPECT_EQ(*store_->CountStaffRecoveryCodes("u1"), 1);

  ASSERT_TRUE(store_->DeleteStaffSecondFactor("u1").ok());
  EXPECT_FALSE(*store_->GetStaffSecondFactor("u1"));
  EXPECT_EQ(*store_->CountStaffRecoveryCodes("u1"), 0);
  EXPECT_TRUE(store_->DeleteStaffSecondFactor("u1").ok()) << "deleting nothing is fine";
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreStaffContract, testing::ValuesIn(ContractBackends()), BackendLabel);

}  // namespace
}  // namespace herald::store
