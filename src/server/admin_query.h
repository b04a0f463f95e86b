// Operator input shared by the admin API and the `wott-server device` commands: device
// references (hex ID or full name), tag filters, sort fields, page bounds and URL query
// strings. One parser each, so the API and the CLI accept and refuse exactly the same
// things. Pure functions (FindDevice reads the registry); thread-safe.
#ifndef WOTT_SERVER_ADMIN_QUERY_H_
#define WOTT_SERVER_ADMIN_QUERY_H_

#include <cstdint>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "net/http.h"
#include "store/store.h"

namespace wott::server {

// The page size of list calls when none is given.
inline constexpr int kDefaultPageLimit = 50;

// The device `ref` names: 32 lowercase hex characters, or the full name
// "<hex>.d.<domain>" (which must then equal the stored name exactly). kInvalidArgument for
// anything else, kNotFound when no such device exists (deleted devices are returned).
Result<store::DeviceRecord> FindDevice(store::Store& store, std::string_view ref);

// The hex ID inside `ref` (see FindDevice) without looking it up; kInvalidArgument when
// `ref` is neither form.
Result<std::string> DeviceHexOf(std::string_view ref);

// "key" (the device has this tag) or "key=value" (with exactly this value).
// kInvalidArgument for an empty key.
Result<store::TagMatch> ParseTagFilter(std::string_view text);

// "created_at", "name", "id", "last_seen" or "expiry"; kInvalidArgument otherwise.
Result<store::DeviceSortField> ParseSortField(std::string_view text);
// The order used when none is given: newest first for times, A-Z for names and IDs,
// soonest first for expiry.
bool DefaultDescending(store::DeviceSortField field);
// "asc" (false) or "desc" (true); kInvalidArgument otherwise.
Result<bool> ParseSortOrder(std::string_view text);

// A non-negative decimal integer of at most 18 digits, naming `what` in the error.
Result<int64_t> ParseCount(std::string_view what, std::string_view text);
// A page size: 1 to store::kMaxPageLimit, naming `what` in the error.
Result<int> ParseLimit(std::string_view what, std::string_view text);

// A URL query string split into percent-decoded (name, value) pairs in order; '+' is a
// space; "a" alone is ("a", ""). kInvalidArgument for a malformed escape or more than 64
// parameters.
using QueryParams = std::vector<std::pair<std::string, std::string>>;
Result<QueryParams> ParseQuery(std::string_view query);

// kInvalidArgument naming the first parameter of `params` that is not in `allowed`, or
// that appears more than once while not in `repeatable`.
Status CheckQueryNames(const QueryParams& params, std::initializer_list<std::string_view> allowed,
                       std::initializer_list<std::string_view> repeatable = {});

// The request body as a JSON object (ParseJsonObject), or {} when the body is empty: for
// requests whose fields are all optional.
Result<nlohmann::json> OptionalJsonObject(const net::HttpRequest& request);

// kInvalidArgument naming the first field of the JSON `object` not in `allowed`, so a
// typo ("reasn") is an error rather than silently ignored.
Status CheckJsonFields(const nlohmann::json& object,
                       std::initializer_list<std::string_view> allowed);

// The field `key` of `object` as a string -> string map (tags, metadata): absent or null
// is an empty map (kInvalidArgument when `required`); kInvalidArgument when it is not an
// object or a value is not a string.
Result<std::map<std::string, std::string>> StringMapField(const nlohmann::json& object,
                                                          std::string_view key, bool required);

}  // namespace wott::server

#endif  // WOTT_SERVER_ADMIN_QUERY_H_
