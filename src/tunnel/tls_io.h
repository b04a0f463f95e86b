// TLS directly on a non-blocking socket: the OpenSSL half of the tunnel's connection I/O,
// kept free of Asio so it compiles fast and can be tested with a socketpair. proxy.cc drives
// these steps and waits for readiness (wait_read / wait_write) when a step says so.
//
// Memory: an idle connection holds no record buffer (SSL_MODE_RELEASE_BUFFERS) and no copy
// buffer (a copy buffer is borrowed from a BufferPool only once the socket is readable).
//
// Thread safety: the step functions are as thread-safe as the SSL they are given (one
// thread at a time per SSL). BufferPool is thread-safe.
#ifndef WOTT_TUNNEL_TLS_IO_H_
#define WOTT_TUNNEL_TLS_IO_H_

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "ossl/unique_ptr.h"

namespace wott::tunnel {

// Attaches `ssl` to the connected, non-blocking socket `fd` (not owned: freeing the SSL does
// not close it) with SSL_MODE_RELEASE_BUFFERS, partial writes and read-ahead. kInternal when
// OpenSSL cannot allocate the socket BIO.
Status AttachToSocket(SSL* ssl, int fd);

// The outcome of one OpenSSL call on a non-blocking socket.
struct TlsStep {
  enum Kind {
    kDone,       // handshake complete / `bytes` read or written
    kWantRead,   // wait until the socket is readable, then call again
    kWantWrite,  // wait until the socket is writable, then call again (same arguments)
    kEof,        // the peer ended its sending side (close_notify or TCP FIN)
    kError,      // fatal; `error` says why (OpenSSL's reason, e.g. "certificate required")
  };
  Kind kind = kDone;
  size_t bytes = 0;
  std::string error;
};

// One SSL_do_handshake call. REQUIRES: the SSL is in connect or accept state.
TlsStep HandshakeStep(SSL* ssl);
// One SSL_read into data[0, size). REQUIRES: size > 0.
TlsStep ReadStep(SSL* ssl, char* data, size_t size);
// SSL_read calls into data[0, size) until it is full or OpenSSL stops: every record already
// received (and whatever one read() of the socket brings) in one call. `bytes` is what was
// read in total (possibly > 0 with any kind); `kind` is kDone when the buffer filled up, else
// why the last call stopped (kWantRead: nothing more to read now). REQUIRES: size > 0.
TlsStep ReadBatch(SSL* ssl, char* data, size_t size);
// One SSL_write of data[0, size) (may write less: partial writes are on). After kWantWrite
// or kWantRead, call again with the same data. REQUIRES: size > 0.
TlsStep WriteStep(SSL* ssl, const char* data, size_t size);

// True when OpenSSL holds unread bytes (decrypted or not), so a readiness wait would not see
// them.
bool HasBufferedInput(const SSL* ssl);

// A small pool of fixed-size copy buffers. Borrowed buffers return to the pool when their
// handle goes away; the pool keeps at most `max_free` of them and frees the rest.
class BufferPool {
 public:
  class Handle;

  BufferPool(size_t buffer_size, size_t max_free)
      : buffer_size_(buffer_size), max_free_(max_free) {}
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  // REQUIRES: the pool outlives the handle.
  Handle Borrow();
  size_t buffer_size() const { return buffer_size_; }
  // Buffers waiting in the pool (for tests).
  size_t free_count() const;

  class Handle {
   public:
    Handle() = default;
    Handle(Handle&& other) noexcept : pool_(other.pool_), data_(std::move(other.data_)) {}
    Handle& operator=(Handle&& other) noexcept;
    ~Handle() { Release(); }
    char* data() const { return data_.get(); }
    // Gives the buffer back now (idempotent).
    void Release();

   private:
    friend class BufferPool;
    Handle(BufferPool* pool, std::unique_ptr<char[]> data) : pool_(pool), data_(std::move(data)) {}
    BufferPool* pool_ = nullptr;
    std::unique_ptr<char[]> data_;
  };

 private:
  void Return(std::unique_ptr<char[]> data);

  const size_t buffer_size_;
  const size_t max_free_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<char[]>> free_;
};

}  // namespace wott::tunnel

#endif  // WOTT_TUNNEL_TLS_IO_H_
