// A Google Benchmark reporter that prints the console table as usual and remembers each
// benchmark's CPU time per iteration, so a bench main can print ratios between a wott
// operation and its reference measured in the same run.
#ifndef WOTT_BENCH_RATIO_REPORTER_H_
#define WOTT_BENCH_RATIO_REPORTER_H_

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace wott::bench {

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type == Run::RT_Iteration && run.iterations > 0) {
        cpu_ns_[run.benchmark_name()] = run.GetAdjustedCPUTime();  // in the run's time unit
        unit_[run.benchmark_name()] = run.time_unit;
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }

  // Prints "name: X.XX x reference (a us vs b us)" and returns the ratio (0 if missing).
  double PrintRatio(const std::string& name, const std::string& reference) const {
    auto a = cpu_ns_.find(name), b = cpu_ns_.find(reference);
    if (a == cpu_ns_.end() || b == cpu_ns_.end() || b->second == 0) {
      std::printf("ratio %s / %s: not measured\n", name.c_str(), reference.c_str());
      return 0;
    }
    double ratio = a->second / b->second;
    std::printf("ratio %-40s / %-40s = %.3f  (%.1f vs %.1f %s)\n", name.c_str(),
                reference.c_str(), ratio, a->second, b->second,
                benchmark::GetTimeUnitString(unit_.at(name)));
    return ratio;
  }

 private:
  std::map<std::string, double> cpu_ns_;
  std::map<std::string, benchmark::TimeUnit> unit_;
};

}  // namespace wott::bench

#endif  // WOTT_BENCH_RATIO_REPORTER_H_
