// The dashboard screen on a fake clock: a promised update counts down, then is overdue in words
// and with a warning sign (not by colour alone), first in the list; with several status pages a
// labelled switcher appears, and the current page's data is the one shown.
#include <gtest/gtest.h>
#include <sodium.h>

#include "console/console.h"
#include "service/services.h"

namespace herald::console {
namespace {

constexpr TimeMs kMin = 60'000;

class DashboardScreen : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::OpenStore("sqlite::memory:");
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Migrate().ok());
    service::StaffAuthOptions o;
    o.pwhash_ops = crypto_pwhash_OPSLIMIT_MIN;
    o.pwhash_mem = crypto_pwhash_MEMLIMIT_MIN;
    auth_ = std::make_unique<service::StaffAuthService>(*store_, clock_, o);
    console_ = std::make_unique<Console>(ConsoleDeps{*store_, clock_, *auth_, "https://status.example.com", {}, {}});
    ASSERT_TRUE(auth_->CreateUser("viewer@example.com", model::Role::kViewer, "a long enough password").ok());
    auto signed_in = auth_->SignIn("viewer@example.com", "a long enough password", "192.0.2.1");
    ASSERT_TRUE(signed_in.ok() && signed_in->session);
    session_ = signed_in->session->secret;
  }
  std::string Page(const std::string& name, bool is_default) {
    service::PageInput in;
    in.name = name;
    in.slug = name;
    in.is_default = is_default;
    auto p = service::PageService({*store_, clock_}).Create(in);
    EXPECT_TRUE(p.ok());
    return p.ok() ? p->id : "";
  }
  void Incident(const std::string& page_id, const std::string& name, std::optional<TimeMs> next_update) {
    service::IncidentInput in;
    in.name = name;
    in.body = "Looking into it.";
    in.next_update_at = next_update;
    ASSERT_TRUE(service::IncidentService({*store_, clock_}).Create(page_id, in).ok());
  }
  std::string Dashboard(const std::string& query = "") {
    http::Request r;
    r.method = "GET";
    r.path = "/admin";
    r.query = query;
    r.target = "/admin" + (query.empty() ? "" : "?" + query);
    r.headers.emplace_back("cookie", std::string(kSessionCookie) + "=" + session_);
    auto resp = console_->Handle(r);
    EXPECT_EQ(resp.status, 200) << resp.body;
    return resp.body;
  }

  FakeClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<service::StaffAuthService> auth_;
  std::unique_ptr<Console> console_;
  std::string session_;
};

TEST_F(DashboardScreen, APromiseCountsDownThenIsOverdueInWordsAndWithASignFirst) {
  const std::string page = Page("acme", true);
  Incident(page, "Slow logins", clock_.Now() + 60 * kMin);
  Incident(page, "Checkout errors", clock_.Now() + 5 * kMin);
  std::string html = Dashboard();
  EXPECT_NE(html.find(">due in 5 min</time>"), std::string::npos) << html;
  EXPECT_EQ(html.find("Update overdue"), std::string::npos);
  clock_.Advance(10 * kMin);
  html = Dashboard();
  const size_t overdue = html.find("<strong>Update overdue:</strong> next update <time");
  ASSERT_NE(overdue, std::string::npos) << html;
  EXPECT_NE(html.find(">overdue by 5 min</time>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"dash-icon\" aria-hidden=\"true\">&#9888;</span>"), std::string::npos);
  EXPECT_LT(html.find("Checkout errors"), html.find("Slow logins")) << "the overdue one first";
  EXPECT_NE(html.find(". 2 open incidents, 1 overdue for an update, 0 monitors failing"), std::string::npos)
      << "the live region's summary says it too";
  EXPECT_EQ(html.find("aria-label=\"Publish"), std::string::npos) << "no write controls for a viewer";
}

TEST_F(DashboardScreen, SeveralPagesHaveASwitcherAndShowTheCurrentOne) {
  const std::string acme = Page("acme", true);
  EXPECT_EQ(Dashboard().find("<label for=\"page-pick\">Status page</label>"), std::string::npos) << "one page";
  const std::string beta = Page("beta", false);
  Incident(beta, "Beta outage", std::nullopt);
  std::string html = Dashboard();
  EXPECT_NE(html.find("<label for=\"page-pick\">Status page</label>"), std::string::npos);
  EXPECT_EQ(html.find("Beta outage"), std::string::npos) << "the default page is shown";
  html = Dashboard("page=beta");
  EXPECT_NE(html.find("Beta outage"), std::string::npos);
  EXPECT_NE(html.find("no next update promised"), std::string::npos);
  EXPECT_NE(html.find("href=\"/admin/monitors?page=beta\""), std::string::npos) << "links stay on the page";
}

}  // namespace
}  // namespace herald::console
