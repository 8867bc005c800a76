// Fuzzes the SSRF guard's parsers (webhook, chat and push URLs come from the public): host
// literals in every encoding, CIDRs and whole URLs, and the address normalisers of src/address/.
// It must never crash, every address it parses must survive a round trip through its text form,
// and what a normaliser accepts normalises to itself. Names resolve to nothing here, so no DNS
// traffic leaves the fuzzer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "address/email_address.h"
#include "address/web_url.h"
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
  policy.SetResolver(
      [](const std::string&) -> herald::Result<std::vector<IpAddress>> { return std::vector<IpAddress>{}; });
  auto checked = policy.CheckUrl(input, "endpoint", true);
  (void)checked;
  // The syntax rooms the sign-up uses before the policy: what they accept normalises to itself.
  if (auto email = herald::address::NormalizeEmailAddress(input, "email")) {
    auto again = herald::address::NormalizeEmailAddress(*email, "email");
    if (!again || *again != *email) std::abort();
  }
  herald::address::WebUrlRule any_web_url;
  any_web_url.allow_http = true;
  if (auto url = herald::address::NormalizeWebUrl(input, "endpoint", any_web_url)) {
    auto again = herald::address::NormalizeWebUrl(*url, "endpoint", any_web_url);
    if (!again || *again != *url) std::abort();
  }
  return 0;
}
