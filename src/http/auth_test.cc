#include "http/auth.h"

#include <gtest/gtest.h>

namespace herald::http {
namespace {

// Issue: `Authorization: BEARER <key>` was refused; scheme names are case-insensitive
// (RFC 9110 section 11.1), OAuth included.
TEST(Authorization, SchemeIsCaseInsensitive) {
  for (std::string_view header :
       {"Bearer k1", "bearer k1", "BEARER k1", "bEaReR   k1  ", "OAuth k1", "oauth k1", "OAUTH k1", " Bearer\tk1"})
    EXPECT_EQ(AuthorizationCredentials(header, {"Bearer", "OAuth"}), "k1") << header;
}

TEST(Authorization, OtherSchemesAndMissingCredentialsGiveNothing) {
  for (std::string_view header : {"", "Bearer", "Bearer ", "Basic k1", "Bearerk1", "Token k1", "Bearer2 k1"})
    EXPECT_EQ(AuthorizationCredentials(header, {"Bearer", "OAuth"}), "") << header;
  EXPECT_EQ(AuthorizationCredentials("OAuth k1", {"Bearer"}), "");
}

TEST(Authorization, SecretEquals) {
  EXPECT_TRUE(SecretEquals("s3cret", "s3cret"));
  EXPECT_FALSE(SecretEquals("s3creT", "s3cret"));
  EXPECT_FALSE(SecretEquals("s3cre", "s3cret"));
  EXPECT_FALSE(SecretEquals("", "s3cret"));
}

}  // namespace
}  // namespace herald::http
