// Fuzzes the `wott-server db import` file parser (cmd/wott-server/db_dump_json.*): JSON lines
// from an export, possibly edited or truncated by hand. Invariant on an accepted file: the
// dump written back as JSON lines parses again, and writing that gives the same text (the
// format is a fixed point after one round).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cmd/wott-server/db_dump_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  wott::Result<wott::store::RegistryDump> dump = wott::cmd::RegistryDumpFromJsonLines(input);
  if (!dump.ok()) return 0;
  const std::string written = wott::cmd::RegistryDumpToJsonLines(*dump);
  wott::Result<wott::store::RegistryDump> again = wott::cmd::RegistryDumpFromJsonLines(written);
  if (!again.ok()) std::abort();  // our own output must read back
  if (wott::cmd::RegistryDumpToJsonLines(*again) != written) std::abort();
  return 0;
}
