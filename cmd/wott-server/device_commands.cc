#include "cmd/wott-server/device_commands.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "server/admin_query.h"
#include "server/admin_render.h"
#include "server/enrollment_tokens.h"

namespace wott::cmd {
namespace {

using nlohmann::json;

constexpr std::string_view kActor = "cli";

struct ListFlags {
  std::string status;
  std::vector<std::string> tags;
  std::string search;
  std::string sort = "created_at";
  std::string order;  // "" = the field's default
  int limit = server::kDefaultPageLimit;
  int64_t offset = 0;
};

// Prints `j` indented; invalid UTF-8 (never expected: the registry validates text) is
// replaced rather than thrown.
void PrintJson(const json& j) {
  std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

// A string field of rendered JSON, or `absent` when it is null.
std::string Text(const json& j, const char* key, const char* absent = "-") {
  const json& v = j[key];
  if (v.is_null()) return absent;
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// "k=v,k2=v2" or "-".
std::string MapText(const json& map) {
  std::string out;
  for (const auto& [k, v] : map.items()) {
    out += (out.empty() ? "" : ",") + k + "=" + v.get<std::string>();
  }
  return out.empty() ? "-" : out;
}

Status BuildListQuery(const ListFlags& flags, store::DeviceFilter& filter, store::DeviceSort& sort,
                      store::PageRequest& page) {
  if (!flags.status.empty()) {
    Result<store::DeviceStatus> status = store::ParseDeviceStatus(flags.status);
    if (!status.ok()) return InvalidArgument("--status must be active, revoked or deleted");
    filter.status = *status;
  }
  for (const std::string& tag : flags.tags) {
    ASSIGN_OR_RETURN(store::TagMatch match, server::ParseTagFilter(tag));
    filter.tags.push_back(std::move(match));
  }
  filter.prefix = flags.search;
  ASSIGN_OR_RETURN(sort.field, server::ParseSortField(flags.sort));
  sort.descending = server::DefaultDescending(sort.field);
  if (!flags.order.empty()) {
    ASSIGN_OR_RETURN(sort.descending, server::ParseSortOrder(flags.order));
  }
  page.offset = flags.offset;
  page.limit = flags.limit;
  return Status::Ok();
}

int RunList(const GlobalFlags& global, const ListFlags& flags, bool as_json) {
  store::DeviceFilter filter;
  store::DeviceSort sort;
  store::PageRequest page;
  if (Status s = BuildListQuery(flags, filter, sort, page); !s.ok()) return PrintError(s);
  Result<std::unique_ptr<store::Store>> store = OpenRegistry(global);
  if (!store.ok()) return PrintError(store.status());
  Result<store::DevicePage> devices = (*store)->ListDevices(filter, sort, page);
  if (!devices.ok()) return PrintError(devices.status());
  json out = server::DevicePageToJson(*devices, page);
  if (as_json) {
    PrintJson(out);
    return 0;
  }
  std::printf("%-32s %-8s %-21s %-21s %s\n", "ID", "STATUS", "LAST SEEN", "CERT EXPIRES", "TAGS");
  for (const json& d : out["devices"]) {
    std::string expires = d["current_certificate"].is_null()
                              ? "-"
                              : d["current_certificate"]["not_after"].get<std::string>();
    std::printf("%-32s %-8s %-21s %-21s %s\n", Text(d, "hex").c_str(), Text(d, "status").c_str(),
                Text(d, "last_seen", "never").c_str(), expires.c_str(), MapText(d["tags"]).c_str());
  }
  size_t shown = devices->devices.size();
  if (shown == 0) {
    std::cerr << "no devices shown (" << devices->total << " match)\n";
  } else {
    std::cerr << "devices " << page.offset + 1 << "-" << page.offset + static_cast<int64_t>(shown)
              << " of " << devices->total << "\n";
  }
  return 0;
}

void PrintDevice(const json& d) {
  std::printf("device:       %s\n", Text(d, "id").c_str());
  std::printf("status:       %s\n", Text(d, "status").c_str());
  if (!d["revoked_at"].is_null()) {
    std::printf("revoked:      %s (%s)\n", Text(d, "revoked_at").c_str(),
                Text(d, "revocation_reason").c_str());
  }
  std::printf("created:      %s\n", Text(d, "created_at").c_str());
  std::printf("last seen:    %s\n", Text(d, "last_seen", "never").c_str());
  std::printf("agent:        %s\n", d["agent_version"].get<std::string>().empty()
                                        ? "-"
                                        : Text(d, "agent_version").c_str());
  std::printf("os:           %s\n",
              d["os"].get<std::string>().empty() ? "-" : Text(d, "os").c_str());
  std::printf("tags:         %s\n", MapText(d["tags"]).c_str());
  std::printf("metadata:     %s\n", MapText(d["metadata"]).c_str());
  std::printf("enrolled by:  token %s\n", Text(d, "enrollment_token_id").c_str());
  if (!d.contains("certificates")) return;
  std::printf("\n%-34s %-13s %-21s %-21s %s\n", "CERTIFICATE SERIAL", "STATE", "NOT BEFORE",
              "NOT AFTER", "REVOKED");
  for (const json& c : d["certificates"]) {
    std::string serial = Text(c, "serial") + (c["current"].get<bool>() ? " *" : "");
    std::string revoked = c["revoked_at"].is_null()
                              ? "-"
                              : Text(c, "revoked_at") + " " + Text(c, "revocation_reason");
    std::printf("%-34s %-13s %-21s %-21s %s\n", serial.c_str(), Text(c, "state").c_str(),
                Text(c, "not_before").c_str(), Text(c, "not_after").c_str(), revoked.c_str());
  }
  std::printf("(* current)\n");
}

int RunShow(const GlobalFlags& global, const std::string& ref, bool as_json) {
  Result<std::unique_ptr<store::Store>> store = OpenRegistry(global);
  if (!store.ok()) return PrintError(store.status());
  Result<store::DeviceRecord> device = server::FindDevice(**store, ref);
  if (!device.ok()) return PrintError(device.status());
  Result<std::vector<store::CertificateRecord>> certificates =
      (*store)->ListCertificates(device->id, store::kMaxPageLimit);
  if (!certificates.ok()) return PrintError(certificates.status());
  json out = server::DeviceDetailToJson(*device, *certificates, RealClock::Instance().Now());
  if (as_json) {
    PrintJson(out);
  } else {
    PrintDevice(out);
  }
  return 0;
}

// Prints the device as it is now (JSON with --json, else nothing) after `what` happened.
int Report(store::Store& store, const std::string& hex, const std::string& what, bool as_json) {
  Result<store::DeviceRecord> device = store.GetDevice(hex);
  if (!device.ok()) return PrintError(device.status());
  if (as_json) PrintJson(server::DeviceToJson(*device));
  std::cerr << "device " << device->name << " " << what << "\n";
  return 0;
}

int RunRevoke(const GlobalFlags& global, const std::string& ref, const std::string& reason_name,
              bool as_json) {
  Result<store::RevocationReason> reason = store::ParseRevocationReason(reason_name);
  if (!reason.ok()) return PrintError(reason.status().WithContext("--reason"));
  Result<std::unique_ptr<store::Store>> store = OpenRegistry(global);
  if (!store.ok()) return PrintError(store.status());
  Result<store::DeviceRecord> device = server::FindDevice(**store, ref);
  if (!device.ok()) return PrintError(device.status());
  if (device->status == store::DeviceStatus::kRevoked) {
    std::cerr << "device " << device->name << " was already revoked\n";
  }
  Status s = (*store)->RevokeDevice(device->id, *reason, kActor, RealClock::Instance().Now());
  if (!s.ok()) return PrintError(s);
  return Report(**store, device->id, "revoked (" + reason_name + ")", as_json);
}

// Asks on the terminal; true only for "y" or "yes".
bool Confirm(const std::string& question) {
  std::cerr << question << " [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes";
}

int RunDelete(const GlobalFlags& global, const std::string& ref, bool yes, bool as_json) {
  Result<std::unique_ptr<store::Store>> store = OpenRegistry(global);
  if (!store.ok()) return PrintError(store.status());
  Result<store::DeviceRecord> device = server::FindDevice(**store, ref);
  if (!device.ok()) return PrintError(device.status());
  if (!yes) {
    if (!isatty(STDIN_FILENO)) {
      return PrintError(
          FailedPrecondition("refusing to delete without --yes when stdin is not a terminal"));
    }
    if (!Confirm("Delete device " + device->name +
                 "? Its certificates are revoked and it can never renew.")) {
      std::cerr << "not deleted\n";
      return 1;
    }
  }
  Status s = (*store)->DeleteDevice(device->id, kActor, RealClock::Instance().Now());
  if (!s.ok()) return PrintError(s);
  return Report(**store, device->id, "deleted", as_json);
}

// `device tag` and `device metadata`: sets key=value pairs and removes --remove keys, keeping
// the others (the API's PUT replaces the whole map instead).
struct EditFlags {
  std::vector<std::string> set;
  std::vector<std::string> remove;
};

int RunEdit(const GlobalFlags& global, const std::string& ref, const EditFlags& flags,
            bool metadata, bool as_json) {
  if (flags.set.empty() && flags.remove.empty()) {
    return PrintError(InvalidArgument("nothing to change: give key=value pairs or --remove KEY"));
  }
  store::Tags changes;
  for (const std::string& pair : flags.set) {
    if (Status s = server::ParseTagArgument(pair, changes); !s.ok()) return PrintError(s);
  }
  Result<std::unique_ptr<store::Store>> store = OpenRegistry(global);
  if (!store.ok()) return PrintError(store.status());
  Result<store::DeviceRecord> device = server::FindDevice(**store, ref);
  if (!device.ok()) return PrintError(device.status());
  std::map<std::string, std::string> map = metadata ? device->metadata : device->tags;
  for (const std::string& key : flags.remove) map.erase(key);
  for (const auto& [key, value] : changes) map[key] = value;
  TimePoint now = RealClock::Instance().Now();
  Status s = metadata ? (*store)->SetMetadata(device->id, map, kActor, now)
                      : (*store)->SetTags(device->id, map, kActor, now);
  if (!s.ok()) return PrintError(s);
  return Report(**store, device->id, metadata ? "metadata updated" : "tags updated", as_json);
}

// Registers `device tag` or `device metadata`.
void AddEditCommand(CLI::App& device, GlobalFlags& global, bool metadata) {
  auto ref = std::make_shared<std::string>();
  auto flags = std::make_shared<EditFlags>();
  auto as_json = std::make_shared<bool>(false);
  CLI::App* edit = device.add_subcommand(
      metadata ? "metadata" : "tag",
      metadata ? "Set or remove metadata entries of a device (others are kept)"
               : "Set or remove tags of a device (other tags are kept)");
  edit->add_option("ID", *ref, "Device hex ID or full name")->required();
  edit->add_option("PAIRS", flags->set, "key=value entries to set");
  edit->add_option("--remove", flags->remove, "Key to remove (repeatable)");
  edit->add_flag("--json", *as_json, "Print the updated device as JSON");
  edit->callback([&global, ref, flags, as_json, metadata] {
    global.exit_code = RunEdit(global, *ref, *flags, metadata, *as_json);
  });
}

}  // namespace

void AddDeviceCommands(CLI::App& app, GlobalFlags& global) {
  CLI::App* device = app.add_subcommand("device", "Inspect and manage enrolled devices");
  device->require_subcommand(1);

  auto list_flags = std::make_shared<ListFlags>();
  auto list_json = std::make_shared<bool>(false);
  CLI::App* list = device->add_subcommand("list", "List devices (newest first by default)");
  list->add_option("--status", list_flags->status, "active, revoked or deleted");
  list->add_option("--tag", list_flags->tags, "key or key=value the device must have (repeatable)");
  list->add_option("--search", list_flags->search, "ID or name prefix");
  list->add_option("--sort", list_flags->sort, "created_at, name, id, last_seen or expiry")
      ->capture_default_str();
  list->add_option("--order", list_flags->order, "asc or desc (default: desc for times)");
  list->add_option("--limit", list_flags->limit, "Devices per page")
      ->check(CLI::Range(1, store::kMaxPageLimit))
      ->capture_default_str();
  list->add_option("--offset", list_flags->offset, "Devices to skip")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  list->add_flag("--json", *list_json, "Machine-readable output (as GET /v1/admin/devices)");
  list->callback([&global, list_flags, list_json] {
    global.exit_code = RunList(global, *list_flags, *list_json);
  });

  auto show_ref = std::make_shared<std::string>();
  auto show_json = std::make_shared<bool>(false);
  CLI::App* show = device->add_subcommand("show", "Show a device and its certificate history");
  show->add_option("ID", *show_ref, "Device hex ID or full name")->required();
  show->add_flag("--json", *show_json, "Machine-readable output (as GET /v1/admin/devices/ID)");
  show->callback([&global, show_ref, show_json] {
    global.exit_code = RunShow(global, *show_ref, *show_json);
  });

  auto revoke_ref = std::make_shared<std::string>();
  auto reason = std::make_shared<std::string>("unspecified");
  auto revoke_json = std::make_shared<bool>(false);
  CLI::App* revoke = device->add_subcommand(
      "revoke", "Revoke a device: all its certificates go on the CRL and it can never renew");
  revoke->add_option("ID", *revoke_ref, "Device hex ID or full name")->required();
  revoke
      ->add_option("--reason", *reason,
                   "unspecified, key_compromise, ca_compromise, affiliation_changed, "
                   "superseded, cessation_of_operation, certificate_hold or privilege_withdrawn")
      ->capture_default_str();
  revoke->add_flag("--json", *revoke_json, "Print the revoked device as JSON");
  revoke->callback([&global, revoke_ref, reason, revoke_json] {
    global.exit_code = RunRevoke(global, *revoke_ref, *reason, *revoke_json);
  });

  auto delete_ref = std::make_shared<std::string>();
  auto yes = std::make_shared<bool>(false);
  auto delete_json = std::make_shared<bool>(false);
  CLI::App* del = device->add_subcommand(
      "delete", "Delete a device (its certificates are revoked; the record stays for history)");
  del->add_option("ID", *delete_ref, "Device hex ID or full name")->required();
  del->add_flag("--yes,-y", *yes, "Do not ask for confirmation (required without a terminal)");
  del->add_flag("--json", *delete_json, "Print the deleted device as JSON");
  del->callback([&global, delete_ref, yes, delete_json] {
    global.exit_code = RunDelete(global, *delete_ref, *yes, *delete_json);
  });

  AddEditCommand(*device, global, /*metadata=*/false);
  AddEditCommand(*device, global, /*metadata=*/true);
}

}  // namespace wott::cmd
