// Fuzzes request-target parsing: whatever it accepts must be a decoded absolute path with no
// ".." segment and no NUL byte, because handlers trust that.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/path.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto t = herald::http::ParseTarget(input);
  if (!t) return 0;
  const std::string& p = t->path;
  if (p.empty() || p.front() != '/' || p.find('\0') != std::string::npos) std::abort();
  if (p == "/.." || p.find("/../") != std::string::npos || p.ends_with("/..")) std::abort();
  return 0;
}
