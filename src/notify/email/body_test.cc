#include "notify/email/body.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <kainjow/mustache.hpp>

#include "assets/web_assets.h"

namespace herald::notify::email {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Message Sample() {
  Message m;
  m.id = "dlv-1";
  m.kind = "incident.updated";
  m.page_name = "Acme <Status> & Co";
  m.page_url = "https://status.acme.example/";
  m.subject = "Elevated API errors";
  m.text = "Some API requests fail.\nWe are rolling back.\n\n";
  m.html = "<p>Some API requests <strong>fail</strong>.</p>";
  m.short_text = "API errors: rolling back";
  m.url = "https://status.acme.example/incidents/abc?x=1&y=2";
  m.manage_url = "https://status.acme.example/subscription?t=m1";
  m.unsubscribe_url = "https://status.acme.example/unsubscribe?t=u1";
  m.impact = "major";
  m.status_label = "Identified";
  return m;
}

TEST(EmailBody, LayoutTemplateIsEmbeddedAndValid) {
  const auto tmpl = assets::FindWebAsset("templates/email/layout.mustache");
  ASSERT_FALSE(tmpl.empty());
  kainjow::mustache::mustache parsed{std::string(tmpl)};
  EXPECT_TRUE(parsed.is_valid()) << parsed.error_message();
}

TEST(EmailBody, HtmlIsACompleteEscapedDocument) {
  const std::string html = RenderHtmlBody(Sample(), "de");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_THAT(html, HasSubstr("<html lang=\"de\">"));
  EXPECT_THAT(html, HasSubstr("</html>"));
  EXPECT_THAT(html, HasSubstr("<meta charset=\"utf-8\">"));
  // The page name is the header, escaped; the fragment goes in as it is.
  EXPECT_THAT(html, HasSubstr(">Acme &lt;Status&gt; &amp; Co</a></h1>"));
  EXPECT_THAT(html, Not(HasSubstr("Acme <Status>")));
  EXPECT_THAT(html, HasSubstr("<p>Some API requests <strong>fail</strong>.</p>"));
  EXPECT_THAT(html, HasSubstr(">Identified</p>"));
  EXPECT_THAT(html, HasSubstr("API errors: rolling back"));  // the inbox preview line
  // Button-style link to the incident, with its URL attribute-escaped.
  EXPECT_THAT(html, HasSubstr("href=\"https://status.acme.example/incidents/abc?x=1&amp;y=2\""));
  EXPECT_THAT(html, HasSubstr(">View incident</a>"));
  EXPECT_THAT(html, HasSubstr("href=\"https://status.acme.example/subscription?t=m1\""));
  EXPECT_THAT(html, HasSubstr(">Manage your subscription</a>"));
  EXPECT_THAT(html, HasSubstr("href=\"https://status.acme.example/unsubscribe?t=u1\""));
  EXPECT_THAT(html, HasSubstr(">Unsubscribe</a>"));
  // Email-client-safe: table layout, inline styles, no stylesheet or script.
  EXPECT_THAT(html, HasSubstr("<table role=\"presentation\""));
  EXPECT_THAT(html, Not(HasSubstr("<style")));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("{{")));
}

TEST(EmailBody, UnsafeOrMissingLinksAreLeftOut) {
  Message m = Sample();
  m.url = "javascript:alert(1)";
  m.manage_url = "";
  m.unsubscribe_url = "https://ok.example/u\" onmouseover=\"x";
  m.page_url = "data:text/html,hi";
  const std::string html = RenderHtmlBody(m, "en\" onload=\"x");
  EXPECT_THAT(html, Not(HasSubstr("javascript:")));
  EXPECT_THAT(html, Not(HasSubstr("data:text")));
  EXPECT_THAT(html, Not(HasSubstr("View incident")));
  EXPECT_THAT(html, Not(HasSubstr("Manage your subscription")));
  EXPECT_THAT(html, Not(HasSubstr("onmouseover")));  // a URL with a space is no URL
  EXPECT_THAT(html, Not(HasSubstr("Unsubscribe</a>")));
  EXPECT_THAT(html, HasSubstr("<html lang=\"en\">"));
  const std::string text = RenderTextBody(m);
  EXPECT_THAT(text, Not(HasSubstr("javascript:")));
  EXPECT_THAT(text, Not(HasSubstr("Unsubscribe:")));
}

TEST(EmailBody, TextHasTheMessageThenPlainLinks) {
  EXPECT_EQ(RenderTextBody(Sample()),
            "Some API requests fail.\nWe are rolling back.\n\n"
            "View incident: https://status.acme.example/incidents/abc?x=1&y=2\n\n"
            "-- \n"
            "Acme <Status> & Co: https://status.acme.example/\n"
            "Manage your subscription: https://status.acme.example/subscription?t=m1\n"
            "Unsubscribe: https://status.acme.example/unsubscribe?t=u1\n");
}

// The footer says why the email came; a confirmation comes before any subscription exists.
TEST(EmailBody, TheConfirmationFooterDoesNotSayTheySubscribed) {
  Message m = Sample();
  EXPECT_THAT(RenderHtmlBody(m, "en"), HasSubstr("because you subscribed to updates from"));
  m.kind = "subscription.confirm";
  const std::string html = RenderHtmlBody(m, "en");
  EXPECT_THAT(html, Not(HasSubstr("you subscribed")));
  EXPECT_THAT(html, HasSubstr("because someone asked for updates from Acme &lt;Status&gt; &amp; Co at this address"));
}

TEST(EmailBody, ButtonLabelFollowsTheKind) {
  Message m;
  m.kind = "incident.created";
  EXPECT_EQ(ButtonLabel(m), "View incident");
  m.kind = "maintenance.scheduled";
  EXPECT_EQ(ButtonLabel(m), "View maintenance");
  m.kind = "subscription.confirm";
  EXPECT_EQ(ButtonLabel(m), "Confirm subscription");
  m.kind = "component.updated";
  EXPECT_EQ(ButtonLabel(m), "View status page");
}

}  // namespace
}  // namespace herald::notify::email
