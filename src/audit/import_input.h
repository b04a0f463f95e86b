// Reading an import file: a std::streambuf over a file descriptor with a fixed 1 MiB buffer
// (bounded memory whatever the file size) that counts the bytes read, for progress reports
// and error positions. Thread-safety: none.
#ifndef WOTT_AUDIT_IMPORT_INPUT_H_
#define WOTT_AUDIT_IMPORT_INPUT_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <streambuf>
#include <string>
#include <vector>

#include "base/result.h"

namespace wott::audit {

// Called now and then during an import with the bytes consumed so far and the file size.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

// What one imported file contributed.
struct ImportStats {
  int64_t vulnerabilities = 0;  // records read (tracker: package x CVE entries)
  int64_t advisories = 0;       // (vulnerability, package, release) rows stored
  int64_t not_affected = 0;     // releases marked never affected (fixed_version "0"): not stored
  int64_t skipped = 0;          // releases dropped for unusable data (unparsable fixed version)
  std::string first_skip;       // why the first one was dropped, for the operator
};

class ImportInput : public std::streambuf {
 public:
  // Opens `path` for reading. Errors name the file.
  static Result<std::unique_ptr<ImportInput>> Open(const std::filesystem::path& path);
  ~ImportInput() override;

  uint64_t size() const { return size_; }
  // Bytes handed to the parser so far (buffer refills, so progress is per MiB).
  uint64_t consumed() const { return consumed_; }
  // The first non-blank byte of the file, without consuming it; 0 when the file is blank.
  // REQUIRES: nothing read yet.
  char PeekFirstNonBlank();
  // Up to `n` bytes from the start of the file, without consuming them.
  // REQUIRES: nothing read yet.
  std::string PeekPrefix(size_t n);
  // A read error (errno text) met by underflow(), or OK.
  const Status& read_status() const { return read_status_; }

 protected:
  int_type underflow() override;

 private:
  ImportInput(int fd, uint64_t size);
  bool Fill();

  int fd_;
  uint64_t size_;
  uint64_t consumed_ = 0;
  std::vector<char> buffer_;
  Status read_status_;
};

}  // namespace wott::audit

#endif  // WOTT_AUDIT_IMPORT_INPUT_H_
