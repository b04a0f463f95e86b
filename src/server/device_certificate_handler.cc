#include "base/encoding.h"
#include "pki/device_id.h"
#include "server/api_util.h"
#include "server/handlers.h"

namespace wott::server {

net::HttpResponse HandleDeviceCertificate(CaService& ca, const net::HttpRequest& request) {
  Result<pki::DeviceId> id = pki::DeviceId::Parse(request.PathParam("id"), ca.config().domain);
  if (!id.ok()) return ErrorFor(id.status());
  Result<store::DeviceRecord> device = ca.registry().GetDevice(id->hex());
  if (!device.ok()) return ErrorFor(device.status());
  if (device->status != store::DeviceStatus::kActive) {
    return ErrorFor(NotFound("device " + device->name + " is " +
                             std::string(store::DeviceStatusName(device->status))));
  }
  Result<store::CertificateRecord> cert = ca.registry().CurrentCertificate(id->hex());
  if (!cert.ok()) return ErrorFor(cert.status());
  return JsonResponse({{"device_id", device->name},
                       {"serial", cert->serial},
                       {"certificate", cert->pem},
                       {"not_before", FormatRfc3339(cert->not_before)},
                       {"not_after", FormatRfc3339(cert->not_after)},
                       {"sha256_fingerprint", cert->fingerprint}});
}

}  // namespace wott::server
