// The public sign-up endpoints through PublicSubscribe::Handle: the same answer for new and known
// addresses, inline errors in the HTML form, escaping, one-click unsubscribe without cookies, GET
// never unsubscribing, refused tokens, SMS codes and rate limits.
#include "api/subscribe_public.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/encoding.h"
#include "service/subscriptions_testing.h"

namespace herald::api {
namespace {

namespace json = boost::json;
using model::ChannelKind;
using model::SubscriberState;

class PublicSubscribeTest : public service::testing::SubscriptionFixture {
 protected:
  void SetUp() override {
    SubscriptionFixture::SetUp();
    PublicSubscribeOptions o;
    o.vapid_public_key = "BPublicKey";
    handler_ = std::make_unique<PublicSubscribe>(PublicSubscribeDeps{*store_, clock_, *service_, links_, o});
  }
  http::Response Call(const std::string& method, const std::string& target, const std::string& body = "",
                      const std::string& content_type = "application/x-www-form-urlencoded",
                      const std::string& ip = "198.51.100.7") {
    http::Request req;
    req.method = method;
    req.target = target;
    const auto q = target.find('?');
    req.path = target.substr(0, q);
    req.query = q == std::string::npos ? "" : target.substr(q + 1);
    req.body = body;
    req.remote_addr = ip;
    if (!content_type.empty()) req.headers.emplace_back("content-type", content_type);
    EXPECT_TRUE(PublicSubscribe::Owns(req.path)) << target;
    return handler_->Handle(req);
  }
  static std::string Header(const http::Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return "";
  }
  std::unique_ptr<PublicSubscribe> handler_;
};

TEST_F(PublicSubscribeTest, FormAnswersTheSameForNewAndKnownAddresses) {
  auto first = Call("POST", "/subscribe", "channel=email&address=ada%40example.com");
  ASSERT_EQ(first.status, 202) << first.body;
  EXPECT_NE(first.body.find("Check your inbox"), std::string::npos);
  EXPECT_NE(first.body.find("assets/page.css"), std::string::npos);  // the status page's layout
  ASSERT_TRUE(service_->Confirm(TokenOf(LastConfirmUrl())).ok());
  auto again = Call("POST", "/subscribe", "channel=email&address=ada%40example.com");
  EXPECT_EQ(again.status, first.status);
  EXPECT_EQ(again.body, first.body);

  auto j1 = Call("POST", "/api/v2/subscribers.json", R"({"email":"new@example.com"})", "application/json");
  auto j2 = Call("POST", "/api/v2/subscribers.json", R"({"email":"ada@example.com"})", "application/json");
  EXPECT_EQ(j1.status, 202);
  EXPECT_EQ(j1.status, j2.status);
  EXPECT_EQ(j1.body, j2.body);
  EXPECT_EQ(j1.body.find("ada@"), std::string::npos);
}

TEST_F(PublicSubscribeTest, FormErrorsAreShownInlineAndEscaped) {
  auto r = Call("POST", "/subscribe", "channel=email&address=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("id=\"sub-address-err\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("aria-invalid=\"true\""), std::string::npos);
  EXPECT_EQ(r.body.find("<script>alert"), std::string::npos);
  EXPECT_NE(r.body.find("&lt;script&gt;"), std::string::npos);  // the value is kept, escaped
  auto bad_component = Call("POST", "/subscribe", "channel=email&address=a%40example.com&component_ids[]=nope");
  EXPECT_EQ(bad_component.status, 400);
  EXPECT_EQ(SubscriberCount(), 0);
  auto form = Call("GET", "/subscribe");
  EXPECT_EQ(form.status, 200);
  EXPECT_NE(form.body.find("value=\"" + api_ + "\""), std::string::npos);  // component checkboxes
  EXPECT_EQ(form.body.find("Internal"), std::string::npos);                // hidden component
  EXPECT_NE(form.body.find("data-vapid-key=\"BPublicKey\""), std::string::npos);
}

TEST_F(PublicSubscribeTest, JsonBadInputNamesTheFieldAndWritesNothing) {
  struct Case {
    std::string body;
    std::string field;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"email":)", ""},
           {R"({"email":["a"]})", "email"},
           {R"({"channel":"fax","email":"a@example.com"})", "channel"},
           {R"({"endpoint":"https://127.0.0.1:8080/hook"})", "endpoint"},
           {R"({"email":"a@example.com","segment":"enterprise"})", "segment"},
           {R"({"email":"a@example.com","skip_confirmation_notification":true})", "skip_confirmation_notification"}}) {
    auto r = Call("POST", "/api/v2/subscribers.json", c.body, "application/json");
    EXPECT_EQ(r.status, 400) << c.body << r.body;
    auto v = json::parse(r.body);
    const auto& f = v.at("error").at("field");
    EXPECT_EQ(f.is_string() ? std::string(f.as_string()) : "", c.field) << r.body;
  }
  EXPECT_EQ(SubscriberCount(), 0);
}

TEST_F(PublicSubscribeTest, WebhookGetsItsSecretInTheTestMessageAndPushSubscribes) {
  auto r =
      Call("POST", "/api/v2/subscribers.json", R"({"endpoint":"https://hooks.example.com/x"})", "application/json");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.body.find("whsec_"), std::string::npos) << r.body;  // only the endpoint sees it
  auto sent = fake(ChannelKind::kWebhook).sent();
  ASSERT_EQ(sent.size(), 1u);
  auto doc = json::parse(sent[0].message.webhook_json).as_object();
  EXPECT_EQ(doc.at("subscription").at("secret").as_string(), sent[0].to.secret);
  EXPECT_TRUE(std::string(doc.at("subscription").at("manage_url").as_string()).find("token=") != std::string::npos);
  const std::string p256dh = service::testing::ValidP256dh();
  const std::string auth = Base64UrlEncode(std::string(16, 'a'));
  auto push = Call("POST", "/api/v2/push-subscriptions",
                   R"({"endpoint":"https://push.example.net/x","keys":{"p256dh":")" + p256dh + R"(","auth":")" + auth +
                       R"("},"component_ids":[")" + api_ + R"("]})",
                   "application/json");
  ASSERT_EQ(push.status, 201) << push.body;
  auto stored = *store_->FindSubscriber(page_id_, ChannelKind::kWebPush, "https://push.example.net/x");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->state, SubscriberState::kActive);
  EXPECT_EQ(stored->component_ids, std::vector<std::string>{api_});
}

// First-hour issue 13: the language menu showed "de/en/es/fr", the time zone was free text, and an
// invalid zone blanked the field and quiet hours and named the internal key "time_zone".
TEST_F(PublicSubscribeTest, ManageFormNamesLanguagesListsZonesAndKeepsWhatWasTyped) {
  ASSERT_EQ(Call("POST", "/subscribe", "channel=email&address=c%40example.com").status, 202);
  ASSERT_TRUE(service_->Confirm(TokenOf(LastConfirmUrl())).ok());
  const std::string token = TokenOf(links_.ManageUrl(All()[0].id));
  auto m = Call("GET", "/subscriptions/manage?token=" + token, "", "");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.body.find(">English</option>"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find(">Deutsch</option>"), std::string::npos);
  EXPECT_EQ(m.body.find(">de</option>"), std::string::npos);
  EXPECT_NE(m.body.find("list=\"m-tz-zones\""), std::string::npos);
  EXPECT_NE(m.body.find("<datalist id=\"m-tz-zones\">"), std::string::npos);
  EXPECT_NE(m.body.find("<option value=\"Europe/Paris\">"), std::string::npos);

  auto bad = Call("POST", "/subscriptions/manage",
                  "token=" + token +
                      "&action=save&detail=technical&language=de&time_zone=Nowhere%2FCity"
                      "&quiet_hours[start]=22:00&quiet_hours[end]=06:00&event_types[]=maintenance");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("value=\"Nowhere/City\""), std::string::npos) << bad.body;
  EXPECT_NE(bad.body.find("value=\"22:00\""), std::string::npos);
  EXPECT_NE(bad.body.find("value=\"06:00\""), std::string::npos);
  EXPECT_NE(bad.body.find("value=\"de\" lang=\"de\" selected"), std::string::npos);
  EXPECT_NE(bad.body.find("value=\"technical\" checked"), std::string::npos);
  EXPECT_NE(bad.body.find("Time zone must be"), std::string::npos);
  EXPECT_EQ(bad.body.find("time_zone must"), std::string::npos);
  EXPECT_EQ(All()[0].language, "en");  // nothing changed
}

// First-hour issue 9: the sign-up form offered email and SMS on a server that sends neither.
TEST_F(PublicSubscribeTest, FormOffersOnlyTheChannelsThisServerSends) {
  ASSERT_TRUE(store_->PutSetting("notify.channels", "webhook,slack,teams,discord,mattermost,webpush,", 0).ok());
  for (const std::string& target : {std::string("/subscribe")}) {
    auto form = Call("GET", target);
    ASSERT_EQ(form.status, 200);
    EXPECT_EQ(form.body.find("value=\"email\""), std::string::npos) << form.body;
    EXPECT_EQ(form.body.find("value=\"sms\""), std::string::npos);
    EXPECT_NE(form.body.find("value=\"webhook\" checked"), std::string::npos);
  }
  // And an error shown on the form again keeps them out.
  auto again = Call("POST", "/subscribe", "channel=webhook&address=ftp%3A%2F%2Fx");
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(again.body.find("value=\"email\""), std::string::npos);
}

// Regression (defects issue, item 7): a known webhook endpoint was answered 409 "already
// subscribed". Every channel of the public sign-up now answers a known address exactly as a new one.
TEST_F(PublicSubscribeTest, EveryChannelAnswersKnownAddressesExactlyAsNewOnes) {
  struct Case {
    std::string known, fresh;
  };
  const std::string keys = R"(,"keys":{"p256dh":")" + service::testing::ValidP256dh() + R"(","auth":")" +
                           Base64UrlEncode(std::string(16, 'a')) + R"("})";
  const Case cases[] = {
      {R"({"email":"ada@example.com"})", R"({"email":"bob@example.com"})"},
      {R"({"phone_number":"+14155552671"})", R"({"phone_number":"+14155552672"})"},
      {R"({"endpoint":"https://hooks.example.com/a"})", R"({"endpoint":"https://hooks.example.com/b"})"},
      {R"({"channel":"slack","endpoint":"https://hooks.slack.example/a"})",
       R"({"channel":"slack","endpoint":"https://hooks.slack.example/b"})"},
      {R"({"channel":"webhook","endpoint":"https://hooks.example.com/c","secret":"whsec_)" +
           Base64Encode(std::string(32, 'k')) + R"("})",
       R"({"channel":"webhook","endpoint":"https://hooks.example.com/d","secret":"whsec_)" +
           Base64Encode(std::string(32, 'k')) + R"("})"},
  };
  for (const auto& c : cases) {
    // Known: subscribed and confirmed where confirmation is needed.
    auto first = Call("POST", "/api/v2/subscribers.json", c.known, "application/json");
    ASSERT_LT(first.status, 300) << first.body;
    for (auto& s : All()) {
      s.state = SubscriberState::kActive;
      ASSERT_TRUE(store_->SaveSubscriber(s).ok());
    }
    const auto before = All();
    auto known = Call("POST", "/api/v2/subscribers.json", c.known, "application/json");
    auto fresh = Call("POST", "/api/v2/subscribers.json", c.fresh, "application/json");
    EXPECT_EQ(known.status, fresh.status) << c.known << "\n" << known.body;
    EXPECT_EQ(known.body, fresh.body) << c.known;
    EXPECT_NE(known.status, 409) << c.known;
    // The known subscriber is untouched (secret included).
    for (const auto& b : before) {
      auto now = *store_->GetSubscriber(page_id_, b.id);
      EXPECT_EQ(now.secret, b.secret) << b.address;
      EXPECT_EQ(now.state, SubscriberState::kActive) << b.address;
    }
  }
  // Web push (its endpoint is the browser's secret): known and new both 201.
  auto p1 = Call("POST", "/api/v2/push-subscriptions", R"({"endpoint":"https://push.example.net/k")" + keys + "}",
                 "application/json");
  auto p2 = Call("POST", "/api/v2/push-subscriptions", R"({"endpoint":"https://push.example.net/k")" + keys + "}",
                 "application/json");
  EXPECT_EQ(p1.status, 201) << p1.body;
  EXPECT_EQ(p2.status, 201) << p2.body;
  // The HTML form too, for a webhook.
  auto h1 = Call("POST", "/subscribe", "channel=webhook&address=https%3A%2F%2Fhooks.example.com%2Fa");
  auto h2 = Call("POST", "/subscribe", "channel=webhook&address=https%3A%2F%2Fhooks.example.com%2Fnew");
  EXPECT_EQ(h1.status, 201) << h1.body;
  EXPECT_EQ(h1.body, h2.body);
}

TEST_F(PublicSubscribeTest, ConfirmManageAndUnsubscribe) {
  ASSERT_EQ(Call("POST", "/subscribe", "channel=email&address=b%40example.com").status, 202);
  const std::string confirm = LastConfirmUrl().substr(std::string("https://status.example.com").size());
  auto c = Call("GET", confirm, "", "");
  ASSERT_EQ(c.status, 200) << c.body;
  EXPECT_EQ(Header(c, "Referrer-Policy"), "no-referrer");
  const auto s = All()[0];
  EXPECT_EQ(s.state, SubscriberState::kActive);

  const std::string manage_token = TokenOf(links_.ManageUrl(s.id));
  auto m = Call("GET", "/subscriptions/manage?token=" + manage_token, "", "");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("name=\"token\" value=\"" + manage_token + "\""), std::string::npos);
  auto save =
      Call("POST", "/subscriptions/manage",
           "token=" + manage_token + "&action=save&detail=brief&event_types[]=incidents&component_ids[]=" + web_ +
               "&quiet_hours[start]=22:00&quiet_hours[end]=06:00&language=en&time_zone=");
  ASSERT_EQ(save.status, 200) << save.body;
  auto after = All()[0];
  EXPECT_EQ(after.detail, model::DetailLevel::kBrief);
  EXPECT_EQ(after.event_types, model::kWantIncidents);
  EXPECT_EQ(after.component_ids, std::vector<std::string>{web_});
  EXPECT_EQ(after.quiet_start_minute, 22 * 60);
  auto bad = Call("POST", "/subscriptions/manage", "token=" + manage_token + "&action=save&time_zone=Nowhere%2FCity");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("m-tz-err"), std::string::npos);

  const std::string unsub = "/subscriptions/unsubscribe?token=" + TokenOf(links_.UnsubscribeUrl(s.id));
  // A GET (mail scanners, link previews) only asks.
  auto ask = Call("GET", unsub, "", "");
  EXPECT_EQ(ask.status, 200);
  EXPECT_NE(ask.body.find("method=\"post\""), std::string::npos);
  EXPECT_EQ(All()[0].state, SubscriberState::kActive);
  // RFC 8058 one-click: no cookie, no other header, just the body.
  auto one = Call("POST", unsub, "List-Unsubscribe=One-Click");
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(All()[0].state, SubscriberState::kUnsubscribed);
  EXPECT_EQ(Call("POST", unsub, "List-Unsubscribe=One-Click").status, 200);  // idempotent
}

TEST_F(PublicSubscribeTest, TamperedOrOtherPurposeTokensAreRefused) {
  service::SubscriberInput in;
  in.email = "c@example.com";
  in.skip_confirmation = true;
  auto s = service_->Subscribe(page_id_, in, true);
  ASSERT_TRUE(s.ok());
  const std::string manage_token = TokenOf(links_.ManageUrl(s->subscriber.id));
  std::string tampered = TokenOf(links_.UnsubscribeUrl(s->subscriber.id));
  char& c = tampered[tampered.size() - 5];  // inside the MAC (the last character holds padding bits)
  c = c == 'A' ? 'B' : 'A';
  EXPECT_EQ(Call("POST", "/subscriptions/unsubscribe?token=" + tampered, "List-Unsubscribe=One-Click").status, 401);
  EXPECT_EQ(Call("GET", "/subscriptions/confirm?token=" + manage_token, "", "").status, 401);
  const std::string unsub_token = TokenOf(links_.UnsubscribeUrl(s->subscriber.id));
  EXPECT_EQ(Call("GET", "/subscriptions/manage?token=" + unsub_token, "", "").status, 401);
  EXPECT_EQ(All()[0].state, SubscriberState::kActive);
}

TEST_F(PublicSubscribeTest, SmsCodeFormConfirms) {
  auto r = Call("POST", "/subscribe", "channel=sms&address=%2B14155552671");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_NE(r.body.find("Enter the code"), std::string::npos);
  const std::string text = fake(ChannelKind::kSms).sent().back().message.short_text;
  const std::string code = text.substr(text.size() - 6);
  auto wrong =
      Call("POST", "/subscriptions/sms/confirm",
           "page=" + page_id_ + "&phone_number=%2B14155552671&code=" + (code == "000000" ? "111111" : "000000"));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_NE(wrong.body.find("sub-code-err"), std::string::npos);
  auto ok =
      Call("POST", "/subscriptions/sms/confirm", "page=" + page_id_ + "&phone_number=%2B14155552671&code=" + code);
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(All()[0].state, SubscriberState::kActive);
}

TEST_F(PublicSubscribeTest, RateLimitedPerAddressAndPerIp) {
  int limited = 0;
  for (int i = 0; i < 6; ++i) {
    auto r = Call("POST", "/api/v2/subscribers.json", R"({"email":"same@example.com"})", "application/json",
                  "198.51.100." + std::to_string(i));
    if (r.status == 429) {
      ++limited;
      EXPECT_NE(r.body.find("per-address"), std::string::npos);
    }
  }
  EXPECT_EQ(limited, 3);
  int ip_limited = 0;
  for (int i = 0; i < 30; ++i) {
    auto r =
        Call("POST", "/subscribe", "channel=email&address=u" + std::to_string(i) + "%40example.com", "", "203.0.113.9");
    if (r.status == 429) {
      ++ip_limited;
      EXPECT_NE(r.body.find("per-IP"), std::string::npos);
    }
  }
  EXPECT_EQ(ip_limited, 10);
}

}  // namespace
}  // namespace herald::api
