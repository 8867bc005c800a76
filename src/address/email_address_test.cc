#include "address/email_address.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace herald::address {
namespace {

using ::testing::HasSubstr;

TEST(EmailAddress, Normalizes) {
  EXPECT_EQ(*NormalizeEmailAddress("  Jane.Doe+status@Example.COM \n", "email"), "jane.doe+status@example.com");
  EXPECT_EQ(*NormalizeEmailAddress("o'brien@mail.example.ie", "email"), "o'brien@mail.example.ie");
  EXPECT_EQ(*NormalizeEmailAddress("x@xn--bcher-kva.example", "email"), "x@xn--bcher-kva.example");
  EXPECT_EQ(*NormalizeEmailAddress(std::string(64, 'a') + "@example.com", "email"),
            std::string(64, 'a') + "@example.com");
}

TEST(EmailAddress, RefusesWithTheFieldName) {
  const std::string long_domain = std::string(63, 'd') + "." + std::string(63, 'd') + "." + std::string(63, 'd') + "." +
                                  std::string(48, 'd') + ".com";
  for (const std::string bad : {"",
                                "   ",
                                "plain",
                                "two@@example.com",
                                "a@b@example.com",
                                "@example.com",
                                "jane@",
                                "jane@localhost",
                                "jane@example..com",
                                "jane@-example.com",
                                "jane@exa_mple.com",
                                "jane doe@example.com",
                                "\"jane\"@example.com",
                                "jane@example.com\r\nBcc: x@y.z",
                                ".jane@example.com",
                                "jane.@example.com",
                                "ja..ne@example.com",
                                "jane(x)@example.com",
                                "jane@[127.0.0.1]",
                                "jane@127.0.0.1",
                                "jäne@example.com",
                                "jane@bücher.example",
                                "jane@example.com>",
                                "<jane@example.com>",
                                "jane,bob@example.com"}) {
    auto r = NormalizeEmailAddress(bad, "subscriber[email]");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalid) << bad;
    EXPECT_EQ(r.error().field, "subscriber[email]") << bad;
    EXPECT_THAT(r.error().message, HasSubstr("subscriber[email]")) << bad;
  }
  EXPECT_FALSE(NormalizeEmailAddress(std::string(65, 'a') + "@example.com", "email").ok());
  EXPECT_TRUE(NormalizeEmailAddress("aaaaaaaaa@" + long_domain, "email").ok());    // 254 characters
  EXPECT_FALSE(NormalizeEmailAddress("aaaaaaaaaa@" + long_domain, "email").ok());  // 255
}

TEST(MailDomain, Validation) {
  EXPECT_TRUE(IsValidMailDomain("example.com"));
  EXPECT_TRUE(IsValidMailDomain("mail-1.xn--bcher-kva.example"));
  EXPECT_FALSE(IsValidMailDomain("localhost"));
  EXPECT_FALSE(IsValidMailDomain("example..com"));
  EXPECT_FALSE(IsValidMailDomain("-bad.example"));
  EXPECT_FALSE(IsValidMailDomain("bad-.example"));
  EXPECT_FALSE(IsValidMailDomain("under_score.example"));
  EXPECT_FALSE(IsValidMailDomain("1.2.3.4"));
  EXPECT_FALSE(IsValidMailDomain(std::string(64, 'a') + ".example"));
  EXPECT_FALSE(IsValidMailDomain(""));
}

}  // namespace
}  // namespace herald::address
