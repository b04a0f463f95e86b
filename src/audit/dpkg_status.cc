#include "audit/dpkg_status.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "audit/deb_version.h"
#include "base/file.h"

namespace wott::audit {
namespace {

struct Field {
  std::string value;
  size_t line = 0;
};

// One stanza: field names lower-cased (deb822 names are case-insensitive).
struct Stanza {
  std::map<std::string, Field> fields;
  size_t first_line = 0;
};

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Status LineError(size_t line, const std::string& what) {
  return InvalidArgument("dpkg status line " + std::to_string(line) + ": " + what);
}

const std::string* Get(const Stanza& s, const char* name) {
  auto it = s.fields.find(name);
  return it == s.fields.end() ? nullptr : &it->second.value;
}

bool IsInstalled(const Stanza& s) {
  const std::string* status = Get(s, "status");
  if (status == nullptr) return false;
  // "want flag status": the flag must be "ok" (not reinst-required) and the state installed.
  std::string_view v = Trim(*status);
  size_t a = v.find(' ');
  if (a == std::string_view::npos) return false;
  std::string_view rest = Trim(v.substr(a + 1));
  return rest == "ok installed";
}

Result<InstalledPackage> ToPackage(const Stanza& s) {
  InstalledPackage p;
  const std::string* name = Get(s, "package");
  if (name == nullptr || Trim(*name).empty()) {
    return LineError(s.first_line, "installed package stanza without a Package field");
  }
  p.name = std::string(Trim(*name));
  const std::string* version = Get(s, "version");
  if (version == nullptr) {
    return LineError(s.first_line, "installed package " + p.name + " has no Version field");
  }
  Result<DebVersion> v = ParseDebVersion(*version);
  if (!v.ok()) {
    return LineError(s.fields.at("version").line,
                     "package " + p.name + ": " + v.status().message());
  }
  p.version = std::string(Trim(*version));
  if (const std::string* arch = Get(s, "architecture")) p.architecture = Trim(*arch);
  p.source_name = p.name;
  p.source_version = p.version;
  if (const std::string* source = Get(s, "source")) {
    size_t line = s.fields.at("source").line;
    std::string_view src = Trim(*source);
    size_t space = src.find_first_of(" \t(");
    std::string_view src_name = src.substr(0, space);
    std::string_view rest = space == std::string_view::npos ? "" : Trim(src.substr(space));
    if (src_name.empty()) return LineError(line, "package " + p.name + ": empty Source field");
    p.source_name = src_name;
    if (!rest.empty()) {
      if (rest.front() != '(' || rest.back() != ')') {
        return LineError(line,
                         "package " + p.name +
                             ": Source is not 'name' or 'name (version)': " + std::string(src));
      }
      std::string_view sv = Trim(rest.substr(1, rest.size() - 2));
      Result<DebVersion> parsed = ParseDebVersion(sv);
      if (!parsed.ok()) {
        return LineError(line, "package " + p.name + ": Source " + parsed.status().message());
      }
      p.source_version = sv;
    }
  }
  return p;
}

}  // namespace

Result<std::vector<InstalledPackage>> ParseDpkgStatus(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) {
    return InvalidArgument("dpkg status: contains a NUL byte (not a text file)");
  }
  std::vector<InstalledPackage> packages;
  Stanza stanza;
  Field* last = nullptr;  // the field a continuation line extends
  auto finish = [&]() -> Status {
    if (!stanza.fields.empty() && IsInstalled(stanza)) {
      ASSIGN_OR_RETURN(InstalledPackage p, ToPackage(stanza));
      packages.push_back(std::move(p));
    }
    stanza = Stanza();
    last = nullptr;
    return Status::Ok();
  };

  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (Trim(line).empty()) {
      RETURN_IF_ERROR(finish());
      continue;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (last == nullptr) return LineError(line_no, "continuation line outside a field");
      last->value += '\n';
      last->value += Trim(line);
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return LineError(line_no, "expected 'Field: value'");
    }
    std::string_view name = line.substr(0, colon);
    if (name.find_first_of(" \t") != std::string_view::npos) {
      return LineError(line_no, "field name contains a blank");
    }
    if (stanza.fields.empty()) stanza.first_line = line_no;
    auto [it, inserted] = stanza.fields.try_emplace(
        Lower(name), Field{std::string(Trim(line.substr(colon + 1))), line_no});
    if (!inserted) return LineError(line_no, "duplicate field " + std::string(name));
    last = &it->second;
  }
  RETURN_IF_ERROR(finish());
  return packages;
}

Result<std::vector<InstalledPackage>> ReadDpkgStatusFile(const std::filesystem::path& path) {
  Result<std::string> text = ReadFile(path, size_t{256} * 1024 * 1024);
  if (!text.ok()) return text.status().WithContext("reading " + path.string());
  Result<std::vector<InstalledPackage>> packages = ParseDpkgStatus(*text);
  if (!packages.ok()) return packages.status().WithContext(path.string());
  return packages;
}

}  // namespace wott::audit
