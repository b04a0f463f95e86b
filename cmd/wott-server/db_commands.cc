#include "cmd/wott-server/db_commands.h"

#include <iostream>

#include "base/file.h"
#include "cmd/wott-server/db_dump_json.h"
#include "store/postgres/postgres_store.h"
#include "store/registry_dump.h"

namespace wott::cmd {
namespace {

// A dump of 100,000 devices with their certificates is ~300 MB of JSON; refuse beyond that
// rather than exhaust memory.
constexpr size_t kMaxDumpBytes = size_t{2} * 1024 * 1024 * 1024;

int RunMigrate(const GlobalFlags& global) {
  Result<std::unique_ptr<store::Store>> store = OpenRegistry(global);
  if (!store.ok()) return PrintError(store.status());
  std::cout << "registry " << store::RedactDatabaseUrl(RegistryDsn(global))
            << " is at this wott-server's schema\n";
  return 0;
}

int RunExport(const GlobalFlags& global, const std::string& out) {
  if (out.empty()) return PrintError(InvalidArgument("--out needs a file path"));
  Result<std::unique_ptr<store::Store>> store = OpenRegistry(global);
  if (!store.ok()) return PrintError(store.status());
  Result<store::RegistryDump> dump = store::DumpRegistry(**store, RealClock::Instance().Now());
  if (!dump.ok()) return PrintError(dump.status().WithContext("reading the registry"));
  // Token hashes and the event log are in it: owner-only, like the registry itself.
  Status written = WriteFileAtomically(out, RegistryDumpToJsonLines(*dump), 0600);
  if (!written.ok()) return PrintError(written.WithContext("writing " + out));
  std::cerr << "exported " << dump->devices.size() << " device(s), " << dump->certificates.size()
            << " certificate(s), " << dump->enrollment_tokens.size() << " enrollment token(s), "
            << dump->api_tokens.size() << " API token(s), " << dump->policies.size()
            << " policy(ies), " << dump->users.size() << " dashboard user(s), "
            << dump->postures.size() << " device posture(s), " << dump->events.size()
            << " event(s) to " << out << "\n"
            << "not exported: dashboard sessions (users log in again after the move) and package "
               "lists (agents send them again at their next heartbeat)\n";
  return 0;
}

int RunImport(const GlobalFlags& global, const std::string& in) {
  if (in.empty()) return PrintError(InvalidArgument("--in needs a file path"));
  const std::string dsn = global.db;
  if (!dsn.starts_with("postgres://") && !dsn.starts_with("postgresql://")) {
    return PrintError(InvalidArgument(
        "db import loads into a PostgreSQL registry: pass --db postgres://user@host/db"));
  }
  Result<std::string> text = ReadFile(in, kMaxDumpBytes);
  if (!text.ok()) return PrintError(text.status().WithContext("reading " + in));
  Result<store::RegistryDump> dump = RegistryDumpFromJsonLines(*text);
  if (!dump.ok()) return PrintError(dump.status().WithContext(in));
  Status imported = store::ImportRegistryIntoPostgres(dsn, *dump, {});
  if (!imported.ok()) return PrintError(imported);
  std::cerr << "imported " << dump->devices.size() << " device(s), " << dump->certificates.size()
            << " certificate(s), " << dump->policies.size() << " policy(ies), "
            << dump->users.size() << " dashboard user(s), " << dump->postures.size()
            << " device posture(s), " << dump->events.size() << " event(s) into "
            << store::RedactDatabaseUrl(dsn) << "\n"
            << "dashboard sessions are not moved: every user logs in again (same password)\n";
  return 0;
}

}  // namespace

void AddDbCommands(CLI::App& app, GlobalFlags& global) {
  CLI::App* db = app.add_subcommand("db", "Registry database: migrate, export, import");
  db->require_subcommand(1);

  CLI::App* migrate =
      db->add_subcommand("migrate", "Bring the registry (--db or the data dir's) to this schema");
  migrate->callback([&global] { global.exit_code = RunMigrate(global); });

  auto out = std::make_shared<std::string>();
  CLI::App* export_cmd =
      db->add_subcommand("export", "Write the whole registry to a JSON-lines file (mode 0600)");
  export_cmd->add_option("--out", *out, "File to write")->required();
  export_cmd->callback([&global, out] { global.exit_code = RunExport(global, *out); });

  auto in = std::make_shared<std::string>();
  CLI::App* import_cmd = db->add_subcommand(
      "import", "Load an export into an empty PostgreSQL registry (all or nothing)");
  import_cmd->add_option("--in", *in, "File written by db export")->required();
  import_cmd->callback([&global, in] { global.exit_code = RunImport(global, *in); });
}

}  // namespace wott::cmd
