#include "http/path.h"

namespace herald::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool HasDotDotSegment(std::string_view path) {
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (path.substr(start, end - start) == "..") return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

namespace {

// Decodes into `out` (cleared first); false on a malformed escape or a decoded NUL. Runs for
// every request: runs of plain bytes are copied whole, not byte by byte.
bool PercentDecodeInto(std::string_view raw, std::string& out) {
  out.clear();
  out.reserve(raw.size());
  std::size_t i = 0;
  while (i < raw.size()) {
    const std::size_t pct = raw.find('%', i);
    const std::string_view plain = raw.substr(i, pct == std::string_view::npos ? std::string_view::npos : pct - i);
    if (plain.find('\0') != std::string_view::npos) return false;
    out.append(plain);
    if (pct == std::string_view::npos) break;
    if (pct + 2 >= raw.size()) return false;
    int hi = HexValue(raw[pct + 1]);
    int lo = HexValue(raw[pct + 2]);
    if (hi < 0 || lo < 0) return false;
    const char c = static_cast<char>(hi * 16 + lo);
    if (c == '\0') return false;
    out.push_back(c);
    i = pct + 3;
  }
  return true;
}

}  // namespace

std::optional<std::string> PercentDecodePath(std::string_view raw) {
  std::string out;
  if (!PercentDecodeInto(raw, out)) return std::nullopt;
  return out;
}

bool ParseTargetInto(std::string_view target, std::string& path, std::string& query) {
  // Absolute-form is rare (proxies) but RFC 9112 requires servers to accept it; only the path
  // and query matter to us, the authority is ignored like the Host header.
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() >= scheme.size()) {
      bool match = true;
      for (std::size_t i = 0; i < scheme.size() && match; ++i)
        match = (target[i] | 0x20) == scheme[i];  // ASCII case-insensitive; '/' and ':' unchanged
      if (match) {
        std::size_t slash = target.find_first_of("/?", scheme.size());
        if (slash == std::string_view::npos) {
          target = "/";
        } else if (target[slash] == '?') {
          // "http://host?x" has an empty path: it means "/".
          return ParseTargetInto(std::string("/") + std::string(target.substr(slash)), path, query);
        } else {
          target = target.substr(slash);
        }
        break;
      }
    }
  }
  if (target.empty() || target[0] != '/') return false;
  for (unsigned char c : target)
    if (c < 0x20 || c == 0x7f) return false;

  std::string_view raw_path = target;
  query.clear();
  if (std::size_t q = target.find('?'); q != std::string_view::npos) {
    raw_path = target.substr(0, q);
    query.assign(target.substr(q + 1));
  }
  // Fragments are never sent by browsers; a '#' in the target is malformed.
  if (raw_path.find('#') != std::string_view::npos) return false;
  if (!PercentDecodeInto(raw_path, path) || HasDotDotSegment(path)) return false;
  // A decoded backslash-dot-dot ("..\\") is a traversal on some file systems handlers may use.
  if (path.find("..\\") != std::string::npos || path.find("\\..") != std::string::npos) return false;
  return true;
}

std::optional<Target> ParseTarget(std::string_view target) {
  Target out;
  if (!ParseTargetInto(target, out.path, out.query)) return std::nullopt;
  return out;
}

}  // namespace herald::http
