// The heartbeat's `audit` object: what is accepted (and normalised), and every refusal
// naming its field.
#include "server/posture_audit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "audit/packages_hash.h"

namespace wott::server {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

json Package(const std::string& name, const std::string& version, const std::string& source = "",
             const std::string& source_version = "") {
  json p = {{"name", name}, {"version", version}, {"arch", "amd64"}};
  if (!source.empty()) p["source"] = source;
  if (!source_version.empty()) p["source_version"] = source_version;
  return p;
}

// An inventory with the right hash for `packages`.
json Inventory(const json& packages) {
  json body = {{"os_id", "debian"}, {"version_codename", "bookworm"}, {"packages", packages}};
  std::vector<audit::InstalledPackage> list = *PackagesFromJson(packages);
  std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
    return std::tie(a.name, a.architecture) < std::tie(b.name, b.architecture);
  });
  body["packages_hash"] = audit::PackagesHash(list);
  return body;
}

std::string ErrorOf(const json& audit) {
  Result<std::optional<ReportedAudit>> r = ParseReportedAudit({{"audit", audit}});
  EXPECT_FALSE(r.ok());
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

TEST(PostureAuditTest, AbsentOrNullAuditIsNone) {
  Result<std::optional<ReportedAudit>> none = ParseReportedAudit(json::object());
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->has_value());
  Result<std::optional<ReportedAudit>> null = ParseReportedAudit({{"audit", nullptr}});
  ASSERT_TRUE(null.ok());
  EXPECT_FALSE(null->has_value());
}

TEST(PostureAuditTest, HostAndInventoryWithPackagesAreParsedAndSorted) {
  json packages = json::array({Package("zlib1g", "1:1.2.13.dfsg-1", "zlib"),
                               Package("libssl3", "3.0.11-1~deb12u2", "openssl"),
                               Package("bash", "5.2.15-2+b2", "bash", "5.2.15-2")});
  json host = {{"firewall", {{"state", "yes"}, {"backend", "nftables"}, {"rules", 3}}}};
  Result<std::optional<ReportedAudit>> r =
      ParseReportedAudit({{"audit", {{"host", host}, {"inventory", Inventory(packages)}}}});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->has_value());
  const ReportedAudit& a = **r;
  ASSERT_TRUE(a.host.has_value());
  EXPECT_EQ((*a.host)["firewall"]["state"], "yes");
  ASSERT_TRUE(a.inventory.has_value());
  EXPECT_EQ(a.inventory->os_id, "debian");
  EXPECT_EQ(a.inventory->codename, "bookworm");
  ASSERT_TRUE(a.inventory->packages.has_value());
  const auto& list = *a.inventory->packages;
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].name, "bash");
  EXPECT_EQ(list[0].source_version, "5.2.15-2");
  EXPECT_EQ(list[1].name, "libssl3");
  EXPECT_EQ(list[1].source_name, "openssl");
  EXPECT_EQ(list[1].source_version, "3.0.11-1~deb12u2");  // defaults to the binary's
  EXPECT_EQ(list[2].name, "zlib1g");
}

TEST(PostureAuditTest, CanonicalHashIsTheSpecsLineFormat) {
  // printf 'a\tamd64\t1.0\ta\t1.0\n' | sha256sum
  std::vector<audit::InstalledPackage> one = {{"a", "1.0", "amd64", "a", "1.0"}};
  EXPECT_EQ(audit::PackagesHash(one),
            "d38b7fc7a5fd5146e11312f45a2847443d79ff39fbe80ec3acb92867fefdfb26");
}

TEST(PostureAuditTest, InventoryWithoutPackagesNeedsOnlyTheHash) {
  json inv = {{"os_id", "debian"},
              {"version_codename", "bookworm"},
              {"packages_hash", std::string(64, 'a')}};
  Result<std::optional<ReportedAudit>> r = ParseReportedAudit({{"audit", {{"inventory", inv}}}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE((*r)->host.has_value());
  EXPECT_FALSE((*r)->inventory->packages.has_value());
  EXPECT_EQ((*r)->inventory->packages_hash, std::string(64, 'a'));
}

TEST(PostureAuditTest, MalformedAuditsNameTheirField) {
  EXPECT_THAT(ErrorOf("yes"), HasSubstr("'audit' must be an object"));
  EXPECT_THAT(ErrorOf({{"host", json::array()}}), HasSubstr("'audit.host' must be an object"));
  EXPECT_THAT(ErrorOf({{"host", {{"x", std::string(5000, 'a')}}}}),
              HasSubstr("'audit.host.x' is too long"));
  json deep = 1;
  for (int i = 0; i < 10; ++i) deep = json::array({deep});
  EXPECT_THAT(ErrorOf({{"host", {{"d", deep}}}}), HasSubstr("nested too deeply"));
  json big_host = json::object();
  for (int i = 0; i < 100; ++i) big_host["k" + std::to_string(i)] = std::string(4000, 'a');
  EXPECT_THAT(ErrorOf({{"host", big_host}}), HasSubstr("'audit.host' is too large"));

  EXPECT_THAT(ErrorOf({{"inventory", "x"}}), HasSubstr("'audit.inventory' must be an object"));
  EXPECT_THAT(ErrorOf({{"inventory", {{"os_id", "debian"}}}}),
              HasSubstr("'audit.inventory.packages_hash' is missing"));
  EXPECT_THAT(ErrorOf({{"inventory", {{"packages_hash", "ABC"}}}}),
              HasSubstr("'audit.inventory.packages_hash' must be 64 lowercase hex"));
  EXPECT_THAT(ErrorOf({{"inventory", {{"packages_hash", std::string(64, 'a')}, {"os_id", 7}}}}),
              HasSubstr("'audit.inventory.os_id' must be a string"));
  EXPECT_THAT(ErrorOf({{"inventory",
                        {{"packages_hash", std::string(64, 'a')},
                         {"version_codename", std::string(257, 'b')}}}}),
              HasSubstr("'audit.inventory.version_codename' is too long"));
}

TEST(PostureAuditTest, MalformedPackagesNameTheirIndex) {
  auto with = [](json packages) {
    return json{{"inventory", {{"packages_hash", std::string(64, 'a')}, {"packages", packages}}}};
  };
  EXPECT_THAT(ErrorOf(with("x")), HasSubstr("'audit.inventory.packages' must be an array"));
  EXPECT_THAT(ErrorOf(with(json::array({Package("a", "1"), 5}))),
              HasSubstr("'audit.inventory.packages[1]' must be an object"));
  EXPECT_THAT(ErrorOf(with(json::array({{{"version", "1"}}}))),
              HasSubstr("'audit.inventory.packages[0].name' is missing"));
  EXPECT_THAT(ErrorOf(with(json::array({{{"name", "a"}}}))),
              HasSubstr("'audit.inventory.packages[0].version' is missing"));
  EXPECT_THAT(ErrorOf(with(json::array({Package("a", "1:")}))),
              HasSubstr("'audit.inventory.packages[0].version' is not a Debian version"));
  EXPECT_THAT(ErrorOf(with(json::array({Package("a", "1", "a", "x y")}))),
              HasSubstr("'audit.inventory.packages[0].source_version' is not a Debian version"));
  EXPECT_THAT(ErrorOf(with(json::array({Package(std::string(257, 'n'), "1")}))),
              HasSubstr("'audit.inventory.packages[0].name' is too long"));
  EXPECT_THAT(ErrorOf(with(json::array({Package("a\tb", "1")}))),
              HasSubstr("'audit.inventory.packages[0].name' must not contain whitespace"));
  EXPECT_THAT(ErrorOf(with(json::array({Package("a", "1", "src\nx")}))),
              HasSubstr("'audit.inventory.packages[0].source' must not contain whitespace"));
  EXPECT_THAT(ErrorOf(with(json::array({{{"name", "a"}, {"version", "1"}, {"arch", "amd 64"}}}))),
              HasSubstr("'audit.inventory.packages[0].arch' must not contain whitespace"));
  EXPECT_THAT(ErrorOf(with(json::array({Package("a", "1"), Package("a", "2")}))),
              HasSubstr("'audit.inventory.packages[1]' repeats package a:amd64"));
  json many = json::array();
  for (size_t i = 0; i <= kMaxAuditPackages; ++i) many.push_back(Package("p", "1"));
  EXPECT_THAT(ErrorOf(with(many)), HasSubstr("more than 20000"));
}

TEST(PostureAuditTest, HashThatDoesNotMatchThePackagesIsRefused) {
  json inv = Inventory(json::array({Package("libssl3", "3.0.9-1", "openssl")}));
  inv["packages"][0]["version"] = "3.0.11-1";  // changed after hashing
  EXPECT_THAT(ErrorOf({{"inventory", inv}}),
              HasSubstr("'audit.inventory.packages_hash' does not match the packages sent"));
}

TEST(PostureAuditTest, PackagesRoundTripThroughStoredJson) {
  std::vector<audit::InstalledPackage> list = {{"bash", "5.2-1+b1", "amd64", "bash", "5.2-1"}};
  Result<std::vector<audit::InstalledPackage>> back = PackagesFromJson(PackagesToJson(list));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, list);
  EXPECT_FALSE(PackagesFromJson(json::object()).ok());
}

}  // namespace
}  // namespace wott::server
