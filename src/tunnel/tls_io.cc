#include "tunnel/tls_io.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstring>

#include "ossl/error.h"

namespace wott::tunnel {
namespace {

// OpenSSL's reason for the oldest queued error ("peer did not return a certificate"), and
// the rest of the queue dropped so the next call starts clean.
std::string TakeErrorReason() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "TLS error";
  const char* reason = ERR_reason_error_string(code);
  if (reason != nullptr) return reason;
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

// Maps the result `rc` of an SSL_* call made with an empty error queue.
TlsStep Classify(SSL* ssl, int rc) {
  TlsStep step;
  int saved_errno = errno;
  switch (SSL_get_error(ssl, rc)) {
    case SSL_ERROR_NONE:
      step.kind = TlsStep::kDone;
      break;
    case SSL_ERROR_WANT_READ:
      step.kind = TlsStep::kWantRead;
      break;
    case SSL_ERROR_WANT_WRITE:
      step.kind = TlsStep::kWantWrite;
      break;
    case SSL_ERROR_ZERO_RETURN:  // close_notify, or a FIN (SSL_OP_IGNORE_UNEXPECTED_EOF)
      step.kind = TlsStep::kEof;
      break;
    case SSL_ERROR_SYSCALL:
      step.kind = TlsStep::kError;
      if (ERR_peek_error() != 0) {
        step.error = TakeErrorReason();
      } else if (saved_errno != 0) {
        step.error = std::strerror(saved_errno);
      } else {
        step.error = "connection closed by the peer";
      }
      break;
    default:  // SSL_ERROR_SSL and anything unexpected
      step.kind = TlsStep::kError;
      step.error = TakeErrorReason();
      break;
  }
  return step;
}

}  // namespace

Status AttachToSocket(SSL* ssl, int fd) {
  // SSL_set_fd makes a socket BIO with BIO_NOCLOSE: the socket stays ours to close.
  if (SSL_set_fd(ssl, fd) != 1) {
    return ossl::ErrorStatus(StatusCode::kInternal, "cannot attach TLS to the socket");
  }
  // Release buffers: OpenSSL frees its 17 KiB read and write record buffers whenever they
  // are empty, so an idle connection holds none. Partial writes: SSL_write returns after
  // each record, and a retry after WANT_WRITE may pass the same data at a new address.
  SSL_set_mode(ssl, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                        SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // Read ahead: one read() takes a record's header and body (and whatever follows) instead
  // of two; bytes read ahead are seen by HasBufferedInput, so no wait misses them.
  SSL_set_read_ahead(ssl, 1);
  // The read-ahead buffer stays OpenSSL's default (one record and a little more): a larger
  // one saves read() calls but OpenSSL 3.0 then moves all the unprocessed bytes to the buffer's
  // front before each record (payload alignment), which cost as much again (callgrind: +24 %
  // instructions with four records' room, and no lower CPU per GiB).
  return Status::Ok();
}

TlsStep HandshakeStep(SSL* ssl) {
  ERR_clear_error();
  errno = 0;
  int rc = SSL_do_handshake(ssl);
  if (rc == 1) return TlsStep{};
  TlsStep step = Classify(ssl, rc);
  if (step.kind == TlsStep::kEof) {  // a close_notify mid-handshake is a failed handshake
    step.kind = TlsStep::kError;
    step.error = "connection closed during the handshake";
  }
  return step;
}

TlsStep ReadStep(SSL* ssl, char* data, size_t size) {
  ERR_clear_error();
  errno = 0;
  size_t n = 0;
  int rc = SSL_read_ex(ssl, data, size, &n);
  if (rc == 1) return TlsStep{TlsStep::kDone, n, {}};
  return Classify(ssl, rc);
}

TlsStep ReadBatch(SSL* ssl, char* data, size_t size) {
  size_t total = 0;
  for (;;) {
    TlsStep step = ReadStep(ssl, data + total, size - total);
    total += step.bytes;
    if (step.kind != TlsStep::kDone || total == size) {
      step.bytes = total;
      return step;
    }
  }
}

TlsStep WriteStep(SSL* ssl, const char* data, size_t size) {
  ERR_clear_error();
  errno = 0;
  size_t n = 0;
  int rc = SSL_write_ex(ssl, data, size, &n);
  if (rc == 1) return TlsStep{TlsStep::kDone, n, {}};
  TlsStep step = Classify(ssl, rc);
  if (step.kind == TlsStep::kEof) {  // the peer's close_notify does not stop our sending
    step.kind = TlsStep::kError;
    step.error = "connection closed by the peer";
  }
  return step;
}

bool HasBufferedInput(const SSL* ssl) { return SSL_has_pending(ssl) == 1; }

BufferPool::Handle BufferPool::Borrow() {
  {
    std::lock_guard lock(mu_);
    if (!free_.empty()) {
      std::unique_ptr<char[]> data = std::move(free_.back());
      free_.pop_back();
      return Handle(this, std::move(data));
    }
  }
  return Handle(this, std::make_unique_for_overwrite<char[]>(buffer_size_));
}

size_t BufferPool::free_count() const {
  std::lock_guard lock(mu_);
  return free_.size();
}

void BufferPool::Return(std::unique_ptr<char[]> data) {
  std::lock_guard lock(mu_);
  if (free_.size() < max_free_) free_.push_back(std::move(data));
}

BufferPool::Handle& BufferPool::Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    Release();
    pool_ = other.pool_;
    data_ = std::move(other.data_);
  }
  return *this;
}

void BufferPool::Handle::Release() {
  if (data_ && pool_ != nullptr) pool_->Return(std::move(data_));
  data_.reset();
}

}  // namespace wott::tunnel
