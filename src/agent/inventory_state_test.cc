#include "agent/inventory_state.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace wott::agent {
namespace {

namespace fs = std::filesystem;

class InventoryStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/inventory-state-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(InventoryStateTest, MissingFileIsEmptyAndSaveRoundTrips) {
  AgentPaths paths(dir_);
  EXPECT_EQ(paths.inventory_state, dir_ / "state/inventory.json");
  Result<InventoryState> empty = LoadInventoryState(paths);
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(empty->acknowledged_hash, "");
  InventoryState s;
  s.acknowledged_hash = std::string(64, 'a');
  s.refused_hash = std::string(64, 'b');
  ASSERT_TRUE(SaveInventoryState(paths, s).ok());  // creates DIR/state
  struct stat st {};
  ASSERT_EQ(::stat(paths.inventory_state.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Result<InventoryState> back = LoadInventoryState(paths);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->acknowledged_hash, s.acknowledged_hash);
  EXPECT_EQ(back->refused_hash, s.refused_hash);
}

TEST_F(InventoryStateTest, MalformedFileIsAnErrorNamingIt) {
  AgentPaths paths(dir_);
  fs::create_directories(dir_ / "state");
  std::ofstream(paths.inventory_state) << "{\"acknowledged_hash\": 7}";
  Result<InventoryState> r = LoadInventoryState(paths);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("inventory.json"), std::string::npos) << r.status();
  EXPECT_FALSE(ParseInventoryState("not json").ok());
  EXPECT_FALSE(ParseInventoryState("[]").ok());
  EXPECT_FALSE(ParseInventoryState(R"({"refused_hash": ")" + std::string(65, 'a') + "\"}").ok());
  EXPECT_TRUE(ParseInventoryState("{}").ok());
}

}  // namespace
}  // namespace wott::agent
