// Issue 2's benchmark: "CSR in -> signed device certificate out" against the floor of the
// same work done with raw OpenSSL calls: verifying the CSR's signature and making one
// signature over a certificate-sized message with the CA key. Prints the ratio per key type.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <cstdlib>
#include <string>

#include "bench/ratio_reporter.h"
#include "ossl/digest.h"
#include "pki/certificate.h"
#include "pki/csr.h"
#include "pki/issuer.h"
#include "pki/key.h"

namespace wott::bench {
namespace {

using pki::KeyType;

// A CA (root signing directly is enough: the work per certificate is the same) and a CSR.
struct Fixture {
  explicit Fixture(KeyType type) {
    pki::PrivateKey ca_key = *pki::GenerateKey(type);
    pki::Certificate root =
        *pki::MakeRootCertificate(ca_key.get(), "bench", "wott", pki::kRootLifetime, clock.Now());
    issuer = std::make_unique<pki::Issuer>(
        *pki::Issuer::Create(std::move(root), std::move(ca_key), {}, &clock));
    pki::PrivateKey device_key = *pki::GenerateKey(type);
    csr = *pki::CsrToPem(pki::CreateCsr(device_key.get(), "")->get());
    // A certificate-sized message for the raw-sign reference.
    pki::Certificate sample = *issuer->IssueDevice(*pki::DeviceId::Generate(), device_key.get());
    tbs.assign(static_cast<size_t>(i2d_re_X509_tbs(sample.get(), nullptr)), 'x');
  }
  RealClock clock;
  std::unique_ptr<pki::Issuer> issuer;
  std::string csr;
  std::string tbs;
};

Fixture& FixtureFor(KeyType type) {
  static Fixture* fixtures[3] = {};
  int i = static_cast<int>(type);
  if (fixtures[i] == nullptr) fixtures[i] = new Fixture(type);
  return *fixtures[i];
}

// The whole server-side path as CaService::Sign runs it: parse + verify the CSR PEM,
// assign an ID, encode and sign the certificate from the issuer's template, PEM and
// fingerprint from the same DER.
void BM_CsrToCertificate(benchmark::State& state) {
  Fixture& f = FixtureFor(static_cast<KeyType>(state.range(0)));
  for (auto _ : state) {
    Result<pki::VerifiedCsr> csr = pki::ParseAndVerifyCsrForIssuance(f.csr);
    Result<pki::DeviceId> id = pki::DeviceId::Generate();
    Result<pki::EncodedCertificate> cert = f.issuer->IssueDeviceDerForCsr(*id, *csr);
    if (!cert.ok()) state.SkipWithError("issuance failed");
    std::string pem = pki::DerToPem(cert->der, "CERTIFICATE");
    std::string fingerprint = ossl::Sha256Hex(cert->der);
    benchmark::DoNotOptimize(pem);
    benchmark::DoNotOptimize(fingerprint);
  }
}

// The same through the generic X509 path (IssueDeviceForCsr, PEM_write_bio_X509,
// X509_digest), the server's path before the template.
void BM_CsrToCertificateGeneric(benchmark::State& state) {
  Fixture& f = FixtureFor(static_cast<KeyType>(state.range(0)));
  for (auto _ : state) {
    Result<pki::VerifiedCsr> csr = pki::ParseAndVerifyCsrForIssuance(f.csr);
    Result<pki::DeviceId> id = pki::DeviceId::Generate();
    Result<pki::Certificate> cert = f.issuer->IssueDeviceForCsr(*id, *csr);
    Result<std::string> pem = pki::CertificateToPem(cert->get());
    if (!pem.ok()) state.SkipWithError("issuance failed");
    std::string fingerprint = pki::Sha256Fingerprint(cert->get());
    benchmark::DoNotOptimize(pem);
    benchmark::DoNotOptimize(fingerprint);
  }
}

// The floor: X509_REQ_verify on an already parsed CSR plus one EVP_DigestSign.
void BM_RawVerifyPlusSign(benchmark::State& state) {
  Fixture& f = FixtureFor(static_cast<KeyType>(state.range(0)));
  pki::Csr csr = *pki::ParseCsr(f.csr);
  EVP_PKEY* ca_key = f.issuer->key();
  const EVP_MD* md = EVP_PKEY_get_base_id(ca_key) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
  unsigned char sig[1024];
  for (auto _ : state) {
    if (X509_REQ_verify(csr.get(), X509_REQ_get0_pubkey(csr.get())) != 1) {
      state.SkipWithError("verify failed");
    }
    auto ctx = ossl::Own(EVP_MD_CTX_new());
    size_t sig_len = sizeof sig;
    if (EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, ca_key) != 1 ||
        EVP_DigestSign(ctx.get(), sig, &sig_len,
                       reinterpret_cast<const unsigned char*>(f.tbs.data()), f.tbs.size()) != 1) {
      state.SkipWithError("sign failed");
    }
    benchmark::DoNotOptimize(sig);
  }
}

BENCHMARK(BM_CsrToCertificate)
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->ArgName("key")
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CsrToCertificateGeneric)
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->ArgName("key")
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RawVerifyPlusSign)
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->ArgName("key")
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace wott::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  wott::bench::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf("\nkey 0 = p256, 1 = ed25519, 2 = rsa3072. Goal (issue 2): p256 ratio <= 1.3\n");
  for (const char* key : {"0", "1", "2"}) {
    reporter.PrintRatio(std::string("BM_CsrToCertificate/key:") + key,
                        std::string("BM_RawVerifyPlusSign/key:") + key);
    reporter.PrintRatio(std::string("BM_CsrToCertificateGeneric/key:") + key,
                        std::string("BM_RawVerifyPlusSign/key:") + key);
  }
  benchmark::Shutdown();
  return 0;
}
