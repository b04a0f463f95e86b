#include "server/issued_json.h"

#include <array>
#include <string_view>
#include <utility>

#include "base/encoding.h"
#include "server/api_util.h"
#include "server/handlers.h"

namespace wott::server {

nlohmann::json IssuedToJson(const IssuedCertificate& issued) {
  return {{"device_id", issued.device_name},
          {"serial", issued.serial},
          {"certificate", issued.certificate_chain},
          {"ca_bundle", issued.ca_bundle},
          {"not_before", FormatRfc3339(issued.not_before)},
          {"not_after", FormatRfc3339(issued.not_after)},
          {"renew_after", FormatRfc3339(issued.renew_after)},
          {"recovery_token", issued.recovery_token}};
}

namespace {

bool Ascii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// Appends `s` (ASCII) as a JSON string the way nlohmann's dump does: \" \\ \b \f \n \r \t,
// other control characters as \u00xx, everything else as is.
void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  size_t plain = 0;  // start of the run of characters copied as they are
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.substr(plain, i - plain));
    plain = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
      }
    }
  }
  out.append(s.substr(plain));
  out.push_back('"');
}

}  // namespace

net::HttpResponse IssuedResponse(const IssuedCertificate& issued, int http_status) {
  std::string not_before = FormatRfc3339(issued.not_before);
  std::string not_after = FormatRfc3339(issued.not_after);
  std::string renew_after = FormatRfc3339(issued.renew_after);
  // nlohmann's object is a std::map: keys in byte order.
  const std::array<std::pair<std::string_view, std::string_view>, 8> fields = {{
      {"ca_bundle", issued.ca_bundle},
      {"certificate", issued.certificate_chain},
      {"device_id", issued.device_name},
      {"not_after", not_after},
      {"not_before", not_before},
      {"recovery_token", issued.recovery_token},
      {"renew_after", renew_after},
      {"serial", issued.serial},
  }};
  size_t size = 2;
  for (const auto& [key, value] : fields) {
    if (!Ascii(value)) return JsonResponse(IssuedToJson(issued), http_status);
    size += key.size() + value.size() + value.size() / 16 + 8;
  }
  std::string body;
  body.reserve(size);
  body.push_back('{');
  for (const auto& [key, value] : fields) {
    if (body.size() > 1) body.push_back(',');
    AppendJsonString(body, key);
    body.push_back(':');
    AppendJsonString(body, value);
  }
  body += "}\n";
  return net::HttpResponse::Json(http_status, std::move(body));
}

}  // namespace wott::server
