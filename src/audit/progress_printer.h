// Progress of a long import on stderr: a redrawn bar when the stream is a terminal, plain
// lines at every 10% otherwise (logs and CI output stay readable). Thread-safety: none.
#ifndef WOTT_AUDIT_PROGRESS_PRINTER_H_
#define WOTT_AUDIT_PROGRESS_PRINTER_H_

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace wott::audit {

class ProgressPrinter {
 public:
  // Reports on `out` (not owned) under `label` (e.g. the file name).
  ProgressPrinter(std::FILE* out, std::string label);
  // Ends a bar line that Update started.
  ~ProgressPrinter();

  // Reports `done` of `total` bytes; cheap to call often (the bar redraws at most 10 times
  // a second, plain lines once per 10%).
  void Update(uint64_t done, uint64_t total);

 private:
  std::FILE* out_;
  std::string label_;
  bool terminal_;
  bool drawn_ = false;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace wott::audit

#endif  // WOTT_AUDIT_PROGRESS_PRINTER_H_
