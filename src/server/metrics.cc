#include "server/metrics.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>

#include "store/store.h"

#ifndef WOTT_SERVER_VERSION
#define WOTT_SERVER_VERSION "unknown"
#endif

namespace wott::server {
namespace {

bool IsNameChar(char c, bool allow_colon, bool first) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (c == ':') return allow_colon;
  return !first && c >= '0' && c <= '9';
}

bool IsValidName(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i], allow_colon, i == 0)) return false;
  }
  return true;
}

// HELP text escaping: only backslash and line feed (quotes stay as they are).
std::string EscapeHelp(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

bool IsValidMetricName(std::string_view name) { return IsValidName(name, true); }

bool IsValidLabelName(std::string_view name) {
  return IsValidName(name, false) && !name.starts_with("__");
}

std::string FormatSampleValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Whole numbers (counts, device totals) as integers: to_chars would write 1e+05.
  if (std::abs(value) < 9007199254740992.0 && value == std::trunc(value)) {
    return std::to_string(static_cast<int64_t>(value));
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  if (ec != std::errc()) return "NaN";  // cannot happen with 64 bytes
  return std::string(buf, end);
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// ---- Histogram ----

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), buckets_(new std::atomic<uint64_t>[bounds.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  // First bucket whose upper bound is >= value ("le"); past the last one is +Inf.
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.cumulative.reserve(bounds_.size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(total);
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

// ---- Families ----

void MetricFamily::RenderHeader(std::string& out, std::string_view type) const {
  out += "# HELP " + name_ + " " + EscapeHelp(help_) + "\n";
  out += "# TYPE " + name_ + " ";
  out += type;
  out += "\n";
}

std::string MetricFamily::SampleName(std::string_view suffix,
                                     const std::vector<std::string>& values,
                                     std::string_view extra) const {
  std::string out = name_;
  out += suffix;
  if (label_names_.empty() && extra.empty()) return out;
  out += '{';
  for (size_t i = 0; i < label_names_.size(); ++i) {
    if (i > 0) out += ',';
    out += label_names_[i] + "=\"" + EscapeLabelValue(values[i]) + "\"";
  }
  if (!extra.empty()) {
    if (!label_names_.empty()) out += ',';
    out += extra;
  }
  out += '}';
  return out;
}

Counter& CounterFamily::WithLabels(const std::vector<std::string>& values) {
  assert(values.size() == label_names().size());
  return children_.Get(values, [] { return std::make_unique<Counter>(); });
}

void CounterFamily::Render(std::string& out) const {
  RenderHeader(out, "counter");
  children_.ForEach([&](const std::vector<std::string>& values, const Counter& c) {
    out += SampleName("", values) + " " + std::to_string(c.value()) + "\n";
  });
}

Histogram& HistogramFamily::WithLabels(const std::vector<std::string>& values) {
  assert(values.size() == label_names().size());
  return children_.Get(values, [this] { return std::make_unique<Histogram>(bounds_); });
}

void HistogramFamily::Render(std::string& out) const {
  RenderHeader(out, "histogram");
  children_.ForEach([&](const std::vector<std::string>& values, const Histogram& h) {
    Histogram::Snapshot s = h.Read();
    for (size_t i = 0; i < s.cumulative.size(); ++i) {
      std::string le = i < bounds_.size() ? FormatSampleValue(bounds_[i]) : "+Inf";
      out += SampleName("_bucket", values, "le=\"" + le + "\"") + " " +
             std::to_string(s.cumulative[i]) + "\n";
    }
    out += SampleName("_sum", values) + " " + FormatSampleValue(s.sum) + "\n";
    out += SampleName("_count", values) + " " + std::to_string(s.cumulative.back()) + "\n";
  });
}

void CollectedGaugeFamily::Render(std::string& out) const {
  Result<std::vector<GaugeSample>> samples = collect_();
  if (!samples.ok()) {
    spdlog::warn("metrics: {} left out of this scrape: {}", name(), samples.status().ToString());
    return;
  }
  std::sort(samples->begin(), samples->end(), [](const GaugeSample& a, const GaugeSample& b) {
    return a.label_values < b.label_values;
  });
  RenderHeader(out, "gauge");
  for (const GaugeSample& s : *samples) {
    if (s.label_values.size() != label_names().size()) continue;  // collector bug: skip
    out += SampleName("", s.label_values) + " " + FormatSampleValue(s.value) + "\n";
  }
}

// ---- Registry ----

namespace {

[[maybe_unused]] bool ValidFamily(const std::vector<std::unique_ptr<MetricFamily>>& families,
                                  std::string_view name,
                                  const std::vector<std::string>& label_names) {
  if (!IsValidMetricName(name)) return false;
  for (const std::string& l : label_names) {
    if (!IsValidLabelName(l)) return false;
  }
  return std::none_of(families.begin(), families.end(),
                      [&](const auto& f) { return f->name() == name; });
}

}  // namespace

CounterFamily& MetricsRegistry::AddCounter(std::string name, std::string help,
                                           std::vector<std::string> label_names) {
  assert(ValidFamily(families_, name, label_names));
  auto family =
      std::make_unique<CounterFamily>(std::move(name), std::move(help), std::move(label_names));
  CounterFamily& ref = *family;
  families_.push_back(std::move(family));
  return ref;
}

HistogramFamily& MetricsRegistry::AddHistogram(std::string name, std::string help,
                                               std::vector<std::string> label_names,
                                               std::vector<double> bounds) {
  assert(ValidFamily(families_, name, label_names));
  assert(std::find(label_names.begin(), label_names.end(), "le") == label_names.end());
  assert(!bounds.empty() && std::is_sorted(bounds.begin(), bounds.end()) &&
         std::adjacent_find(bounds.begin(), bounds.end()) == bounds.end() &&
         std::isfinite(bounds.back()));
  auto family = std::make_unique<HistogramFamily>(std::move(name), std::move(help),
                                                  std::move(label_names), std::move(bounds));
  HistogramFamily& ref = *family;
  families_.push_back(std::move(family));
  return ref;
}

void MetricsRegistry::AddCollectedGauge(std::string name, std::string help,
                                        std::vector<std::string> label_names,
                                        GaugeCollector collect) {
  assert(ValidFamily(families_, name, label_names));
  families_.push_back(std::make_unique<CollectedGaugeFamily>(
      std::move(name), std::move(help), std::move(label_names), std::move(collect)));
}

std::string MetricsRegistry::Render() const {
  std::string out;
  for (const auto& family : families_) family->Render(out);
  return out;
}

// ---- ServerMetrics ----

std::string_view IssuanceKindName(IssuanceKind kind) {
  switch (kind) {
    case IssuanceKind::kEnroll:
      return "enroll";
    case IssuanceKind::kRenew:
      return "renew";
    case IssuanceKind::kRecover:
      return "recover";
  }
  return "unknown";
}

namespace {

// Methods outside this list are counted as "other", so clients cannot add label values.
std::string_view BoundedMethod(std::string_view method) {
  static constexpr std::string_view kKnown[] = {"GET",    "HEAD",    "POST", "PUT",
                                                "DELETE", "OPTIONS", "PATCH"};
  for (std::string_view known : kKnown) {
    if (method == known) return known;
  }
  return "other";
}

}  // namespace

const std::vector<double>& ServerMetrics::LatencyBounds() {
  // Issuance takes about a millisecond; a slow registry or a queue shows in the upper ones.
  static const std::vector<double> bounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                             0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return bounds;
}

ServerMetrics::ServerMetrics(store::Store* store) {
  requests_ = &registry_.AddCounter("wott_http_requests_total",
                                    "HTTP responses sent, by route pattern, method and status.",
                                    {"route", "method", "status"});
  latency_ = &registry_.AddHistogram(
      "wott_http_request_duration_seconds",
      "Time from the first request byte to the last response byte, by route pattern.", {"route"},
      LatencyBounds());
  CounterFamily& issued = registry_.AddCounter(
      "wott_certificates_issued_total",
      "Device certificates issued and committed to the registry, by request kind.", {"kind"});
  for (IssuanceKind kind : {IssuanceKind::kEnroll, IssuanceKind::kRenew, IssuanceKind::kRecover}) {
    issued_[static_cast<size_t>(kind)] = &issued.WithLabels({std::string(IssuanceKindName(kind))});
  }
  refused_ = &registry_.AddCounter(
      "wott_certificate_requests_refused_total",
      "Enroll, renew and recover requests that got no certificate, by kind and status code.",
      {"kind", "reason"});
  if (store != nullptr) {
    registry_.AddCollectedGauge(
        "wott_devices", "Devices in the registry, by status (read at scrape time).", {"status"},
        [store]() -> Result<std::vector<GaugeSample>> {
          ASSIGN_OR_RETURN(store::DeviceCounts counts, store->CountDevicesByStatus());
          std::vector<GaugeSample> samples;
          for (auto [status, n] : {std::pair{store::DeviceStatus::kActive, counts.active},
                                   std::pair{store::DeviceStatus::kRevoked, counts.revoked},
                                   std::pair{store::DeviceStatus::kDeleted, counts.deleted}}) {
            samples.push_back(
                {{std::string(store::DeviceStatusName(status))}, static_cast<double>(n)});
          }
          return samples;
        });
  }
  registry_.AddCollectedGauge("wott_build_info", "Always 1; the labels describe this build.",
                              {"version"}, []() -> Result<std::vector<GaugeSample>> {
                                return std::vector<GaugeSample>{{{WOTT_SERVER_VERSION}, 1}};
                              });
}

void ServerMetrics::ObserveRequest(const net::RequestRecord& record) {
  // Requests no route matched (404, and errors the server answered before routing) share
  // one label value: raw paths would make the series count unbounded.
  std::string route = record.route.empty() ? "unmatched" : std::string(record.route);
  requests_
      ->WithLabels(
          {route, std::string(BoundedMethod(record.method)), std::to_string(record.status)})
      .Increment();
  latency_->WithLabels({std::move(route)})
      .Observe(std::chrono::duration<double>(record.latency).count());
}

void ServerMetrics::CountIssuance(IssuanceKind kind, const Status& outcome) {
  if (outcome.ok()) {
    issued_[static_cast<size_t>(kind)]->Increment();
    return;
  }
  refused_
      ->WithLabels(
          {std::string(IssuanceKindName(kind)), std::string(StatusCodeName(outcome.code()))})
      .Increment();
}

}  // namespace wott::server
