#include "agent/inventory_state.h"

#include <nlohmann/json.hpp>

#include "base/file.h"

namespace wott::agent {
namespace {

constexpr std::string_view kWhat = "inventory.json";

Result<std::string> HashField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::string();
  if (!it->is_string() || it->get<std::string>().size() > 64) {
    return InvalidArgument(std::string(kWhat) + ": \"" + key + "\" must be a hash string");
  }
  return it->get<std::string>();
}

}  // namespace

Result<InventoryState> ParseInventoryState(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgument(std::string(kWhat) + " is not a JSON object");
  }
  InventoryState state;
  ASSIGN_OR_RETURN(state.acknowledged_hash, HashField(j, "acknowledged_hash"));
  ASSIGN_OR_RETURN(state.refused_hash, HashField(j, "refused_hash"));
  return state;
}

std::string InventoryStateToJson(const InventoryState& state) {
  nlohmann::json j = {{"acknowledged_hash", state.acknowledged_hash},
                      {"refused_hash", state.refused_hash}};
  return j.dump(2) + "\n";
}

Result<InventoryState> LoadInventoryState(const AgentPaths& paths) {
  Result<std::string> text = ReadFile(paths.inventory_state, 64 * 1024);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) return InventoryState{};
    return text.status();
  }
  Result<InventoryState> state = ParseInventoryState(*text);
  if (!state.ok()) return state.status().WithContext(paths.inventory_state.string());
  return state;
}

Status SaveInventoryState(const AgentPaths& paths, const InventoryState& state) {
  RETURN_IF_ERROR(MakeDirectory(paths.inventory_state.parent_path(), 0700));
  return WriteFileAtomically(paths.inventory_state, InventoryStateToJson(state), 0600);
}

}  // namespace wott::agent
