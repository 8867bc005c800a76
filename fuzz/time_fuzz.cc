// Fuzzes the ISO 8601 parser used for every time field in the API and CLI: it must never
// crash, and whatever it accepts must format and parse back to the same instant.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/time.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto t = herald::ParseIso8601(input);
  if (t && *t > -62135596800000LL && *t < 253402300799000LL) {
    auto again = herald::ParseIso8601(herald::FormatIso8601(*t));
    if (!again || *again != *t) std::abort();
  }
  return 0;
}
