// Shared helpers for src/audit tests: a scratch directory and fixture paths.
#ifndef WOTT_AUDIT_AUDIT_TEST_UTIL_H_
#define WOTT_AUDIT_AUDIT_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "audit/host_root.h"

namespace wott::audit::testing {

inline std::filesystem::path SourceDir() {
  if (const char* dir = std::getenv("WOTT_SOURCE_DIR")) return dir;
  std::filesystem::path root =
      std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
  const char* build_dir = std::getenv("WOTT_BUILD_DIR");
  if (root.is_relative() && build_dir != nullptr) root = std::filesystem::path(build_dir) / root;
  return root;
}

inline std::filesystem::path Fixture(const std::string& name) {
  return SourceDir() / "tests/testdata/audit" / name;
}

// A fresh directory removed at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "wott-audit-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  // Writes `text` to `name` (a path relative to the directory; parents are created).
  std::filesystem::path Write(const std::string& name, const std::string& text) const {
    std::filesystem::create_directories((path_ / name).parent_path());
    std::ofstream(path_ / name, std::ios::binary) << text;
    return path_ / name;
  }

 private:
  std::filesystem::path path_;
};

// A fixture holding a crafted host root: Write("etc/...", text) puts files under it and
// root() is the HostRoot the collectors read.
class CraftedRootTest : public ::testing::Test {
 protected:
  void Write(const std::string& rel, const std::string& text) { dir_.Write(rel, text); }
  HostRoot root() const { return HostRoot{dir_.path()}; }
  ScratchDir dir_;
};

}  // namespace wott::audit::testing

#endif  // WOTT_AUDIT_AUDIT_TEST_UTIL_H_
