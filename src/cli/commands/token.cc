// herald token create|list|revoke: API keys.
#include <iostream>

#include "cli/commands/commands.h"
#include "core/time.h"
#include "service/services.h"

namespace herald::cli {
namespace {

struct TokenOptions {
  CommonOptions common;
  std::string name, role = "viewer", id;
};

int RunCreate(Configured& c, const TokenOptions& o, const Clock& clock) {
  store::Store& s = *c.store;
  auto k = service::CreateApiKey(s, clock, o.name, *model::ParseRole(o.role));
  if (!k) return Fail(k.error());
  std::cerr << "Created " << o.role << " key " << k->key.id << " (\"" << k->key.name
            << "\"). It is shown only now; store it safely:\n";
  std::cout << k->secret << std::endl;
  return 0;
}

int RunList(Configured& c, const TokenOptions&, const Clock&) {
  store::Store& s = *c.store;
  auto keys = s.ListApiKeys();
  if (!keys) return Fail(keys.error());
  std::vector<std::vector<std::string>> rows;
  for (const auto& k : *keys)
    rows.push_back({k.id, std::string(model::ToString(k.role)), FormatIso8601(k.created_at), k.name});
  PrintRows(std::cout, {"ID", "ROLE", "CREATED", "NAME"}, rows);
  return 0;
}

int RunRevoke(Configured& c, const TokenOptions& o, const Clock&) {
  store::Store& s = *c.store;
  if (auto st = s.DeleteApiKey(o.id); !st) return Fail(st.error());
  std::cout << "revoked " << o.id << "\n";
  return 0;
}

}  // namespace

void AddTokenCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<TokenOptions>();
  auto* token = app.add_subcommand("token", "Manage API keys");
  token->require_subcommand(1);
  auto* create = token->add_subcommand("create", "Create an API key; prints it once, alone on the last line");
  AddCommonOptions(create, o->common, nullptr);
  create->add_option("--name", o->name, "What the key is for")->required();
  create->add_option("--role", o->role, "viewer, support, responder or admin")
      ->check(CLI::IsMember({"viewer", "support", "responder", "admin"}));
  create->callback(Runner(ctx, o, OpenExisting, RunCreate));
  auto* list = token->add_subcommand("list", "List API keys (never their secrets)");
  AddCommonOptions(list, o->common, nullptr);
  list->callback(Runner(ctx, o, OpenExisting, RunList));
  auto* revoke = token->add_subcommand("revoke", "Revoke an API key by id");
  AddCommonOptions(revoke, o->common, nullptr);
  revoke->add_option("id", o->id, "Key id")->required();
  revoke->callback(Runner(ctx, o, OpenExisting, RunRevoke));
}

}  // namespace herald::cli
