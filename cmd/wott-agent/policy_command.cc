// wott-agent policy render NAME --format nginx-map|json [--out FILE]: fetches the policy
// over mTLS (as the tunnel does) and renders it. The device names come from
// ParsePolicyAnswer, which accepts only "<hex>.d.<domain>" or hex, so nothing the server
// sends can inject nginx syntax. The output holds no time stamp: an unchanged policy renders
// the same bytes, so a timer can reload nginx only when the file changed.
#include "cmd/wott-agent/policy_command.h"

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "base/file.h"
#include "tunnel/policy_cache.h"

namespace wott::cmd {
namespace {

struct RenderFlags {
  std::string name;
  std::string format;
  std::string out;
};

std::string RenderNginxMap(const tunnel::PolicySnapshot& s) {
  std::string text = "# wott policy " + s.name + " version " + std::to_string(s.version) + ": " +
                     std::to_string(s.device_names.size()) +
                     " device(s). Written by `wott-agent policy render`; do not edit.\n";
  for (const std::string& name : s.device_names) text += "\"" + name + "\" 1;\n";
  return text;
}

std::string RenderJson(const tunnel::PolicySnapshot& s) {
  nlohmann::json out = {
      {"name", s.name}, {"version", s.version}, {"allowed_devices", s.device_names}};
  return out.dump(2) + "\n";
}

int Render(const AgentFlags& global, const RenderFlags& f) {
  if (Status s = tunnel::ValidatePolicyName(f.name); !s.ok()) return PrintError(s, global) + 1;
  Result<tunnel::PolicyAnswer> answer = tunnel::FetchPolicyFromServer(global.paths(), f.name, "");
  if (!answer.ok()) return PrintError(answer.status(), global);
  Result<tunnel::PolicySnapshot> snapshot = tunnel::ParsePolicyAnswer(answer->body, f.name);
  if (!snapshot.ok()) return PrintError(snapshot.status(), global);
  std::string text = f.format == "json" ? RenderJson(*snapshot) : RenderNginxMap(*snapshot);
  if (f.out.empty()) {
    std::cout << text << std::flush;
    return 0;
  }
  if (Status s = WriteFileAtomically(f.out, text, 0644); !s.ok()) {
    return PrintError(s.WithContext("--out " + f.out), global);
  }
  return 0;
}

}  // namespace

void AddPolicyCommand(CLI::App& app, AgentFlags& global) {
  CLI::App* policy = app.add_subcommand("policy", "Central trust policies of the server");
  policy->require_subcommand(1);
  auto flags = std::make_shared<RenderFlags>();
  CLI::App* render = policy->add_subcommand(
      "render", "Fetch a policy (GET /v1/policies/NAME over mTLS) and print its allowed devices");
  render->add_option("name", flags->name, "Policy name")->required();
  render->add_option("--format", flags->format, "nginx-map (\"<device name>\" 1; lines) or json")
      ->required()
      ->check(CLI::IsMember({"nginx-map", "json"}));
  render->add_option("--out", flags->out,
                     "Write to this file atomically (temp + rename) instead of stdout");
  render->callback([&global, flags] {
    if (!StartLogging(global)) return;
    global.exit_code = Render(global, *flags);
  });
}

}  // namespace wott::cmd
