#include "cmd/wott-server/policy_commands.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "pki/ca_directory.h"
#include "server/policy_json.h"

namespace wott::cmd {
namespace {

using nlohmann::json;

constexpr std::string_view kActor = "cli";

void PrintJson(const json& j) {
  std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

// "a, b" or "-".
std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? "-" : out;
}

// The device-name domain of the CA in the data dir; "" (any domain) when there is none
// there (e.g. --db names a PostgreSQL registry from another host).
std::string Domain(const GlobalFlags& global) {
  std::error_code ec;
  if (!std::filesystem::is_directory(std::filesystem::path(global.data_dir) / "ca", ec)) return "";
  Result<pki::LoadedCa> ca = pki::LoadCa(global.data_dir);
  return ca.ok() ? ca->config.domain : "";
}

int RunList(const GlobalFlags& global, bool as_json) {
  Result<std::unique_ptr<store::Store>> store = OpenRegistry(global);
  if (!store.ok()) return PrintError(store.status());
  Result<std::vector<store::PolicyRecord>> policies = (*store)->ListPolicies();
  if (!policies.ok()) return PrintError(policies.status());
  if (as_json) {
    json list = json::array();
    for (const store::PolicyRecord& p : *policies) list.push_back(server::PolicyToJson(p));
    PrintJson({{"policies", std::move(list)}});
    return 0;
  }
  std::printf("%-24s %-8s %-8s %-6s %s\n", "NAME", "VERSION", "DEVICES", "TAGS", "DESCRIPTION");
  for (const store::PolicyRecord& p : *policies) {
    std::printf("%-24s %-8lld %-8zu %-6zu %s\n", p.name.c_str(), static_cast<long long>(p.version),
                p.allow_devices.size(), p.allow_tags.size(),
                p.description.empty() ? "-" : p.description.c_str());
  }
  if (policies->empty()) std::cerr << "no policies\n";
  return 0;
}

int RunShow(const GlobalFlags& global, const std::string& name, bool as_json) {
  Result<std::unique_ptr<store::Store>> store = OpenRegistry(global);
  if (!store.ok()) return PrintError(store.status());
  // Resolved too, so the operator sees who is allowed right now.
  Result<store::ResolvedPolicy> resolved = (*store)->ResolvePolicy(name);
  if (!resolved.ok()) return PrintError(resolved.status());
  const store::PolicyRecord& p = resolved->policy;
  if (as_json) {
    json out = server::PolicyToJson(p);
    out["allowed_devices"] = resolved->allowed_devices;
    PrintJson(out);
    return 0;
  }
  std::printf("policy:       %s\n", p.name.c_str());
  std::printf("description:  %s\n", p.description.empty() ? "-" : p.description.c_str());
  std::printf("version:      %lld\n", static_cast<long long>(p.version));
  std::printf("updated:      %s by %s\n", FormatRfc3339(p.updated_at).c_str(),
              p.updated_by.c_str());
  std::printf("devices:      %s\n", Joined(p.allow_devices).c_str());
  std::printf("tags:         %s\n", Joined(p.allow_tags).c_str());
  if (p.min_trust_score) std::printf("requires:     trust score >= %d\n", *p.min_trust_score);
  if (!p.deny_fixable_severity.empty()) {
    std::printf("requires:     no fixable %s (or worse) vulnerability\n",
                p.deny_fixable_severity.c_str());
  }
  std::printf("allowed now:  %zu active device(s)\n", resolved->allowed_devices.size());
  for (const std::string& device : resolved->allowed_devices) {
    std::printf("  %s\n", device.c_str());
  }
  return 0;
}

struct SetFlags {
  std::string description;
  std::vector<std::string> devices;
  std::vector<std::string> tags;
  std::optional<int> min_trust_score;  // --min-trust-score
  std::string deny_fixable;            // --deny-fixable
};

int RunSet(const GlobalFlags& global, const std::string& name, const SetFlags& flags,
           bool as_json) {
  json body = {{"description", flags.description},
               {"allow_devices", flags.devices},
               {"allow_tags", flags.tags}};
  json require = json::object();
  if (flags.min_trust_score) require["min_trust_score"] = *flags.min_trust_score;
  if (!flags.deny_fixable.empty()) require["deny_fixable_severity"] = flags.deny_fixable;
  body["require"] = std::move(require);
  Result<store::NewPolicy> policy = server::ParsePolicyBody(name, body, Domain(global));
  if (!policy.ok()) return PrintError(policy.status());
  Result<std::unique_ptr<store::Store>> store = OpenRegistry(global);
  if (!store.ok()) return PrintError(store.status());
  Result<store::PolicyRecord> stored =
      (*store)->PutPolicy(*policy, kActor, RealClock::Instance().Now());
  if (!stored.ok()) return PrintError(stored.status());
  if (as_json) PrintJson(server::PolicyToJson(*stored));
  std::cerr << "policy " << stored->name << " set (version " << stored->version << ", "
            << stored->allow_devices.size() << " device(s), " << stored->allow_tags.size()
            << " tag(s))\n";
  return 0;
}

int RunDelete(const GlobalFlags& global, const std::string& name) {
  Result<std::unique_ptr<store::Store>> store = OpenRegistry(global);
  if (!store.ok()) return PrintError(store.status());
  Status s = (*store)->DeletePolicy(name, kActor, RealClock::Instance().Now());
  if (!s.ok()) return PrintError(s);
  std::cerr << "policy " << name << " deleted\n";
  return 0;
}

}  // namespace

void AddPolicyCommands(CLI::App& app, GlobalFlags& global) {
  CLI::App* policy =
      app.add_subcommand("policy", "Trust policies: which devices may reach an endpoint");
  policy->require_subcommand(1);

  auto list_json = std::make_shared<bool>(false);
  CLI::App* list = policy->add_subcommand("list", "List policies by name");
  list->add_flag("--json", *list_json, "Machine-readable output (as GET /v1/admin/policies)");
  list->callback([&global, list_json] { global.exit_code = RunList(global, *list_json); });

  auto show_name = std::make_shared<std::string>();
  auto show_json = std::make_shared<bool>(false);
  CLI::App* show =
      policy->add_subcommand("show", "Show a policy and the active devices it allows now");
  show->add_option("NAME", *show_name, "Policy name")->required();
  show->add_flag("--json", *show_json,
                 "Machine-readable output (the admin API's policy plus \"allowed_devices\")");
  show->callback([&global, show_name, show_json] {
    global.exit_code = RunShow(global, *show_name, *show_json);
  });

  auto set_name = std::make_shared<std::string>();
  auto set_flags = std::make_shared<SetFlags>();
  auto set_json = std::make_shared<bool>(false);
  CLI::App* set = policy->add_subcommand(
      "set", "Create or replace a policy (the whole policy: rules not given are dropped)");
  set->add_option("NAME", *set_name, "Policy name: a-z, 0-9 and -, up to 63")->required();
  set->add_option("--description", set_flags->description, "What the endpoint is");
  set->add_option("--device", set_flags->devices,
                  "Allowed device: hex ID or full name (repeatable)");
  set->add_option("--tag", set_flags->tags,
                  "Allowed tag key=value: any active device carrying it (repeatable)");
  set->add_option("--min-trust-score", set_flags->min_trust_score,
                  "Refuse allowed devices whose trust score is below N (0-100)");
  set->add_option("--deny-fixable", set_flags->deny_fixable,
                  "Refuse allowed devices with a fixable vulnerability of this severity or "
                  "worse: medium, high or critical");
  set->add_flag("--json", *set_json, "Print the stored policy as JSON");
  set->callback([&global, set_name, set_flags, set_json] {
    global.exit_code = RunSet(global, *set_name, *set_flags, *set_json);
  });

  auto delete_name = std::make_shared<std::string>();
  CLI::App* del = policy->add_subcommand("delete", "Delete a policy");
  del->add_option("NAME", *delete_name, "Policy name")->required();
  del->callback([&global, delete_name] { global.exit_code = RunDelete(global, *delete_name); });
}

}  // namespace wott::cmd
