#include "tests/support/test_ca.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "base/file.h"

namespace wott::testing {

namespace {
template <typename T>
T Check(Result<T> r, const char* what) {
  if (!r.ok()) {
    ADD_FAILURE() << what << ": " << r.status();
    std::abort();
  }
  return std::move(r).value();
}
}  // namespace

TestCa::TestCa(const Clock* clock, TestCaOptions options) {
  pki::PrivateKey root_key = Check(pki::GenerateKey(options.key_type), "root key");
  root_ = Check(pki::MakeRootCertificate(root_key.get(), "Test Root CA", options.organization,
                                         pki::kRootLifetime, clock->Now()),
                "root certificate");
  options.issuer.organization = options.organization;
  root_issuer_ = std::make_unique<pki::Issuer>(Check(
      pki::Issuer::Create(ossl::UpRef(root_.get()), std::move(root_key), options.issuer, clock),
      "root issuer"));
  pki::PrivateKey key = Check(pki::GenerateKey(options.key_type), "intermediate key");
  intermediate_ =
      Check(root_issuer_->IssueIntermediate(key.get(), "Test Intermediate CA"), "intermediate");
  issuer_ = std::make_unique<pki::Issuer>(Check(
      pki::Issuer::Create(ossl::UpRef(intermediate_.get()), std::move(key), options.issuer, clock),
      "intermediate issuer"));
}

std::string TestCa::RootPem() const { return Check(pki::CertificateToPem(root_.get()), "pem"); }

std::string TestCa::IntermediatePem() const {
  return Check(pki::CertificateToPem(intermediate_.get()), "pem");
}

TestCa::Leaf TestCa::IssueDevice(pki::KeyType key_type, Duration lifetime) const {
  pki::DeviceId id = Check(pki::DeviceId::Generate(), "device id");
  pki::PrivateKey key = Check(pki::GenerateKey(key_type), "device key");
  pki::Certificate cert = Check(issuer_->IssueDevice(id, key.get(), lifetime), "device cert");
  return Leaf{std::move(id), std::move(key), std::move(cert)};
}

TempDir::TempDir() {
  char tmpl[] = "/tmp/wott-test-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) std::abort();
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::Write(const std::string& name, const std::string& contents) const {
  std::filesystem::path p = path_ / name;
  Status s = WriteFileAtomically(p, contents, 0600);
  if (!s.ok()) ADD_FAILURE() << s;
  return p;
}

CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) result.output.append(buf, n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace wott::testing
