// Prometheus metrics: a small registry of counters, histograms and scrape-time gauges,
// rendered in the Prometheus text exposition format 0.0.4, and ServerMetrics, the set
// wott-server exports on GET /metrics.
//
// A family has a name, a help text and a fixed list of label names; it holds one child per
// distinct tuple of label values, created on first use and kept for the registry's life.
// Callers must keep label values bounded (route patterns, not raw paths).
//
// Thread safety: families are registered during start-up from one thread. After that every
// method may be called from any thread at once: updates to a child are lock-free atomics;
// finding a child takes a shared lock (an exclusive one the first time a tuple is seen).
#ifndef WOTT_SERVER_METRICS_H_
#define WOTT_SERVER_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "net/http.h"
#include "net/https_server.h"

namespace wott::store {
class Store;
}

namespace wott::server {

class CaService;

// True for a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*).
bool IsValidMetricName(std::string_view name);
// True for a valid label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with "__").
bool IsValidLabelName(std::string_view name);
// A sample value as the text format writes it: shortest round-trip decimal, "+Inf",
// "-Inf", "NaN".
std::string FormatSampleValue(double value);
// `value` with backslash, double quote and line feed escaped, for a label value.
std::string EscapeLabelValue(std::string_view value);

// A monotonically increasing count.
class Counter {
 public:
  void Increment(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Counts observations into buckets by upper bound (le), plus their sum.
class Histogram {
 public:
  // REQUIRES: `bounds` is non-empty, finite and strictly increasing.
  explicit Histogram(const std::vector<double>& bounds);

  void Observe(double value);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // one per bound, then the +Inf bucket (== count)
    double sum = 0;
  };
  // A snapshot whose +Inf bucket equals the sum of the buckets, even while other threads
  // observe (sum may lag by the observations in flight).
  Snapshot Read() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1, not cumulative
  std::atomic<double> sum_{0};
};

// Base of every family.
class MetricFamily {
 public:
  MetricFamily(std::string name, std::string help, std::vector<std::string> label_names)
      : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}
  virtual ~MetricFamily() = default;

  const std::string& name() const { return name_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  // Appends the family (# HELP, # TYPE, samples sorted by label values) to `out`.
  virtual void Render(std::string& out) const = 0;

 protected:
  // Appends the # HELP and # TYPE lines.
  void RenderHeader(std::string& out, std::string_view type) const;
  // `name{l1="v1",...,extra}` where `extra` (already formatted, e.g. le="0.5") is optional.
  std::string SampleName(std::string_view suffix, const std::vector<std::string>& values,
                         std::string_view extra = {}) const;

 private:
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
};

// A family of children of type T, one per tuple of label values.
template <typename T>
class ChildMap {
 public:
  using Values = std::vector<std::string>;

  // The child for `values`, created with `make` when new. The reference stays valid for
  // the map's life.
  template <typename Make>
  T& Get(const Values& values, Make make) {
    {
      std::shared_lock lock(mu_);
      auto it = children_.find(values);
      if (it != children_.end()) return *it->second;
    }
    std::unique_lock lock(mu_);
    auto [it, inserted] = children_.try_emplace(values);
    if (inserted) it->second = make();
    return *it->second;
  }

  // Calls fn(values, child) for every child, sorted by values.
  template <typename Fn>
  void ForEach(Fn fn) const {
    std::shared_lock lock(mu_);
    for (const auto& [values, child] : children_) fn(values, *child);
  }

 private:
  mutable std::shared_mutex mu_;
  std::map<Values, std::unique_ptr<T>> children_;
};

class CounterFamily : public MetricFamily {
 public:
  using MetricFamily::MetricFamily;
  // REQUIRES: values.size() == label_names().size().
  Counter& WithLabels(const std::vector<std::string>& values);
  void Render(std::string& out) const override;

 private:
  ChildMap<Counter> children_;
};

class HistogramFamily : public MetricFamily {
 public:
  // REQUIRES: as Histogram's `bounds`; no label is named "le".
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> bounds)
      : MetricFamily(std::move(name), std::move(help), std::move(label_names)),
        bounds_(std::move(bounds)) {}
  // REQUIRES: values.size() == label_names().size().
  Histogram& WithLabels(const std::vector<std::string>& values);
  void Render(std::string& out) const override;

 private:
  std::vector<double> bounds_;
  ChildMap<Histogram> children_;
};

// A gauge whose samples are read when the registry renders (e.g. from a database).
struct GaugeSample {
  std::vector<std::string> label_values;
  double value = 0;
};
using GaugeCollector = std::function<Result<std::vector<GaugeSample>>()>;

class CollectedGaugeFamily : public MetricFamily {
 public:
  CollectedGaugeFamily(std::string name, std::string help, std::vector<std::string> label_names,
                       GaugeCollector collect)
      : MetricFamily(std::move(name), std::move(help), std::move(label_names)),
        collect_(std::move(collect)) {}
  // Runs the collector; on failure the family is left out of this rendering (a missing
  // series, not a wrong one) and the error is logged.
  void Render(std::string& out) const override;

 private:
  GaugeCollector collect_;
};

// Owns families and renders them in registration order.
class MetricsRegistry {
 public:
  // Each returns a family that lives as long as the registry.
  // REQUIRES: IsValidMetricName(name), every label name IsValidLabelName, and the name is
  // not registered yet.
  CounterFamily& AddCounter(std::string name, std::string help,
                            std::vector<std::string> label_names);
  HistogramFamily& AddHistogram(std::string name, std::string help,
                                std::vector<std::string> label_names, std::vector<double> bounds);
  void AddCollectedGauge(std::string name, std::string help, std::vector<std::string> label_names,
                         GaugeCollector collect);

  // The whole exposition, in text format 0.0.4.
  std::string Render() const;

 private:
  std::vector<std::unique_ptr<MetricFamily>> families_;
};

// What an issuance request asked for.
enum class IssuanceKind { kEnroll, kRenew, kRecover };
// "enroll", "renew", "recover".
std::string_view IssuanceKindName(IssuanceKind kind);

// The metrics of wott-server:
//   wott_http_requests_total{route,method,status}   counter
//   wott_http_request_duration_seconds{route}       histogram
//   wott_certificates_issued_total{kind}            counter
//   wott_certificate_requests_refused_total{kind,reason}  counter (reason: status code name)
//   wott_devices{status}                            gauge, read from the registry per scrape
//   wott_build_info{version}                        gauge, always 1
// `route` is the matched route pattern ("/v1/devices/{id}/certificate") or "unmatched";
// `method` is a standard method name or "other": both stay bounded whatever clients send.
class ServerMetrics {
 public:
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";
  // The latency histogram's bucket bounds, in seconds.
  static const std::vector<double>& LatencyBounds();

  // `store` is read for wott_devices at each Render; null leaves that family out.
  // `store` must outlive this object.
  explicit ServerMetrics(store::Store* store);

  // Counts one response; fast enough for HttpsServerOptions::on_request (I/O thread).
  void ObserveRequest(const net::RequestRecord& record);
  // Counts the outcome of one Enroll / Renew / Recover: issued when `outcome` is ok,
  // refused with reason StatusCodeName(outcome.code()) otherwise.
  void CountIssuance(IssuanceKind kind, const Status& outcome);

  std::string Render() const { return registry_.Render(); }

 private:
  MetricsRegistry registry_;
  CounterFamily* requests_ = nullptr;
  HistogramFamily* latency_ = nullptr;
  CounterFamily* refused_ = nullptr;
  std::array<Counter*, 3> issued_{};  // by IssuanceKind
};

// GET /metrics: ca.metrics() rendered as text/plain; version=0.0.4. 404 when the service
// has no metrics. Public, like Prometheus endpoints usually are: it shows counts only.
net::HttpResponse HandleMetrics(CaService& ca, const net::HttpRequest& request);

}  // namespace wott::server

#endif  // WOTT_SERVER_METRICS_H_
