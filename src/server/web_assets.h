// WebAssets: the dashboard's files (web/), either embedded into the binary at build time
// (src/server/web_embed.cmake) or read from a directory on each request
// (`wott-server serve --web-root DIR`, for developing the pages without rebuilding).
//
// Only flat names are served: [a-z0-9][a-z0-9._-]* without "..", with a known extension.
// A name is never joined to a path before it passed that check, so no request can read
// outside the directory.
//
// Thread safety: a WebAssets is immutable after construction; Find may run on any number
// of threads at once.
#ifndef WOTT_SERVER_WEB_ASSETS_H_
#define WOTT_SERVER_WEB_ASSETS_H_

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "base/result.h"

namespace wott::server {

struct WebAsset {
  std::string body;
  std::string content_type;  // "text/javascript; charset=utf-8", ...
  std::string etag;          // quoted strong ETag: "\"<sha-256 hex of the body>\""
};

// True when `name` may be served: 1-100 characters of [a-z0-9._-], starting with a letter
// or digit, no "..".
bool IsSafeAssetName(std::string_view name);

// The Content-Type for `name` by its extension, or "" for an extension we do not serve.
std::string_view AssetContentType(std::string_view name);

class WebAssets {
 public:
  // The files embedded at build time (ETags computed once, here).
  static WebAssets Embedded();
  // Files read from `root` on every Find. REQUIRES: `root` is a directory (checked by
  // the caller at start-up, see CheckWebRoot).
  static WebAssets FromDirectory(std::filesystem::path root);

  // The asset called `name`. kNotFound for an unsafe name, an unknown extension or a file
  // that is not there (or not a regular file); kInternal when a file exists but cannot
  // be read.
  Result<WebAsset> Find(std::string_view name) const;

 private:
  WebAssets() = default;
  std::filesystem::path root_;  // empty: embedded
  std::map<std::string, WebAsset, std::less<>> embedded_;
};

// OK when `root` is a readable directory holding index.html; else kInvalidArgument naming
// the problem (used by `serve --web-root` so a typo stops start-up).
Status CheckWebRoot(const std::filesystem::path& root);

}  // namespace wott::server

#endif  // WOTT_SERVER_WEB_ASSETS_H_
