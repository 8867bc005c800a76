// Fuzzes the SSRF guard's parsers (webhook, chat and push URLs come from the public): host
// literals in every encoding, CIDRs and whole URLs. It must never crash, and every address it
// parses must survive a round trip through its text form. Names resolve to nothing here, so no
// DNS traffic leaves the fuzzer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "net/address_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace herald::net;
  const std::string input(reinterpret_cast<const char*>(data), size);
  if (auto ip = IpAddress::Parse(input)) {
    auto again = IpAddress::Parse(ip->ToString());
    if (!again || again->bytes != ip->bytes || again->v6 != ip->v6) std::abort();
  }
  if (auto loose = ParseIpv4Loose(input)) {
    auto again = IpAddress::Parse(loose->ToString());
    if (!again || again->bytes != loose->bytes) std::abort();
  }
  (void)Cidr::Parse(input);
  AddressPolicy policy;
  policy.SetResolver([](const std::string&) -> herald::Result<std::vector<IpAddress>> {
    return std::vector<IpAddress>{};
  });
  auto checked = policy.CheckUrl(input, "endpoint", true);
  (void)checked;
  return 0;
}
