// herald user create|list|disable|enable|reset: the operator console's staff users. Passwords are
// read from standard input (one line; never a flag, which would end up in shell history and in
// `ps`), or --invite prints a one-time link to set one (public URL + /admin/invite/TOKEN, 24 h).
#include <iostream>
#include <string>

#include "cli/commands/commands.h"
#include "core/time.h"
#include "service/staff_auth.h"

namespace herald::cli {
namespace {

struct UserOptions {
  CommonOptions common;
  std::string email, role = "viewer";
  bool invite = false;
};

const FlagNames kUserFlags = {{"email", "--email"}, {"role", "--role"}, {"password", "standard input"}};

// The password on standard input: its first line, without the line ending.
Result<std::string> ReadPassword() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty())
    return Error::Invalid("password", "give the password on standard input (at least " +
                                          std::to_string(service::kMinPasswordLength) +
                                          " characters), or use --invite to print a sign-in link");
  return line;
}

std::string PublicUrl(const Configured& c) {
  if (!c.config.public_url.empty()) return c.config.public_url;
  return "http://" + c.config.listen;
}

int PrintInvite(const Configured& c, const service::NewInvite& inv, const std::string& what) {
  std::cerr << what << " The link works once, until " << FormatIso8601(inv.expires_at) << ":\n";
  std::cout << PublicUrl(c) << "/admin/invite/" << inv.token << std::endl;
  return 0;
}

int RunCreate(Configured& c, const UserOptions& o, const Clock& clock) {
  service::StaffAuthService auth(*c.store, clock);
  const model::Role role = *model::ParseRole(o.role);
  if (o.invite) {
    auto inv = auth.InviteUser(o.email, role);
    if (!inv) return Fail(inv.error(), kUserFlags);
    return PrintInvite(c, *inv, "Invited " + inv->user.email + " as " + o.role + ".");
  }
  auto password = ReadPassword();
  if (!password) return Fail(password.error(), kUserFlags);
  auto u = auth.CreateUser(o.email, role, *password);
  if (!u) return Fail(u.error(), kUserFlags);
  std::cout << "created " << o.role << " " << u->email << " (" << u->id << ")\n";
  return 0;
}

int RunList(Configured& c, const UserOptions&, const Clock&) {
  auto users = c.store->ListStaffUsers();
  if (!users) return Fail(users.error());
  std::vector<std::vector<std::string>> rows;
  for (const auto& u : *users)
    rows.push_back({u.email, std::string(model::ToString(u.role)),
                    u.disabled                ? "disabled"
                    : u.password_hash.empty() ? "invited"
                                              : "active",
                    u.last_sign_in_at ? FormatIso8601(u.last_sign_in_at) : "never", FormatIso8601(u.created_at)});
  PrintRows(std::cout, {"EMAIL", "ROLE", "STATE", "LAST_SIGN_IN", "CREATED"}, rows);
  return 0;
}

int RunSetDisabled(Configured& c, const UserOptions& o, const Clock& clock, bool disabled) {
  service::StaffAuthService auth(*c.store, clock);
  auto u = auth.SetDisabled(o.email, disabled);
  if (!u) return Fail(u.error(), kUserFlags);
  std::cout << (disabled ? "disabled " : "enabled ") << u->email << "\n";
  return 0;
}

int RunReset(Configured& c, const UserOptions& o, const Clock& clock) {
  service::StaffAuthService auth(*c.store, clock);
  std::optional<std::string> password;
  if (!o.invite) {
    auto read = ReadPassword();
    if (!read) return Fail(read.error(), kUserFlags);
    password = *read;
  }
  auto inv = auth.ResetUser(o.email, password);
  if (!inv) return Fail(inv.error(), kUserFlags);
  if (*inv)
    return PrintInvite(c, **inv, "Reset " + (*inv)->user.email + "; the old password and sessions no longer work.");
  std::cout << "reset the password of " << o.email << "; its sessions were signed out\n";
  return 0;
}

}  // namespace

void AddUserCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<UserOptions>();
  auto* user = app.add_subcommand("user", "Manage staff users of the console (/admin)");
  user->require_subcommand(1);
  auto* create =
      user->add_subcommand("create",
                           "Create a staff user; reads the password (12+ characters) from standard input, or prints an "
                           "invitation link with --invite");
  AddCommonOptions(create, o->common, nullptr);
  create->add_option("--email", o->email, "The user's email address (their sign-in name)")->required();
  create->add_option("--role", o->role, "viewer, support, responder or admin")
      ->check(CLI::IsMember({"viewer", "support", "responder", "admin"}));
  create->add_flag("--invite", o->invite, "Print a one-time link (24 h) to set the password instead");
  create->callback(Runner(ctx, o, OpenExisting, RunCreate));
  auto* list = user->add_subcommand("list", "List staff users (never their passwords)");
  AddCommonOptions(list, o->common, nullptr);
  list->callback(Runner(ctx, o, OpenExisting, RunList));
  for (bool disabled : {true, false}) {
    auto* cmd = user->add_subcommand(
        disabled ? "disable" : "enable",
        disabled ? "Disable a user: they cannot sign in, their sessions end" : "Let a disabled user sign in again");
    AddCommonOptions(cmd, o->common, nullptr);
    cmd->add_option("--email", o->email, "The user's email address")->required();
    cmd->callback(Runner(ctx, o, OpenExisting, [disabled](Configured& c, const UserOptions& opt, const Clock& clock) {
      return RunSetDisabled(c, opt, clock, disabled);
    }));
  }
  auto* reset = user->add_subcommand(
      "reset",
      "Reset a password: reads the new one from standard input, or prints a sign-in link with --invite; "
      "the old password and every session stop working");
  AddCommonOptions(reset, o->common, nullptr);
  reset->add_option("--email", o->email, "The user's email address")->required();
  reset->add_flag("--invite", o->invite, "Print a one-time link (24 h) to set a new password instead");
  reset->callback(Runner(ctx, o, OpenExisting, RunReset));
}

}  // namespace herald::cli
