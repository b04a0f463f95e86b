// OpenSSL error-queue handling. OpenSSL keeps a per-thread queue of errors; every failed
// call must be followed by draining it, or a stale error is blamed on a later call.
// These functions only touch the calling thread's queue.
#ifndef WOTT_OSSL_ERROR_H_
#define WOTT_OSSL_ERROR_H_

#include <string>

#include "base/status.h"

namespace wott::ossl {

// Empties the calling thread's error queue and returns its entries as one line
// ("error:...; error:..."), or "" when it was empty.
std::string DrainErrors();

// A Status with `code` and the user-safe `message`; the drained error queue becomes the
// internal detail.
Status ErrorStatus(StatusCode code, std::string message);

}  // namespace wott::ossl

#endif  // WOTT_OSSL_ERROR_H_
