#include "cmd/wott-server/api_token_commands.h"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "server/admin_render.h"
#include "server/enrollment_tokens.h"

namespace wott::cmd {
namespace {

// Prints `j` indented; invalid UTF-8 is replaced rather than thrown.
void PrintJson(const nlohmann::json& j) {
  std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

int RunCreate(const GlobalFlags& global, const std::string& name, bool json) {
  Result<std::unique_ptr<store::Store>> store = OpenRegistry(global);
  if (!store.ok()) return PrintError(store.status());
  Result<server::CreatedToken> token =
      server::CreateApiToken(**store, name, "cli", RealClock::Instance());
  if (!token.ok()) return PrintError(token.status());
  if (json) {
    PrintJson(nlohmann::json{{"id", token->id}, {"name", name}, {"token", token->token}});
  } else {
    // Only the token on stdout, so `T=$(wott-server api-token create ci)` works.
    std::cout << token->token << "\n";
  }
  std::cerr << "API token " << token->id << " (" << name
            << "): send it as \"Authorization: Bearer <token>\"; it is not shown again\n";
  return 0;
}

int RunList(const GlobalFlags& global, bool json) {
  Result<std::unique_ptr<store::Store>> store = OpenRegistry(global);
  if (!store.ok()) return PrintError(store.status());
  Result<std::vector<store::ApiTokenRecord>> tokens = (*store)->ListApiTokens();
  if (!tokens.ok()) return PrintError(tokens.status());
  TimePoint now = RealClock::Instance().Now();
  nlohmann::json out = nlohmann::json::array();
  for (const store::ApiTokenRecord& t : *tokens) out.push_back(server::ApiTokenToJson(t, now));
  if (json) {
    PrintJson({{"api_tokens", out}});
    return 0;
  }
  std::printf("%-16s %-8s %-21s %-16s %s\n", "ID", "STATE", "CREATED", "CREATED BY", "NAME");
  for (const nlohmann::json& t : out) {
    std::printf("%-16s %-8s %-21s %-16s %s\n", t["id"].get<std::string>().c_str(),
                t["state"].get<std::string>().c_str(), t["created_at"].get<std::string>().c_str(),
                t["created_by"].get<std::string>().c_str(), t["name"].get<std::string>().c_str());
  }
  return 0;
}

int RunRevoke(const GlobalFlags& global, const std::string& id) {
  Result<std::unique_ptr<store::Store>> store = OpenRegistry(global);
  if (!store.ok()) return PrintError(store.status());
  // Accept the full token too: its id is the part before the dot.
  std::string token_id = id.substr(0, id.find('.'));
  if (Status s = (*store)->RevokeApiToken(token_id, "cli", RealClock::Instance().Now()); !s.ok()) {
    return PrintError(s);
  }
  std::cerr << "API token " << token_id << " revoked\n";
  return 0;
}

}  // namespace

void AddApiTokenCommands(CLI::App& app, GlobalFlags& global) {
  CLI::App* api_token = app.add_subcommand("api-token", "Manage admin API (Bearer) tokens");
  api_token->require_subcommand(1);

  auto name = std::make_shared<std::string>();
  auto create_json = std::make_shared<bool>(false);
  CLI::App* create = api_token->add_subcommand(
      "create", "Create an admin API token; prints only the token on stdout");
  create->add_option("NAME", *name, "Who or what uses it, e.g. ci or alice")->required();
  create->add_flag("--json", *create_json, "Print {id, name, token} as JSON");
  create->callback(
      [&global, name, create_json] { global.exit_code = RunCreate(global, *name, *create_json); });

  auto json = std::make_shared<bool>(false);
  CLI::App* list = api_token->add_subcommand("list", "List admin API tokens (never the secrets)");
  list->add_flag("--json", *json, "Machine-readable output");
  list->callback([&global, json] { global.exit_code = RunList(global, *json); });

  auto id = std::make_shared<std::string>();
  CLI::App* revoke = api_token->add_subcommand("revoke", "Revoke an admin API token");
  revoke->add_option("ID", *id, "Token id (or the token itself)")->required();
  revoke->callback([&global, id] { global.exit_code = RunRevoke(global, *id); });
}

}  // namespace wott::cmd
