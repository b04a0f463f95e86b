#include "pki/ca_directory.h"

#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/file.h"
#include "tests/support/test_ca.h"

namespace wott::pki {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using wott::testing::RunCommand;
using wott::testing::TempDir;

mode_t ModeOf(const fs::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 07777;
}

class CaDirectoryTest : public ::testing::TestWithParam<KeyType> {
 protected:
  CaInitOptions Options() {
    CaInitOptions o;
    o.data_dir = tmp_.path() / "data";
    o.config.key_type = GetParam();
    return o;
  }
  TempDir tmp_;
};

TEST_P(CaDirectoryTest, InitMakesAVerifiableCaWithPrivateKeys) {
  CaInitOptions options = Options();
  Result<CaSummary> summary = InitCa(options, RealClock::Instance());
  ASSERT_TRUE(summary.ok()) << summary.status();
  CaPaths p(options.data_dir);
  EXPECT_EQ(ModeOf(p.data_dir), 0700u);
  EXPECT_EQ(ModeOf(p.ca_dir), 0700u);
  for (const auto& key : {p.root_key, p.intermediate_key, p.server_key}) {
    EXPECT_EQ(ModeOf(key), 0600u) << key;
  }
  for (const auto& cert : {p.root_cert, p.intermediate_cert, p.server_cert}) {
    EXPECT_EQ(ModeOf(cert), 0644u) << cert;
  }
  auto r = RunCommand("openssl verify -purpose sslserver -CAfile " + p.root_cert.string() +
                      " -untrusted " + p.intermediate_cert.string() + " " + p.server_cert.string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  auto fp = RunCommand("openssl x509 -noout -fingerprint -sha256 -in " + p.root_cert.string());
  std::string colons;
  for (size_t i = 0; i < summary->root_fingerprint.size(); i += 2) {
    colons += (i ? ":" : "") + summary->root_fingerprint.substr(i, 2);
  }
  for (char& c : colons) c = static_cast<char>(toupper(c));
  EXPECT_THAT(fp.output, HasSubstr(colons));

  Result<LoadedCa> ca = LoadCa(options.data_dir);
  ASSERT_TRUE(ca.ok()) << ca.status();
  EXPECT_EQ(ca->config.key_type, GetParam());
  EXPECT_EQ(ca->server_chain.size(), 2u);
  EXPECT_THAT(DnsNames(ca->server_chain[0].get()), ::testing::Contains("localhost"));
  EXPECT_THAT(IpAddresses(ca->server_chain[0].get()), ::testing::IsSupersetOf({"127.0.0.1", "::1"}));
}

INSTANTIATE_TEST_SUITE_P(KeyTypes, CaDirectoryTest,
                         ::testing::Values(KeyType::kP256, KeyType::kEd25519, KeyType::kRsa3072),
                         [](const auto& info) { return std::string(KeyTypeName(info.param)); });

class CaDirectoryP256Test : public CaDirectoryTest {};
INSTANTIATE_TEST_SUITE_P(P256, CaDirectoryP256Test, ::testing::Values(KeyType::kP256));

TEST_P(CaDirectoryP256Test, InitOverExistingCaIsRefusedAndChangesNothing) {
  CaInitOptions options = Options();
  ASSERT_TRUE(InitCa(options, RealClock::Instance()).ok());
  CaPaths p(options.data_dir);
  std::string root_before = *ReadFile(p.root_cert);
  std::string key_before = *ReadFile(p.intermediate_key);
  Result<CaSummary> again = InitCa(options, RealClock::Instance());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(again.status().message(), HasSubstr("already holds a CA"));
  EXPECT_EQ(*ReadFile(p.root_cert), root_before);
  EXPECT_EQ(*ReadFile(p.intermediate_key), key_before);
  int entries = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(options.data_dir)) ++entries;
  EXPECT_EQ(entries, 1);  // no staging directory left behind
}

TEST_P(CaDirectoryP256Test, RootKeyCanBeWrittenOutsideTheDataDir) {
  CaInitOptions options = Options();
  options.root_key_out = tmp_.path() / "offline-root.key";
  ASSERT_TRUE(InitCa(options, RealClock::Instance()).ok());
  EXPECT_FALSE(fs::exists(CaPaths(options.data_dir).root_key));
  EXPECT_EQ(ModeOf(options.root_key_out), 0600u);
  EXPECT_TRUE(PrivateKeyFromPem(*ReadFile(options.root_key_out)).ok());
  EXPECT_TRUE(LoadCa(options.data_dir).ok());  // serving never needs the root key
}

TEST_P(CaDirectoryP256Test, RootKeyOutMustNotExist) {
  CaInitOptions options = Options();
  options.root_key_out = tmp_.Write("existing.key", "precious");
  EXPECT_EQ(InitCa(options, RealClock::Instance()).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(*ReadFile(options.root_key_out), "precious");
  EXPECT_FALSE(fs::exists(CaPaths(options.data_dir).ca_dir));
}

TEST_P(CaDirectoryP256Test, UnwritableDataDirGivesClearError) {
  CaInitOptions options = Options();
  tmp_.Write("file", "x");
  options.data_dir = tmp_.path() / "file" / "data";  // parent is a regular file
  Result<CaSummary> r = InitCa(options, RealClock::Instance());
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr(options.data_dir.string()));
  options.data_dir = "/proc/wott-cannot-exist";
  EXPECT_FALSE(InitCa(options, RealClock::Instance()).ok());
}

TEST_P(CaDirectoryP256Test, InvalidDomainIsRefusedBeforeWriting) {
  CaInitOptions options = Options();
  options.config.domain = "Bad Domain!";
  EXPECT_EQ(InitCa(options, RealClock::Instance()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(options.data_dir));
}

TEST_P(CaDirectoryP256Test, LoadRefusesReadableKeysAndMissingCa) {
  CaInitOptions options = Options();
  EXPECT_EQ(LoadCa(options.data_dir).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(InitCa(options, RealClock::Instance()).ok());
  CaPaths p(options.data_dir);
  fs::permissions(p.intermediate_key, fs::perms::owner_read | fs::perms::owner_write |
                                          fs::perms::group_read | fs::perms::others_read);
  Result<LoadedCa> r = LoadCa(options.data_dir);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(r.status().message(), HasSubstr("chmod 600"));
}

TEST_P(CaDirectoryP256Test, LoadRefusesMismatchedKey) {
  CaInitOptions options = Options();
  ASSERT_TRUE(InitCa(options, RealClock::Instance()).ok());
  CaPaths p(options.data_dir);
  ASSERT_TRUE(WriteFileAtomically(p.server_key, *ReadFile(p.intermediate_key), 0600).ok());
  Result<LoadedCa> r = LoadCa(options.data_dir);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("does not match"));
}

TEST(CaConfigTest, ParsesAndRefusesBadJson) {
  CaConfig c;
  c.domain = "example.org";
  c.public_url = "https://ca.example.org";
  Result<CaConfig> back = ParseCaConfig(SerializeCaConfig(c));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->domain, "example.org");
  EXPECT_EQ(back->public_url, "https://ca.example.org");
  EXPECT_FALSE(ParseCaConfig("{").ok());
  EXPECT_FALSE(ParseCaConfig("[]").ok());
  EXPECT_FALSE(ParseCaConfig(R"({"domain": 5})").ok());
  EXPECT_FALSE(ParseCaConfig(R"({"key_type": "dsa"})").ok());
}

}  // namespace
}  // namespace wott::pki
