// Masking of monitoring secrets below admin (shared by the API and the console): credentials in
// URLs, header values and request bodies; alert target URLs whose path is the credential.
#include "model/secret_mask.h"

#include <gtest/gtest.h>

namespace herald::model {
namespace {

TEST(SecretMask, UrlCredentialsAndQueryValues) {
  EXPECT_EQ(MaskUrl("https://user:pw@example.com/health?token=abc&x", false),
            "https://********@example.com/health?token=********&x");
  EXPECT_EQ(MaskUrl("https://hooks.slack.com/services/T0/B0/XXXX", true), "https://hooks.slack.com/********");
  EXPECT_EQ(MaskUrl("db.example.com:5432", false), "db.example.com:5432") << "not a URL";
}

TEST(SecretMask, MonitorBelowAdmin) {
  Monitor m;
  m.spec.target = "https://api.example.com/?key=s3cret";
  m.spec.headers = {{"Authorization", "Bearer s3cret"}};
  m.spec.body = "{\"password\":\"s3cret\"}";
  m.heartbeat_token_hash = "abc";
  const Monitor shown = WithSecretsMasked(m);
  EXPECT_EQ(shown.spec.target, "https://api.example.com/?key=********");
  EXPECT_EQ(shown.spec.headers[0].first, "Authorization");
  EXPECT_EQ(shown.spec.headers[0].second, kMaskedSecret);
  EXPECT_EQ(shown.spec.body, kMaskedSecret);
  EXPECT_TRUE(shown.heartbeat_token_hash.empty());
  Monitor no_body;
  EXPECT_EQ(WithSecretsMasked(no_body).spec.body, "") << "an empty body stays empty";
}

TEST(SecretMask, AlertTargetAddresses) {
  AlertTarget email;
  email.address = "oncall@example.com";
  AlertTarget hook;
  hook.channel = ChannelKind::kWebhook;
  hook.address = "https://example.com/hooks/s3cret";
  EXPECT_EQ(VisibleAddress(email, false), "oncall@example.com");
  EXPECT_EQ(VisibleAddress(hook, false), "https://example.com/********");
  EXPECT_EQ(VisibleAddress(hook, true), "https://example.com/hooks/s3cret");
}

}  // namespace
}  // namespace herald::model
