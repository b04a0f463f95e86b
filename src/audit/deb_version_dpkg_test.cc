// Property test: our ordering agrees with `dpkg --compare-versions` on thousands of generated
// version pairs and on every version installed on this machine (/var/lib/dpkg/status).
// dpkg runs in two batched bash loops (one process per loop, not per pair).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "audit/deb_version.h"

namespace wott::audit {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t kSeed = 20261127;
constexpr int kGeneratedPairs = 2500;

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  int Uniform(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool Chance(int percent) { return Uniform(100) < percent; }

  std::string Run(std::string_view alphabet, int max_len) {
    std::string out;
    int len = 1 + Uniform(max_len);
    for (int i = 0; i < len; ++i) out += alphabet[Uniform(static_cast<int>(alphabet.size()))];
    return out;
  }

  // Mostly well-formed versions built from digit and non-digit runs, with the characters
  // whose order matters most (~, +, ., letters, leading zeros) over-represented; a few
  // carry what dpkg warns about or refuses.
  std::string Version() {
    std::string v;
    if (Chance(25)) v += std::to_string(Uniform(3)) + ":";
    if (Chance(3)) v += std::to_string(Uniform(2)) + "x:";  // epoch not a number
    v += Chance(95) ? Run("0123456789", 3) : Run("abz", 2);
    int parts = Uniform(5);
    for (int i = 0; i < parts; ++i) {
      v += Chance(50) ? Run(".+~~abcZ", 2) : Run("0000123456789", 3);
    }
    if (Chance(60)) {
      v += "-";
      if (!Chance(2)) v += Run("0123456789", 2);
      if (Chance(40)) v += Run("+~.bdeu", 3) + Run("0123456789", 2);
    }
    if (Chance(2)) v += Run("_:@", 1);  // dpkg warns: invalid character
    if (Chance(1)) v += " 1";           // dpkg refuses: embedded space
    return v;
  }

  // A version close to `v`, so that equal and nearly equal pairs are common.
  std::string Mutate(std::string v) {
    switch (Uniform(6)) {
      case 0:
        return v;
      case 1:
        return v + "~";
      case 2:
        return v + Run("0a.+", 1);
      case 3: {
        size_t i = static_cast<size_t>(Uniform(static_cast<int>(v.size())));
        v[i] = "09a~.+"[Uniform(6)];
        return v;
      }
      case 4:
        return "0" + v;  // a leading zero (or a new epoch digit)
      default:
        return v.substr(0, v.size() > 1 ? v.size() - 1 : 1);
    }
  }

 private:
  std::mt19937 rng_;
};

std::vector<std::string> InstalledVersions() {
  std::ifstream in("/var/lib/dpkg/status");
  std::set<std::string> versions;
  std::string line;
  std::regex source(R"(^Source: \S+ \((.+)\)$)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (line.rfind("Version: ", 0) == 0) versions.insert(line.substr(9));
    if (std::regex_match(line, m, source)) versions.insert(m[1]);
  }
  return {versions.begin(), versions.end()};
}

// Runs dpkg on every pair; returns "-1", "0", "1" or "E" (dpkg refused a version) per pair.
std::vector<std::string> DpkgCompare(const std::vector<std::pair<std::string, std::string>>& pairs,
                                     const fs::path& dir) {
  for (int part = 0; part < 2; ++part) {
    std::ofstream out(dir / ("pairs" + std::to_string(part)));
    for (size_t i = part; i < pairs.size(); i += 2) {
      out << i << '\t' << pairs[i].first << '\t' << pairs[i].second << '\n';
    }
  }
  const char* loop =
      "while IFS=$'\\t' read -r i a b; do "
      "  if dpkg --compare-versions \"$a\" lt \"$b\" 2>/dev/null; then r=-1; "
      "  else rc=$?; if [ $rc -ne 1 ]; then r=E; "
      "  elif dpkg --compare-versions \"$a\" eq \"$b\" 2>/dev/null; then r=0; else r=1; fi; fi; "
      "  echo \"$i $r\"; "
      "done";
  std::string cmd = "cd '" + dir.string() + "' && for p in 0 1; do bash -c '" +
                    std::regex_replace(loop, std::regex("'"), "'\\''") +
                    "' <pairs$p >out$p & done; wait";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  std::vector<std::string> results(pairs.size());
  for (int part = 0; part < 2; ++part) {
    std::ifstream in(dir / ("out" + std::to_string(part)));
    size_t i;
    std::string r;
    while (in >> i >> r) {
      if (i < results.size()) results[i] = r;
    }
  }
  return results;
}

std::string Ours(const std::string& a, const std::string& b) {
  Result<DebVersion> va = ParseDebVersion(a);
  Result<DebVersion> vb = ParseDebVersion(b);
  if (!va.ok() || !vb.ok()) return "E";
  int rc = CompareDebVersions(va.value(), vb.value());
  return rc < 0 ? "-1" : (rc > 0 ? "1" : "0");
}

TEST(DebVersionDpkgTest, AgreesWithDpkgCompareVersions) {
  if (::access("/usr/bin/dpkg", X_OK) != 0) GTEST_SKIP() << "dpkg not installed";
  std::cout << "seed " << kSeed << "\n";
  Generator gen(kSeed);
  std::vector<std::pair<std::string, std::string>> pairs;
  for (int i = 0; i < kGeneratedPairs; ++i) {
    std::string a = gen.Version();
    std::string b = gen.Chance(50) ? gen.Mutate(a) : gen.Version();
    if (b.empty() || b[0] == '-') b = "0" + b;  // dpkg would read it as an option
    pairs.emplace_back(a, b);
  }
  std::vector<std::string> real = InstalledVersions();
  ASSERT_GT(real.size(), 10u) << "no versions read from /var/lib/dpkg/status";
  std::vector<std::string> shuffled = real;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(kSeed));
  for (size_t i = 0; i < real.size(); ++i) {
    pairs.emplace_back(real[i], shuffled[i]);
    if (i + 1 < real.size()) pairs.emplace_back(real[i], real[i + 1]);
    std::string near = gen.Mutate(real[i]);
    if (!near.empty() && near[0] != '-') pairs.emplace_back(real[i], near);
  }

  fs::path dir = fs::temp_directory_path() / ("wott-debver-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::vector<std::string> dpkg = DpkgCompare(pairs, dir);
  fs::remove_all(dir);

  int disagreements = 0, refused = 0, equal = 0;
  for (size_t i = 0; i < pairs.size(); ++i) {
    ASSERT_FALSE(dpkg[i].empty()) << "no dpkg answer for pair " << i;
    std::string ours = Ours(pairs[i].first, pairs[i].second);
    if (dpkg[i] == "E") ++refused;
    if (dpkg[i] == "0") ++equal;
    if (ours != dpkg[i] && ++disagreements <= 20) {
      ADD_FAILURE() << "'" << pairs[i].first << "' vs '" << pairs[i].second << "': dpkg " << dpkg[i]
                    << ", ours " << ours;
    }
  }
  std::cout << pairs.size() << " pairs (" << real.size() << " installed versions), " << equal
            << " equal, " << refused << " refused by dpkg, " << disagreements << " disagreements\n";
  EXPECT_EQ(disagreements, 0);
  // The generator must exercise every outcome, or this test proves little.
  EXPECT_GT(equal, 50);
  EXPECT_GT(refused, 10);
}

}  // namespace
}  // namespace wott::audit
