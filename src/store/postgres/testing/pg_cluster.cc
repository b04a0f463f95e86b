#include "store/postgres/testing/pg_cluster.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <sstream>

namespace wott::store::testing {
namespace {

namespace fs = std::filesystem;

// The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl, or
// $WOTT_PG_BINDIR.
std::string FindBinDir() {
  std::error_code ec;
  if (const char* env = getenv("WOTT_PG_BINDIR"); env && *env) {
    return fs::exists(fs::path(env) / "initdb", ec) ? env : "";
  }
  std::string best;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    fs::path bin = entry.path() / "bin";
    if (fs::exists(bin / "initdb") && fs::exists(bin / "pg_ctl") && bin.string() > best) {
      best = bin.string();
    }
  }
  return best;
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

std::string Tail(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream all;
  all << in.rdbuf();
  std::string text = all.str();
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

class Cluster {
 public:
  Result<std::string> NewDatabase() {
    std::lock_guard lock(mu_);
    if (!started_) {
      Status status = Start();
      if (!status.ok()) return status;
      started_ = true;
    }
    std::string name = "wott_test_" + std::to_string(++databases_);
    try {
      pqxx::connection admin(BaseUrl() + "/postgres");
      pqxx::nontransaction tx(admin);
      tx.exec("CREATE DATABASE " + name);
    } catch (const std::exception& e) {
      return Internal("cannot create a test database", e.what());
    }
    return BaseUrl() + "/" + name;
  }

  void Stop() {
    std::lock_guard lock(mu_);
    if (started_) {
      (void)Run(pg_ctl_ + " -D " + (dir_ / "data").string() + " -m immediate -w stop");
      started_ = false;
    }
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

 private:
  std::string BaseUrl() const { return "postgresql://postgres@127.0.0.1:" + std::to_string(port_); }

  // Runs `command` through the shell, as the postgres user when we are root.
  int Run(const std::string& command) {
    std::string line = "cd / && ";
    line += run_as_ + command + " >>" + (dir_ / "setup.log").string() + " 2>&1";
    return std::system(line.c_str());
  }

  Status Start() {
    std::string bin = FindBinDir();
    if (bin.empty()) {
      return FailedPrecondition(
          "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: the PostgreSQL "
          "store tests need them. Install Debian's postgresql package (scripts/install-deps) "
          "or set WOTT_PG_BINDIR.");
    }
    pg_ctl_ = bin + "/pg_ctl";
    const char* base = getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/wott-pg-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr)
      return Internal("cannot make a temp dir for PostgreSQL");
    dir_ = pattern;
    if (::geteuid() == 0) {
      passwd* pw = ::getpwnam("postgres");
      if (pw == nullptr) {
        return FailedPrecondition("running as root and there is no postgres user to run initdb");
      }
      if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        return Internal("cannot hand the temp dir to the postgres user");
      }
      run_as_ = "runuser -u postgres -- ";
    }
    const std::string data = (dir_ / "data").string();
    if (Run(bin + "/initdb -D " + data + " -U postgres -A trust --no-sync -E UTF8") != 0) {
      return Internal("initdb failed", Tail(dir_ / "setup.log"));
    }
    // Ports can be taken between the probe and the start: try a few.
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = FreePort();
      std::string options = "-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) + " -k " +
                            dir_.string() +
                            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                            "-c max_connections=200";
      if (Run(pg_ctl_ + " -D " + data + " -l " + (dir_ / "server.log").string() + " -w -o '" +
              options + "' start") == 0) {
        return Status::Ok();
      }
    }
    return Internal("PostgreSQL did not start", Tail(dir_ / "server.log"));
  }

  std::mutex mu_;
  bool started_ = false;
  fs::path dir_;
  std::string pg_ctl_;
  std::string run_as_;
  int port_ = 0;
  int databases_ = 0;
};

Cluster& TheCluster() {
  static Cluster* cluster = new Cluster;
  return *cluster;
}

class ClusterEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { TheCluster().Stop(); }
};

[[maybe_unused]] const auto* const kRegistered =
    ::testing::AddGlobalTestEnvironment(new ClusterEnvironment);

}  // namespace

Result<std::string> NewPostgresDatabaseUrl() { return TheCluster().NewDatabase(); }

Status ExecPostgresSql(const std::string& url, const std::string& sql) {
  try {
    pqxx::connection connection(url);
    pqxx::nontransaction tx(connection);
    tx.exec(sql);
  } catch (const std::exception& e) {
    return Internal("test SQL failed", e.what());
  }
  return Status::Ok();
}

}  // namespace wott::store::testing
