// Test support for net_test: a throwaway PKI made once per process with the openssl CLI,
// and a way to run peer tools (openssl s_client, curl) with a bounded run time.
#ifndef WOTT_NET_TESTING_TEST_PKI_H_
#define WOTT_NET_TESTING_TEST_PKI_H_

#include <filesystem>
#include <string>
#include <string_view>

namespace wott::net::testing {

// Files in the PKI directory (all ECDSA P-256):
//   root.crt/key -> int.crt/key -> server.crt/key (CN localhost; SAN DNS:localhost,
//   IP:127.0.0.1), client.crt/key (CN device-1, clientAuth);
//   foreign.crt/key -> fclient.crt/key (CN device-1), fserver.crt/key (like server);
//   server-chain.pem, client-chain.pem: leaf + int.
class TestPki {
 public:
  // Makes the PKI on first use; aborts the test binary if openssl fails.
  static const TestPki& Get();

  std::string Pem(std::string_view name) const;
  std::string Path(std::string_view name) const;

 private:
  explicit TestPki(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
};

struct CommandResult {
  int exit_code = -1;  // 124 when `timeout` killed it
  std::string output;  // stdout and stderr together
};

// Runs `command` with sh, stdin from `input`, killed after `timeout_seconds`.
CommandResult RunCommand(const std::string& command, std::string_view input = {},
                         int timeout_seconds = 30);

// A fresh empty directory under /tmp, removed at process exit.
std::filesystem::path TempDir();

}  // namespace wott::net::testing

#endif  // WOTT_NET_TESTING_TEST_PKI_H_
