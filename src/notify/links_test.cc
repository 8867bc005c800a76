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

TEST(LinkSigner, PlaceholderLinksKeepTheirPathButNeverVerify) {
  const LinkSigner real("s3cret", "https://status.acme.test");
  const LinkSigner preview = LinkSigner::Placeholder("https://status.acme.test/");
  EXPECT_EQ(preview.ConfirmUrl("sub_1", 0), "https://status.acme.test/subscriptions/confirm?token=preview");
  EXPECT_EQ(preview.ManageUrl("sub_1"), "https://status.acme.test/subscriptions/manage?token=preview");
  EXPECT_EQ(preview.UnsubscribeUrl("sub_1"), "https://status.acme.test/subscriptions/unsubscribe?token=preview");
  for (auto purpose : {LinkPurpose::kConfirm, LinkPurpose::kManage, LinkPurpose::kUnsubscribe}) {
    EXPECT_FALSE(real.Verify(purpose, preview.Token(purpose, "sub_1", 0), 5).ok());
    // Nor does the placeholder signer accept anything, a real token included.
    EXPECT_FALSE(preview.Verify(purpose, real.Token(purpose, "sub_1", 0), 5).ok());
  }
}

}  // namespace
}  // namespace herald::notify
