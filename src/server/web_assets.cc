#include "server/web_assets.h"

#include <system_error>

#include "base/file.h"
#include "ossl/digest.h"
#include "server/web_assets_data.h"  // generated: kEmbeddedWebFiles

namespace wott::server {
namespace {

// Largest file served from --web-root; the embedded files are far smaller.
constexpr size_t kMaxAssetBytes = 4 * 1024 * 1024;

WebAsset MakeAsset(std::string body, std::string_view content_type) {
  WebAsset asset;
  asset.etag = "\"" + ossl::Sha256Hex(body) + "\"";
  asset.content_type = std::string(content_type);
  asset.body = std::move(body);
  return asset;
}

}  // namespace

bool IsSafeAssetName(std::string_view name) {
  if (name.empty() || name.size() > 100 || name.front() == '.' || name.front() == '-') {
    return false;
  }
  if (name.find("..") != std::string_view::npos) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string_view AssetContentType(std::string_view name) {
  static constexpr struct {
    std::string_view extension;
    std::string_view type;
  } kTypes[] = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},   {".svg", "image/svg+xml"},
      {".json", "application/json"},         {".txt", "text/plain; charset=utf-8"},
  };
  for (const auto& t : kTypes) {
    if (name.size() > t.extension.size() && name.ends_with(t.extension)) return t.type;
  }
  return "";
}

WebAssets WebAssets::Embedded() {
  WebAssets assets;
  for (const EmbeddedWebFile& file : kEmbeddedWebFiles) {
    std::string_view type = AssetContentType(file.name);
    if (type.empty()) continue;  // web_embed.cmake only takes servable names
    assets.embedded_.emplace(std::string(file.name), MakeAsset(std::string(file.content), type));
  }
  return assets;
}

WebAssets WebAssets::FromDirectory(std::filesystem::path root) {
  WebAssets assets;
  assets.root_ = std::move(root);
  return assets;
}

Result<WebAsset> WebAssets::Find(std::string_view name) const {
  std::string_view type = AssetContentType(name);
  if (!IsSafeAssetName(name) || type.empty()) return NotFound("no such asset");
  if (root_.empty()) {
    auto it = embedded_.find(name);
    if (it == embedded_.end()) return NotFound("no such asset");
    return it->second;
  }
  // `name` is one safe path segment, so the file is directly inside root_.
  std::filesystem::path path = root_ / std::string(name);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return NotFound("no such asset");
  Result<std::string> body = ReadFile(path, kMaxAssetBytes);
  if (!body.ok()) return Internal("cannot read asset", body.status().ToString());
  return MakeAsset(std::move(*body), type);
}

Status CheckWebRoot(const std::filesystem::path& root) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) {
    return InvalidArgument("--web-root " + root.string() + " is not a directory");
  }
  if (!std::filesystem::is_regular_file(root / "index.html", ec)) {
    return InvalidArgument("--web-root " + root.string() + " has no index.html");
  }
  return Status::Ok();
}

}  // namespace wott::server
