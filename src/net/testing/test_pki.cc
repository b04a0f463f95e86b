#include "net/testing/test_pki.h"

#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

namespace wott::net::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMakePki = R"(set -e
ec="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
ca="-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign"
san="-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -addext extendedKeyUsage=serverAuth"
sign() { openssl x509 -req -in $1.csr -CA $2.crt -CAkey $2.key -set_serial $3 -days 2 \
  -copy_extensions copy -out $1.crt; }
openssl req -x509 $ec -keyout root.key -out root.crt -subj "/CN=Test Root" -days 2 $ca
openssl req -new $ec -keyout int.key -out int.csr -subj "/CN=Test Intermediate" $ca
sign int root 2
openssl req -new $ec -keyout server.key -out server.csr -subj /CN=localhost $san
sign server int 3
openssl req -new $ec -keyout client.key -out client.csr -subj /CN=device-1 \
  -addext extendedKeyUsage=clientAuth
sign client int 4
openssl req -x509 $ec -keyout foreign.key -out foreign.crt -subj "/CN=Foreign Root" -days 2 $ca
openssl req -new $ec -keyout fclient.key -out fclient.csr -subj /CN=device-1 \
  -addext extendedKeyUsage=clientAuth
sign fclient foreign 5
openssl req -new $ec -keyout fserver.key -out fserver.csr -subj /CN=localhost $san
sign fserver foreign 6
cat server.crt int.crt > server-chain.pem
cat client.crt int.crt > client-chain.pem
)";

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Removes the temp directories at exit.
struct TempDirs {
  std::mutex mu;
  std::vector<fs::path> dirs;
  ~TempDirs() {
    std::error_code ec;
    for (const fs::path& d : dirs) fs::remove_all(d, ec);
  }
};
TempDirs& Dirs() {
  static TempDirs dirs;
  return dirs;
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

fs::path TempDir() {
  char tmpl[] = "/tmp/wott-net-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) std::abort();
  std::lock_guard lock(Dirs().mu);
  Dirs().dirs.emplace_back(tmpl);
  return tmpl;
}

const TestPki& TestPki::Get() {
  static const TestPki* pki = [] {
    fs::path dir = TempDir();
    std::ofstream(dir / "make.sh") << kMakePki;
    CommandResult r = RunCommand("cd " + dir.string() + " && sh make.sh");
    if (r.exit_code != 0) {
      std::fprintf(stderr, "making the test PKI failed:\n%s\n", r.output.c_str());
      std::abort();
    }
    return new TestPki(dir);
  }();
  return *pki;
}

std::string TestPki::Pem(std::string_view name) const { return Slurp(dir_ / name); }
std::string TestPki::Path(std::string_view name) const { return (dir_ / name).string(); }

CommandResult RunCommand(const std::string& command, std::string_view input, int timeout_seconds) {
  fs::path dir = TempDir();
  std::ofstream(dir / "in", std::ios::binary) << input;
  std::string shell = "timeout " + std::to_string(timeout_seconds) + " sh -c " + Quote(command) +
                      " <" + (dir / "in").string() + " >" + (dir / "out").string() + " 2>&1";
  int status = std::system(shell.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.output = Slurp(dir / "out");
  return result;
}

}  // namespace wott::net::testing
