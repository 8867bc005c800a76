#include "config/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace herald::config {
namespace {

std::string WriteFile(const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("herald-config-" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << text;
  return path.string();
}

TEST(Config, FileThenEnvironment) {
  auto path = WriteFile("listen = \"0.0.0.0:9000\"\ndb = \"sqlite:/tmp/x.db\"\n[http]\nworker_threads = 8\n");
  auto c = LoadFile(path, Config{});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->listen, "0.0.0.0:9000");
  EXPECT_EQ(c->worker_threads, 8);
  setenv("HERALD_DB", "postgresql://h@127.0.0.1/db", 1);
  setenv("HERALD_HTTP_API_BURST", "5", 1);
  auto e = ApplyEnv(*c);
  unsetenv("HERALD_DB");
  unsetenv("HERALD_HTTP_API_BURST");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->db, "postgresql://h@127.0.0.1/db");
  EXPECT_EQ(e->listen, "0.0.0.0:9000");
  EXPECT_EQ(e->api_burst, 5);
  std::filesystem::remove(path);
}

TEST(Config, ErrorsNameTheSetting) {
  auto path = WriteFile("[http]\nworker_threads = 0\n");
  EXPECT_EQ(LoadFile(path, Config{}).error().field, "http.worker_threads");
  path = WriteFile("listen = 8080\n");
  EXPECT_EQ(LoadFile(path, Config{}).error().field, "listen");
  path = WriteFile("listen = \n");
  EXPECT_EQ(LoadFile(path, Config{}).error().field, "config");
  setenv("HERALD_HTTP_IO_THREADS", "many", 1);
  EXPECT_EQ(ApplyEnv(Config{}).error().field, "HERALD_HTTP_IO_THREADS");
  unsetenv("HERALD_HTTP_IO_THREADS");
  std::filesystem::remove(path);
}

TEST(Config, ConnectionCapsAndMetrics) {
  Config defaults;
  EXPECT_EQ(defaults.max_connections_per_client, 256);
  EXPECT_EQ(defaults.max_sse_per_client, 64);
  EXPECT_TRUE(defaults.metrics_listen.empty());  // metrics are off publicly unless chosen
  EXPECT_TRUE(defaults.metrics_token.empty());
  auto path = WriteFile(
      "[http]\nmax_connections_per_client = 32\nmax_sse_per_client = 4\n"
      "[metrics]\nlisten = \"127.0.0.1:9100\"\ntoken = \"0123456789abcdef\"\n");
  auto c = LoadFile(path, Config{});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->max_connections_per_client, 32);
  EXPECT_EQ(c->max_sse_per_client, 4);
  EXPECT_EQ(c->metrics_listen, "127.0.0.1:9100");
  EXPECT_EQ(c->metrics_token, "0123456789abcdef");
  setenv("HERALD_HTTP_MAX_CONNECTIONS_PER_CLIENT", "8", 1);
  setenv("HERALD_METRICS_TOKEN", "fedcba9876543210", 1);
  auto e = ApplyEnv(*c);
  unsetenv("HERALD_HTTP_MAX_CONNECTIONS_PER_CLIENT");
  unsetenv("HERALD_METRICS_TOKEN");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->max_connections_per_client, 8);
  EXPECT_EQ(e->metrics_token, "fedcba9876543210");

  path = WriteFile("[metrics]\ntoken = \"short\"\n");
  EXPECT_EQ(LoadFile(path, Config{}).error().field, "metrics.token");
  path = WriteFile("[http]\nmax_sse_per_client = 0\n");
  EXPECT_EQ(LoadFile(path, Config{}).error().field, "http.max_sse_per_client");
  setenv("HERALD_HTTP_MAX_SSE_PER_CLIENT", "-1", 1);
  EXPECT_EQ(ApplyEnv(Config{}).error().field, "HERALD_HTTP_MAX_SSE_PER_CLIENT");
  unsetenv("HERALD_HTTP_MAX_SSE_PER_CLIENT");
  std::filesystem::remove(path);
}

// Issue 14: a mistyped key used to be ignored silently (the setting kept its default) while
// `herald apply` refused unknown keys; now the file is refused with the key named.
TEST(Config, UnknownKeysAreRefusedByName) {
  for (const auto& [text, name] : {std::pair{"listne = \"0.0.0.0:9000\"\n", "listne"},
                                   {"[http]\nworkers = 3\n", "http.workers"},
                                   {"[smpt]\nurl = \"smtp://mail.example.com\"\n", "smpt"},
                                   {"[sms]\nper_secnd = 3\n", "sms.per_secnd"},
                                   {"http = 3\n", "http"},
                                   {"[notify.extra]\nx = 1\n", "notify.extra"}}) {
    auto path = WriteFile(text);
    auto c = LoadFile(path, Config{});
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_EQ(c.error().field, name) << text;
    EXPECT_NE(c.error().message.find(std::string("unknown setting ") + name), std::string::npos) << c.error().message;
    std::filesystem::remove(path);
  }
  // Every documented key is known.
  auto path = WriteFile(
      "listen = \"127.0.0.1:8080\"\ndb = \"sqlite:x.db\"\npublic_url = \"https://s.example.com\"\nlog_json = true\n"
      "[http]\nmax_body_bytes = 2048\nio_threads = 1\nworker_threads = 2\napi_per_second = 3\napi_burst = 4\n"
      "max_connections_per_client = 5\nmax_sse_per_client = 6\n"
      "[metrics]\nlisten = \"127.0.0.1:9100\"\ntoken = \"0123456789abcdef\"\n"
      "[notify]\nallow_private = [\"10.0.0.0/8\"]\nallow_http = true\nlease_seconds = 60\n"
      "[smtp]\nurl = \"smtp://m.example.com\"\nusername = \"u\"\npassword = \"p\"\nrequire_starttls = true\n"
      "from = \"s@example.com\"\nfrom_name = \"S\"\n"
      "[sms]\nprovider = \"twilio\"\nbase_url = \"https://api.twilio.com\"\naccount_sid = \"a\"\nauth_token = \"t\"\n"
      "from = \"+15550000000\"\ndefault_region = \"GB\"\nper_second = 2\n"
      "[webpush]\nsubject = \"mailto:s@example.com\"\n[monitor]\nenabled = false\nca_file = \"/x.pem\"\n"
      "[audit]\nretention_days = 30\n");
  auto c = LoadFile(path, Config{});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->log_json);
  EXPECT_EQ(c->notify.sms_default_region, "GB");
  EXPECT_EQ(c->max_sse_per_client, 6);
  EXPECT_FALSE(c->monitor.enabled);
  std::filesystem::remove(path);
}

// Issue 14: HERALD_LOG_JSON=yes used to mean false without a word. Booleans in the environment
// are true/1 or false/0; anything else is refused with the variable named.
TEST(Config, EnvironmentBooleansRefuseOtherValues) {
  for (const char* name :
       {"HERALD_LOG_JSON", "HERALD_SMTP_REQUIRE_STARTTLS", "HERALD_MONITOR_ENABLED", "HERALD_NOTIFY_ALLOW_HTTP"}) {
    for (const char* bad : {"yes", "on", "TRUE ", "2", ""}) {
      setenv(name, bad, 1);
      auto c = ApplyEnv(Config{});
      unsetenv(name);
      ASSERT_FALSE(c.ok()) << name << "=" << bad;
      EXPECT_EQ(c.error().field, name);
      EXPECT_NE(c.error().message.find("true or false"), std::string::npos) << c.error().message;
    }
  }
  for (const auto& [value, expected] : {std::pair{"true", true}, {"1", true}, {"false", false}, {"0", false}}) {
    setenv("HERALD_LOG_JSON", value, 1);
    setenv("HERALD_MONITOR_ENABLED", value, 1);
    auto c = ApplyEnv(Config{});
    unsetenv("HERALD_LOG_JSON");
    unsetenv("HERALD_MONITOR_ENABLED");
    ASSERT_TRUE(c.ok()) << value;
    EXPECT_EQ(c->log_json, expected) << value;
    EXPECT_EQ(c->monitor.enabled, expected) << value;
  }
}

TEST(Config, AuditRetentionDaysFromFileAndEnvironmentWithinItsRange) {
  EXPECT_EQ(Config{}.audit.retention_days, 365);
  auto path = WriteFile("[audit]\nretention_days = 30\n");
  auto c = LoadFile(path, Config{});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->audit.retention_days, 30);
  for (const char* bad :
       {"[audit]\nretention_days = 0\n", "[audit]\nretention_days = \"30\"\n", "[audit]\nretention_days = 36501\n"}) {
    path = WriteFile(bad);
    auto refused = LoadFile(path, Config{});
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.error().field, "audit.retention_days");
  }
  path = WriteFile("[audit]\nretain_days = 30\n");
  EXPECT_EQ(LoadFile(path, Config{}).error().field, "audit.retain_days");
  setenv("HERALD_AUDIT_RETENTION_DAYS", "90", 1);
  auto e = ApplyEnv(Config{});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->audit.retention_days, 90);
  setenv("HERALD_AUDIT_RETENTION_DAYS", "a year", 1);
  EXPECT_EQ(ApplyEnv(Config{}).error().field, "HERALD_AUDIT_RETENTION_DAYS");
  unsetenv("HERALD_AUDIT_RETENTION_DAYS");
}

TEST(Config, ConsoleSessionLifetimes) {
  Config defaults;
  EXPECT_EQ(defaults.console.session_idle_minutes, 720);
  EXPECT_EQ(defaults.console.session_max_hours, 168);
  auto path = WriteFile("[console]\nsession_idle_minutes = 30\nsession_max_hours = 24\n");
  auto c = LoadFile(path, Config{});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->console.session_idle_minutes, 30);
  EXPECT_EQ(c->console.session_max_hours, 24);
  path = WriteFile("[console]\nsession_idle_minutes = 0\n");
  EXPECT_EQ(LoadFile(path, Config{}).error().field, "console.session_idle_minutes");
  path = WriteFile("[console]\nsession_lifetime = 3\n");
  EXPECT_EQ(LoadFile(path, Config{}).error().field, "console.session_lifetime");
  setenv("HERALD_CONSOLE_SESSION_MAX_HOURS", "12", 1);
  EXPECT_EQ(ApplyEnv(Config{})->console.session_max_hours, 12);
  setenv("HERALD_CONSOLE_SESSION_MAX_HOURS", "forever", 1);
  EXPECT_EQ(ApplyEnv(Config{}).error().field, "HERALD_CONSOLE_SESSION_MAX_HOURS");
  unsetenv("HERALD_CONSOLE_SESSION_MAX_HOURS");
  std::filesystem::remove(path);
}

TEST(Config, ParseListen) {
  EXPECT_EQ(ParseListen("127.0.0.1:8080")->second, 8080);
  EXPECT_EQ(ParseListen("[::1]:0")->first, "::1");
  EXPECT_FALSE(ParseListen("8080").ok());
  EXPECT_FALSE(ParseListen("host:99999").ok());
  EXPECT_FALSE(ParseListen("host:").ok());
}

// [oidc]: console sign-in with an OpenID provider.
TEST(Config, OidcSectionIsReadAndCheckedStrictly) {
  auto path = WriteFile(
      "[oidc]\nissuer = \"https://login.example.com\"\nclient_id = \"herald\"\nclient_secret = \"s\"\n"
      "token_auth_method = \"client_secret_post\"\nredirect_path = \"/admin/sso\"\ngroups_scope = \"\"\n"
      "groups_claim = \"roles\"\nrequire_email_verified = false\ndisplay_name = \"Okta\"\ndefault_role = \"viewer\"\n"
      "role_map = { \"herald-admins\" = \"admin\", \"sre\" = \"responder\" }\n");
  auto c = LoadFile(path, Config{});
  ASSERT_TRUE(c.ok()) << c.error().message;
  const OidcConfig& o = c->oidc;
  EXPECT_EQ(o.issuer, "https://login.example.com");
  EXPECT_EQ(o.token_auth_method, "client_secret_post");
  EXPECT_EQ(o.redirect_path, "/admin/sso");
  EXPECT_EQ(o.groups_scope, "");
  EXPECT_EQ(o.groups_claim, "roles");
  EXPECT_FALSE(o.require_email_verified);
  EXPECT_EQ(o.default_role, model::Role::kViewer);
  ASSERT_EQ(o.role_map.size(), 2u);
  EXPECT_TRUE(ApplyEnv(*c).ok());
  for (const auto& [text, field] : {std::pair{"[oidc]\nissuer = 5\n", "oidc.issuer"},
                                    {"[oidc]\nrole_map = { staff = \"superuser\" }\n", "oidc.role_map"},
                                    {"[oidc]\nrole_map = [\"staff\"]\n", "oidc.role_map"},
                                    {"[oidc]\ndefault_role = \"everyone\"\n", "oidc.default_role"},
                                    {"[oidc]\ntoken_auth_method = \"private_key_jwt\"\n", "oidc.token_auth_method"},
                                    {"[oidc]\nredirect_path = \"//evil.example/cb\"\n", "oidc.redirect_path"},
                                    {"[oidc]\nredirect_path = \"/oidc/callback\"\n", "oidc.redirect_path"},
                                    {"[oidc]\nclient_secrets = \"x\"\n", "oidc.client_secrets"}}) {
    path = WriteFile(text);
    auto bad = LoadFile(path, Config{});
    ASSERT_FALSE(bad.ok()) << text;
    EXPECT_EQ(bad.error().field, field) << text;
  }
  std::filesystem::remove(path);
}

TEST(Config, OidcNeedsItsClientAndSomeoneToLetIn) {
  OidcConfig o;
  EXPECT_TRUE(CheckOidc(o).ok()) << "no issuer: off";
  o.issuer = "https://login.example.com";
  EXPECT_EQ(CheckOidc(o).error().field, "oidc.client_id");
  o.client_id = "herald";
  EXPECT_EQ(CheckOidc(o).error().field, "oidc.client_secret");
  o.client_secret = "s";
  o.client_secret_file = "/run/secrets/oidc";
  EXPECT_EQ(CheckOidc(o).error().field, "oidc.client_secret") << "both";
  o.client_secret_file.clear();
  EXPECT_EQ(CheckOidc(o).error().field, "oidc.role_map") << "nobody could sign in";
  o.default_role = model::Role::kViewer;
  EXPECT_TRUE(CheckOidc(o).ok());
  // The environment completes the file: the secret from HERALD_OIDC_CLIENT_SECRET_FILE replaces
  // the file's client_secret, and the whole is checked after it.
  Config c;
  c.oidc = o;
  setenv("HERALD_OIDC_CLIENT_SECRET_FILE", "/run/secrets/oidc", 1);
  auto e = ApplyEnv(c);
  unsetenv("HERALD_OIDC_CLIENT_SECRET_FILE");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->oidc.client_secret, "");
  EXPECT_EQ(e->oidc.client_secret_file, "/run/secrets/oidc");
  c.oidc.client_id.clear();
  EXPECT_EQ(ApplyEnv(c).error().field, "oidc.client_id");
}

}  // namespace
}  // namespace herald::config
