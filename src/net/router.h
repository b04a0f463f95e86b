// Router: maps method + path pattern to a handler. Patterns are literal segments and
// `{name}` segments that match one non-empty path segment ("/api/v1/devices/{id}").
// A literal segment wins over a parameter at the same position, so "/devices/self" and
// "/devices/{id}" can both exist. Unknown paths get 404; a known path with another
// method gets 405 with an Allow field.
//
// Add routes during start-up from one thread, in one function that lists them all; after
// that Dispatch may run on any number of threads at once.
#ifndef WOTT_NET_ROUTER_H_
#define WOTT_NET_ROUTER_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "net/http.h"

namespace wott::net {

// Runs on a worker thread; may block on the database or signing.
using RouteHandler = std::function<HttpResponse(const HttpRequest&)>;

class Router {
 public:
  // Adds a route. Fails with kInvalidArgument when the method is not an upper-case token,
  // the pattern does not start with '/', has an empty or malformed segment or a repeated
  // parameter name, or the same method and pattern shape is already routed.
  Status Add(std::string method, std::string_view pattern, RouteHandler handler);

  // Finds the route for request.method and request.path, fills request.route and
  // request.path_params, and runs its handler. 404 when no pattern matches the path, 405
  // (with Allow) when patterns match but none for this method, 400 on a malformed
  // percent-encoding in a parameter.
  HttpResponse Dispatch(HttpRequest& request) const;

 private:
  struct Segment {
    std::string text;  // literal text, or the parameter name
    bool is_param = false;
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    RouteHandler handler;
  };

  // True when `route` matches `segments`.
  static bool Matches(const Route& route, const std::vector<std::string_view>& segments);
  // True when `a` is more specific than `b` (a literal where `b` has a parameter, first
  // difference from the left).
  static bool MoreSpecific(const Route& a, const Route& b);

  std::vector<Route> routes_;
};

}  // namespace wott::net

#endif  // WOTT_NET_ROUTER_H_
