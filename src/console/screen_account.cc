// /admin/account: the signed-in user's own account: change the password, two-factor sign-in (set
// up with a QR code and a first code, recovery codes shown once, new codes, turn off; the last two
// ask for the password), sign out everywhere.
#include "console/console.h"
#include "console/qr_svg.h"
#include "console/screen.h"

namespace herald::console {
namespace {

http::Response Unavailable(const ScreenContext& ctx) {
  return ctx.Message(503, "Unavailable", "The database cannot be reached. Try again shortly.");
}

// What the page shows beside the password forms: the second factor's state, a setup in progress
// (QR code and text secret) or recovery codes just made (shown this once).
struct TwoFactorView {
  std::optional<service::TotpSetup> setup;
  std::vector<std::string> recovery_codes;
};

http::Response Show(const ScreenContext& ctx, int status, const std::string& notice, const std::string& error,
                    const std::string& field, const TwoFactorView& tf = {}) {
  mu::data d;
  d.set("email", ctx.staff.user.email);
  d.set("role", std::string(model::ToString(ctx.staff.user.role)));
  d.set("min_length", std::to_string(service::kMinPasswordLength));
  if (!notice.empty()) d.set("notice", notice);
  if (!error.empty()) d.set("error", error);
  if (!field.empty()) d.set("error_" + field, true);
  if (auto* factors = ctx.deps.second_factor) {
    auto on = factors->Enabled(ctx.staff.user.id);
    if (!on) return Unavailable(ctx);
    d.set("two_factor", true);
    d.set("two_factor_on", *on);
    if (*on) {
      auto left = factors->RecoveryCodesLeft(ctx.staff.user.id);
      if (!left) return Unavailable(ctx);
      d.set("codes_left", std::to_string(*left));
    }
    if (tf.setup) {
      d.set("setup", true);
      d.set("setup_secret", tf.setup->secret_base32);
      if (auto qr = QrDataUri(tf.setup->uri)) d.set("setup_qr", *qr);
    }
    if (!tf.recovery_codes.empty()) {
      mu::data codes{mu::data::type::list};
      for (const auto& c : tf.recovery_codes) codes.push_back(mu::data(c));
      d.set("recovery_codes", codes);
      d.set("has_recovery_codes", true);
    }
  }
  return ctx.Page(status, "Your account", "account", d);
}

http::Response Get(const ScreenContext& ctx) { return Show(ctx, 200, "", "", ""); }

// The two-factor actions (the form's `action`); nullopt for other actions.
std::optional<http::Response> TwoFactorPost(const ScreenContext& ctx, const std::string& action) {
  auto* factors = ctx.deps.second_factor;
  if (!factors || !action.starts_with("two_factor_")) return std::nullopt;
  const model::StaffUser& me = ctx.staff.user;
  ctx.write = WriteRecord{"staff_user." + action, "staff_user", me.email, "", ""};
  if (action == "two_factor_begin") {
    auto setup = factors->Begin(me);
    if (!setup) {
      if (setup.error().code == ErrorCode::kConflict) return Show(ctx, 409, "", setup.error().message, "");
      return Unavailable(ctx);
    }
    return Show(ctx, 200, "", "", "", {*setup, {}});
  }
  if (action == "two_factor_confirm") {
    auto codes = factors->Confirm(me, Field(ctx.form, "code"));
    if (!codes) {
      if (codes.error().code == ErrorCode::kInvalid) {
        auto pending = factors->Pending(me);
        if (!pending) return Unavailable(ctx);
        return Show(ctx, 422, "", codes.error().message, "code", {*pending, {}});
      }
      if (codes.error().code == ErrorCode::kNotFound) return Show(ctx, 409, "", codes.error().message, "");
      return Unavailable(ctx);
    }
    return Show(ctx, 200,
                "Two-factor sign-in is on. From now on, signing in asks for a code from your app after the password.",
                "", "", {std::nullopt, *codes});
  }
  // Turning the factor off or making new codes: the password first, so a session left open on a
  // shared computer cannot quietly weaken the account.
  if (!ctx.deps.auth.PasswordMatches(me, Field(ctx.form, "current_password")))
    return Show(ctx, 422, "", "Your password is not right, so nothing was changed", "two_factor_password");
  if (action == "two_factor_new_codes") {
    auto codes = factors->NewRecoveryCodes(me);
    if (!codes)
      return codes.error().code == ErrorCode::kNotFound ? Show(ctx, 409, "", codes.error().message, "")
                                                        : Unavailable(ctx);
    return Show(ctx, 200, "New recovery codes were made; the old ones no longer work.", "", "", {std::nullopt, *codes});
  }
  if (action == "two_factor_disable") {
    if (auto st = factors->Disable(me.id); !st) return Unavailable(ctx);
    return Show(ctx, 200, "Two-factor sign-in is off. Signing in asks for your password only.", "", "");
  }
  return Show(ctx, 422, "", "Unknown action", "");
}

http::Response Post(const ScreenContext& ctx) {
  const std::string action = Field(ctx.form, "action");
  if (action == "sign_out_everywhere") {
    auto n = ctx.deps.auth.SignOutEverywhere(ctx.staff.user.id);
    if (!n) return ctx.Message(503, "Unavailable", "The database cannot be reached. Try again shortly.");
    http::Response r = Redirect("/admin/login");
    CookieOptions gone = SessionCookieOptions(ctx.deps);
    gone.max_age_seconds = 0;
    r.Set("Set-Cookie", SetCookie(kSessionCookie, "", gone));
    return r;
  }
  if (auto r = TwoFactorPost(ctx, action)) return *r;
  if (action != "change_password") return Show(ctx, 422, "", "Unknown action", "");
  const std::string password = Field(ctx.form, "password");
  if (password != Field(ctx.form, "password_again"))
    return Show(ctx, 422, "", "The two new passwords are not the same", "password");
  auto st = ctx.deps.auth.ChangePassword(ctx.staff, Field(ctx.form, "current_password"), password);
  if (!st) {
    if (st.error().code == ErrorCode::kInvalid) return Show(ctx, 422, "", st.error().message, st.error().field);
    return ctx.Message(503, "Unavailable", "The database cannot be reached. Try again shortly.");
  }
  return Show(ctx, 200, "Your password was changed. Your other sessions were signed out.", "", "");
}

}  // namespace

ScreenDescriptor AccountScreen() {
  return {"/admin/account", "Your account", model::Permission::kReadPublic, Get, Post, {}};
}

}  // namespace herald::console
