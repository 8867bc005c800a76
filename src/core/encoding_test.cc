#include "core/encoding.h"

#include <gtest/gtest.h>

namespace herald {
namespace {

TEST(Encoding, Base64Rfc4648Vectors) {
  const std::pair<const char*, const char*> cases[] = {{"", ""},
                                                       {"f", "Zg=="},
                                                       {"fo", "Zm8="},
                                                       {"foo", "Zm9v"},
                                                       {"foob", "Zm9vYg=="},
                                                       {"fooba", "Zm9vYmE="},
                                                       {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : cases) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    EXPECT_EQ(Base64Decode(encoded), std::string(plain));
  }
  EXPECT_FALSE(Base64Decode("Zm9").has_value());
  EXPECT_FALSE(Base64Decode("Zm9v!A==").has_value());
}

TEST(Encoding, AppendBase64UrlAppendsWhatBase64UrlEncodeReturns) {
  for (const std::string& bytes : {std::string(), std::string("f"), std::string("fo"), std::string("foo"),
                                   std::string("\xfb\xff\xfe\x00\x01", 5)}) {
    std::string out = "prefix.";
    AppendBase64Url(out, bytes);
    EXPECT_EQ(out, "prefix." + Base64UrlEncode(bytes));
  }
}

TEST(Encoding, Base64UrlRoundTripsBinary) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  const auto enc = Base64UrlEncode(bytes);
  EXPECT_EQ(enc.find_first_of("+/="), std::string::npos);
  EXPECT_EQ(Base64UrlDecode(enc), bytes);
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_FALSE(Base64UrlDecode("a+b/").has_value());
}

TEST(Encoding, HmacSha256Rfc4231Case2) {
  const std::string mac = HmacSha256("Jefe", "what do ya want for nothing?");
  std::string hex;
  for (unsigned char c : mac) hex += "0123456789abcdef"[c >> 4], hex += "0123456789abcdef"[c & 15];
  EXPECT_EQ(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_TRUE(ConstantTimeEquals(mac, HmacSha256("Jefe", "what do ya want for nothing?")));
  EXPECT_FALSE(ConstantTimeEquals(mac, HmacSha256("Jefe", "what do ya want for nothing!")));
}

// A key longer than SHA-256's 64-byte block is hashed first (RFC 4231 test case 6).
TEST(Encoding, HmacSha256Rfc4231Case6LongKey) {
  const std::string key(131, '\xaa');
  const std::string mac = HmacSha256(key, "Test Using Larger Than Block-Size Key - Hash Key First");
  std::string hex;
  for (unsigned char c : mac) hex += "0123456789abcdef"[c >> 4], hex += "0123456789abcdef"[c & 15];
  EXPECT_EQ(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

}  // namespace
}  // namespace herald
