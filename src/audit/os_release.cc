#include "audit/os_release.h"

#include <map>

#include "base/file.h"

namespace wott::audit {
namespace {

Status LineError(size_t line, const std::string& what) {
  return InvalidArgument("os-release line " + std::to_string(line) + ": " + what);
}

bool IsKeyChar(char c, bool first) {
  return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (!first && c >= '0' && c <= '9');
}

// Shell-style value: a concatenation of unquoted words, '...' and "..." parts.
Result<std::string> Unquote(std::string_view v, size_t line) {
  std::string out;
  size_t i = 0;
  while (i < v.size()) {
    char c = v[i];
    if (c == '\'') {
      size_t end = v.find('\'', i + 1);
      if (end == std::string_view::npos) return LineError(line, "unterminated ' quote");
      out += v.substr(i + 1, end - i - 1);
      i = end + 1;
    } else if (c == '"') {
      ++i;
      bool closed = false;
      while (i < v.size()) {
        char d = v[i];
        if (d == '"') {
          closed = true;
          ++i;
          break;
        }
        if (d == '\\' && i + 1 < v.size() &&
            std::string_view("\\\"$`").find(v[i + 1]) != std::string_view::npos) {
          out += v[i + 1];
          i += 2;
          continue;
        }
        out += d;
        ++i;
      }
      if (!closed) return LineError(line, "unterminated \" quote");
    } else if (c == '\\') {
      if (i + 1 < v.size()) out += v[i + 1];
      i += 2;
    } else if (c == ' ' || c == '\t') {
      // The shell would end the assignment here; what follows is a comment or garbage.
      std::string_view rest = v.substr(i);
      while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
      if (!rest.empty() && rest.front() != '#') {
        return LineError(line, "unquoted value contains a blank");
      }
      break;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

// "12 (bookworm)" -> "bookworm"; "22.04.3 LTS (Jammy Jellyfish)" -> "" (not one word).
std::string CodenameFromVersion(std::string_view version) {
  size_t open = version.find('(');
  size_t close = version.find(')', open);
  if (open == std::string_view::npos || close == std::string_view::npos) return "";
  std::string_view word = version.substr(open + 1, close - open - 1);
  for (char c : word) {
    if (!(c >= 'a' && c <= 'z')) return "";
  }
  return std::string(word);
}

std::string DebianCodename(std::string_view version_id) {
  static const std::map<std::string, std::string, std::less<>> kCodenames = {
      {"8", "jessie"},    {"9", "stretch"}, {"10", "buster"}, {"11", "bullseye"},
      {"12", "bookworm"}, {"13", "trixie"}, {"14", "forky"}};
  auto it = kCodenames.find(version_id);
  return it == kCodenames.end() ? "" : it->second;
}

bool HasWord(std::string_view list, std::string_view word) {
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t end = list.find(' ', pos);
    if (end == std::string_view::npos) end = list.size();
    if (list.substr(pos, end - pos) == word) return true;
    pos = end + 1;
  }
  return false;
}

}  // namespace

bool OsRelease::IsDebianLike() const { return id == "debian" || HasWord(id_like, "debian"); }

Result<OsRelease> ParseOsRelease(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) {
    return InvalidArgument("os-release: contains a NUL byte (not a text file)");
  }
  std::map<std::string, std::string> values;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return LineError(line_no, "expected KEY=value");
    std::string_view key = line.substr(0, eq);
    for (size_t i = 0; i < key.size(); ++i) {
      if (!IsKeyChar(key[i], i == 0)) {
        return LineError(line_no, "invalid key '" + std::string(key) + "'");
      }
    }
    if (key.empty()) return LineError(line_no, "empty key");
    ASSIGN_OR_RETURN(std::string value, Unquote(line.substr(eq + 1), line_no));
    values[std::string(key)] = std::move(value);
  }
  OsRelease os;
  os.id = values["ID"];
  os.id_like = values["ID_LIKE"];
  os.version_id = values["VERSION_ID"];
  os.version_codename = values["VERSION_CODENAME"];
  os.pretty_name = values["PRETTY_NAME"];
  if (os.version_codename.empty()) os.version_codename = values["UBUNTU_CODENAME"];
  if (os.version_codename.empty()) os.version_codename = CodenameFromVersion(values["VERSION"]);
  if (os.version_codename.empty() && os.IsDebianLike()) {
    os.version_codename = DebianCodename(os.version_id);
  }
  return os;
}

Result<OsRelease> ReadOsReleaseFile(const std::filesystem::path& path) {
  Result<std::string> text = ReadFile(path, 1024 * 1024);
  if (!text.ok()) return text.status().WithContext("reading " + path.string());
  Result<OsRelease> os = ParseOsRelease(*text);
  if (!os.ok()) return os.status().WithContext(path.string());
  return os;
}

}  // namespace wott::audit
