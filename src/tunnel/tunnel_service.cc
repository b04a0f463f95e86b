#include "tunnel/tunnel_service.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <set>

#include "base/encoding.h"
#include "pki/device_id.h"

namespace wott::tunnel {
namespace {

bool HasRules(const PeerRules& r) {
  return r.allow_all || !r.common_names.empty() || !r.dns_names.empty() || !r.uris.empty() ||
         !r.devices.empty() || !r.policies.empty();
}

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

std::string Rfc3339OrNull(const std::optional<TimePoint>& t) {
  return t ? FormatRfc3339(*t) : std::string();
}

}  // namespace

Status ValidateServiceOptions(const ServiceOptions& options) {
  if (options.tunnels.empty()) return InvalidArgument("no tunnel configured");
  std::set<std::string> names;
  for (const TunnelConfig& t : options.tunnels) {
    const std::string& name = t.listener.name;
    auto fail = [&](const std::string& what) {
      return InvalidArgument(options.tunnels.size() > 1 ? "tunnel '" + name + "': " + what : what);
    };
    if (name.empty()) return InvalidArgument("a tunnel needs a name");
    if (!names.insert(name).second) return InvalidArgument("tunnel name '" + name + "' used twice");
    if (t.listener.listen.empty()) return fail("--listen is required");
    if (t.listener.target.empty()) return fail("--target is required");
    Result<std::pair<std::string, uint16_t>> listen = SplitHostPort(t.listener.listen, "--listen");
    if (!listen.ok()) return fail(listen.status().message());
    Result<std::pair<std::string, uint16_t>> target = SplitHostPort(t.listener.target, "--target");
    if (!target.ok()) return fail(target.status().message());
    if (target->second == 0) return fail("--target needs a port other than 0");
    if (t.listener.side == Side::kServer && !t.unsafe_target && !IsLoopback(target->first)) {
      return fail("--target " + t.listener.target +
                  " is not on this machine: the plain TCP leg would cross the network "
                  "(--unsafe-target to allow)");
    }
    if (t.listener.side == Side::kClient && !t.unsafe_listen && !IsLoopback(listen->first)) {
      return fail("--listen " + t.listener.listen +
                  " is not a loopback address: other machines could use this device's identity "
                  "(--unsafe-listen to allow)");
    }
    if (t.listener.side == Side::kServer) {
      if (!HasRules(t.rules)) {
        return fail(
            "a tunnel server needs an access rule: --allow-all, --allow-cn, --allow-device, "
            "--allow-uri, --allow-dns or --allow-policy");
      }
      if (!t.listener.server_name.empty()) {
        return fail("--override-server-name is for tunnel client only");
      }
    } else if (t.rules.allow_all || !t.rules.common_names.empty() || !t.rules.uris.empty() ||
               !t.rules.dns_names.empty() || !t.rules.policies.empty()) {
      return fail(
          "--allow-* rules are for tunnel server; a client checks the server with "
          "--verify-device or --override-server-name");
    }
    if (t.listener.side == Side::kClient) {
      for (const std::string& device : t.rules.devices) {
        if (!pki::DeviceId::Parse(device, t.rules.domain).ok()) {
          return fail("--verify-device '" + device +
                      "' is not a device ID (32 lowercase hex, or <hex>.d." + t.rules.domain + ")");
        }
      }
    }
    if (HasRules(t.rules)) {
      Result<PeerPolicy> p = PeerPolicy::Create(t.rules);
      if (!p.ok()) return fail(p.status().message());
    }
    if (t.listener.max_connections < 1) return fail("--max-connections must be at least 1");
  }
  if (options.crl_fail_open && !options.check_crl) {
    return InvalidArgument("--crl-fail-open and --no-crl cannot be combined");
  }
  if (options.crl_refresh <= Duration::zero()) {
    return InvalidArgument("--crl-refresh must be positive");
  }
  if (options.policy_refresh <= Duration::zero()) {
    return InvalidArgument("--policy-refresh must be positive");
  }
  if (!options.status_address.empty()) {
    Result<std::pair<std::string, uint16_t>> s = SplitHostPort(options.status_address, "--status");
    if (!s.ok()) return s.status();
  }
  return Status::Ok();
}

TunnelService::~TunnelService() { Stop(); }

std::pair<FileStamp, FileStamp> TunnelService::Stamps(const TunnelConfig& config) {
  auto stamp = [](const std::filesystem::path& p) {
    FileStamp s;
    struct stat st;
    if (::stat(p.c_str(), &st) == 0) {
      s = {st.st_dev, st.st_ino, st.st_size,
           static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
    }
    return s;
  };
  return {stamp(config.keystore), stamp(config.cacert)};
}

CrlMode TunnelService::CurrentCrlMode() const {
  if (!options_.check_crl) return CrlMode::kOff;
  if (crl_->Stale() && options_.crl_fail_open) return CrlMode::kOff;
  return CrlMode::kRequired;
}

Status TunnelService::Rebuild(Tunnel& t, const char* why) {
  auto stamps = Stamps(t.config);
  std::string crl_der = options_.check_crl ? crl_->der() : std::string();
  Result<std::shared_ptr<const Credentials>> creds =
      Credentials::Load(t.config.listener.side, t.config.keystore, t.config.cacert, t.policy,
                        CurrentCrlMode(), std::move(crl_der));
  if (!creds.ok()) {
    if (t.store->Current() == nullptr) return creds.status();  // start-up: the caller reports
    if (!t.failed || *t.failed != stamps) {
      spdlog::error("tunnel {}: reload ({}) failed, keeping the current credentials: {}",
                    t.config.listener.name, why, creds.status().message());
    }
    t.failed = stamps;
    return creds.status();
  }
  bool new_cert =
      t.store->Current() == nullptr || t.store->Current()->serial() != (*creds)->serial();
  t.store->Swap(*creds);
  t.stamps = stamps;
  t.failed.reset();
  t.loaded_at = RealClock::Instance().Now();
  spdlog::info("tunnel {}: credentials loaded ({}): {} serial {} valid until {}{}",
               t.config.listener.name, why, (*creds)->common_name(), (*creds)->serial(),
               FormatRfc3339((*creds)->not_after()), new_cert ? "" : " (same certificate)");
  return Status::Ok();
}

void TunnelService::ApplyCrl(Tunnel& t) {
  std::shared_ptr<const Credentials> current = t.store->Current();
  if (current == nullptr) return;
  CredentialInputs inputs = current->inputs();
  inputs.crl_mode = CurrentCrlMode();
  inputs.crl_der = options_.check_crl ? crl_->der() : std::string();
  Result<std::shared_ptr<const Credentials>> creds = Credentials::Build(std::move(inputs));
  if (!creds.ok()) {
    spdlog::error("tunnel {}: cannot apply the new CRL: {}", t.config.listener.name,
                  creds.status().message());
    return;
  }
  t.store->Swap(*creds);
  spdlog::info("tunnel {}: CRL applied (revocation check {})", t.config.listener.name,
               (*creds)->inputs().crl_mode == CrlMode::kRequired ? "on" : "off: fail-open");
}

Result<std::unique_ptr<TunnelService>> TunnelService::Create(ServiceOptions options,
                                                             CrlCache::Fetch fetch_crl,
                                                             PolicyCache::Fetch fetch_policy) {
  RETURN_IF_ERROR(ValidateServiceOptions(options));
  std::unique_ptr<TunnelService> service(new TunnelService(std::move(options)));
  ServiceOptions& o = service->options_;
  if (!fetch_crl) {
    agent::AgentPaths paths(o.agent_dir);
    fetch_crl = [paths] { return FetchCrlFromServer(paths); };
  }
  service->crl_ =
      std::make_unique<CrlCache>(std::move(fetch_crl), &RealClock::Instance(), o.crl_refresh);
  if (o.check_crl) {
    service->crl_->MaybeRefresh();
    if (service->crl_->Stale()) {
      spdlog::warn(o.crl_fail_open
                       ? "tunnel: no current CRL; --crl-fail-open: peers are accepted without "
                         "the revocation check until one is fetched"
                       : "tunnel: no current CRL; every peer is refused until one is fetched "
                         "(fail closed; --crl-fail-open or --no-crl to change)");
    }
    service->crl_was_usable_ = !service->crl_->Stale();
  }
  if (!fetch_policy) {
    agent::AgentPaths paths(o.agent_dir);
    fetch_policy = [paths](const std::string& name, const std::string& etag) {
      return FetchPolicyFromServer(paths, name, etag);
    };
  }
  PeerPolicy::PolicyViews views;
  for (const TunnelConfig& config : o.tunnels) {
    for (const std::string& name : config.rules.policies) {
      if (service->policies_.contains(name)) continue;
      auto cache = std::make_unique<PolicyCache>(name, fetch_policy, &RealClock::Instance(),
                                                 o.policy_refresh);
      cache->MaybeRefresh();  // a failure is logged; the policy allows nobody until fetched
      views[name] = cache->view();
      service->policies_[name] = std::move(cache);
    }
  }
  service->runtime_ = std::make_unique<Runtime>(o.io_threads);
  for (TunnelConfig& config : o.tunnels) {
    auto t = std::make_unique<Tunnel>();
    t->config = config;
    if (HasRules(config.rules)) {
      ASSIGN_OR_RETURN(PeerPolicy policy, PeerPolicy::Create(config.rules, views));
      t->policy = std::make_shared<const PeerPolicy>(std::move(policy));
    }
    RETURN_IF_ERROR(service->Rebuild(*t, "start-up"));
    ASSIGN_OR_RETURN(t->port_index,
                     service->runtime_->AddListener(config.listener, t->store, t->metrics));
    service->tunnels_.push_back(std::move(t));
  }
  if (!o.status_address.empty()) {
    TunnelService* self = service.get();
    ASSIGN_OR_RETURN(
        size_t index,
        service->runtime_->AddStatusListener(
            o.status_address, [self](const std::string& path) -> StatusReply {
              if (path == "/_status") {
                return {200, "application/json", self->StatusJson()};
              }
              if (path == "/metrics") {
                return {200, "text/plain; version=0.0.4; charset=utf-8", self->MetricsText()};
              }
              return {404, "text/plain; charset=utf-8", "not found\n"};
            }));
    service->status_index_ = index;
  }
  service->PublishStatus();
  return service;
}

void TunnelService::Start() { runtime_->Start(); }

void TunnelService::Stop() {
  if (runtime_) runtime_->Stop();
}

void TunnelService::Tick(bool force) {
  bool crl_changed = false;
  if (options_.check_crl) {
    crl_changed = crl_->MaybeRefresh();
    bool usable = !crl_->Stale();
    if (usable != crl_was_usable_) {
      if (!usable) {
        spdlog::warn(options_.crl_fail_open
                         ? "tunnel: the CRL is past its nextUpdate and cannot be refreshed; "
                           "--crl-fail-open: accepting peers without the revocation check"
                         : "tunnel: the CRL is past its nextUpdate and cannot be refreshed; "
                           "refusing every peer (fail closed)");
      }
      crl_changed = true;
    }
    crl_was_usable_ = usable;
  }
  // Policies: the views change in place; nothing to rebuild.
  for (auto& [name, cache] : policies_) cache->MaybeRefresh();
  for (auto& t : tunnels_) {
    auto stamps = Stamps(t->config);
    Status rebuilt = Status::Ok();
    bool from_files = false;
    if (force) {
      rebuilt = Rebuild(*t, "SIGHUP");
      from_files = true;
    } else if (stamps != t->stamps && (!t->failed || *t->failed != stamps)) {
      rebuilt = Rebuild(*t, "files changed");
      from_files = true;
    }
    // A new CRL must take effect even while the files are broken: apply it to the current
    // snapshot's inputs.
    if (crl_changed && (!from_files || !rebuilt.ok())) ApplyCrl(*t);
  }
  PublishStatus();
}

uint16_t TunnelService::port(size_t tunnel) const {
  return tunnel < tunnels_.size() ? runtime_->port(tunnels_[tunnel]->port_index) : 0;
}

uint16_t TunnelService::status_port() const {
  return status_index_ ? runtime_->port(*status_index_) : 0;
}

void TunnelService::PublishStatus() {
  nlohmann::json crl = {{"checked", options_.check_crl}, {"fail_open", options_.crl_fail_open}};
  if (options_.check_crl) {
    crl["fetched_at"] = Rfc3339OrNull(crl_->fetched_at());
    crl["next_update"] = Rfc3339OrNull(crl_->next_update());
    crl["stale"] = crl_->Stale();
    crl["last_error"] = crl_->last_error();
  }
  nlohmann::json listeners = nlohmann::json::array();
  for (const auto& t : tunnels_) {
    auto creds = t->store->Current();
    nlohmann::json l = {
        {"name", t->config.listener.name},
        {"side", t->config.listener.side == Side::kServer ? "server" : "client"},
        {"listen", t->config.listener.listen},
        {"port", runtime_->port(t->port_index)},
        {"target", t->config.listener.target},
        {"keystore", t->config.keystore.string()},
        {"cacert", t->config.cacert.string()},
        {"reload_failed", t->failed.has_value()},
    };
    if (creds) {
      l["credentials"] = {{"common_name", creds->common_name()},
                          {"serial", creds->serial()},
                          {"not_after", FormatRfc3339(creds->not_after())},
                          {"loaded_at", Rfc3339OrNull(t->loaded_at)},
                          {"crl_checked", creds->inputs().crl_mode == CrlMode::kRequired}};
    }
    listeners.push_back(std::move(l));
  }
  nlohmann::json policies = nlohmann::json::object();
  for (const auto& [name, cache] : policies_) {
    std::shared_ptr<const PolicySnapshot> s = cache->current();
    nlohmann::json p = {{"fetched", s != nullptr},
                        {"last_success", Rfc3339OrNull(cache->last_success())},
                        {"last_error", cache->last_error()},
                        {"fetches_ok", cache->fetched_ok()},
                        {"fetches_not_modified", cache->not_modified()},
                        {"fetches_failed", cache->failed()}};
    if (s) {
      p["version"] = s->version;
      p["devices"] = s->device_hex.size();
      p["etag"] = s->etag;
    }
    policies[name] = std::move(p);
  }
  nlohmann::json out = {{"listeners", std::move(listeners)},
                        {"crl", std::move(crl)},
                        {"policies", std::move(policies)}};
  std::lock_guard lock(mu_);
  published_ = out.dump();
}

std::string TunnelService::StatusJson() const {
  nlohmann::json out;
  {
    std::lock_guard lock(mu_);
    out = nlohmann::json::parse(published_);
  }
  TimePoint now = RealClock::Instance().Now();
  if (out["crl"].contains("fetched_at") && !out["crl"]["fetched_at"].get<std::string>().empty()) {
    Result<TimePoint> at = ParseRfc3339(out["crl"]["fetched_at"].get<std::string>());
    if (at.ok()) {
      out["crl"]["age_seconds"] =
          std::chrono::duration_cast<std::chrono::seconds>(now - *at).count();
    }
  }
  for (size_t i = 0; i < tunnels_.size() && i < out["listeners"].size(); ++i) {
    const ListenerMetrics& m = *tunnels_[i]->metrics;
    nlohmann::json denied = nlohmann::json::object();
    for (size_t r = 0; r < static_cast<size_t>(DenyReason::kCount); ++r) {
      auto reason = static_cast<DenyReason>(r);
      if (m.denied(reason) > 0) denied[std::string(DenyReasonLabel(reason))] = m.denied(reason);
    }
    out["listeners"][i]["counts"] = {{"accepted", m.accepted()},
                                     {"denied", m.denied_total()},
                                     {"denied_by_reason", denied},
                                     {"open", m.open()}};
  }
  return out.dump(2) + "\n";
}

std::string TunnelService::MetricsText() const {
  std::vector<std::pair<std::string, std::shared_ptr<const ListenerMetrics>>> all;
  for (const auto& t : tunnels_) all.emplace_back(t->config.listener.name, t->metrics);
  std::string out = ListenerMetrics::RenderAll(all);
  if (policies_.empty()) return out;
  // The caches' counters are atomics; the snapshot is an atomic shared_ptr: safe from here.
  out +=
      "# HELP wott_tunnel_policy_fetches_total Fetches of each central policy by result.\n"
      "# TYPE wott_tunnel_policy_fetches_total counter\n";
  for (const auto& [name, cache] : policies_) {
    out += "wott_tunnel_policy_fetches_total{policy=\"" + name + "\",result=\"ok\"} " +
           std::to_string(cache->fetched_ok()) + "\n";
    out += "wott_tunnel_policy_fetches_total{policy=\"" + name + "\",result=\"not_modified\"} " +
           std::to_string(cache->not_modified()) + "\n";
    out += "wott_tunnel_policy_fetches_total{policy=\"" + name + "\",result=\"failed\"} " +
           std::to_string(cache->failed()) + "\n";
  }
  out +=
      "# HELP wott_tunnel_policy_devices Devices the policy allows now (0 before the first "
      "fetch).\n# TYPE wott_tunnel_policy_devices gauge\n";
  for (const auto& [name, cache] : policies_) {
    std::shared_ptr<const PolicySnapshot> s = cache->current();
    out += "wott_tunnel_policy_devices{policy=\"" + name + "\"} " +
           std::to_string(s ? s->device_hex.size() : 0) + "\n";
  }
  out +=
      "# HELP wott_tunnel_policy_version The policy version in use (0 before the first "
      "fetch).\n# TYPE wott_tunnel_policy_version gauge\n";
  for (const auto& [name, cache] : policies_) {
    std::shared_ptr<const PolicySnapshot> s = cache->current();
    out += "wott_tunnel_policy_version{policy=\"" + name + "\"} " +
           std::to_string(s ? s->version : 0) + "\n";
  }
  return out;
}

}  // namespace wott::tunnel
