#include "pki/device_id.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace wott::pki {
namespace {

constexpr std::string_view kHex = "4853b630822946019393b16c5b710b9e";
constexpr std::string_view kName = "4853b630822946019393b16c5b710b9e.d.wott.local";
constexpr std::string_view kSpiffe = "spiffe://wott.local/device/4853b630822946019393b16c5b710b9e";

TEST(DeviceIdTest, GenerateGivesDistinct32HexIds) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    Result<DeviceId> id = DeviceId::Generate();
    ASSERT_TRUE(id.ok()) << id.status();
    EXPECT_EQ(id->hex().size(), 32u);
    EXPECT_TRUE(DeviceId::FromHex(id->hex()).ok()) << id->hex();
    seen.insert(id->hex());
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(DeviceIdTest, FromHexAcceptsLowercaseHex) {
  Result<DeviceId> id = DeviceId::FromHex(kHex);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->hex(), kHex);
  EXPECT_EQ(id->Name(kDefaultDomain), kName);
  EXPECT_EQ(id->SpiffeUri(kDefaultDomain), kSpiffe);
}

TEST(DeviceIdTest, FromHexRejectsEverythingElse) {
  std::string upper(kHex);
  upper[0] = 'A';
  upper[5] = 'B';
  for (const std::string& bad : std::vector<std::string>{
           upper,
           std::string(kHex.substr(0, 31)),        // 31 chars
           std::string(kHex) + "0",                // 33 chars
           std::string(kHex.substr(0, 31)) + "g",  // non-hex
           std::string(kHex.substr(0, 31)) + " ",  // whitespace
           " " + std::string(kHex.substr(1)),
           std::string(kName),  // a full name is not bare hex
           std::string(),
           std::string(kHex.substr(0, 16)) + std::string(1, '\0') + std::string(kHex.substr(17)),
       }) {
    Result<DeviceId> id = DeviceId::FromHex(bad);
    ASSERT_FALSE(id.ok()) << bad;
    EXPECT_EQ(id.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(DeviceIdTest, FromNameAcceptsExactName) {
  Result<DeviceId> id = DeviceId::FromName(kName, kDefaultDomain);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->hex(), kHex);
  Result<DeviceId> other = DeviceId::FromName(std::string(kHex) + ".d.example.org", "example.org");
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(*id, *other);
}

TEST(DeviceIdTest, FromNameRejectsLookalikes) {
  std::string hex(kHex);
  std::string upper_hex = hex;
  upper_hex[3] = 'B';
  for (const std::string& bad : std::vector<std::string>{
           hex + ".d.wott.local.",           // trailing dot
           hex + ".d.wott.local.evil.com",   // suffix attack
           "evil." + hex + ".d.wott.local",  // extra label in front
           hex + ".x.d.wott.local",          // extra label in the middle
           hex + ".e.wott.local",            // wrong infix
           hex + ".d.WOTT.local",            // domain compared case-sensitively
           hex + ".d.example.org",           // wrong domain
           hex + ".d.wott.locaL",
           upper_hex + ".d.wott.local",           // uppercase hex
           hex.substr(0, 31) + ".d.wott.local",   // 31 hex chars
           hex + "0.d.wott.local",                // 33 hex chars
           hex.substr(0, 31) + "z.d.wott.local",  // non-hex
           hex + ".d.wott.local ",                // whitespace
           hex + ".d.",
           hex,
           "",
       }) {
    Result<DeviceId> id = DeviceId::FromName(bad, kDefaultDomain);
    ASSERT_FALSE(id.ok()) << bad;
    EXPECT_EQ(id.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(DeviceIdTest, FromNameRejectsInvalidDomainArgument) {
  EXPECT_FALSE(DeviceId::FromName(std::string(kHex) + ".d.", "").ok());
  EXPECT_FALSE(DeviceId::FromName(std::string(kHex) + ".d.Wott.Local", "Wott.Local").ok());
}

TEST(DeviceIdTest, ParseAcceptsBothForms) {
  Result<DeviceId> a = DeviceId::Parse(kHex, kDefaultDomain);
  Result<DeviceId> b = DeviceId::Parse(kName, kDefaultDomain);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(*a, *b);
}

TEST(DeviceIdTest, ParseRejectsOtherText) {
  std::string hex(kHex);
  for (const std::string& bad : std::vector<std::string>{
           hex + ".d.wott.local.evil.com", hex + ".d.wott.local.", hex.substr(0, 31), hex + "0",
           std::string(kSpiffe), std::string()}) {
    EXPECT_FALSE(DeviceId::Parse(bad, kDefaultDomain).ok()) << bad;
  }
}

TEST(DeviceIdTest, SpiffeUriRoundTrip) {
  Result<DeviceId> id = DeviceId::FromSpiffeUri(kSpiffe, kDefaultDomain);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->hex(), kHex);
  EXPECT_EQ(id->SpiffeUri(kDefaultDomain), kSpiffe);
}

TEST(DeviceIdTest, SpiffeUriRejectsLookalikes) {
  std::string hex(kHex);
  for (const std::string& bad : std::vector<std::string>{
           "spiffe://evil.com/device/" + hex,
           "spiffe://wott.local.evil.com/device/" + hex,
           "spiffe://wott.local/device/" + hex + "/",
           "spiffe://wott.local/device/" + hex + "0",
           "spiffe://wott.local/device/" + hex.substr(0, 31),
           "spiffe://wott.local/devices/" + hex,
           "spiffe://wott.local//device/" + hex,
           "SPIFFE://wott.local/device/" + hex,
           "https://wott.local/device/" + hex,
           hex,
       }) {
    EXPECT_FALSE(DeviceId::FromSpiffeUri(bad, kDefaultDomain).ok()) << bad;
  }
}

TEST(DeviceIdTest, OrderingFollowsHex) {
  Result<DeviceId> a = DeviceId::FromHex("00000000000000000000000000000000");
  Result<DeviceId> b = DeviceId::FromHex("00000000000000000000000000000001");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_LT(*a, *b);
  EXPECT_NE(*a, *b);
}

TEST(ValidateDomainTest, AcceptsSaneNames) {
  for (std::string_view good : {"wott.local", "example.org", "a", "x-1.corp.example", "123.example",
                                "xn--bcher-kva.example"}) {
    EXPECT_TRUE(ValidateDomain(good).ok()) << good;
  }
  EXPECT_TRUE(ValidateDomain(std::string(63, 'a') + ".example").ok());
  std::string long_ok;
  while (long_ok.size() < 180) long_ok += "abcdefgh.";
  long_ok += "com";
  ASSERT_LE(long_ok.size(), 200u);
  EXPECT_TRUE(ValidateDomain(long_ok).ok()) << long_ok;
}

TEST(ValidateDomainTest, RejectsBadNames) {
  std::string too_long;
  while (too_long.size() <= 200) too_long += "abcdefgh.";
  too_long += "com";
  for (const std::string& bad : std::vector<std::string>{
           std::string(),
           std::string("."),
           std::string("wott.local."),
           std::string(".wott.local"),
           std::string("wott..local"),
           std::string("Wott.local"),
           std::string("wott_local"),
           std::string("-wott.local"),
           std::string("wott-.local"),
           std::string("wott.local/x"),
           std::string("wott local"),
           std::string("wött.local"),
           std::string(64, 'a') + ".example",
           too_long,
       }) {
    Status s = ValidateDomain(bad);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace wott::pki
