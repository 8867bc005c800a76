#include "core/text.h"

#include <gtest/gtest.h>

#include <string>

namespace herald {
namespace {

TEST(Text, WebUrls) {
  EXPECT_TRUE(IsWebUrl("https://a.example/x"));
  EXPECT_TRUE(IsWebUrl("HTTP://a.example"));
  EXPECT_FALSE(IsWebUrl("https://"));
  EXPECT_FALSE(IsWebUrl("javascript:alert(1)"));
  EXPECT_FALSE(IsWebUrl("https://a.example/\nx"));
  EXPECT_FALSE(IsWebUrl("https://a.example/a b"));
  EXPECT_FALSE(IsWebUrl("//a.example"));
  // Chat services refuse longer links; each caller may allow more.
  const std::string long_url = "https://a.example/" + std::string(2048, 'x');
  EXPECT_FALSE(IsWebUrl(long_url));
  EXPECT_TRUE(IsWebUrl(long_url, 3000));
}

TEST(Text, LowerIsAsciiOnly) {
  EXPECT_EQ(Lower("Content-Type: ÄB"), "content-type: Äb");  // not the multi-byte letter
  EXPECT_EQ(Lower(""), "");
}

TEST(Text, JsonEscape) {
  EXPECT_EQ(JsonEscape("a\"b\\c\n\x01"), "a\\\"b\\\\c\\n\\u0001");
  EXPECT_EQ(JsonEscape("Grüße"), "Grüße");  // UTF-8 passes through
}

}  // namespace
}  // namespace herald
