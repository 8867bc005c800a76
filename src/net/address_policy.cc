#include "net/address_policy.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <cstring>
#include <memory>

#include "core/text.h"

namespace herald::net {
namespace {

struct V4Range {
  std::uint32_t network;
  int prefix;
  const char* reason;
};

// IANA IPv4 special-purpose ranges that are not globally reachable, plus multicast and the
// reserved class E. Order matters only where ranges nest (the more specific entry comes first,
// so the reason names it).
constexpr V4Range kForbiddenV4[] = {
    {0x00000000, 8, "\"this network\" address (0.0.0.0/8)"},
    {0x0A000000, 8, "private network address (10.0.0.0/8)"},
    {0x64400000, 10, "carrier-grade NAT address (100.64.0.0/10)"},
    {0x7F000000, 8, "loopback address"},
    {0xA9FEA9FE, 32, "cloud metadata address"},
    {0xA9FE0000, 16, "link-local address (169.254.0.0/16)"},
    {0xAC100000, 12, "private network address (172.16.0.0/12)"},
    {0xC0000000, 24, "IETF protocol address (192.0.0.0/24)"},
    {0xC0000200, 24, "documentation address (192.0.2.0/24)"},
    {0xC0586300, 24, "6to4 relay anycast address (192.88.99.0/24)"},
    {0xC0A80000, 16, "private network address (192.168.0.0/16)"},
    {0xC6120000, 15, "benchmarking address (198.18.0.0/15)"},
    {0xC6336400, 24, "documentation address (198.51.100.0/24)"},
    {0xCB007100, 24, "documentation address (203.0.113.0/24)"},
    {0xE0000000, 4, "multicast address"},
    {0xFFFFFFFF, 32, "broadcast address"},
    {0xF0000000, 4, "reserved address (240.0.0.0/4)"},
};

std::uint32_t V4HostOrder(const IpAddress& a) {
  return (std::uint32_t{a.bytes[0]} << 24) | (std::uint32_t{a.bytes[1]} << 16) | (std::uint32_t{a.bytes[2]} << 8) |
         std::uint32_t{a.bytes[3]};
}

const char* V4Reason(std::uint32_t ip) {
  for (const auto& r : kForbiddenV4) {
    std::uint32_t mask = r.prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - r.prefix);
    if ((ip & mask) == r.network) return r.reason;
  }
  return nullptr;
}

bool PrefixMatches(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b, int bits) {
  int full = bits / 8;
  if (std::memcmp(a.data(), b.data(), full) != 0) return false;
  int rest = bits % 8;
  if (rest == 0) return true;
  std::uint8_t mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

IpAddress V6(std::initializer_list<std::uint8_t> prefix) {
  IpAddress a;
  a.v6 = true;
  std::copy(prefix.begin(), prefix.end(), a.bytes.begin());
  return a;
}

struct V6Range {
  IpAddress network;
  int prefix;
  const char* reason;
};

// IPv6 special-purpose ranges inside or beside global unicast (2000::/3) that must not be reached.
// Everything outside 2000::/3 that is not an IPv4-embedding form is refused separately.
const V6Range* ForbiddenV6() {
  static const V6Range ranges[] = {
      {V6({0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}), 48, "local-use NAT64 address (64:ff9b:1::/48)"},
      {V6({0x01, 0x00}), 64, "discard-only address (100::/64)"},
      {V6({0x20, 0x01, 0x0d, 0xb8}), 32, "documentation address (2001:db8::/32)"},
      {V6({0x20, 0x01, 0x00, 0x00}), 23, "IETF protocol address (2001::/23, including Teredo)"},
      {V6({0x3f, 0xff}), 20, "documentation address (3fff::/20)"},
      {V6({0x5f, 0x00}), 16, "segment routing address (5f00::/16)"},
      {V6({0xfc}), 7, "unique local address (fc00::/7)"},
      {V6({0xfe, 0x80}), 10, "link-local address (fe80::/10)"},
      {V6({0xfe, 0xc0}), 10, "site-local address (fec0::/10)"},
      {V6({0xff}), 8, "multicast address"},
      {V6({}), 0, nullptr},
  };
  return ranges;
}

// The IPv4 address an IPv6 address embeds, with the name of the form, or nullopt.
struct Embedded {
  IpAddress v4;
  const char* form;
};

std::optional<Embedded> EmbeddedV4(const IpAddress& a) {
  if (!a.v6) return std::nullopt;
  const auto& b = a.bytes;
  auto tail = [&](int at) {
    IpAddress v4;
    std::copy(b.begin() + at, b.begin() + at + 4, v4.bytes.begin());
    return v4;
  };
  static const IpAddress kMapped = V6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff});
  static const IpAddress kCompatible = V6({});
  static const IpAddress kNat64 = V6({0x00, 0x64, 0xff, 0x9b});
  static const IpAddress kSixToFour = V6({0x20, 0x02});
  static const IpAddress kTranslated = V6({0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0});  // SIIT ::ffff:0:a.b.c.d
  if (PrefixMatches(b, kMapped.bytes, 96)) return Embedded{tail(12), "IPv4-mapped"};
  if (PrefixMatches(b, kTranslated.bytes, 96)) return Embedded{tail(12), "IPv4-translated"};
  if (PrefixMatches(b, kNat64.bytes, 96)) return Embedded{tail(12), "NAT64"};
  if (PrefixMatches(b, kSixToFour.bytes, 16)) return Embedded{tail(2), "6to4"};
  // IPv4-compatible (::a.b.c.d, deprecated); :: and ::1 are their own thing.
  if (PrefixMatches(b, kCompatible.bytes, 96) && V4HostOrder(tail(12)) > 1)
    return Embedded{tail(12), "IPv4-compatible"};
  return std::nullopt;
}

bool Contains(const Cidr& c, const IpAddress& a) {
  if (c.network.v6 != a.v6) return false;
  return PrefixMatches(c.network.bytes, a.bytes, c.prefix);
}

bool IsHostNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

}  // namespace

IpAddress IpAddress::V4(std::uint32_t host_order) {
  IpAddress a;
  a.bytes[0] = static_cast<std::uint8_t>(host_order >> 24);
  a.bytes[1] = static_cast<std::uint8_t>(host_order >> 16);
  a.bytes[2] = static_cast<std::uint8_t>(host_order >> 8);
  a.bytes[3] = static_cast<std::uint8_t>(host_order);
  return a;
}

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  if (auto pct = text.find('%'); pct != std::string_view::npos && text.find(':') != std::string_view::npos) {
    text = text.substr(0, pct);
  }
  std::string s(text);
  IpAddress v4;
  if (inet_pton(AF_INET, s.c_str(), v4.bytes.data()) == 1) return v4;
  IpAddress v6;
  v6.v6 = true;
  if (inet_pton(AF_INET6, s.c_str(), v6.bytes.data()) == 1) return v6;
  return std::nullopt;
}

std::optional<IpAddress> IpAddress::FromSockaddr(const sockaddr* addr) {
  if (addr == nullptr) return std::nullopt;
  IpAddress a;
  if (addr->sa_family == AF_INET) {
    sockaddr_in in;
    std::memcpy(&in, addr, sizeof in);
    std::memcpy(a.bytes.data(), &in.sin_addr, 4);
    return a;
  }
  if (addr->sa_family == AF_INET6) {
    sockaddr_in6 in6;
    std::memcpy(&in6, addr, sizeof in6);
    a.v6 = true;
    std::memcpy(a.bytes.data(), &in6.sin6_addr, 16);
    return a;
  }
  return std::nullopt;
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return buf;
}

std::optional<IpAddress> ParseIpv4Loose(std::string_view text) {
  if (!text.empty() && text.back() == '.') text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  std::uint64_t parts[4] = {};
  int n = 0;
  size_t i = 0;
  while (true) {
    if (n == 4) return std::nullopt;
    if (i >= text.size() || text[i] < '0' || text[i] > '9') return std::nullopt;
    int base = 10;
    if (text[i] == '0') {
      if (i + 1 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
        base = 16;
        i += 2;
      } else {
        base = 8;
      }
    }
    std::uint64_t v = 0;
    for (; i < text.size() && text[i] != '.'; ++i) {
      char c = text[i];
      int d;
      if (c >= '0' && c <= '9') {
        d = c - '0';
      } else if (base == 16 && c >= 'a' && c <= 'f') {
        d = c - 'a' + 10;
      } else if (base == 16 && c >= 'A' && c <= 'F') {
        d = c - 'A' + 10;
      } else {
        return std::nullopt;
      }
      if (d >= base) return std::nullopt;
      v = v * base + d;
      if (v > 0xFFFFFFFFull) return std::nullopt;
    }
    parts[n++] = v;
    if (i >= text.size()) break;
    ++i;  // the dot
  }
  // All parts but the last are single bytes; the last fills the remaining bytes.
  for (int k = 0; k + 1 < n; ++k)
    if (parts[k] > 0xFF) return std::nullopt;
  const std::uint64_t last_max = n == 1 ? 0xFFFFFFFFull : n == 2 ? 0xFFFFFFull : n == 3 ? 0xFFFFull : 0xFFull;
  if (parts[n - 1] > last_max) return std::nullopt;
  std::uint64_t v = parts[n - 1];
  for (int k = 0; k + 1 < n; ++k) v |= parts[k] << (24 - 8 * k);
  return IpAddress::V4(static_cast<std::uint32_t>(v));
}

std::optional<Cidr> Cidr::Parse(std::string_view text) {
  std::string_view addr = text;
  int prefix = -1;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    auto p = text.substr(slash + 1);
    if (p.empty() || p.size() > 3) return std::nullopt;
    prefix = 0;
    for (char c : p) {
      if (c < '0' || c > '9') return std::nullopt;
      prefix = prefix * 10 + (c - '0');
    }
  }
  if (addr.find('%') != std::string_view::npos) return std::nullopt;
  auto ip = IpAddress::Parse(addr);
  if (!ip) return std::nullopt;
  int max = ip->v6 ? 128 : 32;
  if (prefix < 0) prefix = max;
  if (prefix > max) return std::nullopt;
  Cidr c;
  c.network = *ip;
  c.prefix = prefix;
  return c;
}

bool Cidr::Contains(const IpAddress& address) const { return net::Contains(*this, address); }

AddressPolicy::AddressPolicy() : resolver_(ResolveHost) {}

Result<AddressPolicy> AddressPolicy::WithAllowList(const std::vector<std::string>& cidrs, const std::string& field) {
  AddressPolicy p;
  for (const auto& c : cidrs) {
    if (!p.AllowCidr(c)) {
      return Error::Invalid(field, "\"" + c + "\" is not an address or network in CIDR notation (e.g. 10.0.0.0/8)");
    }
  }
  return p;
}

bool AddressPolicy::AllowCidr(std::string_view cidr) {
  auto c = Cidr::Parse(cidr);
  if (!c) return false;
  allow_.push_back(*c);
  return true;
}

bool AddressPolicy::AllowListed(const IpAddress& address) const {
  for (const auto& c : allow_)
    if (c.Contains(address)) return true;
  return false;
}

bool AddressPolicy::Allows(const sockaddr* addr) const {
  auto ip = IpAddress::FromSockaddr(addr);
  return ip && Allows(*ip);
}

std::optional<std::string> AddressPolicy::RefusalReason(const IpAddress& address) const {
  if (AllowListed(address)) return std::nullopt;
  if (!address.v6) {
    if (const char* r = V4Reason(V4HostOrder(address))) return std::string(r);
    return std::nullopt;
  }
  if (auto e = EmbeddedV4(address)) {
    if (AllowListed(e->v4)) return std::nullopt;
    if (const char* r = V4Reason(V4HostOrder(e->v4))) return std::string(e->form) + " " + r;
    // A public IPv4 address in the forms that reach it (mapped: the same socket; NAT64: through
    // the network's translator; 6to4: global unicast) is as good as the IPv4 address itself.
    if (std::string_view(e->form) == "IPv4-mapped" || std::string_view(e->form) == "NAT64" ||
        std::string_view(e->form) == "6to4") {
      return std::nullopt;
    }
    return std::string(e->form) + " address (not globally routable)";
  }
  static const IpAddress kZero = V6({});
  IpAddress loopback = kZero;
  loopback.bytes[15] = 1;
  if (address == kZero) return std::string("unspecified address (::)");
  if (address == loopback) return std::string("loopback address");
  for (const V6Range* r = ForbiddenV6(); r->reason != nullptr; ++r) {
    if (PrefixMatches(address.bytes, r->network.bytes, r->prefix)) return std::string(r->reason);
  }
  // Only 2000::/3 is allocated as global unicast.
  if ((address.bytes[0] & 0xE0) != 0x20) return std::string("reserved IPv6 address (outside 2000::/3)");
  return std::nullopt;
}

Result<std::vector<IpAddress>> ResolveHost(const std::string& host) {
  addrinfo hints;
  std::memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res);
  if (rc != 0) {
    std::string why = gai_strerror(rc);
    if (rc == EAI_AGAIN || rc == EAI_SYSTEM || rc == EAI_MEMORY) {
      return Error::Unavailable("DNS lookup of " + host + " failed: " + why);
    }
    return Error::Invalid("", "host name " + host + " does not resolve (" + why + ")");
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(res, freeaddrinfo);
  std::vector<IpAddress> out;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    if (auto ip = IpAddress::FromSockaddr(ai->ai_addr)) out.push_back(*ip);
  }
  if (out.empty()) return Error::Invalid("", "host name " + host + " has no IPv4 or IPv6 address");
  return out;
}

Result<std::string> AddressPolicy::CheckUrl(std::string_view url, const std::string& field, bool allow_http) const {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) {
    // parse_absolute_uri refuses fragments; accept them the way parse_uri does.
    auto with_fragment = boost::urls::parse_uri(url);
    if (!with_fragment) return Error::Invalid(field, "must be an absolute URL such as https://example.com/hook");
    parsed = with_fragment;
  }
  boost::urls::url u(*parsed);
  std::string scheme = Lower(u.scheme());
  if (scheme != "https" && !(allow_http && scheme == "http")) {
    return Error::Invalid(field, allow_http ? "must be an http or https URL" : "must be an https URL");
  }
  if (!u.has_authority() || u.encoded_host().empty()) return Error::Invalid(field, "must include a host name");
  if (u.has_userinfo()) return Error::Invalid(field, "must not include a user name or password");
  if (u.has_port() && !u.port().empty()) {
    // port_number() wraps out-of-range values instead of refusing them.
    std::string_view port = u.port();
    long value = 0;
    if (port.size() <= 5)
      for (char c : port) value = value * 10 + (c - '0');  // the URL grammar allows only digits here
    if (value < 1 || value > 65535) return Error::Invalid(field, "port must be a number from 1 to 65535");
  }

  auto refuse = [&](const IpAddress& ip, const std::string& reason, bool resolved) -> Error {
    return Error::Invalid(field, std::string(resolved ? "resolves to " : "points to ") + ip.ToString() + ", a " +
                                     reason + "; only public addresses are allowed");
  };

  std::optional<IpAddress> literal;
  switch (u.host_type()) {
    case boost::urls::host_type::ipv4: {
      auto b = u.host_ipv4_address().to_bytes();
      IpAddress ip;
      std::copy(b.begin(), b.end(), ip.bytes.begin());
      literal = ip;
      break;
    }
    case boost::urls::host_type::ipv6: {
      auto b = u.host_ipv6_address().to_bytes();
      IpAddress ip;
      ip.v6 = true;
      std::copy(b.begin(), b.end(), ip.bytes.begin());
      literal = ip;
      break;
    }
    case boost::urls::host_type::ipvfuture: return Error::Invalid(field, "host must be a name or an IPv4/IPv6 address");
    default: {
      std::string host = Lower(u.host());  // percent-decoded: resolvers see the decoded bytes
      for (char c : host) {
        if (!IsHostNameChar(c)) {
          return Error::Invalid(field,
                                "host name may contain only letters, digits, '-' and '.' (use the xn-- form "
                                "for international names)");
        }
      }
      if (auto v4 = ParseIpv4Loose(host)) {
        literal = v4;
        // Canonical dotted form, so what we stored is what is connected to.
        u.set_host_ipv4(boost::urls::ipv4_address(V4HostOrder(*v4)));
        break;
      }
      std::string lookup = host;
      if (!lookup.empty() && lookup.back() == '.') lookup.pop_back();
      if (lookup.empty()) return Error::Invalid(field, "must include a host name");
      auto addrs = resolver_ ? resolver_(lookup) : ResolveHost(lookup);
      if (!addrs.ok()) {
        Error e = addrs.error();
        if (e.code == ErrorCode::kInvalid) e.field = field;
        return e;
      }
      for (const auto& ip : *addrs) {
        if (auto why = RefusalReason(ip)) return refuse(ip, *why, true);
      }
      u.set_host(host);
      break;
    }
  }
  if (literal) {
    if (auto why = RefusalReason(*literal)) return refuse(*literal, *why, false);
  }
  u.normalize();
  return std::string(u.buffer());
}

}  // namespace herald::net
