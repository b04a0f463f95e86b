// Issue 5's bulk load client and sink, driven by bench/tunnel-vs-stunnel-nginx. Replaces a
// python3 client and sink that cost as much CPU as the proxy under test.
//
//   tunnel_bulk_client send --port P --cert F --key F --ca F [--mib N] [--ciphersuites S]
//     One mTLS 1.3 connection to 127.0.0.1:P (client certificate F, server checked against
//     the CA file), N MiB (1024) sent in 64 KiB SSL_write calls, then close_notify and a TCP
//     FIN, then waits until the proxy closes (that is, until it has delivered everything).
//     Prints "mib_per_s=... seconds=... cipher=... client_cpu_s=...".
//   tunnel_bulk_client sink --port P [--seconds S]
//     Accepts on 127.0.0.1:P and discards what each connection sends (recv with MSG_TRUNC:
//     the kernel drops the bytes without copying them), then closes it and prints
//     "sink: N bytes". Exits after S seconds (3600).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

int Fail(const std::string& what) {
  std::fprintf(stderr, "tunnel_bulk_client: %s\n", what.c_str());
  ERR_print_errors_fp(stderr);
  return 1;
}

// "--name value" pairs after the mode; false on a stray argument.
bool ParseFlags(int argc, char** argv, std::map<std::string, std::string>* flags) {
  for (int i = 2; i < argc; i += 2) {
    if (std::strncmp(argv[i], "--", 2) != 0 || i + 1 >= argc) return false;
    (*flags)[argv[i] + 2] = argv[i + 1];
  }
  return true;
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

sockaddr_in Loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

int Send(std::map<std::string, std::string>& flags) {
  int port = std::atoi(flags["port"].c_str());
  long mib = flags.count("mib") ? std::atol(flags["mib"].c_str()) : 1024;
  if (port <= 0 || port > 65535 || mib <= 0 || mib > 1 << 20 || flags["cert"].empty() ||
      flags["key"].empty() || flags["ca"].empty()) {
    return Fail("send needs --port, --cert, --key, --ca and a positive --mib");
  }
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return Fail("SSL_CTX_new");
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);  // the proxy may end with a FIN
  if (flags.count("ciphersuites") &&
      SSL_CTX_set_ciphersuites(ctx, flags["ciphersuites"].c_str()) != 1) {
    return Fail("bad --ciphersuites");
  }
  if (SSL_CTX_use_certificate_chain_file(ctx, flags["cert"].c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, flags["key"].c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_load_verify_locations(ctx, flags["ca"].c_str(), nullptr) != 1) {
    return Fail("cannot load the certificate, key or CA file");
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);

  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = Loopback(port);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return Fail("cannot connect to 127.0.0.1:" + std::to_string(port));
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  if (SSL_connect(ssl) != 1) return Fail("TLS handshake failed");

  std::vector<char> chunk(64 * 1024, 'x');
  const long writes = mib * 16;
  double cpu0 = CpuSeconds();
  auto t0 = Clock::now();
  for (long i = 0; i < writes; ++i) {
    size_t written = 0;
    if (SSL_write_ex(ssl, chunk.data(), chunk.size(), &written) != 1) {
      return Fail("write failed after " + std::to_string(i * 64) + " KiB");
    }
  }
  SSL_shutdown(ssl);  // close_notify
  shutdown(fd, SHUT_WR);
  char byte;
  size_t got = 0;
  while (SSL_read_ex(ssl, &byte, 1, &got) == 1) {
  }
  double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("mib_per_s=%.0f seconds=%.3f cipher=%s client_cpu_s=%.2f\n", mib / seconds, seconds,
              SSL_get_cipher_name(ssl), CpuSeconds() - cpu0);
  SSL_free(ssl);
  close(fd);
  SSL_CTX_free(ctx);
  return 0;
}

void Drain(int fd) {
  unsigned long long total = 0;
  static char scratch[1 << 16];  // MSG_TRUNC on TCP never writes into it
  for (;;) {
    ssize_t n = recv(fd, scratch, sizeof(scratch) * 16, MSG_TRUNC);
    if (n <= 0) break;
    total += static_cast<unsigned long long>(n);
  }
  close(fd);
  std::printf("sink: %llu bytes\n", total);
  std::fflush(stdout);
}

int Sink(std::map<std::string, std::string>& flags) {
  int port = std::atoi(flags["port"].c_str());
  int limit = flags.count("seconds") ? std::atoi(flags["seconds"].c_str()) : 3600;
  if (port <= 0 || port > 65535 || limit <= 0) return Fail("sink needs --port (1-65535)");
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr = Loopback(port);
  if (listener < 0 || bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(listener, 512) != 0) {
    return Fail("cannot listen on 127.0.0.1:" + std::to_string(port));
  }
  std::thread([limit] {
    std::this_thread::sleep_for(std::chrono::seconds(limit));
    std::_Exit(0);
  }).detach();
  for (;;) {
    int fd = accept(listener, nullptr, nullptr);
    if (fd < 0) continue;
    std::thread(Drain, fd).detach();
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  if (argc < 2 || !ParseFlags(argc, argv, &flags)) {
    return Fail("usage: tunnel_bulk_client send|sink --port P [...] (see the source)");
  }
  std::string mode = argv[1];
  if (mode == "send") return Send(flags);
  if (mode == "sink") return Sink(flags);
  return Fail("unknown mode '" + mode + "' (send or sink)");
}
