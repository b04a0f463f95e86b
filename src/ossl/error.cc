#include "ossl/error.h"

#include <openssl/err.h>

namespace wott::ossl {

std::string DrainErrors() {
  std::string out;
  const char* file = nullptr;
  int line = 0;
  const char* func = nullptr;
  const char* data = nullptr;
  int flags = 0;
  while (unsigned long err = ERR_get_error_all(&file, &line, &func, &data, &flags)) {
    char buf[256];
    ERR_error_string_n(err, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
    if (data != nullptr && (flags & ERR_TXT_STRING) && *data != '\0') {
      out += " (";
      out += data;
      out += ")";
    }
  }
  return out;
}

Status ErrorStatus(StatusCode code, std::string message) {
  return Status(code, std::move(message), DrainErrors());
}

}  // namespace wott::ossl
