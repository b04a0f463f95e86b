// ListenerMetrics: counters of one tunnel listener (accepted and denied connections by
// reason, bytes each way, open connections, handshake latency histogram), and their
// Prometheus text rendering. All counters are atomics: safe to update from any thread.
#ifndef WOTT_TUNNEL_METRICS_H_
#define WOTT_TUNNEL_METRICS_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace wott::tunnel {

// Why a connection was not proxied. Bounded set: these are Prometheus label values.
enum class DenyReason {
  kNoCertificate,      // the peer sent no certificate
  kUntrusted,          // chain, validity or EKU check failed (foreign CA, expired, ...)
  kRevoked,            // listed in the CRL
  kCrlUnavailable,     // revocation required but no current CRL (fail closed)
  kPolicy,             // verified, but no allow rule matched
  kPosture,            // verified, matched a central policy's rules, refused for posture
  kHandshake,          // other TLS failure (protocol, cipher, the peer's alert, ...)
  kHandshakeTimeout,   // the handshake did not finish in time
  kConnectionLimit,    // too many open connections
  kTargetUnreachable,  // the target refused or timed out
  kCount,
};
std::string_view DenyReasonLabel(DenyReason reason);

class ListenerMetrics {
 public:
  // Upper bounds (seconds) of the handshake latency histogram buckets.
  static constexpr std::array<double, 10> kBuckets = {0.001, 0.002, 0.005, 0.01, 0.025,
                                                      0.05,  0.1,   0.25,  1.0,  5.0};

  void CountAccepted() { accepted_.fetch_add(1, std::memory_order_relaxed); }
  void CountDenied(DenyReason reason) {
    denied_[static_cast<size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
  }
  void AddBytes(uint64_t to_target, uint64_t from_target) {
    bytes_to_target_.fetch_add(to_target, std::memory_order_relaxed);
    bytes_from_target_.fetch_add(from_target, std::memory_order_relaxed);
  }
  void ObserveHandshake(std::chrono::nanoseconds latency);
  void ConnectionOpened() { open_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionClosed() { open_.fetch_sub(1, std::memory_order_relaxed); }

  uint64_t accepted() const { return accepted_.load(std::memory_order_relaxed); }
  uint64_t denied(DenyReason r) const {
    return denied_[static_cast<size_t>(r)].load(std::memory_order_relaxed);
  }
  uint64_t denied_total() const;
  int64_t open() const { return open_.load(std::memory_order_relaxed); }

  // The Prometheus text exposition of every listener's samples, labelled
  // listener="<name>", one family at a time (the format wants families contiguous).
  static std::string RenderAll(
      const std::vector<std::pair<std::string, std::shared_ptr<const ListenerMetrics>>>& all);

 private:
  std::atomic<uint64_t> accepted_{0};
  std::array<std::atomic<uint64_t>, static_cast<size_t>(DenyReason::kCount)> denied_{};
  std::atomic<uint64_t> bytes_to_target_{0};
  std::atomic<uint64_t> bytes_from_target_{0};
  std::atomic<int64_t> open_{0};
  std::array<std::atomic<uint64_t>, kBuckets.size()> buckets_{};  // non-cumulative
  std::atomic<uint64_t> handshakes_{0};
  std::atomic<uint64_t> handshake_nanos_{0};
};

}  // namespace wott::tunnel

#endif  // WOTT_TUNNEL_METRICS_H_
