// Fuzzes the base32 decoder (TOTP secrets typed or pasted by people): it must never crash, what it
// accepts must encode back to the same bytes and decode again, and the encoder's output must
// always decode.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/encoding.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto bytes = herald::Base32Decode(input)) {
    auto again = herald::Base32Decode(herald::Base32Encode(*bytes));
    if (!again || *again != *bytes) std::abort();
  }
  auto round = herald::Base32Decode(herald::Base32Encode(input));
  if (!round || *round != input) std::abort();
  return 0;
}
