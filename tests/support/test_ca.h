// TestCa: an in-process root -> intermediate CA for tests, with helpers to issue device
// certificates and to write everything to a temporary directory for the openssl CLI.
// Not thread-safe; one per test.
#ifndef WOTT_TESTS_SUPPORT_TEST_CA_H_
#define WOTT_TESTS_SUPPORT_TEST_CA_H_

#include <filesystem>
#include <memory>
#include <string>

#include "base/clock.h"
#include "pki/certificate.h"
#include "pki/device_id.h"
#include "pki/issuer.h"
#include "pki/key.h"

namespace wott::testing {

struct TestCaOptions {
  pki::KeyType key_type = pki::KeyType::kP256;
  pki::IssuerOptions issuer;
  std::string organization = "wott test";
};

class TestCa {
 public:
  // Builds the CA at `clock`'s now. Aborts the test (ADD_FAILURE + null members) on error.
  explicit TestCa(const Clock* clock, TestCaOptions options = {});

  X509* root() const { return root_.get(); }
  X509* intermediate() const { return intermediate_.get(); }
  const pki::Issuer& root_issuer() const { return *root_issuer_; }
  const pki::Issuer& issuer() const { return *issuer_; }  // the intermediate
  std::string RootPem() const;
  std::string IntermediatePem() const;

  struct Leaf {
    pki::DeviceId id;
    pki::PrivateKey key;
    pki::Certificate cert;
  };
  // A new device key and certificate.
  Leaf IssueDevice(pki::KeyType key_type = pki::KeyType::kP256,
                   Duration lifetime = pki::kDeviceLifetime) const;

 private:
  pki::Certificate root_;
  pki::Certificate intermediate_;
  std::unique_ptr<pki::Issuer> root_issuer_;
  std::unique_ptr<pki::Issuer> issuer_;
};

// A fresh temporary directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  // Writes `contents` to path()/name (mode 0600) and returns the full path.
  std::filesystem::path Write(const std::string& name, const std::string& contents) const;

 private:
  std::filesystem::path path_;
};

// Runs a shell command, returning its exit status and combined stdout+stderr.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult RunCommand(const std::string& command);

}  // namespace wott::testing

#endif  // WOTT_TESTS_SUPPORT_TEST_CA_H_
