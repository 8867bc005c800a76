#include "notify/links.h"

#include <gtest/gtest.h>

#include "core/encoding.h"

namespace herald::notify {
namespace {

TEST(LinkSigner, TokensAreThePayloadAndItsHmacInBase64Url) {
  // The documented format (links.h): links already sent must keep verifying across releases.
  const LinkSigner links("s3cret", "https://status.acme.test/");
  auto expected = [](std::string_view payload) {
    return Base64UrlEncode(payload) + "." + Base64UrlEncode(HmacSha256("s3cret", payload));
  };
  EXPECT_EQ(links.Token(LinkPurpose::kManage, "sub_1", 0), expected("manage|sub_1|0"));
  EXPECT_EQ(links.ConfirmUrl("sub_1", 1767225600123),
            "https://status.acme.test/subscriptions/confirm?token=" + expected("confirm|sub_1|1767225600123"));
  EXPECT_EQ(links.ManageUrl("sub_22"),
            "https://status.acme.test/subscriptions/manage?token=" + expected("manage|sub_22|0"));
  EXPECT_EQ(links.UnsubscribeUrl("sub_333"),
            "https://status.acme.test/subscriptions/unsubscribe?token=" + expected("unsubscribe|sub_333|0"));
  EXPECT_EQ(links.Verify(LinkPurpose::kUnsubscribe, expected("unsubscribe|sub_333|0"), 5).value(), "sub_333");
  EXPECT_FALSE(links.Verify(LinkPurpose::kManage, expected("unsubscribe|sub_333|0"), 5).ok());
}

}  // namespace
}  // namespace herald::notify
