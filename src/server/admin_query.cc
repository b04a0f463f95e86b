#include "server/admin_query.h"

#include <algorithm>
#include <array>

#include "net/http.h"
#include "pki/device_id.h"
#include "server/api_util.h"

namespace wott::server {
namespace {

constexpr size_t kMaxQueryParams = 64;

constexpr std::array<std::pair<std::string_view, store::DeviceSortField>, 5> kSortFields = {{
    {"created_at", store::DeviceSortField::kCreatedAt},
    {"name", store::DeviceSortField::kName},
    {"id", store::DeviceSortField::kId},
    {"last_seen", store::DeviceSortField::kLastSeen},
    {"expiry", store::DeviceSortField::kCertificateExpiry},
}};

bool Contains(std::initializer_list<std::string_view> list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

// Parameter names come from the client: quote at most a short prefix of them.
std::string Quoted(std::string_view name) { return "'" + std::string(name.substr(0, 64)) + "'"; }

}  // namespace

Result<std::string> DeviceHexOf(std::string_view ref) {
  constexpr std::string_view kNameInfix = ".d.";
  if (ref.size() >= 32 && pki::DeviceId::FromHex(ref.substr(0, 32)).ok()) {
    std::string_view rest = ref.substr(32);
    if (rest.empty() || (rest.starts_with(kNameInfix) && rest.size() > kNameInfix.size())) {
      return std::string(ref.substr(0, 32));
    }
  }
  return InvalidArgument(
      "a device is named by its 32-character lowercase hex ID or its full name "
      "(<id>.d.<domain>)");
}

Result<store::DeviceRecord> FindDevice(store::Store& store, std::string_view ref) {
  ASSIGN_OR_RETURN(std::string hex, DeviceHexOf(ref));
  ASSIGN_OR_RETURN(store::DeviceRecord device, store.GetDevice(hex));
  // A full name must be this CA's name for the device, not merely carry its ID.
  if (ref.size() != hex.size() && device.name != ref) {
    return NotFound("no device has this name");
  }
  return device;
}

Result<store::TagMatch> ParseTagFilter(std::string_view text) {
  size_t eq = text.find('=');
  store::TagMatch match;
  match.key = std::string(text.substr(0, eq));
  if (match.key.empty()) {
    return InvalidArgument("a tag filter is key or key=value, with a non-empty key");
  }
  if (eq != std::string_view::npos) match.value = std::string(text.substr(eq + 1));
  return match;
}

Result<store::DeviceSortField> ParseSortField(std::string_view text) {
  for (const auto& [name, field] : kSortFields) {
    if (name == text) return field;
  }
  return InvalidArgument("sort must be one of created_at, name, id, last_seen, expiry");
}

bool DefaultDescending(store::DeviceSortField field) {
  return field == store::DeviceSortField::kCreatedAt || field == store::DeviceSortField::kLastSeen;
}

Result<bool> ParseSortOrder(std::string_view text) {
  if (text == "asc") return false;
  if (text == "desc") return true;
  return InvalidArgument("order must be asc or desc");
}

Result<int64_t> ParseCount(std::string_view what, std::string_view text) {
  if (text.empty() || text.size() > 18 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return InvalidArgument(std::string(what) + " must be a non-negative integer");
  }
  int64_t value = 0;
  for (char c : text) value = value * 10 + (c - '0');
  return value;
}

Result<int> ParseLimit(std::string_view what, std::string_view text) {
  Result<int64_t> value = ParseCount(what, text);
  if (!value.ok() || *value < 1 || *value > store::kMaxPageLimit) {
    return InvalidArgument(std::string(what) + " must be between 1 and " +
                           std::to_string(store::kMaxPageLimit));
  }
  return static_cast<int>(*value);
}

Result<QueryParams> ParseQuery(std::string_view query) {
  QueryParams params;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;  // "a=1&&b=2"
    if (params.size() == kMaxQueryParams) {
      return InvalidArgument("too many query parameters (at most " +
                             std::to_string(kMaxQueryParams) + ")");
    }
    size_t eq = pair.find('=');
    Result<std::string> name = net::PercentDecode(pair.substr(0, eq), /*plus_is_space=*/true);
    Result<std::string> value =
        eq == std::string_view::npos
            ? Result<std::string>(std::string())
            : net::PercentDecode(pair.substr(eq + 1), /*plus_is_space=*/true);
    if (!name.ok() || !value.ok()) {
      return InvalidArgument("malformed percent-encoding in the query string");
    }
    params.emplace_back(std::move(*name), std::move(*value));
  }
  return params;
}

Status CheckQueryNames(const QueryParams& params, std::initializer_list<std::string_view> allowed,
                       std::initializer_list<std::string_view> repeatable) {
  for (size_t i = 0; i < params.size(); ++i) {
    const std::string& name = params[i].first;
    if (!Contains(allowed, name)) {
      return InvalidArgument("unknown query parameter " + Quoted(name));
    }
    if (Contains(repeatable, name)) continue;
    for (size_t j = 0; j < i; ++j) {
      if (params[j].first == name) {
        return InvalidArgument("query parameter " + Quoted(name) + " given more than once");
      }
    }
  }
  return Status::Ok();
}

Result<nlohmann::json> OptionalJsonObject(const net::HttpRequest& request) {
  if (request.body.empty()) return nlohmann::json::object();
  return ParseJsonObject(request);
}

Status CheckJsonFields(const nlohmann::json& object,
                       std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : object.items()) {
    if (!Contains(allowed, name)) return InvalidArgument("unknown field " + Quoted(name));
  }
  return Status::Ok();
}

Result<std::map<std::string, std::string>> StringMapField(const nlohmann::json& object,
                                                          std::string_view key, bool required) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (required) return InvalidArgument("missing field " + Quoted(key));
    return std::map<std::string, std::string>();
  }
  if (!it->is_object()) {
    return InvalidArgument("field " + Quoted(key) + " must be an object of strings");
  }
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : it->items()) {
    if (!value.is_string()) {
      return InvalidArgument("field " + Quoted(key) + ": the value of " + Quoted(name) +
                             " must be a string");
    }
    out[name] = value.get<std::string>();
  }
  return out;
}

}  // namespace wott::server
