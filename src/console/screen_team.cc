// /admin/team (admins): the staff users, invitations by email link (sent by email when the email
// channel is configured, and always shown once to the admin), role changes, disabling, new
// sign-in links. An admin cannot disable or demote themself (a team must keep an admin).
#include "console/screen.h"
#include "core/text.h"
#include "core/time.h"

namespace herald::console {
namespace {

struct Outcome {
  int status = 200;
  std::string notice, error, link, link_email;
};

http::Response Show(const ScreenContext& ctx, const Outcome& o) {
  auto users = ctx.deps.store.ListStaffUsers();
  if (!users) return ctx.Message(503, "Unavailable", "The database cannot be reached. Try again shortly.");
  mu::data list{mu::data::type::list};
  for (const auto& u : *users) {
    mu::data row;
    row.set("email", u.email);
    row.set("role", std::string(model::ToString(u.role)));
    row.set("state", u.disabled ? "disabled" : u.password_hash.empty() ? "invited" : "active");
    row.set("disabled", u.disabled);
    row.set("last_sign_in",
            u.last_sign_in_at ? FormatInZone(u.last_sign_in_at, "UTC", "%Y-%m-%d %H:%M UTC") : std::string("never"));
    row.set("self", u.id == ctx.staff.user.id);
    row.set("id", u.id);
    mu::data roles{mu::data::type::list};
    for (model::Role r : model::AllRoles()) {
      mu::data opt;
      opt.set("value", std::string(model::ToString(r)));
      if (r == u.role) opt.set("selected", true);
      roles.push_back(opt);
    }
    row.set("roles", roles);
    list.push_back(row);
  }
  mu::data d;
  d.set("users", list);
  mu::data roles{mu::data::type::list};
  for (model::Role r : model::AllRoles()) {
    mu::data opt;
    opt.set("value", std::string(model::ToString(r)));
    if (r == model::Role::kResponder) opt.set("selected", true);
    roles.push_back(opt);
  }
  d.set("invite_roles", roles);
  if (!o.notice.empty()) d.set("notice", o.notice);
  if (!o.error.empty()) d.set("error", o.error);
  if (!o.link.empty()) {
    d.set("link", o.link);
    d.set("link_email", o.link_email);
  }
  http::Response r = ctx.Page(o.status, "Team", "team", d);
  if (!o.link.empty()) ReplaceHeader(r, "Referrer-Policy", "no-referrer");
  return r;
}

http::Response Get(const ScreenContext& ctx) { return Show(ctx, {}); }

Outcome Failed(const Error& e) {
  const bool bad_input =
      e.code == ErrorCode::kInvalid || e.code == ErrorCode::kConflict || e.code == ErrorCode::kNotFound;
  return {bad_input ? 422 : 503, "", bad_input ? e.message : "The database cannot be reached. Try again shortly.", "",
          ""};
}

// The link of a new invitation, emailed when the email channel is configured.
Outcome Invited(const ScreenContext& ctx, const service::NewInvite& inv, const std::string& what) {
  Outcome o;
  o.link = ctx.deps.public_url + "/admin/invite/" + inv.token;
  o.link_email = inv.user.email;
  o.notice = what + " The link below works once, for 24 hours; it is shown only now.";
  if (ctx.deps.send_invite) {
    if (auto st = ctx.deps.send_invite(inv.user.email, o.link); st)
      o.notice += " It was also emailed to " + inv.user.email + ".";
    else
      o.notice += " Emailing it failed (" + st.error().message + "): pass it on yourself.";
  } else {
    o.notice += " No email channel is configured: pass it on yourself.";
  }
  return o;
}

http::Response Post(const ScreenContext& ctx) {
  const std::string action = Field(ctx.form, "action");
  const std::string email = Field(ctx.form, "email");
  const std::optional<model::Role> role = model::ParseRole(Field(ctx.form, "role"));
  const bool self = Lower(std::string(Trim(email))) == ctx.staff.user.email;
  auto& auth = ctx.deps.auth;
  if (action == "invite") {
    if (!role) return Show(ctx, {422, "", "Choose a role", "", ""});
    auto inv = auth.InviteUser(email, *role);
    if (!inv) return Show(ctx, Failed(inv.error()));
    return Show(ctx,
                Invited(ctx, *inv, "Invited " + inv->user.email + " as " + std::string(model::ToString(*role)) + "."));
  }
  if (action == "reset") {
    auto inv = auth.ResetUser(email, std::nullopt);
    if (!inv) return Show(ctx, Failed(inv.error()));
    return Show(ctx, Invited(ctx, **inv,
                             "Made a new sign-in link for " + (*inv)->user.email +
                                 "; the old password and sessions no longer work."));
  }
  if (self && (action == "disable" || action == "role"))
    return Show(ctx, {422, "", "You cannot disable or change your own account here; ask another admin.", "", ""});
  if (action == "role") {
    if (!role) return Show(ctx, {422, "", "Choose a role", "", ""});
    auto u = auth.SetRole(email, *role);
    if (!u) return Show(ctx, Failed(u.error()));
    return Show(ctx, {200, u->email + " is now " + std::string(model::ToString(u->role)) + ".", "", "", ""});
  }
  if (action == "disable" || action == "enable") {
    auto u = auth.SetDisabled(email, action == "disable");
    if (!u) return Show(ctx, Failed(u.error()));
    return Show(ctx,
                {200, u->email + (u->disabled ? " is disabled and signed out." : " can sign in again."), "", "", ""});
  }
  return Show(ctx, {422, "", "Unknown action", "", ""});
}

}  // namespace

ScreenDescriptor TeamScreen() { return {"/admin/team", "Team", model::Permission::kManageTeam, Get, Post, {}}; }

}  // namespace herald::console
