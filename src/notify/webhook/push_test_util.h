// Test support for the HTTP push channels (header only, included by *_test.cc): FakeHttpClient
// (src/testing/fake_http_client.h) records every request and answers it at once (on the calling
// thread) with the next queued response, or 200 when none is queued; SampleMessage is a message full of text that tries
// to ping and link; ExpectHttpOutcomes checks the status mapping every channel shares. Not thread-safe; tests only.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/time.h"
#include "net/http_client.h"
#include "notify/channel.h"
#include "notify/message.h"
#include "notify/webhook/http_push.h"
#include "testing/fake_http_client.h"

namespace herald::notify::testing {

// The shared HttpClient test double (src/testing/fake_http_client.h).
using FakeHttpClient = herald::testing::FakeHttpClient;

// Sends one message and returns the outcome (the fake answers synchronously).
inline SendOutcome SendOnce(Channel& channel, const Message& message, const model::Subscriber& to) {
  std::optional<SendOutcome> outcome;
  int calls = 0;
  channel.Send(message, to, [&](SendOutcome o) {
    ++calls;
    outcome = std::move(o);
  });
  EXPECT_EQ(calls, 1) << "done must run exactly once";
  return outcome.value_or(SendOutcome{});
}

// A message whose words try everything a subscriber should never see happen: mentions, masked
// links, raw HTML, Slack's <!channel>, Discord's <@id>.
inline Message SampleMessage() {
  Message m;
  m.id = "dlv_01hx5k3m9q";
  m.kind = "incident.updated";
  m.page_name = "Acme & Co <Status>";
  m.page_url = "https://status.acme.test/";
  m.subject = "API errors: @everyone <!channel> [click](https://evil.test)";
  m.text =
      "We are investigating errors on the API & Dashboard.\n"
      "Ping @here and @channel, <@123456> and <!everyone>.\n"
      "# Not a header\n- not a list\n[Free money](https://evil.test) <https://evil.test|Login> **bold** ~town-square";
  m.short_text = "API errors: investigating";
  m.url = "https://status.acme.test/incidents/abc123";
  m.manage_url = "https://status.acme.test/subscriptions/manage?t=tok";
  m.unsubscribe_url = "https://status.acme.test/subscriptions/unsubscribe?t=tok";
  m.impact = "major";
  m.status_label = "Identified";
  m.facts = {{"Affected", "API, Dashboard"}, {"Next update", "14:30 CET"}, {"Status", "Identified"}};
  m.webhook_json = R"({"page":{"id":"p1","status_indicator":"major","status_description":"Partial System Outage"},)"
                   R"("incident":{"id":"abc123","name":"API errors","status":"identified","impact":"major",)"
                   R"("shortlink":"https://status.acme.test/incidents/abc123","incident_updates":[]}})";
  m.created_at = *ParseIso8601("2026-01-01T12:00:00Z");
  return m;
}

inline model::Subscriber SubscriberAt(std::string url, model::ChannelKind kind) {
  model::Subscriber s;
  s.id = "sub1";
  s.page_id = "p1";
  s.channel = kind;
  s.address = std::move(url);
  s.state = model::SubscriberState::kActive;
  return s;
}

// The mapping every HTTP channel shares: 2xx delivered, 410 gone, 500 retry, 429 with
// Retry-After retry after that long, 302 retry (never followed), 400 permanent, timeout retry.
inline void ExpectHttpOutcomes(Channel& channel, FakeHttpClient& http, const Message& m, const model::Subscriber& to) {
  using Kind = SendOutcome::Kind;
  http.Answer(204);
  EXPECT_EQ(SendOnce(channel, m, to).kind, Kind::kDelivered);
  http.Answer(200, {}, "ok");
  EXPECT_EQ(SendOnce(channel, m, to).kind, Kind::kDelivered);
  http.Answer(410);
  EXPECT_EQ(SendOnce(channel, m, to).kind, Kind::kGone);
  http.Answer(500, {}, "oops");
  auto server_error = SendOnce(channel, m, to);
  EXPECT_EQ(server_error.kind, Kind::kRetry);
  EXPECT_EQ(server_error.status, 500);
  http.Answer(429, {{"retry-after", "30"}});
  auto limited = SendOnce(channel, m, to);
  EXPECT_EQ(limited.kind, Kind::kRetry);
  ASSERT_TRUE(limited.retry_after.has_value());
  EXPECT_EQ(limited.retry_after->count(), 30000);
  http.Answer(302, {{"location", "http://169.254.169.254/latest/meta-data/"}});
  auto redirect = SendOnce(channel, m, to);
  EXPECT_EQ(redirect.kind, Kind::kRetry);
  EXPECT_EQ(redirect.status, 302);
  http.Answer(400, {}, "invalid_payload");
  auto bad = SendOnce(channel, m, to);
  EXPECT_EQ(bad.kind, Kind::kPermanent);
  EXPECT_NE(bad.detail.find("invalid_payload"), std::string::npos) << bad.detail;
  http.Fail(net::FailureKind::kTimeout, "timeout after 15 s");
  auto timeout = SendOnce(channel, m, to);
  EXPECT_EQ(timeout.kind, Kind::kRetry);
  EXPECT_EQ(timeout.detail, "timeout after 15 s");
  http.Fail(net::FailureKind::kRefusedAddress, "");
  EXPECT_EQ(SendOnce(channel, m, to).kind, Kind::kPermanent);
}

// Every request a channel makes has the same transport settings.
inline void ExpectNotificationRequest(const net::HttpRequest& r, const std::string& url) {
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, url);
  EXPECT_TRUE(r.guard_address);
  EXPECT_FALSE(r.follow_redirects);
  EXPECT_EQ(r.timeout.count(), 15000);
  EXPECT_EQ(FakeHttpClient::HeaderOf(r, "content-type"), "application/json");
}

// A check_url that accepts anything and records what it was asked, like AddressPolicy::CheckUrl
// without DNS.
struct RecordingUrlCheck {
  std::vector<std::string> seen;
  std::string refuse;  // a URL to refuse, as if it resolved to a private address
  UrlCheck Fn() {
    return [this](std::string_view url, const std::string& field) -> Result<std::string> {
      seen.emplace_back(url);
      if (url == refuse) return Error::Invalid(field, "resolves to a private address");
      return std::string(url);
    };
  }
};

}  // namespace herald::notify::testing
