#include "base/encoding.h"
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

}  // namespace wott::server
