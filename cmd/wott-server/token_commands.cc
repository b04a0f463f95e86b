#include "cmd/wott-server/token_commands.h"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "server/admin_render.h"
#include "server/enrollment_tokens.h"

namespace wott::cmd {
namespace {

struct CreateFlags {
  int64_t uses = 1;
  std::string ttl = "24h";
  std::vector<std::string> tags;
  std::string description;
};

int RunCreate(const GlobalFlags& global, const CreateFlags& flags) {
  server::TokenSpec spec;
  spec.uses = flags.uses;
  spec.description = flags.description;
  Result<Duration> ttl = ParseDuration(flags.ttl);
  if (!ttl.ok()) return PrintError(ttl.status().WithContext("--ttl"));
  spec.ttl = *ttl;
  for (const std::string& tag : flags.tags) {
    if (Status s = server::ParseTagArgument(tag, spec.tags); !s.ok()) return PrintError(s);
  }
  Result<std::unique_ptr<store::Store>> store = OpenRegistry(global);
  if (!store.ok()) return PrintError(store.status());
  Result<server::CreatedToken> token =
      server::CreateEnrollmentToken(**store, spec, "cli", RealClock::Instance());
  if (!token.ok()) return PrintError(token.status());
  // Only the token on stdout, so `T=$(wott-server token create)` works.
  std::cout << token->token << "\n";
  std::cerr << "token " << token->id << ": " << spec.uses << " use(s), expires "
            << FormatRfc3339(token->record.expires_at) << "\n";
  return 0;
}

std::string TagsText(const store::Tags& tags) {
  std::string out;
  for (const auto& [k, v] : tags) out += (out.empty() ? "" : ",") + k + "=" + v;
  return out.empty() ? "-" : out;
}

int RunList(const GlobalFlags& global, bool json, bool all) {
  Result<std::unique_ptr<store::Store>> store = OpenRegistry(global);
  if (!store.ok()) return PrintError(store.status());
  TimePoint now = RealClock::Instance().Now();
  store::TokenListOptions options;
  options.include_inactive = all;
  options.page.limit = store::kMaxPageLimit;
  Result<std::vector<store::EnrollmentTokenRecord>> tokens =
      (*store)->ListEnrollmentTokens(options, now);
  if (!tokens.ok()) return PrintError(tokens.status());
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& t : *tokens) {
      out.push_back({{"id", t.id},
                     {"state", server::EnrollmentTokenState(t, now)},
                     {"uses_left", t.uses_left},
                     {"max_uses", t.max_uses},
                     {"expires_at", FormatRfc3339(t.expires_at)},
                     {"created_at", FormatRfc3339(t.created_at)},
                     {"tags", t.tags},
                     {"description", t.description}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::printf("%-16s %-8s %-9s %-21s %s\n", "ID", "STATE", "USES", "EXPIRES", "TAGS");
  for (const auto& t : *tokens) {
    std::string uses = std::to_string(t.uses_left) + "/" + std::to_string(t.max_uses);
    std::printf("%-16s %-8s %-9s %-21s %s\n", t.id.c_str(), std::string(server::EnrollmentTokenState(t, now)).c_str(),
                uses.c_str(), FormatRfc3339(t.expires_at).c_str(), TagsText(t.tags).c_str());
  }
  return 0;
}

int RunRevoke(const GlobalFlags& global, const std::string& id) {
  Result<std::unique_ptr<store::Store>> store = OpenRegistry(global);
  if (!store.ok()) return PrintError(store.status());
  // Accept the full token too: its id is the part before the dot.
  std::string token_id = id.substr(0, id.find('.'));
  if (Status s = (*store)->RevokeEnrollmentToken(token_id, "cli", RealClock::Instance().Now());
      !s.ok()) {
    return PrintError(s);
  }
  std::cerr << "token " << token_id << " revoked\n";
  return 0;
}

}  // namespace

void AddTokenCommands(CLI::App& app, GlobalFlags& global) {
  CLI::App* token = app.add_subcommand("token", "Manage enrollment tokens");
  token->require_subcommand(1);

  auto create_flags = std::make_shared<CreateFlags>();
  CLI::App* create = token->add_subcommand(
      "create", "Create an enrollment token; prints only the token on stdout");
  create->add_option("--uses", create_flags->uses, "How many devices may enroll with it")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}))
      ->capture_default_str();
  create->add_option("--ttl", create_flags->ttl, "How long it stays valid (e.g. 24h, 7d)")
      ->capture_default_str();
  create->add_option("--tag", create_flags->tags,
                     "key=value tag given to every device enrolled with it (repeatable)");
  create->add_option("--description", create_flags->description, "Note for operators");
  create->callback([&global, create_flags] { global.exit_code = RunCreate(global, *create_flags); });

  auto json = std::make_shared<bool>(false);
  auto all = std::make_shared<bool>(false);
  CLI::App* list = token->add_subcommand("list", "List enrollment tokens");
  list->add_flag("--json", *json, "Machine-readable output");
  list->add_flag("--all", *all, "Include revoked, expired and used-up tokens");
  list->callback([&global, json, all] { global.exit_code = RunList(global, *json, *all); });

  auto id = std::make_shared<std::string>();
  CLI::App* revoke = token->add_subcommand("revoke", "Revoke an enrollment token");
  revoke->add_option("ID", *id, "Token id (or the token itself)")->required();
  revoke->callback([&global, id] { global.exit_code = RunRevoke(global, *id); });
}

}  // namespace wott::cmd
