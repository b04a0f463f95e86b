#include "audit/vuln_db.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "base/file.h"

namespace wott::audit {
namespace {

constexpr char kSchemaVersion[] = "1";

// Both big tables are clustered on their lookup key (WITHOUT ROWID): a package's advisories
// are one contiguous range and a description one b-tree descent away. `seq` (insertion
// order) keeps two ranges of one OSV record for one package apart.
constexpr char kSchema[] = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE vulnerabilities(
  id TEXT PRIMARY KEY, description TEXT NOT NULL, scope TEXT NOT NULL,
  aliases TEXT NOT NULL, origin TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE advisories(
  source_package TEXT NOT NULL, release TEXT NOT NULL, vuln_id TEXT NOT NULL,
  status TEXT NOT NULL, fixed_version TEXT NOT NULL, introduced TEXT NOT NULL,
  urgency TEXT NOT NULL,
  nodsa TEXT NOT NULL, nodsa_reason TEXT NOT NULL, origin TEXT NOT NULL, seq INTEGER NOT NULL,
  PRIMARY KEY(source_package, release, vuln_id, seq)) WITHOUT ROWID;
CREATE TABLE releases(name TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE sources(file TEXT NOT NULL, format TEXT NOT NULL, advisories INTEGER NOT NULL);
)sql";

std::string JoinAliases(const std::vector<std::string>& aliases) {
  std::string out;
  for (const std::string& a : aliases) {
    if (!out.empty()) out += ' ';
    out += a;
  }
  return out;
}

std::vector<std::string> SplitAliases(std::string_view text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    if (end > pos) out.emplace_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

std::string TempSuffix() {
  std::random_device rd;
  return ".new-" + std::to_string(::getpid()) + "-" + std::to_string(rd() % 1000000);
}

Status FsyncFile(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Internal("cannot open " + path.string(), std::strerror(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Internal("cannot sync " + path.string(), std::strerror(err));
  return Status::Ok();
}

}  // namespace

VulnDbWriter::VulnDbWriter(std::filesystem::path path, std::filesystem::path temp, Db db)
    : path_(std::move(path)), temp_(std::move(temp)), db_(std::move(db)) {}

VulnDbWriter::~VulnDbWriter() {
  if (!committed_) {
    (void)db_.Close();
    std::error_code ec;
    std::filesystem::remove(temp_, ec);
  }
}

Result<std::unique_ptr<VulnDbWriter>> VulnDbWriter::Create(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::path dir = path.parent_path().empty() ? "." : path.parent_path();
  if (!std::filesystem::is_directory(dir, ec)) {
    return NotFound("data directory " + dir.string() + " does not exist");
  }
  std::filesystem::path temp = path;
  temp += TempSuffix();
  std::filesystem::remove(temp, ec);
  ASSIGN_OR_RETURN(Db db, Db::Open(temp, Db::Mode::kCreate));
  std::unique_ptr<VulnDbWriter> w(new VulnDbWriter(path, temp, std::move(db)));
  // A scratch file until Commit fsyncs it: no journal, no syncs, a bounded page cache.
  RETURN_IF_ERROR(
      w->db_.Exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;"
                  "PRAGMA cache_size=-16384;"));
  RETURN_IF_ERROR(w->db_.Exec(kSchema));
  RETURN_IF_ERROR(w->db_.Exec("BEGIN"));
  ASSIGN_OR_RETURN(w->add_vulnerability_,
                   w->db_.Prepare("INSERT OR IGNORE INTO vulnerabilities VALUES(?,?,?,?,?)"));
  ASSIGN_OR_RETURN(w->add_advisory_,
                   w->db_.Prepare("INSERT INTO advisories VALUES(?,?,?,?,?,?,?,?,?,?,?)"));
  return w;
}

Status VulnDbWriter::AddVulnerability(const Vulnerability& v) {
  return add_vulnerability_.Reset()
      .Bind(1, v.id)
      .Bind(2, v.description)
      .Bind(3, v.scope)
      .Bind(4, JoinAliases(v.aliases))
      .Bind(5, v.origin)
      .Run();
}

Status VulnDbWriter::AddAdvisory(const Advisory& a) {
  return add_advisory_.Reset()
      .Bind(1, a.source_package)
      .Bind(2, a.release)
      .Bind(3, a.vuln_id)
      .Bind(4, a.status)
      .Bind(5, a.fixed_version)
      .Bind(6, a.introduced)
      .Bind(7, a.urgency)
      .Bind(8, a.nodsa)
      .Bind(9, a.nodsa_reason)
      .Bind(10, a.origin)
      .Bind(11, next_seq_++)
      .Run();
}

Status VulnDbWriter::AddSource(const ImportedSource& source) {
  ASSIGN_OR_RETURN(Stmt stmt, db_.Prepare("INSERT INTO sources VALUES(?,?,?)"));
  return stmt.Bind(1, source.file).Bind(2, source.format).Bind(3, source.advisories).Run();
}

Status VulnDbWriter::Commit(std::string_view imported_at) {
  RETURN_IF_ERROR(db_.Exec("INSERT INTO releases SELECT DISTINCT release FROM advisories;"));
  ASSIGN_OR_RETURN(Stmt meta, db_.Prepare("INSERT INTO meta VALUES(?,?)"));
  RETURN_IF_ERROR(meta.Bind(1, "schema_version").Bind(2, kSchemaVersion).Run());
  RETURN_IF_ERROR(meta.Reset().Bind(1, "imported_at").Bind(2, imported_at).Run());
  meta = Stmt();
  add_vulnerability_ = Stmt();
  add_advisory_ = Stmt();
  RETURN_IF_ERROR(db_.Exec("COMMIT"));
  RETURN_IF_ERROR(db_.Close());
  RETURN_IF_ERROR(FsyncFile(temp_));
  if (::rename(temp_.c_str(), path_.c_str()) != 0) {
    return Internal("cannot replace " + path_.string(), std::strerror(errno));
  }
  committed_ = true;
  std::filesystem::path dir = path_.parent_path().empty() ? "." : path_.parent_path();
  return SyncDirectory(dir);
}

Result<std::unique_ptr<VulnDb>> VulnDb::Open(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return NotFound("no vulnerability data at " + path.string() +
                    " (import some: wott-server cve import FILE)");
  }
  ASSIGN_OR_RETURN(Db db, Db::Open(path, Db::Mode::kReadOnly));
  std::unique_ptr<VulnDb> vdb(new VulnDb(std::move(db)));
  // Read-only reference data: map it (no read(2) per page) with a generous page cache; a
  // scan touches the index and rows of ~2,000 packages at random.
  RETURN_IF_ERROR(vdb->db_.Exec("PRAGMA mmap_size=1073741824; PRAGMA cache_size=-65536;"));
  Result<Stmt> version = vdb->db_.Prepare("SELECT value FROM meta WHERE key='schema_version'");
  bool ours = false;
  if (version.ok()) {
    Result<bool> row = version->Step();
    ours = row.ok() && *row && version->Text(0) == kSchemaVersion;
  }
  if (!ours) {
    return FailedPrecondition(path.string() +
                              " is not a vulnerability database of this wott-server version "
                              "(re-import the data: wott-server cve import FILE)");
  }
  // The plain lookup reads an OSV record's aliases (for de-duplication) with one keyed
  // subquery; the text lookup joins every row's description and scope.
  ASSIGN_OR_RETURN(vdb->find_,
                   vdb->db_.Prepare("SELECT a.vuln_id, a.status, a.fixed_version, a.introduced, "
                                    "a.urgency, a.nodsa, a.nodsa_reason, a.origin, '', '', "
                                    "CASE a.origin WHEN 'osv' THEN (SELECT aliases FROM "
                                    "vulnerabilities WHERE id = a.vuln_id) ELSE '' END "
                                    "FROM advisories a WHERE a.source_package = ? AND "
                                    "a.release = ? ORDER BY a.vuln_id, a.seq"));
  ASSIGN_OR_RETURN(vdb->find_with_text_,
                   vdb->db_.Prepare("SELECT a.vuln_id, a.status, a.fixed_version, a.introduced, "
                                    "a.urgency, a.nodsa, a.nodsa_reason, a.origin, v.description, "
                                    "v.scope, v.aliases FROM advisories a LEFT JOIN "
                                    "vulnerabilities v ON v.id = a.vuln_id WHERE "
                                    "a.source_package = ? AND a.release = ? ORDER BY a.vuln_id, "
                                    "a.seq"));
  return vdb;
}

Result<std::vector<AdvisoryRow>> VulnDb::Find(std::string_view source_package,
                                              std::string_view release, bool with_text) const {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt& find = with_text ? find_with_text_ : find_;
  find.Reset().Bind(1, source_package).Bind(2, release);
  std::vector<AdvisoryRow> rows;
  while (true) {
    ASSIGN_OR_RETURN(bool more, find.Step());
    if (!more) break;
    AdvisoryRow r;
    r.advisory.vuln_id = find.Text(0);
    r.advisory.source_package = source_package;
    r.advisory.release = release;
    r.advisory.status = find.Text(1);
    r.advisory.fixed_version = find.Text(2);
    r.advisory.introduced = find.Text(3);
    r.advisory.urgency = find.Text(4);
    r.advisory.nodsa = find.Text(5);
    r.advisory.nodsa_reason = find.Text(6);
    r.advisory.origin = find.Text(7);
    r.description = find.Text(8);
    r.scope = find.Text(9);
    r.aliases = SplitAliases(find.Text(10));
    rows.push_back(std::move(r));
  }
  find.Reset();
  return rows;
}

Result<bool> VulnDb::HasRelease(std::string_view release) const {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(Stmt stmt, db_.Prepare("SELECT 1 FROM releases WHERE name = ?"));
  stmt.Bind(1, release);
  return stmt.Step();
}

Result<VulnDbStats> VulnDb::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  VulnDbStats stats;
  ASSIGN_OR_RETURN(Stmt counts, db_.Prepare("SELECT (SELECT count(*) FROM vulnerabilities), "
                                            "(SELECT count(*) FROM advisories), "
                                            "(SELECT value FROM meta WHERE key='imported_at')"));
  ASSIGN_OR_RETURN(bool row, counts.Step());
  if (row) {
    stats.vulnerabilities = counts.Int(0);
    stats.advisories = counts.Int(1);
    stats.imported_at = counts.Text(2);
  }
  ASSIGN_OR_RETURN(Stmt releases, db_.Prepare("SELECT name FROM releases ORDER BY name"));
  while (true) {
    ASSIGN_OR_RETURN(bool more, releases.Step());
    if (!more) break;
    stats.releases.push_back(releases.Text(0));
  }
  ASSIGN_OR_RETURN(Stmt sources, db_.Prepare("SELECT file, format, advisories FROM sources"));
  while (true) {
    ASSIGN_OR_RETURN(bool more, sources.Step());
    if (!more) break;
    stats.sources.push_back({sources.Text(0), sources.Text(1), sources.Int(2)});
  }
  return stats;
}

}  // namespace wott::audit
