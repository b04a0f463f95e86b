// TunnelService: one or more tunnel listeners in one process, plus what keeps them right
// over time (the "reloader"): it watches each listener's keystore and CA bundle (mtime,
// size and inode polling; the agent's ..data swap changes the inode) and reloads on
// SIGHUP; it refreshes the CRL and the central policies (--allow-policy). Each change builds a
// whole new Credentials snapshot and swaps it in: new connections use it, open ones keep theirs; a
// snapshot that fails to build (corrupt file, half-written file) is not used: the old one stays and
// the reason is logged once. A policy's new allowed set needs no new snapshot: PeerPolicy reads it
// through a shared PolicyView, so the next handshake sees it.
//
// Threads: the proxy runs on its own threads (Runtime). Start/Tick/Stop are called from one
// supervisor thread (the command's signal loop); StatusJson and MetricsText from any thread
// (the status listener's): Tick publishes what they show under a mutex.
#ifndef WOTT_TUNNEL_TUNNEL_SERVICE_H_
#define WOTT_TUNNEL_TUNNEL_SERVICE_H_

#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/agent_config.h"
#include "base/clock.h"
#include "base/result.h"
#include "tunnel/credentials.h"
#include "tunnel/crl_cache.h"
#include "tunnel/metrics.h"
#include "tunnel/peer_policy.h"
#include "tunnel/policy_cache.h"
#include "tunnel/proxy.h"

namespace wott::tunnel {

struct TunnelConfig {
  ListenerOptions listener;
  std::filesystem::path keystore;  // default DIR/certs/combined.pem
  std::filesystem::path cacert;    // default DIR/certs/ca.crt
  // Who may connect (server) / which server is accepted (client, --verify-device). Client
  // tunnels may leave every rule empty: any server certificate from the CA that is valid
  // for the server name.
  PeerRules rules;
  // As ghostunnel: a server forwards only to a loopback target and a client listens only on
  // loopback (plain TCP must not leave the machine) unless these are set.
  bool unsafe_target = false;  // --unsafe-target
  bool unsafe_listen = false;  // --unsafe-listen
};

struct ServiceOptions {
  std::vector<TunnelConfig> tunnels;
  // Where the agent's files are (agent.json for the server URL, to fetch the CRL).
  std::filesystem::path agent_dir = "/opt/wott";
  // false (--no-crl): no revocation check at all (an offline tunnel).
  bool check_crl = true;
  // true (--crl-fail-open): when no current CRL can be had, accept peers without the
  // revocation check (logged); default false = refuse every peer until a CRL is current.
  bool crl_fail_open = false;
  // How often the CRL is fetched again.
  Duration crl_refresh = std::chrono::hours(1);
  // How often each --allow-policy policy is fetched again (If-None-Match, so cheap).
  Duration policy_refresh = std::chrono::seconds(5);
  // "127.0.0.1:PORT" for /_status and /metrics; "" = none.
  std::string status_address;
  // Threads running the proxy's event loop.
  int io_threads = 2;
};

// Checks a configuration without touching files or sockets: names unique, listen and
// target addresses well-formed, rules valid for the side. kInvalidArgument naming the
// tunnel and the problem.
Status ValidateServiceOptions(const ServiceOptions& options);

// What identifies a file's version for change polling (zeros when it cannot be stat'ed).
struct FileStamp {
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

class TunnelService {
 public:
  // Validates, loads every listener's credentials (a broken file stops start-up), fetches
  // the CRL and each policy once (failure is logged; the CRL mode then decides, a policy not
  // fetched allows nobody), and binds every listener. Null fetch functions = the agent's
  // server.
  static Result<std::unique_ptr<TunnelService>> Create(ServiceOptions options,
                                                       CrlCache::Fetch fetch_crl = nullptr,
                                                       PolicyCache::Fetch fetch_policy = nullptr);
  ~TunnelService();

  void Start();
  void Stop();

  // Checks files and the CRL; rebuilds what changed. `force` (SIGHUP) rebuilds every
  // listener's credentials from its files.
  void Tick(bool force);

  // Bound ports, in the order of the tunnels; the status listener's port or 0.
  uint16_t port(size_t tunnel) const;
  uint16_t status_port() const;

  std::string StatusJson() const;
  std::string MetricsText() const;

 private:
  struct Tunnel {
    TunnelConfig config;
    std::shared_ptr<const PeerPolicy> policy;
    std::shared_ptr<CredentialStore> store = std::make_shared<CredentialStore>();
    std::shared_ptr<ListenerMetrics> metrics = std::make_shared<ListenerMetrics>();
    std::pair<FileStamp, FileStamp> stamps;  // of the files the snapshot was built from
    std::optional<std::pair<FileStamp, FileStamp>> failed;  // a change that did not build
    size_t port_index = 0;
    std::optional<TimePoint> loaded_at;
  };

  explicit TunnelService(ServiceOptions options) : options_(std::move(options)) {}
  static std::pair<FileStamp, FileStamp> Stamps(const TunnelConfig& config);
  // Builds a snapshot for `t` from its files and the CRL state; swaps it in on success.
  Status Rebuild(Tunnel& t, const char* why);
  // Rebuilds `t`'s current snapshot with the current CRL state (files not re-read).
  void ApplyCrl(Tunnel& t);
  CrlMode CurrentCrlMode() const;
  // Copies what StatusJson shows about files and the CRL (under mu_).
  void PublishStatus();

  ServiceOptions options_;
  std::unique_ptr<CrlCache> crl_;
  // One cache per policy name, shared by every tunnel that names it.
  std::map<std::string, std::unique_ptr<PolicyCache>> policies_;
  bool crl_was_usable_ = false;
  std::vector<std::unique_ptr<Tunnel>> tunnels_;
  std::unique_ptr<Runtime> runtime_;
  std::optional<size_t> status_index_;
  mutable std::mutex mu_;
  std::string published_;  // guarded by mu_: JSON of the listeners' and CRL state
};

}  // namespace wott::tunnel

#endif  // WOTT_TUNNEL_TUNNEL_SERVICE_H_
