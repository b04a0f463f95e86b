#include "net/router.h"

#include <algorithm>
#include <set>

namespace wott::net {
namespace {

bool IsUpperToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
  });
}

bool IsParamName(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// "/a/b" -> {"a", "b"}; "/" -> {}; "/a/" -> {"a", ""}.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.size() <= 1) return out;
  size_t start = 1;
  for (;;) {
    size_t slash = path.find('/', start);
    out.push_back(path.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

}  // namespace

Status Router::Add(std::string method, std::string_view pattern, RouteHandler handler) {
  if (!IsUpperToken(method)) return InvalidArgument("invalid route method '" + method + "'");
  std::string where = " in route pattern '" + std::string(pattern) + "'";
  if (pattern.empty() || pattern[0] != '/') return InvalidArgument("no leading '/'" + where);
  Route route{method, std::string(pattern), {}, std::move(handler)};
  std::set<std::string_view> names;
  for (std::string_view seg : SplitPath(pattern)) {
    if (seg.empty()) return InvalidArgument("empty segment" + where);
    if (seg.front() == '{' || seg.back() == '}') {
      std::string_view name = seg.size() >= 2 ? seg.substr(1, seg.size() - 2) : seg;
      if (seg.front() != '{' || seg.back() != '}' || !IsParamName(name)) {
        return InvalidArgument("malformed parameter '" + std::string(seg) + "'" + where);
      }
      if (!names.insert(name).second) {
        return InvalidArgument("repeated parameter '" + std::string(name) + "'" + where);
      }
      route.segments.push_back({std::string(name), true});
    } else if (seg.find_first_of("{}?#%") != std::string_view::npos) {
      return InvalidArgument("reserved character" + where);
    } else {
      route.segments.push_back({std::string(seg), false});
    }
  }
  for (const Route& other : routes_) {
    bool same_shape =
        other.method == route.method && other.segments.size() == route.segments.size() &&
        std::equal(other.segments.begin(), other.segments.end(), route.segments.begin(),
                   [](const Segment& a, const Segment& b) {
                     return a.is_param == b.is_param && (a.is_param || a.text == b.text);
                   });
    if (same_shape) {
      return InvalidArgument("route " + method + " " + std::string(pattern) + " conflicts with " +
                             other.pattern);
    }
  }
  routes_.push_back(std::move(route));
  return Status::Ok();
}

bool Router::Matches(const Route& route, const std::vector<std::string_view>& segments) {
  if (route.segments.size() != segments.size()) return false;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (segments[i].empty()) return false;
    if (!route.segments[i].is_param && route.segments[i].text != segments[i]) return false;
  }
  return true;
}

bool Router::MoreSpecific(const Route& a, const Route& b) {
  for (size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i) {
    if (a.segments[i].is_param != b.segments[i].is_param) return !a.segments[i].is_param;
  }
  return false;
}

HttpResponse Router::Dispatch(HttpRequest& request) const {
  std::vector<std::string_view> segments = SplitPath(request.path);
  const Route* best = nullptr;
  std::set<std::string> allowed;
  for (const Route& route : routes_) {
    if (!Matches(route, segments)) continue;
    allowed.insert(route.method);
    if (route.method == request.method && (best == nullptr || MoreSpecific(route, *best))) {
      best = &route;
    }
  }
  if (best == nullptr) {
    if (allowed.empty()) return ErrorResponse(404, "not_found", "no such endpoint");
    std::string allow;
    for (const std::string& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
    HttpResponse r = ErrorResponse(405, "method_not_allowed",
                                   "method " + request.method + " is not allowed here");
    r.headers.Set("Allow", allow);
    return r;
  }
  request.route = best->pattern;
  request.path_params.clear();
  for (size_t i = 0; i < segments.size(); ++i) {
    if (!best->segments[i].is_param) continue;
    Result<std::string> value = PercentDecode(segments[i]);
    if (!value.ok()) return ErrorResponse(400, "invalid_argument", "malformed path");
    request.path_params.emplace(best->segments[i].text, std::move(value).value());
  }
  return best->handler(request);
}

}  // namespace wott::net
