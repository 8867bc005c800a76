// Test support for subscription tests (service, management API, public endpoints): a fake
// Channel that records what it was asked to send and answers a configurable outcome, and a
// fixture with an in-memory SQLite store, a page with components, every channel registered and
// a LinkSigner. Not thread-safe beyond what FakeChannel guards; tests only.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/encoding.h"
#include "core/text.h"
#include "notify/email/email_channel.h"
#include "notify/links.h"
#include "notify/registry.h"
#include "notify/webpush/p256.h"
#include "service/services.h"
#include "service/subscriptions.h"
#include "store/store.h"

namespace herald::service::testing {

// The base64url public key of a fresh P-256 key pair: a browser's p256dh.
inline std::string ValidP256dh() {
  auto key = notify::webpush::P256Generate();
  return key ? Base64UrlEncode(notify::webpush::P256PublicBytes(key->get())) : std::string();
}

class FakeChannel final : public notify::Channel {
 public:
  struct Sent {
    notify::Message message;
    model::Subscriber to;
  };
  explicit FakeChannel(model::ChannelKind kind) : kind_(kind) {}

  model::ChannelKind Kind() const override { return kind_; }
  // Email and SMS validate as the real channels do; URL channels refuse loopback, private and
  // metadata hosts the way AddressPolicy does for the public internet.
  Result<std::string> NormalizeAddress(std::string_view address, const std::string& field) const override {
    const auto& facts = notify::Describe(kind_);
    if (facts.consent == notify::Consent::kDoubleOptInEmail || facts.consent == notify::Consent::kSmsCode)
      return facts.normalize(address, field);
    std::string a(Trim(address));
    for (std::string_view bad :
         {"://127.", "://localhost", "://10.", "://169.254.", "://[::1]", "://0x7f", "://2130706433"})
      if (a.find(bad) != std::string::npos)
        return Error::Invalid(field, field + " points to a private or loopback address");
    if (a.find(' ') != std::string::npos || a.find("://") == std::string::npos)
      return Error::Invalid(field, field + " must be a URL");
    return a;
  }
  void Send(const notify::Message& message, const model::Subscriber& to,
            std::function<void(notify::SendOutcome)> done) override {
    notify::SendOutcome o;
    {
      std::lock_guard lock(mu_);
      sent_.push_back({message, to});
      o = outcome_;
      if (never_answer_) {
        pending_.push_back(std::move(done));
        return;
      }
    }
    done(o);
  }

  void Answer(notify::SendOutcome::Kind kind, int status = 0, std::string detail = "") {
    std::lock_guard lock(mu_);
    outcome_.kind = kind;
    outcome_.status = status;
    outcome_.detail = std::move(detail);
  }
  void NeverAnswer() { never_answer_ = true; }
  std::vector<Sent> sent() const {
    std::lock_guard lock(mu_);
    return sent_;
  }
  size_t count() const { return sent().size(); }

 private:
  const model::ChannelKind kind_;
  mutable std::mutex mu_;
  std::vector<Sent> sent_;
  notify::SendOutcome outcome_{notify::SendOutcome::Kind::kDelivered, 200, "HTTP 200", std::nullopt};
  bool never_answer_ = false;
  std::vector<std::function<void(notify::SendOutcome)>> pending_;
};

class SubscriptionFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::OpenStore("sqlite::memory:");
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Migrate().ok());
    PageInput p;
    p.name = "Example";
    p.is_default = true;
    auto page = PageService(Deps{*store_, clock_}).Create(p);
    ASSERT_TRUE(page.ok()) << page.error().message;
    page_id_ = page->id;
    page_slug_ = page->slug;
    api_ = MakeComponent("API", false);
    web_ = MakeComponent("Website", false);
    secret_ = MakeComponent("Internal", true);
    for (const auto& kind : notify::ChannelKinds()) {
      auto ch = std::make_unique<FakeChannel>(kind.kind);
      fakes_[kind.kind] = ch.get();
      channels_.Add(std::move(ch));
    }
    SubscriptionOptions o;
    o.test_timeout = std::chrono::milliseconds(200);
    service_ = std::make_unique<SubscriptionService>(SubscriptionDeps{*store_, clock_, channels_, links_, o});
  }

  std::string MakeComponent(const std::string& name, bool hidden) {
    ComponentInput in;
    in.name = name;
    in.hidden = hidden;
    auto c = ComponentService(Deps{*store_, clock_}).Create(page_id_, in, false);
    EXPECT_TRUE(c.ok());
    return c->id;
  }
  FakeChannel& fake(model::ChannelKind k) { return *fakes_[k]; }
  FakeChannel& email() { return fake(model::ChannelKind::kEmail); }
  std::int64_t SubscriberCount() { return *store_->CountSubscribers(page_id_); }
  std::vector<model::Subscriber> All() {
    store::SubscriberFilter f;
    f.limit = 1000;
    return *store_->ListSubscribers(page_id_, f);
  }
  // The token out of a signed URL (".../x?token=T").
  static std::string TokenOf(const std::string& url) { return url.substr(url.find("token=") + 6); }
  // The confirmation URL of the last confirmation mail.
  std::string LastConfirmUrl() {
    auto sent = email().sent();
    EXPECT_FALSE(sent.empty());
    return sent.empty() ? "" : sent.back().message.url;
  }

  FakeClock clock_;
  std::unique_ptr<store::Store> store_;
  std::string page_id_, page_slug_, api_, web_, secret_;
  notify::Channels channels_;
  std::map<model::ChannelKind, FakeChannel*> fakes_;
  notify::LinkSigner links_{"test-secret", "https://status.example.com"};
  std::unique_ptr<SubscriptionService> service_;
};

}  // namespace herald::service::testing
