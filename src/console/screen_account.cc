// /admin/account: the signed-in user's own account: change the password, sign out everywhere.
#include "console/console.h"
#include "console/screen.h"

namespace herald::console {
namespace {

http::Response Show(const ScreenContext& ctx, int status, const std::string& notice, const std::string& error,
                    const std::string& field) {
  mu::data d;
  d.set("email", ctx.staff.user.email);
  d.set("role", std::string(model::ToString(ctx.staff.user.role)));
  d.set("min_length", std::to_string(service::kMinPasswordLength));
  if (!notice.empty()) d.set("notice", notice);
  if (!error.empty()) d.set("error", error);
  if (!field.empty()) d.set("error_" + field, true);
  return ctx.Page(status, "Your account", "account", d);
}

http::Response Get(const ScreenContext& ctx) { return Show(ctx, 200, "", "", ""); }

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
