#include "net/address_policy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <cstring>
#include <string>
#include <vector>

namespace herald::net {
namespace {

// A sockaddr for a textual address, as curl hands it to the open-socket callback.
struct Sock {
  sockaddr_storage storage{};
  explicit Sock(const std::string& text) {
    auto* in = reinterpret_cast<sockaddr_in*>(&storage);
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    if (inet_pton(AF_INET, text.c_str(), &in->sin_addr) == 1) {
      in->sin_family = AF_INET;
    } else if (inet_pton(AF_INET6, text.c_str(), &in6->sin6_addr) == 1) {
      in6->sin6_family = AF_INET6;
    } else {
      ADD_FAILURE() << "bad test address " << text;
    }
  }
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

const std::vector<std::string> kForbidden = {
    // IPv4
    "127.0.0.1",
    "127.255.255.254",
    "10.0.0.1",
    "10.255.255.255",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "169.254.0.1",
    "100.64.0.1",
    "100.127.255.255",
    "0.0.0.0",
    "0.1.2.3",
    "224.0.0.1",
    "239.255.255.250",
    "255.255.255.255",
    "240.0.0.1",
    "192.0.2.1",
    "198.51.100.7",
    "203.0.113.9",
    "198.18.0.1",
    "198.19.255.255",
    "192.0.0.8",
    "192.88.99.1",
    // IPv6
    "::",
    "::1",
    "fe80::1",
    "febf::1",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "ff0e::1",
    "fec0::1",
    "2001:db8::1",
    "2001::1",
    "3fff::1",
    "100::1",
    "64:ff9b:1::1",
    "4000::1",
    "1234::1",
    // IPv4-mapped, IPv4-compatible, IPv4-translated, NAT64 and 6to4 forms of forbidden IPv4 addresses
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:100.64.0.1",
    "::ffff:0.0.0.0",
    "::ffff:192.168.0.1",
    "::127.0.0.1",
    "::10.0.0.1",
    "::ffff:0:127.0.0.1",
    "64:ff9b::127.0.0.1",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b::192.168.1.1",
    "2002:7f00:1::1",
    "2002:a00:1::",
    "2002:a9fe:a9fe::1",
    "2002:c0a8:101::",
};

const std::vector<std::string> kPublic = {
    "93.184.216.34",
    "8.8.8.8",
    "1.1.1.1",
    "172.32.0.1",
    "172.15.255.255",
    "100.128.0.1",
    "100.63.255.255",
    "11.0.0.1",
    "169.255.0.1",
    "223.255.255.255",
    "2606:4700::1111",
    "2a00:1450:4001:81b::200e",
    "::ffff:93.184.216.34",
    "64:ff9b::5db8:d822",
    "2002:5db8:d822::1",
};

TEST(AddressPolicyTest, RefusesEveryNonPublicRange) {
  AddressPolicy policy;
  for (const auto& a : kForbidden) {
    EXPECT_FALSE(policy.Allows(Sock(a).get())) << a;
    auto ip = IpAddress::Parse(a);
    ASSERT_TRUE(ip) << a;
    EXPECT_TRUE(policy.RefusalReason(*ip).has_value()) << a;
  }
}

TEST(AddressPolicyTest, AllowsPublicAddresses) {
  AddressPolicy policy;
  for (const auto& a : kPublic) EXPECT_TRUE(policy.Allows(Sock(a).get())) << a;
}

TEST(AddressPolicyTest, ReasonsNameTheRange) {
  AddressPolicy policy;
  EXPECT_EQ(*policy.RefusalReason(*IpAddress::Parse("127.0.0.1")), "loopback address");
  EXPECT_EQ(*policy.RefusalReason(*IpAddress::Parse("169.254.169.254")), "cloud metadata address");
  EXPECT_EQ(*policy.RefusalReason(*IpAddress::Parse("::ffff:127.0.0.1")), "IPv4-mapped loopback address");
  EXPECT_EQ(*policy.RefusalReason(*IpAddress::Parse("2002:a00:1::")), "6to4 private network address (10.0.0.0/8)");
}

TEST(AddressPolicyTest, RefusesOtherFamiliesAndNull) {
  AddressPolicy policy;
  sockaddr_storage s{};
  s.ss_family = AF_UNIX;
  EXPECT_FALSE(policy.Allows(reinterpret_cast<const sockaddr*>(&s)));
  EXPECT_FALSE(policy.Allows(static_cast<const sockaddr*>(nullptr)));
}

TEST(AddressPolicyTest, AllowListAdmitsLoopbackInEveryForm) {
  auto policy = AddressPolicy::WithAllowList({"127.0.0.0/8", "::1/128"});
  ASSERT_TRUE(policy.ok());
  for (const char* a :
       {"127.0.0.1", "127.3.2.1", "::1", "::ffff:127.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::"}) {
    EXPECT_TRUE(policy->Allows(Sock(a).get())) << a;
  }
  for (const char* a : {"10.0.0.1", "169.254.169.254", "::2", "fe80::1", "::ffff:10.0.0.1"}) {
    EXPECT_FALSE(policy->Allows(Sock(a).get())) << a;
  }
}

TEST(AddressPolicyTest, AllowListEntriesAreValidated) {
  auto bad = AddressPolicy::WithAllowList({"10.0.0.0/8", "10.0.0.0/33"}, "outbound.allow");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(bad.error().field, "outbound.allow");
  EXPECT_NE(bad.error().message.find("10.0.0.0/33"), std::string::npos);
  for (const char* s : {"nonsense", "::1/129", "10.0.0.0/", "10.0.0.0/x", "fe80::1%eth0/128", ""}) {
    EXPECT_FALSE(Cidr::Parse(s).has_value()) << s;
  }
  auto host = Cidr::Parse("10.20.0.5");
  ASSERT_TRUE(host);
  EXPECT_EQ(host->prefix, 32);
  EXPECT_TRUE(host->Contains(*IpAddress::Parse("10.20.0.5")));
  EXPECT_FALSE(host->Contains(*IpAddress::Parse("10.20.0.6")));
  auto any6 = Cidr::Parse("::/0");
  ASSERT_TRUE(any6);
  EXPECT_TRUE(any6->Contains(*IpAddress::Parse("fe80::1")));
  EXPECT_FALSE(any6->Contains(*IpAddress::Parse("10.0.0.1")));  // families never mix
}

TEST(ParseIpv4LooseTest, DecodesWhatInetAtonDecodes) {
  const char* forms[] = {"127.0.0.1",    "2130706433", "0177.0.0.1", "0x7f.0.0.1", "0X7F.0.0.1",
                         "0x7f000001",   "127.1",      "127.0.1",    "0x7f.1",     "0177.1",
                         "017700000001", "10.1",       "0xa.0.0x1",  "0.0.0.0",    "0",
                         "4294967295",   "1.2.3.4",    "0xA9FEA9FE", "00000127.1", "192.168.0x1.1"};
  for (const char* f : forms) {
    in_addr expected{};
    ASSERT_EQ(inet_aton(f, &expected), 1) << f;
    auto ip = ParseIpv4Loose(f);
    ASSERT_TRUE(ip) << f;
    EXPECT_FALSE(ip->v6);
    EXPECT_EQ(0, std::memcmp(ip->bytes.data(), &expected, 4)) << f;
  }
  EXPECT_EQ(ParseIpv4Loose("127.0.0.1.")->ToString(), "127.0.0.1");  // resolvers ignore the root dot
  EXPECT_EQ(ParseIpv4Loose("0x.1")->ToString(), "0.0.0.1");          // a bare "0x" is 0, as URL parsers read it
  for (const char* f : {"256.0.0.1", "08.0.0.1", "1.2.3.4.5", "example.com", "0x100000000", "1.2.3.256", "1.16777216",
                        "", ".", "1..2", "1.2.3.4..", "0xg", "12a", "-1", "1.2.3.4 "}) {
    EXPECT_FALSE(ParseIpv4Loose(f).has_value()) << f;
  }
}

// Every way of writing 127.0.0.1 (or another loopback address) that a resolver accepts.
const std::vector<std::string> kLoopbackUrls = {
    "https://127.0.0.1/hook",
    "https://127.0.0.1:8443/hook",
    "https://2130706433/hook",
    "https://0177.0.0.1/hook",
    "https://0x7f.0.0.1/hook",
    "https://0x7f000001/hook",
    "https://0x7f.1/hook",
    "https://127.1/hook",
    "https://127.0.1/hook",
    "https://017700000001/hook",
    "https://0177.0.0.01/hook",
    "https://127.000.000.001/hook",
    "https://127.0.0.1./hook",
    "https://%31%32%37.0.0.1/hook",
    "https://[::1]/hook",
    "https://[0:0:0:0:0:0:0:1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[::ffff:7f00:1]/hook",
    "https://[0:0:0:0:0:ffff:7f00:1]/hook",
    "https://[::127.0.0.1]/hook",
    "https://[64:ff9b::7f00:1]/hook",
    "https://[2002:7f00:1::]/hook",
    "https://localhost/hook",
    "https://LOCALHOST./hook",
};

TEST(CheckUrlTest, RefusesLoopbackInEveryEncoding) {
  AddressPolicy policy;
  for (const auto& url : kLoopbackUrls) {
    auto r = policy.CheckUrl(url, "endpoint", false);
    ASSERT_FALSE(r.ok()) << url << " accepted as " << *r;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalid) << url;
    EXPECT_EQ(r.error().field, "endpoint") << url;
    EXPECT_NE(r.error().message.find("only public addresses"), std::string::npos) << url << ": " << r.error().message;
  }
}

TEST(CheckUrlTest, AllowsLoopbackInEveryEncodingWhenAllowListed) {
  auto policy = AddressPolicy::WithAllowList({"127.0.0.0/8", "::1/128"});
  ASSERT_TRUE(policy.ok());
  for (const auto& url : kLoopbackUrls) {
    auto r = policy->CheckUrl(url, "endpoint", false);
    EXPECT_TRUE(r.ok()) << url << ": " << (r.ok() ? "" : r.error().message);
  }
  // Loose IPv4 literals come back in the canonical form, which is what gets connected to.
  EXPECT_EQ(*policy->CheckUrl("https://0x7f.1/hook?a=1", "endpoint", false), "https://127.0.0.1/hook?a=1");
  EXPECT_EQ(*policy->CheckUrl("HTTPS://2130706433:8443/a/../hook", "endpoint", false), "https://127.0.0.1:8443/hook");
}

TEST(CheckUrlTest, RefusesOtherForbiddenLiterals) {
  AddressPolicy policy;
  for (const char* url :
       {"https://10.1/", "https://167772161/", "https://0xa9fea9fe/latest/meta-data/",
        "https://169.254.169.254/latest/meta-data/", "https://0251.0376.0251.0376/", "https://[::ffff:a9fe:a9fe]/",
        "https://192.168.1.1/", "https://100.64.0.1/", "https://0.0.0.0/", "https://0/", "https://224.0.0.1/",
        "https://255.255.255.255/", "https://[fe80::1]/", "https://[fd00::1]/", "https://[::]/", "https://[ff02::1]/",
        "https://[2002:c0a8:101::1]/", "https://[64:ff9b::a00:1]/"}) {
    auto r = policy.CheckUrl(url, "endpoint", false);
    EXPECT_FALSE(r.ok()) << url;
  }
  auto meta = policy.CheckUrl("https://0xa9fea9fe/", "endpoint", false);
  ASSERT_FALSE(meta.ok());
  EXPECT_NE(meta.error().message.find("points to 169.254.169.254, a cloud metadata address"), std::string::npos)
      << meta.error().message;
}

TEST(CheckUrlTest, AllowsPublicLiterals) {
  AddressPolicy policy;
  EXPECT_EQ(*policy.CheckUrl("https://93.184.216.34/hook", "endpoint", false), "https://93.184.216.34/hook");
  EXPECT_EQ(*policy.CheckUrl("https://1572395042/hook", "endpoint", false), "https://93.184.216.34/hook");
  EXPECT_EQ(*policy.CheckUrl("https://[2606:4700::1111]:8443/x", "endpoint", false),
            "https://[2606:4700::1111]:8443/x");
  EXPECT_TRUE(policy.CheckUrl("https://[::ffff:93.184.216.34]/x", "endpoint", false).ok());
}

TEST(CheckUrlTest, RequiresHttpsHostAndNoUserinfo) {
  AddressPolicy policy;
  auto message = [&](const char* url, bool allow_http) {
    auto r = policy.CheckUrl(url, "endpoint", allow_http);
    EXPECT_FALSE(r.ok()) << url;
    if (r.ok()) return std::string();
    EXPECT_EQ(r.error().field, "endpoint");
    EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
    return r.error().message;
  };
  EXPECT_EQ(message("http://93.184.216.34/", false), "must be an https URL");
  EXPECT_EQ(message("ftp://93.184.216.34/", true), "must be an http or https URL");
  EXPECT_EQ(message("gopher://93.184.216.34/", false), "must be an https URL");
  EXPECT_EQ(message("https://user:pw@93.184.216.34/", false), "must not include a user name or password");
  EXPECT_EQ(message("https://user@93.184.216.34/", false), "must not include a user name or password");
  EXPECT_EQ(message("https:///path", false), "must include a host name");
  EXPECT_EQ(message("https:93.184.216.34", false), "must include a host name");
  EXPECT_NE(message("not a url", false).find("absolute URL"), std::string::npos);
  EXPECT_NE(message("/relative/path", false).find("absolute URL"), std::string::npos);
  EXPECT_NE(message("https://exa mple.com/", false).find("absolute URL"), std::string::npos);
  EXPECT_NE(message("https://ex%00ample.com/", false).find("host name may contain"), std::string::npos);
  EXPECT_NE(message("https://[v1.x]/", false).find("host must be"), std::string::npos);
  EXPECT_NE(message("https://93.184.216.34:99999/", false).find("port"), std::string::npos);
  EXPECT_NE(message("https://93.184.216.34:65536/", false).find("port"), std::string::npos);
  EXPECT_NE(message("https://93.184.216.34:0/", false).find("port"), std::string::npos);
  EXPECT_TRUE(policy.CheckUrl("https://93.184.216.34:65535/", "endpoint", false).ok());
  EXPECT_TRUE(policy.CheckUrl("https://93.184.216.34:/", "endpoint", false).ok());
  EXPECT_TRUE(policy.CheckUrl("http://93.184.216.34/", "endpoint", true).ok());
}

TEST(CheckUrlTest, RefusesNamesResolvingToAnyForbiddenAddress) {
  AddressPolicy policy;
  std::vector<std::string> asked;
  policy.SetResolver([&](const std::string& host) -> Result<std::vector<IpAddress>> {
    asked.push_back(host);
    if (host == "public.example") return std::vector<IpAddress>{*IpAddress::Parse("93.184.216.34")};
    if (host == "mixed.example") {
      return std::vector<IpAddress>{*IpAddress::Parse("93.184.216.34"), *IpAddress::Parse("10.0.0.7")};
    }
    if (host == "mapped.example") return std::vector<IpAddress>{*IpAddress::Parse("::ffff:169.254.169.254")};
    if (host == "flaky.example") return Error::Unavailable("DNS lookup of flaky.example failed");
    return Error::Invalid("", "host name " + host + " does not resolve");
  });
  EXPECT_EQ(*policy.CheckUrl("https://Public.Example/hook", "endpoint", false), "https://public.example/hook");
  EXPECT_EQ(asked.back(), "public.example");
  EXPECT_TRUE(policy.CheckUrl("https://public.example./hook", "endpoint", false).ok());
  EXPECT_EQ(asked.back(), "public.example");

  auto mixed = policy.CheckUrl("https://mixed.example/hook", "endpoint", false);
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.error().message,
            "resolves to 10.0.0.7, a private network address (10.0.0.0/8); only public addresses are allowed");
  EXPECT_FALSE(policy.CheckUrl("https://mapped.example/", "endpoint", false).ok());

  auto missing = policy.CheckUrl("https://missing.example/", "endpoint", false);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(missing.error().field, "endpoint");
  auto flaky = policy.CheckUrl("https://flaky.example/", "endpoint", false);
  ASSERT_FALSE(flaky.ok());
  EXPECT_EQ(flaky.error().code, ErrorCode::kUnavailable);

  // Literals never reach the resolver.
  asked.clear();
  EXPECT_FALSE(policy.CheckUrl("https://0x7f.1/", "endpoint", false).ok());
  EXPECT_TRUE(asked.empty());
}

TEST(CheckUrlTest, RealResolverRefusesLocalhost) {
  AddressPolicy policy;  // getaddrinfo: "localhost" comes from /etc/hosts, no network needed
  auto r = policy.CheckUrl("https://localhost:9/", "endpoint", false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("loopback"), std::string::npos) << r.error().message;
  auto resolved = ResolveHost("127.1");
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->front().ToString(), "127.0.0.1");
}

}  // namespace
}  // namespace herald::net
