#include "tunnel/metrics.h"

#include <cstdio>

namespace wott::tunnel {
namespace {

std::string Labels(std::string_view name) { return "listener=\"" + std::string(name) + "\""; }

std::string FormatDouble(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

}  // namespace

std::string_view DenyReasonLabel(DenyReason reason) {
  switch (reason) {
    case DenyReason::kNoCertificate:
      return "no_certificate";
    case DenyReason::kUntrusted:
      return "untrusted";
    case DenyReason::kRevoked:
      return "revoked";
    case DenyReason::kCrlUnavailable:
      return "crl_unavailable";
    case DenyReason::kPolicy:
      return "policy";
    case DenyReason::kPosture:
      return "posture";
    case DenyReason::kHandshake:
      return "handshake";
    case DenyReason::kHandshakeTimeout:
      return "handshake_timeout";
    case DenyReason::kConnectionLimit:
      return "connection_limit";
    case DenyReason::kTargetUnreachable:
      return "target_unreachable";
    case DenyReason::kCount:
      break;
  }
  return "unknown";
}

void ListenerMetrics::ObserveHandshake(std::chrono::nanoseconds latency) {
  double seconds = std::chrono::duration<double>(latency).count();
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      buckets_[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  handshakes_.fetch_add(1, std::memory_order_relaxed);
  handshake_nanos_.fetch_add(static_cast<uint64_t>(latency.count()), std::memory_order_relaxed);
}

uint64_t ListenerMetrics::denied_total() const {
  uint64_t total = 0;
  for (const auto& d : denied_) total += d.load(std::memory_order_relaxed);
  return total;
}

std::string ListenerMetrics::RenderAll(
    const std::vector<std::pair<std::string, std::shared_ptr<const ListenerMetrics>>>& all) {
  std::string out;
  out +=
      "# HELP wott_tunnel_connections_accepted_total Connections whose peer was allowed and "
      "proxied.\n# TYPE wott_tunnel_connections_accepted_total counter\n";
  for (const auto& [name, m] : all) {
    out += "wott_tunnel_connections_accepted_total{" + Labels(name) + "} " +
           std::to_string(m->accepted()) + "\n";
  }
  out +=
      "# HELP wott_tunnel_connections_denied_total Connections refused, by reason.\n"
      "# TYPE wott_tunnel_connections_denied_total counter\n";
  for (const auto& [name, m] : all) {
    for (size_t r = 0; r < static_cast<size_t>(DenyReason::kCount); ++r) {
      auto reason = static_cast<DenyReason>(r);
      out += "wott_tunnel_connections_denied_total{" + Labels(name) + ",reason=\"" +
             std::string(DenyReasonLabel(reason)) + "\"} " + std::to_string(m->denied(reason)) +
             "\n";
    }
  }
  out +=
      "# HELP wott_tunnel_bytes_total Bytes proxied, by direction.\n"
      "# TYPE wott_tunnel_bytes_total counter\n";
  for (const auto& [name, m] : all) {
    out += "wott_tunnel_bytes_total{" + Labels(name) + ",direction=\"to_target\"} " +
           std::to_string(m->bytes_to_target_.load()) + "\n";
    out += "wott_tunnel_bytes_total{" + Labels(name) + ",direction=\"from_target\"} " +
           std::to_string(m->bytes_from_target_.load()) + "\n";
  }
  out +=
      "# HELP wott_tunnel_open_connections Connections being proxied now.\n"
      "# TYPE wott_tunnel_open_connections gauge\n";
  for (const auto& [name, m] : all) {
    out += "wott_tunnel_open_connections{" + Labels(name) + "} " + std::to_string(m->open()) + "\n";
  }
  out +=
      "# HELP wott_tunnel_handshake_seconds TLS handshake latency of completed handshakes.\n"
      "# TYPE wott_tunnel_handshake_seconds histogram\n";
  for (const auto& [name, m] : all) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += m->buckets_[i].load();
      out += "wott_tunnel_handshake_seconds_bucket{" + Labels(name) + ",le=\"" +
             FormatDouble(kBuckets[i]) + "\"} " + std::to_string(cumulative) + "\n";
    }
    uint64_t count = m->handshakes_.load();
    out += "wott_tunnel_handshake_seconds_bucket{" + Labels(name) + ",le=\"+Inf\"} " +
           std::to_string(count) + "\n";
    out += "wott_tunnel_handshake_seconds_sum{" + Labels(name) + "} " +
           FormatDouble(static_cast<double>(m->handshake_nanos_.load()) / 1e9) + "\n";
    out +=
        "wott_tunnel_handshake_seconds_count{" + Labels(name) + "} " + std::to_string(count) + "\n";
  }
  return out;
}

}  // namespace wott::tunnel
