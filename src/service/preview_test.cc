// The composer's preview against a real (in-memory SQLite) store and a fake clock: it writes
// nothing; what it shows is what the dispatcher sends once the same input is published (the real
// channels, given the message LoadEventContext and Compose build from the stored incident); it
// renders the languages in use and only those; SMS lengths and segments are the phone's.
#include "service/preview.h"

#include <gtest/gtest.h>

#include "notify/composer.h"
#include "notify/links.h"
#include "notify/slack/slack_channel.h"
#include "notify/sms/sms_channel.h"
#include "notify/teams/teams_channel.h"
#include "notify/webhook/push_test_util.h"
#include "notify/webhook/standard_webhooks.h"
#include "notify/webhook/webhook_channel.h"
#include "service/subscriptions_testing.h"

namespace herald::service {
namespace {

using model::ChannelKind;
using model::ComponentStatus;

constexpr std::string_view kPublicUrl = "https://status.acme.test";

// The subscription tests' fixture: an in-memory SQLite store, a fake clock, a default page with
// the components API, Website and a hidden one.
class PreviewTest : public testing::SubscriptionFixture {
 protected:
  Deps deps() {
    return Deps{*store_, clock_, [] {}};
  }
  PreviewDeps preview_deps() { return PreviewDeps{*store_, clock_, std::string(kPublicUrl)}; }

  void Subscribe(const std::string& id, const std::string& language, model::SubscriberState state) {
    model::Subscriber s;
    s.id = id;
    s.page_id = page_id_;
    s.address = id + "@example.com";
    s.language = language;
    s.state = state;
    ASSERT_TRUE(store_->SaveSubscriber(s).ok());
  }

  IncidentInput Outage(const std::string& body) {
    IncidentInput in;
    in.name = "Login failures";
    in.body = body;
    in.components[api_] = ComponentStatus::kPartialOutage;
    in.next_update_at = clock_.Now() + 30 * 60'000;
    return in;
  }

  const ChannelPreview& Channel(const IncidentPreview& p, const std::string& language, ChannelKind kind) {
    for (const auto& lp : p.languages)
      if (lp.language == language)
        for (const auto& c : lp.channels)
          if (c.channel == kind) return c;
    ADD_FAILURE() << "no preview for " << language << "/" << model::ToString(kind);
    static const ChannelPreview kNone;
    return kNone;
  }
};

// `text` with every occurrence of `from` replaced by `to`.
std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size())
    text.replace(pos, from.size(), to);
  return text;
}

TEST_F(PreviewTest, WritesNothing) {
  Subscribe("s1", "en", model::SubscriberState::kActive);
  const auto outbox = *store_->LastOutboxId();
  auto preview = PreviewIncident(preview_deps(), page_id_, std::nullopt, Outage("We are looking into it."));
  ASSERT_TRUE(preview.ok()) << preview.error().message;
  EXPECT_EQ(*store_->LastOutboxId(), outbox);
  EXPECT_TRUE(store_->ListIncidents(page_id_, {})->empty());
  EXPECT_EQ(store_->GetComponent(page_id_, api_)->status, ComponentStatus::kOperational);
  // As it would be: the component's new status, the promise, the card.
  EXPECT_EQ(preview->incident.name, "Login failures");
  EXPECT_EQ(preview->message_kind, "incident.created");
  EXPECT_TRUE(preview->notifies);
  EXPECT_NE(preview->card_html.find("Login failures"), std::string::npos);
  EXPECT_NE(preview->card_html.find("Affected:</span> API"), std::string::npos) << preview->card_html;
  EXPECT_NE(preview->card_html.find("Next update by"), std::string::npos);
}

TEST_F(PreviewTest, RefusesWhatCreateWouldRefuseAndNamesTheField) {
  IncidentInput in = Outage("x");
  in.components["nope"] = ComponentStatus::kMajorOutage;
  auto bad = PreviewIncident(preview_deps(), page_id_, std::nullopt, in);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "components");
  IncidentInput nameless;
  nameless.body = "x";
  EXPECT_EQ(PreviewIncident(preview_deps(), page_id_, std::nullopt, nameless).error().field, "name");
  auto missing = PreviewIncident(preview_deps(), page_id_, std::string("nope"), Outage("x"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(PreviewTest, EqualsWhatTheChannelsSendOncePublished) {
  Subscribe("s1", "en", model::SubscriberState::kActive);
  const IncidentInput in = Outage("Some sign-ins fail with *HTTP 503*. Retry in a minute.");
  auto preview = PreviewIncident(preview_deps(), page_id_, std::nullopt, in);
  ASSERT_TRUE(preview.ok()) << preview.error().message;

  // Published at the same instant, then sent as the dispatcher sends: the event's context from
  // the store, the message composed for a subscriber, the real channels (their HTTP captured).
  auto created = IncidentService(deps()).Create(page_id_, in);
  ASSERT_TRUE(created.ok()) << created.error().message;
  auto events = store_->ReadOutbox(0, 1000);
  ASSERT_TRUE(events.ok());
  auto ctx = notify::LoadEventContext(*store_, events->back(), std::string(kPublicUrl));
  ASSERT_TRUE(ctx.ok() && ctx->has_value());
  // Ids are new on each write: the preview's stand for the published ones.
  auto published = [&](std::string text) {
    text = ReplaceAll(std::move(text), preview->incident.id, created->id);
    return ReplaceAll(std::move(text), preview->incident.updates.front().id, created->updates.front().id);
  };
  const auto links = notify::LinkSigner::Placeholder(std::string(kPublicUrl));
  herald::testing::FakeHttpClient http;
  notify::testing::RecordingUrlCheck check;
  auto message = [&](ChannelKind kind) {
    auto to = notify::testing::SubscriberAt("https://hooks.example.com/x", kind);
    to.id = "preview";
    auto m = notify::Compose(**ctx, to, {}, links, "preview");
    EXPECT_TRUE(m.ok());
    return std::pair(*m, to);
  };

  {
    notify::SlackOptions o;
    o.allow_any_host = true;  // the test's URL is not Slack's
    o.check_url = check.Fn();
    notify::SlackChannel slack(http, clock_, o);
    auto [m, to] = message(ChannelKind::kSlack);
    (void)notify::testing::SendOnce(slack, m, to);
    EXPECT_EQ(http.requests.back().body, published(Channel(*preview, "en", ChannelKind::kSlack).payload_json));
  }
  {
    notify::TeamsOptions o;
    o.allow_any_host = true;
    o.check_url = check.Fn();
    notify::TeamsChannel teams(http, clock_, o);
    auto [m, to] = message(ChannelKind::kTeams);
    (void)notify::testing::SendOnce(teams, m, to);
    EXPECT_EQ(http.requests.back().body, published(Channel(*preview, "en", ChannelKind::kTeams).payload_json));
  }
  {
    notify::WebhookOptions o;
    o.check_url = check.Fn();
    notify::WebhookChannel webhook(http, clock_, o);
    auto [m, to] = message(ChannelKind::kWebhook);
    to.secret = notify::NewWebhookSecret();
    (void)notify::testing::SendOnce(webhook, m, to);
    const std::string sent = http.requests.back().body;
    EXPECT_EQ(sent, published(Channel(*preview, "en", ChannelKind::kWebhook).payload_json));
    EXPECT_NE(sent.find("\"name\":\"Login failures\""), std::string::npos) << sent;
  }
  {
    auto [m, to] = message(ChannelKind::kSms);
    notify::SmsChannel sms(http, clock_, notify::SmsOptions{});
    EXPECT_EQ(sms.ComposeText(m), published(Channel(*preview, "en", ChannelKind::kSms).sms_text));
  }
  {
    auto [m, to] = message(ChannelKind::kEmail);
    const auto& email = Channel(*preview, "en", ChannelKind::kEmail);
    EXPECT_EQ(m.subject, published(email.message.subject));
    EXPECT_EQ(m.text, published(email.message.text));
    EXPECT_NE(email.email_text.find("Some sign-ins fail with HTTP 503."), std::string::npos) << email.email_text;
    EXPECT_NE(email.email_html.find("<em>HTTP 503</em>"), std::string::npos);
  }
}

TEST_F(PreviewTest, RendersEachLanguageInUseAndOnlyThose) {
  Subscribe("s1", "de", model::SubscriberState::kActive);
  Subscribe("s2", "en", model::SubscriberState::kActive);
  Subscribe("s3", "de", model::SubscriberState::kActive);
  Subscribe("s4", "fr", model::SubscriberState::kPending);  // not receiving yet: not in use
  auto preview = PreviewIncident(preview_deps(), page_id_, std::nullopt, Outage("Wir prüfen das."));
  ASSERT_TRUE(preview.ok()) << preview.error().message;
  EXPECT_EQ(preview->languages_in_use, (std::vector<std::string>{"de", "en"}));
  ASSERT_EQ(preview->languages.size(), 2u);
  EXPECT_EQ(preview->languages[0].language, "de");
  EXPECT_EQ(preview->languages[1].language, "en");
  for (const auto& lp : preview->languages) EXPECT_EQ(lp.channels.size(), 7u) << lp.language;
  // The German templates word the status in German; English in English.
  const auto& de = Channel(*preview, "de", ChannelKind::kEmail).message;
  const auto& en = Channel(*preview, "en", ChannelKind::kEmail).message;
  EXPECT_NE(de.subject, en.subject);
  EXPECT_NE(en.status_label.find("Investigating"), std::string::npos);
}

TEST_F(PreviewTest, WithoutSubscribersShowsTheDefaultLanguage) {
  auto preview = PreviewIncident(preview_deps(), page_id_, std::nullopt, Outage("x"));
  ASSERT_TRUE(preview.ok());
  EXPECT_TRUE(preview->languages_in_use.empty());
  ASSERT_EQ(preview->languages.size(), 1u);
  EXPECT_EQ(preview->languages[0].language, "en");
}

TEST_F(PreviewTest, SmsLengthAndSegmentsAtTheGsm7AndUcs2Boundaries) {
  // The SMS text is the message's short text and the link; measured as a phone sends it.
  auto sms_for = [&](const std::string& name) {
    IncidentInput in = Outage("x");
    in.name = name;
    auto p = PreviewIncident(preview_deps(), page_id_, std::nullopt, in);
    EXPECT_TRUE(p.ok()) << p.error().message;
    return Channel(*p, "en", ChannelKind::kSms);
  };
  const auto plain = sms_for("Login failures");
  EXPECT_EQ(plain.sms_length.encoding, notify::SmsEncoding::kGsm7);
  EXPECT_EQ(plain.sms_length.units, notify::MeasureSms(plain.sms_text).units);
  EXPECT_EQ(plain.sms_length.segments, 1);
  const auto emoji = sms_for("Login failures 🔥");
  EXPECT_EQ(emoji.sms_length.encoding, notify::SmsEncoding::kUcs2);
  EXPECT_GE(emoji.sms_length.segments, 2) << emoji.sms_text;  // more than 70 units with the link

  // The counts themselves, at each boundary (the preview reports MeasureSms of the text sent).
  EXPECT_EQ(notify::MeasureSms(std::string(160, 'a')).segments, 1);
  EXPECT_EQ(notify::MeasureSms(std::string(161, 'a')).segments, 2);
  EXPECT_EQ(notify::MeasureSms(std::string(306, 'a')).segments, 2);
  EXPECT_EQ(notify::MeasureSms(std::string(307, 'a')).segments, 3);
  EXPECT_EQ(notify::MeasureSms(std::string(159, 'a') + "€").segments, 2);  // € takes two septets
  std::string ucs2_70, ucs2_71, ucs2_134, ucs2_135;
  for (int i = 0; i < 70; ++i) ucs2_70 += "ж";
  ucs2_71 = ucs2_70 + "ж";
  for (int i = 0; i < 134; ++i) ucs2_134 += "ж";
  ucs2_135 = ucs2_134 + "ж";
  EXPECT_EQ(notify::MeasureSms(ucs2_70).segments, 1);
  EXPECT_EQ(notify::MeasureSms(ucs2_71).segments, 2);
  EXPECT_EQ(notify::MeasureSms(ucs2_134).segments, 2);
  EXPECT_EQ(notify::MeasureSms(ucs2_135).segments, 3);
  EXPECT_EQ(notify::MeasureSms(ucs2_70).encoding, notify::SmsEncoding::kUcs2);
}

TEST_F(PreviewTest, AnUpdateToAnExistingIncidentAndAnInternalNote) {
  auto created = IncidentService(deps()).Create(page_id_, Outage("Looking."));
  ASSERT_TRUE(created.ok());
  IncidentInput resolve;
  resolve.status = model::IncidentStatus::kResolved;
  resolve.body = "Fixed.";
  auto p = PreviewIncident(preview_deps(), page_id_, created->id, resolve);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->message_kind, "incident.resolved");
  EXPECT_EQ(p->incident.updates.size(), 2u);
  EXPECT_EQ(store_->GetIncident(page_id_, created->id)->updates.size(), 1u) << "nothing written";
  EXPECT_EQ(store_->GetComponent(page_id_, api_)->status, ComponentStatus::kPartialOutage);

  IncidentInput note;
  note.body = "Internal: DB failover at 12:03.";
  note.internal = true;
  auto internal = PreviewIncident(preview_deps(), page_id_, created->id, note);
  ASSERT_TRUE(internal.ok());
  EXPECT_FALSE(internal->notifies);
  EXPECT_EQ(internal->card_html.find("DB failover"), std::string::npos) << "internal notes never reach the page";

  IncidentInput nothing;
  nothing.name = "Renamed";
  auto none = PreviewIncident(preview_deps(), page_id_, created->id, nothing);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().field, "body");
}

}  // namespace
}  // namespace herald::service
