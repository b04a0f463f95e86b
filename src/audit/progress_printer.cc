#include "audit/progress_printer.h"

#include <unistd.h>

namespace wott::audit {
namespace {
constexpr int kBarWidth = 30;
double MiB(uint64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }
}  // namespace

ProgressPrinter::ProgressPrinter(std::FILE* out, std::string label)
    : out_(out), label_(std::move(label)), terminal_(::isatty(::fileno(out)) == 1) {}

ProgressPrinter::~ProgressPrinter() {
  if (drawn_) std::fputc('\n', out_);
}

void ProgressPrinter::Update(uint64_t done, uint64_t total) {
  if (total == 0) total = 1;
  if (done > total) done = total;
  int percent = static_cast<int>(done * 100 / total);
  if (terminal_) {
    auto now = std::chrono::steady_clock::now();
    if (drawn_ && done < total && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    int filled = static_cast<int>(done * kBarWidth / total);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(kBarWidth - filled), ' ');
    std::fprintf(out_, "\r%s [%s] %3d%% %.1f/%.1f MiB", label_.c_str(), bar.c_str(), percent,
                 MiB(done), MiB(total));
    std::fflush(out_);
    drawn_ = true;
    return;
  }
  int decile = percent / 10;
  if (decile == last_decile_) return;
  last_decile_ = decile;
  std::fprintf(out_, "%s: %d%% (%.1f/%.1f MiB)\n", label_.c_str(), percent, MiB(done), MiB(total));
  std::fflush(out_);
}

}  // namespace wott::audit
