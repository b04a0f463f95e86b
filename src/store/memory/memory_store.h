// MemoryStore: a process-local Store kept in maps, for unit tests of handlers and for the
// conformance suite. Same semantics as the SQLite backend (the shared rules.h/validate.h
// decide); nothing survives the object. Thread-safe: one mutex serialises every call, which
// also makes each multi-step operation atomic.
#ifndef WOTT_STORE_MEMORY_MEMORY_STORE_H_
#define WOTT_STORE_MEMORY_MEMORY_STORE_H_

#include <memory>

#include "store/store.h"

namespace wott::store {

// A new, empty in-memory registry.
std::unique_ptr<Store> NewMemoryStore();

}  // namespace wott::store

#endif  // WOTT_STORE_MEMORY_MEMORY_STORE_H_
