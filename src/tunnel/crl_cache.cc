#include "tunnel/crl_cache.h"

#include <spdlog/spdlog.h>

#include "agent/server_api.h"
#include "base/encoding.h"
#include "base/file.h"
#include "tunnel/credentials.h"

namespace wott::tunnel {
namespace {
// Retry pause after a failed fetch (bounded by the refresh interval).
constexpr Duration kRetryPause = std::chrono::seconds(5);
}  // namespace

bool CrlCache::Stale() const {
  return der_.empty() || !next_update_ || clock_->Now() >= *next_update_;
}

bool CrlCache::MaybeRefresh() {
  TimePoint now = clock_->Now();
  bool due = !fetched_at_ || now >= *fetched_at_ + refresh_interval_ ||
             (next_update_ && now >= *next_update_ - refresh_interval_);
  if (!due) return false;
  if (last_attempt_ && !last_error_.empty() &&
      now < *last_attempt_ + std::min(kRetryPause, refresh_interval_)) {
    return false;
  }
  last_attempt_ = now;
  Result<std::string> der = fetch_();
  Result<TimePoint> next = der.ok() ? CrlNextUpdate(*der) : Result<TimePoint>(der.status());
  if (!next.ok()) {
    std::string error = next.status().message();
    if (error != last_error_) spdlog::warn("tunnel: cannot refresh the CRL: {}", error);
    last_error_ = error;
    return false;
  }
  if (!last_error_.empty()) spdlog::info("tunnel: CRL refreshed again");
  last_error_.clear();
  fetched_at_ = now;
  next_update_ = *next;
  if (*der == der_) return false;
  der_ = std::move(*der);
  spdlog::info("tunnel: new CRL loaded (next update {})", FormatRfc3339(*next_update_));
  return true;
}

Result<std::string> FetchCrlFromServer(const agent::AgentPaths& paths) {
  ASSIGN_OR_RETURN(agent::AgentConfig config, agent::LoadAgentConfig(paths));
  ASSIGN_OR_RETURN(std::string bundle, ReadFile(paths.certs / "ca.crt"));
  ASSIGN_OR_RETURN(net::HttpsClient client, agent::NewServerClient(bundle));
  ASSIGN_OR_RETURN(net::HttpResponse response,
                   client.Request("GET", agent::Endpoint(config.server_url, "/v1/crl")));
  if (response.status != 200) return agent::ErrorFromResponse(response, "fetching the CRL");
  return std::move(response.body);
}

}  // namespace wott::tunnel
