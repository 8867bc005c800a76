// The console router with a real SQLite store: signed out goes to the sign-in page keeping a
// same-site `next`; the permission table decides who sees a screen; a POST without the session's
// CSRF token is refused before the screen runs; the audit hook sees successful writes only.
// Also the request helpers (cookies, forms, `next`).
#include "console/console.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include "service/services.h"

namespace herald::console {
namespace {

using model::Role;

TEST(ConsoleRequest, CookiesFormsAndNext) {
  auto c = ParseCookies("a=1; herald_session=abc; b=\"q\"; a=2");
  EXPECT_EQ(c["a"], "1");
  EXPECT_EQ(c["herald_session"], "abc");
  EXPECT_EQ(c["b"], "q");
  auto f = ParseForm("email=ada%40example.com&password=a+b%2Bc&csrf=");
  EXPECT_EQ(f["email"], "ada@example.com");
  EXPECT_EQ(f["password"], "a b+c");
  EXPECT_EQ(Field(f, "csrf"), "");
  EXPECT_EQ(Field(f, "missing"), "");
  EXPECT_EQ(SafeNext("/admin/team?x=1"), "/admin/team?x=1");
  for (const char* evil : {"https://evil.example/", "//evil.example", "/admin//evil.example", "/admin/../x",
                           "/admin/%2e%2e/x", "/\\evil.example", "/administrator", "", "/admin/\r\nX: y"})
    EXPECT_EQ(SafeNext(evil), "/admin") << evil;
  EXPECT_EQ(SetCookie("n", "v", {true, 60}), "n=v; Path=/admin; HttpOnly; SameSite=Lax; Max-Age=60; Secure");
}

TEST(ConsolePaths, PatternsMatchSegmentByAndCaptureParameters) {
  std::map<std::string, std::string> params;
  EXPECT_TRUE(MatchPath("/admin/incidents/{id}", "/admin/incidents/abc%2F", &params));
  EXPECT_EQ(params["id"], "abc%2F") << "paths arrive decoded; a segment is taken as it is";
  EXPECT_TRUE(MatchPath("/admin/incidents/{id}/edit/{update}", "/admin/incidents/i1/edit/u2", &params));
  EXPECT_EQ(params["id"], "i1");
  EXPECT_EQ(params["update"], "u2");
  EXPECT_TRUE(MatchPath("/admin/team", "/admin/team"));
  for (const char* other : {"/admin/incidents", "/admin/incidents/", "/admin/incidents/a/b", "/admin/incident/a"})
    EXPECT_FALSE(MatchPath("/admin/incidents/{id}", other)) << other;
  EXPECT_FALSE(MatchPath("/admin/team", "/admin/teams"));
  EXPECT_FALSE(MatchPath("/admin/team", "/admin"));
  EXPECT_EQ(FindScreen("/admin/team")->path, "/admin/team");
  EXPECT_EQ(FindScreen("/admin/nowhere"), nullptr);
}

TEST(ConsoleAssets, ServesTheConsolesOwnFilesOnly) {
  auto css = Console::Asset("/admin/assets/console.css");
  ASSERT_TRUE(css);
  EXPECT_NE(css->body.find("{"), std::string::npos);
  EXPECT_FALSE(Console::Asset("/admin/assets/page.css")) << "the public page's files are served elsewhere";
  EXPECT_FALSE(Console::Asset("/admin/assets/console-missing.js"));
  EXPECT_FALSE(Console::Asset("/admin/assets/console.css/x"));
  EXPECT_FALSE(Console::Asset("/admin/team"));
}

class ConsoleTest : public ::testing::Test {
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
    ConsoleDeps deps{*store_, clock_, *auth_, "https://status.example.com", {}, {}};
    deps.on_write = [this](const http::Request& r, const service::CurrentStaff& who, const WriteRecord&) {
      writes_.push_back(who.user.email + " " + r.path);
    };
    console_ = std::make_unique<Console>(std::move(deps));
  }
  std::string SessionFor(const std::string& email, Role role) {
    EXPECT_TRUE(auth_->CreateUser(email, role, "a long enough password").ok());
    auto s = auth_->SignIn(email, "a long enough password", "192.0.2.1");
    EXPECT_TRUE(s.ok() && s->session);
    return s->session->secret;
  }
  http::Response Call(const std::string& method, const std::string& target, const std::string& secret = "",
                      const std::string& body = "") {
    http::Request r;
    r.method = method;
    r.target = target;
    const auto q = target.find('?');
    r.path = target.substr(0, q);
    r.query = q == std::string::npos ? "" : target.substr(q + 1);
    r.body = body;
    r.remote_addr = "192.0.2.1";
    if (!secret.empty()) r.headers.emplace_back("cookie", std::string(kSessionCookie) + "=" + secret);
    return console_->Handle(r);
  }
  static std::string Header(const http::Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return "";
  }

  FakeClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<service::StaffAuthService> auth_;
  std::unique_ptr<Console> console_;
  std::vector<std::string> writes_;
};

TEST_F(ConsoleTest, SignedOutGoesToSignInAndBack) {
  auto r = Call("GET", "/admin/team?x=1");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(Header(r, "Location"), "/admin/login?next=%2Fadmin%2Fteam%3Fx%3D1");
  EXPECT_EQ(Header(r, "Cache-Control"), "no-store");
  EXPECT_EQ(Call("GET", "/admin", "not-a-session").status, 303);
  auto login = Call("GET", "/admin/login");
  EXPECT_EQ(login.status, 200);
  const std::string cookie = Header(login, "Set-Cookie");
  EXPECT_TRUE(cookie.starts_with("herald_login=")) << cookie;
  EXPECT_NE(cookie.find("; Secure"), std::string::npos) << "the public URL is https";
  EXPECT_EQ(Header(login, "X-Frame-Options"), "DENY");
}

TEST_F(ConsoleTest, ThePermissionTableDecidesWhoSeesAScreen) {
  const std::string viewer = SessionFor("viewer@example.com", Role::kViewer);
  const std::string admin = SessionFor("admin@example.com", Role::kAdmin);
  auto home = Call("GET", "/admin", viewer);
  EXPECT_EQ(home.status, 200);
  EXPECT_EQ(home.body.find("href=\"/admin/team\""), std::string::npos) << "no link to what the role may not see";
  EXPECT_EQ(Call("GET", "/admin/team", viewer).status, 403);
  EXPECT_EQ(Call("GET", "/admin/team", admin).status, 200);
  EXPECT_NE(Call("GET", "/admin", admin).body.find("href=\"/admin/team\""), std::string::npos);
  EXPECT_EQ(Call("GET", "/admin/nowhere", admin).status, 404);
  EXPECT_EQ(Call("DELETE", "/admin/team", admin).status, 405);
}

TEST_F(ConsoleTest, PostsNeedTheSessionsCsrfTokenAndAreAudited) {
  const std::string admin = SessionFor("admin@example.com", Role::kAdmin);
  const std::string other = SessionFor("other@example.com", Role::kAdmin);
  const std::string invite = "action=invite&email=bob%40example.com&role=viewer";
  EXPECT_EQ(Call("POST", "/admin/team", admin, invite).status, 403);
  EXPECT_EQ(Call("POST", "/admin/team", admin, invite + "&csrf=" + service::StaffAuthService::CsrfToken(other)).status,
            403)
      << "another session's token";
  EXPECT_FALSE(*store_->FindStaffUserByEmail("bob@example.com")) << "refused: nothing changed";
  EXPECT_TRUE(writes_.empty());
  auto ok = Call("POST", "/admin/team", admin, invite + "&csrf=" + service::StaffAuthService::CsrfToken(admin));
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(ok.body.find("https://status.example.com/admin/invite/"), std::string::npos);
  EXPECT_TRUE(*store_->FindStaffUserByEmail("bob@example.com"));
  EXPECT_EQ(writes_, std::vector<std::string>{"admin@example.com /admin/team"});
}

TEST_F(ConsoleTest, TheCurrentPageIsTheOneNamedElseTheDefault) {
  const std::string admin = SessionFor("admin@example.com", Role::kAdmin);
  service::PageService pages({*store_, clock_});
  service::PageInput a, b;
  a.name = "Acme";
  a.slug = "acme";
  b.name = "Beta";
  b.slug = "beta";
  b.is_default = false;
  auto pa = pages.Create(a);
  auto pb = pages.Create(b);
  ASSERT_TRUE(pa.ok() && pb.ok());
  http::Request req;
  auto who = auth_->Authenticate(admin);
  ASSERT_TRUE(who.ok() && *who);
  const Form none, named{{"page", "acme"}}, by_id{{"page", pa->id}}, unknown{{"page", "nope"}};
  auto at = [&](const Form& q) {
    return ScreenContext{req, **who, console_->deps(), none, q, Screens().front(), Screens(), {}, {}};
  };
  const Form beta{{"page", "beta"}};
  EXPECT_EQ(at(none).CurrentPage()->id, pa->id) << "the default page (the first one made)";
  EXPECT_EQ(at(beta).CurrentPage()->id, pb->id);
  EXPECT_EQ(at(named).CurrentPage()->id, pa->id);
  EXPECT_EQ(at(by_id).CurrentPage()->id, pa->id);
  EXPECT_EQ(at(by_id).PageQuery(), "?page=" + pa->id);
  EXPECT_EQ(at(none).PageQuery(), "");
  auto missing = at(unknown).CurrentPage();
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().field, "page");
}

}  // namespace
}  // namespace herald::console
