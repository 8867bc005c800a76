// Fuzzes phone number normalisation (SMS sign-ups come from the public): it must never crash,
// and whatever it accepts is E.164 that normalises to itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "address/phone_number.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  auto e164 = herald::address::NormalizePhoneNumber(input, "US", "phone_number");
  if (e164.ok()) {
    if (e164->empty() || (*e164)[0] != '+' || e164->size() > 16) std::abort();
    auto again = herald::address::NormalizePhoneNumber(*e164, "", "phone_number");
    if (!again.ok() || *again != *e164) std::abort();
  }
  return 0;
}
