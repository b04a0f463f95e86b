#include "server/web_routes.h"

#include <spdlog/spdlog.h>

#include <optional>
#include <string>

namespace wott::server {
namespace {

void AddSecurityHeaders(net::HttpResponse& response) {
  response.headers.Set("Content-Security-Policy", std::string(kDashboardCsp));
  response.headers.Set("X-Content-Type-Options", "nosniff");
  response.headers.Set("Referrer-Policy", "no-referrer");
  response.headers.Set("X-Frame-Options", "DENY");
}

// True when the If-None-Match field lists `etag` (or is "*"). Weak validators compare
// equal to their strong form (RFC 9110 weak comparison, as for GET).
bool MatchesEtag(std::string_view field, std::string_view etag) {
  size_t pos = 0;
  while (pos < field.size()) {
    size_t comma = field.find(',', pos);
    std::string_view item =
        field.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return false;
}

}  // namespace

net::HttpResponse ServeAsset(const WebAssets& assets, std::string_view name,
                             const net::HttpRequest& request) {
  net::HttpResponse response;
  Result<WebAsset> asset = assets.Find(name);
  if (!asset.ok()) {
    if (asset.status().code() != StatusCode::kNotFound) {
      spdlog::error("web asset {}: {}", name, asset.status().ToString());
      response = net::ErrorResponse(500, "internal", "internal error");
    } else {
      response = net::ErrorResponse(404, "not_found", "no such asset");
    }
  } else {
    response.headers.Set("ETag", asset->etag);
    response.headers.Set("Cache-Control", "no-cache");
    std::optional<std::string_view> if_none_match = request.headers.Get("If-None-Match");
    if (if_none_match && MatchesEtag(*if_none_match, asset->etag)) {
      response.status = 304;
    } else {
      response.status = 200;
      response.content_type = asset->content_type;
      response.body = std::move(asset->body);
    }
  }
  AddSecurityHeaders(response);
  return response;
}

Status AddWebRoutes(net::Router& router, const std::filesystem::path& web_root) {
  auto assets = std::make_shared<const WebAssets>(
      web_root.empty() ? WebAssets::Embedded() : WebAssets::FromDirectory(web_root));
  auto index = [assets](const net::HttpRequest& request) {
    return ServeAsset(*assets, "index.html", request);
  };
  auto file = [assets](const net::HttpRequest& request) {
    return ServeAsset(*assets, request.PathParam("file"), request);
  };
  // HEAD answers like GET; the server drops the body and keeps Content-Length.
  for (const char* method : {"GET", "HEAD"}) {
    RETURN_IF_ERROR(router.Add(method, "/", index));
    RETURN_IF_ERROR(router.Add(method, "/assets/{file}", file));
  }
  return Status::Ok();
}

}  // namespace wott::server
