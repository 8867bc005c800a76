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

// RFC 4648 section 10, without the padding (authenticator apps and otpauth:// URIs omit it).
TEST(Encoding, Base32Rfc4648Vectors) {
  const std::pair<const char*, const char*> cases[] = {{"", ""},
                                                       {"f", "MY======"},
                                                       {"fo", "MZXQ===="},
                                                       {"foo", "MZXW6==="},
                                                       {"foob", "MZXW6YQ="},
                                                       {"fooba", "MZXW6YTB"},
                                                       {"foobar", "MZXW6YTBOI======"}};
  for (const auto& [plain, padded] : cases) {
    std::string unpadded(padded);
    unpadded.erase(unpadded.find_last_not_of('=') + 1);
    EXPECT_EQ(Base32Encode(plain), unpadded);
    EXPECT_EQ(Base32Decode(unpadded), std::string(plain)) << unpadded;
    EXPECT_EQ(Base32Decode(padded), std::string(plain)) << padded;
  }
}

TEST(Encoding, Base32DecodeTakesWhatPeopleTypeAndRefusesTheRest) {
  EXPECT_EQ(Base32Decode("mzxw 6ytb-oi"), std::string("foobar"));
  EXPECT_FALSE(Base32Decode("MZXW1").has_value());  // 1 is not in the alphabet
  EXPECT_FALSE(Base32Decode("M").has_value());      // 5 bits: no whole byte, more than padding
  EXPECT_FALSE(Base32Decode("MZX").has_value());    // 15 bits: a length no encoder writes
  EXPECT_FALSE(Base32Decode("MZ").has_value());     // "f" is MY: the leftover bits must be zero
  EXPECT_FALSE(Base32Decode("MY=A").has_value());   // padding only at the end
  const std::string binary("\x00\xff\x10\x80\x7f\x01\xfe", 7);
  EXPECT_EQ(Base32Decode(Base32Encode(binary)), binary);
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
