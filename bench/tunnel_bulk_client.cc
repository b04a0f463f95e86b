// Issue 5's bulk load client and sink, driven by bench/tunnel-vs-stunnel-nginx. Replaces a
// python3 client and sink that cost as much CPU as the proxy under test.
//
//   tunnel_bulk_client send --port P --cert F --key F --ca F [--mib N] [--ciphersuites S]
//     One mTLS 1.3 connection to 127.0.0.1:P (client certificate F, server checked against
//     the CA file), N MiB (1024) sent in 64 KiB SSL_write calls, then close_notify and a TCP
//     FIN, then waits until the proxy closes (that is, until it has delivered everything).
//     Prints "mib_per_s=... seconds=... cipher=... client_cpu_s=...".
//   tunnel_bulk_client recv --port P --cert F --key F --ca F [--mib N] [--ciphersuites S]
//     The other direction: the same connection, then reads until the proxy closes and
//     checks that N MiB came. Prints the same line.
//   tunnel_bulk_client sink --port P [--seconds S] [--source-mib N]
//     Accepts on 127.0.0.1:P and discards what each connection sends (recv with MSG_TRUNC:
//     the kernel drops the bytes without copying them), then closes it and prints
//     "sink: N bytes". With --source-mib, first sends N MiB to each connection (sendfile
//     from a 1 MiB memfd: no copy) and ends its sending side. Exits after S seconds (3600).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
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

struct Connection {
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  int fd = -1;
  long mib = 1024;
};

// The mTLS 1.3 connection both directions use; false (printed) on failure.
bool Connect(std::map<std::string, std::string>& flags, Connection* c) {
  int port = std::atoi(flags["port"].c_str());
  c->mib = flags.count("mib") ? std::atol(flags["mib"].c_str()) : 1024;
  if (port <= 0 || port > 65535 || c->mib <= 0 || c->mib > 1 << 20 || flags["cert"].empty() ||
      flags["key"].empty() || flags["ca"].empty()) {
    return Fail("send and recv need --port, --cert, --key, --ca and a positive --mib") == 0;
  }
  c->ctx = SSL_CTX_new(TLS_client_method());
  if (c->ctx == nullptr) return Fail("SSL_CTX_new") == 0;
  SSL_CTX_set_min_proto_version(c->ctx, TLS1_3_VERSION);
  SSL_CTX_set_options(c->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);  // the proxy may end with a FIN
  if (flags.count("ciphersuites") &&
      SSL_CTX_set_ciphersuites(c->ctx, flags["ciphersuites"].c_str()) != 1) {
    return Fail("bad --ciphersuites") == 0;
  }
  if (SSL_CTX_use_certificate_chain_file(c->ctx, flags["cert"].c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(c->ctx, flags["key"].c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_load_verify_locations(c->ctx, flags["ca"].c_str(), nullptr) != 1) {
    return Fail("cannot load the certificate, key or CA file") == 0;
  }
  SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, nullptr);
  c->fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = Loopback(port);
  if (c->fd < 0 || connect(c->fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return Fail("cannot connect to 127.0.0.1:" + std::to_string(port)) == 0;
  }
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  c->ssl = SSL_new(c->ctx);
  SSL_set_fd(c->ssl, c->fd);
  if (SSL_connect(c->ssl) != 1) return Fail("TLS handshake failed") == 0;
  return true;
}

int Report(Connection& c, Clock::time_point t0, double cpu0) {
  double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("mib_per_s=%.0f seconds=%.3f cipher=%s client_cpu_s=%.2f\n", c.mib / seconds, seconds,
              SSL_get_cipher_name(c.ssl), CpuSeconds() - cpu0);
  SSL_free(c.ssl);
  close(c.fd);
  SSL_CTX_free(c.ctx);
  return 0;
}

int Send(std::map<std::string, std::string>& flags) {
  Connection c;
  if (!Connect(flags, &c)) return 1;
  std::vector<char> chunk(64 * 1024, 'x');
  const long writes = c.mib * 16;
  double cpu0 = CpuSeconds();
  auto t0 = Clock::now();
  for (long i = 0; i < writes; ++i) {
    size_t written = 0;
    if (SSL_write_ex(c.ssl, chunk.data(), chunk.size(), &written) != 1) {
      return Fail("write failed after " + std::to_string(i * 64) + " KiB");
    }
  }
  SSL_shutdown(c.ssl);  // close_notify
  shutdown(c.fd, SHUT_WR);
  char byte;
  size_t got = 0;
  while (SSL_read_ex(c.ssl, &byte, 1, &got) == 1) {
  }
  return Report(c, t0, cpu0);
}

int Recv(std::map<std::string, std::string>& flags) {
  Connection c;
  if (!Connect(flags, &c)) return 1;
  std::vector<char> buffer(64 * 1024);
  double cpu0 = CpuSeconds();
  auto t0 = Clock::now();
  unsigned long long total = 0;
  size_t got = 0;
  while (SSL_read_ex(c.ssl, buffer.data(), buffer.size(), &got) == 1) total += got;
  if (total != static_cast<unsigned long long>(c.mib) << 20) {
    return Fail("received " + std::to_string(total) + " bytes, expected " + std::to_string(c.mib) +
                " MiB");
  }
  return Report(c, t0, cpu0);
}

// A 1 MiB memory file for the source: sendfile() from it hands the socket page references,
// so sending costs no copy (the proxy, not the source, should use the core's time).
int SourceFile() {
  static const int fd = [] {
    int f = memfd_create("tunnel-bulk-source", 0);
    std::vector<char> data(1 << 20, 'y');
    if (f < 0 || write(f, data.data(), data.size()) != static_cast<ssize_t>(data.size())) {
      std::perror("memfd");
      std::_Exit(1);
    }
    return f;
  }();
  return fd;
}

void Drain(int fd, long source_mib) {
  for (long i = 0; i < source_mib; ++i) {
    off_t offset = 0;
    while (offset < (1 << 20)) {
      if (sendfile(fd, SourceFile(), &offset, (1 << 20) - offset) <= 0) break;
    }
    if (offset < (1 << 20)) break;
  }
  if (source_mib > 0) shutdown(fd, SHUT_WR);
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
  long source_mib = flags.count("source-mib") ? std::atol(flags["source-mib"].c_str()) : 0;
  signal(SIGPIPE, SIG_IGN);  // a peer gone mid-send (a port probe) is an error, not a kill
  if (port <= 0 || port > 65535 || limit <= 0 || source_mib < 0 || source_mib > 1 << 20) {
    return Fail("sink needs --port (1-65535)");
  }
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
    std::thread(Drain, fd, source_mib).detach();
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  if (argc < 2 || !ParseFlags(argc, argv, &flags)) {
    return Fail("usage: tunnel_bulk_client send|recv|sink --port P [...] (see the source)");
  }
  std::string mode = argv[1];
  if (mode == "send") return Send(flags);
  if (mode == "recv") return Recv(flags);
  if (mode == "sink") return Sink(flags);
  return Fail("unknown mode '" + mode + "' (send, recv or sink)");
}
