// AddressPolicy: the SSRF guard for outbound requests to URLs that the public or a customer
// supplied (webhooks, chat incoming-webhooks, HTTP monitors). It refuses every destination that
// is not a globally routable unicast address — loopback, private networks, link-local (including
// the cloud metadata address 169.254.169.254), CGNAT, "this network", multicast, broadcast,
// reserved and documentation ranges, IPv6 ULA and the IPv6 forms that embed an IPv4 address
// (IPv4-mapped, IPv4-compatible, NAT64, 6to4) of any of those — unless the operator allow-listed
// it (internal deployments; tests reaching their local receivers).
//
// Two places use it:
//   - CheckUrl() at subscription time, for early feedback: it decodes host literals in every
//     encoding a resolver would accept ("2130706433", "0177.0.0.1", "0x7f.1", "[::ffff:7f00:1]")
//     and resolves names. It blocks on DNS: call it from a worker thread.
//   - Allows() at connect time (CurlEngine), against the address actually connected to. That is
//     the real guard: it also defeats DNS rebinding and redirects, which CheckUrl cannot.
//
// Thread safety: a configured AddressPolicy is immutable; all const methods may be called
// concurrently. Configure it (AllowCidr) before sharing it.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace herald::net {

// An IPv4 or IPv6 address in network byte order. IPv4 uses the first 4 bytes.
struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};

  static IpAddress V4(std::uint32_t host_order);
  // Strict textual forms only (inet_pton): "192.0.2.1", "2001:db8::1". A "%zone" suffix on an
  // IPv6 address is ignored.
  static std::optional<IpAddress> Parse(std::string_view text);
  static std::optional<IpAddress> FromSockaddr(const sockaddr* addr);
  std::string ToString() const;
  bool operator==(const IpAddress&) const = default;
};

// Decodes an IPv4 literal the way inet_aton (and therefore getaddrinfo and most URL parsers) do:
// one to four parts separated by dots, each decimal, octal (leading 0) or hex (0x), the last part
// filling the remaining bytes ("127.1", "0x7f000001", "0177.0.0.1", "10.1"). A single trailing dot
// is accepted, as resolvers do. nullopt when `text` is not such a literal.
std::optional<IpAddress> ParseIpv4Loose(std::string_view text);

// A network in CIDR notation: "10.0.0.0/8", "::1/128"; a bare address means a single host.
struct Cidr {
  IpAddress network;
  int prefix = 0;

  static std::optional<Cidr> Parse(std::string_view text);
  bool Contains(const IpAddress& address) const;
};

class AddressPolicy {
 public:
  // Host name -> every address it resolves to. The default uses getaddrinfo; tests inject names.
  using Resolver = std::function<Result<std::vector<IpAddress>>(const std::string& host)>;

  AddressPolicy();

  // An allow-list from operator configuration ("127.0.0.0/8", "::1/128", "10.20.0.5"). Returns
  // Error::Invalid(field) naming the first entry that is not a CIDR.
  static Result<AddressPolicy> WithAllowList(const std::vector<std::string>& cidrs,
                                             const std::string& field = "allow_list");

  // Adds one allow-listed network; false when `cidr` does not parse.
  bool AllowCidr(std::string_view cidr);
  void SetResolver(Resolver resolver) { resolver_ = std::move(resolver); }
  const std::vector<Cidr>& allow_list() const { return allow_; }

  // Whether an outbound connection to `addr` (AF_INET or AF_INET6; any other family is refused)
  // is permitted. Never blocks.
  bool Allows(const sockaddr* addr) const;
  bool Allows(const IpAddress& address) const { return !RefusalReason(address).has_value(); }

  // Why `address` is refused ("loopback", "private network", "IPv4-mapped loopback", ...), or
  // nullopt when it is allowed (globally routable, or allow-listed). An allow-list entry matches
  // the address itself or, for the IPv6 forms that embed an IPv4 address, that IPv4 address.
  std::optional<std::string> RefusalReason(const IpAddress& address) const;

  // Subscription-time check of a URL: absolute, https (or http when allow_http), no userinfo, a
  // host that is neither a forbidden address literal in any encoding nor a name resolving to any
  // forbidden address. Returns the normalised URL (scheme and host lower-cased, host literals in
  // canonical form, dot segments removed) or Error::Invalid(field, why); a temporary DNS failure
  // is Error::Unavailable. Blocks on DNS.
  Result<std::string> CheckUrl(std::string_view url, const std::string& field, bool allow_http) const;

 private:
  bool AllowListed(const IpAddress& address) const;

  std::vector<Cidr> allow_;
  Resolver resolver_;
};

// The getaddrinfo-based resolver AddressPolicy uses by default.
Result<std::vector<IpAddress>> ResolveHost(const std::string& host);

}  // namespace herald::net
