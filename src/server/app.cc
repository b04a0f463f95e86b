#include "server/app.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <csignal>

#include "audit/vuln_db.h"
#include "ossl/tls_context.h"
#include "pki/certificate.h"
#include "server/metrics.h"
#include "server/routes.h"
#include "server/web_assets.h"

namespace wott::server {

Result<std::pair<std::string, uint16_t>> ParseListenAddress(std::string_view listen) {
  auto bad = [&] {
    return InvalidArgument("invalid listen address '" + std::string(listen) +
                           "' (want HOST:PORT, e.g. 0.0.0.0:8443 or [::1]:8443)");
  };
  size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return bad();
  std::string_view host = listen.substr(0, colon);
  std::string_view port_text = listen.substr(colon + 1);
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3) return bad();
    host = host.substr(1, host.size() - 2);
  }
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port > 65535 ||
      port_text.empty()) {
    return bad();
  }
  return std::pair{std::string(host), static_cast<uint16_t>(port)};
}

App::~App() {
  if (server_) server_->Stop();
}

Result<std::unique_ptr<App>> App::Start(const AppOptions& options, const Clock* clock) {
  ASSIGN_OR_RETURN(auto address, ParseListenAddress(options.listen));
  if (!options.web_root.empty()) RETURN_IF_ERROR(CheckWebRoot(options.web_root));
  ASSIGN_OR_RETURN(pki::LoadedCa ca, pki::LoadCa(options.data_dir));

  // The server's TLS identity and the anchors that verify client (device) certificates.
  ossl::TlsContextOptions tls;
  tls.role = ossl::TlsRole::kServer;
  ASSIGN_OR_RETURN(tls.certificate_chain_pem, pki::ChainToPem(ca.server_chain));
  ASSIGN_OR_RETURN(tls.private_key_pem, pki::PrivateKeyToPem(ca.server_key.get()));
  tls.trust_anchors_pem = ca.bundle_pem;
  tls.peer_verification = ossl::PeerVerification::kOptional;
  ASSIGN_OR_RETURN(auto ssl_context, ossl::BuildTlsContext(tls));

  auto app = std::unique_ptr<App>(new App());
  std::string dsn =
      options.db.empty() ? "sqlite:" + (options.data_dir / "registry.db").string() : options.db;
  Result<std::unique_ptr<store::Store>> store = store::OpenStore(dsn);
  if (!store.ok()) return store.status().WithContext("opening the registry");
  app->store_ = std::move(*store);
  CaServiceOptions ca_options = options.ca;
  // Findings match against the data `wott-server cve import` keeps in the data dir.
  if (ca_options.vulndb_path.empty()) {
    ca_options.vulndb_path = options.data_dir / audit::kVulnDbFileName;
  }
  if (!ca_options.metrics) ca_options.metrics = std::make_shared<ServerMetrics>(app->store_.get());
  std::shared_ptr<ServerMetrics> metrics = ca_options.metrics;
  ASSIGN_OR_RETURN(app->ca_,
                   CaService::Create(std::move(ca), app->store_.get(), clock, ca_options));
  app->router_ = std::make_unique<net::Router>();
  RETURN_IF_ERROR(AddRoutes(*app->router_, *app->ca_, options.web_root));

  net::HttpsServerOptions server_options;
  server_options.address = address.first;
  server_options.port = address.second;
  server_options.ssl_context = std::move(ssl_context);
  server_options.io_threads = options.io_threads;
  server_options.worker_threads = options.worker_threads;
  // Heartbeats may carry a device's package list (docs/API.md); every other route keeps
  // the default 64 KiB.
  server_options.path_body_limits = {{"/v1/ping", 4 * 1024 * 1024}};
  server_options.on_request = [metrics](const net::RequestRecord& r) {
    metrics->ObserveRequest(r);
    spdlog::info("request method={} route={} status={} latency_us={} peer={} remote={}{}{}",
                 r.method, r.route.empty() ? r.target : r.route, r.status, r.latency.count(),
                 r.peer_identity.empty() ? "-" : r.peer_identity, r.remote_address,
                 r.error.empty() ? "" : " error=", r.error);
  };
  net::Router* router = app->router_.get();
  app->server_ = std::make_unique<net::HttpsServer>(
      std::move(server_options),
      [router](net::HttpRequest& request) { return router->Dispatch(request); });
  RETURN_IF_ERROR(app->server_->Start());
  return app;
}

}  // namespace wott::server
