// Config: settings for `herald serve` and the other commands, from (lowest to highest
// precedence) built-in defaults, a TOML file (--config), HERALD_* environment variables, and
// command-line flags. Validation errors name the setting.
//
//   listen = "127.0.0.1:8080"      # HERALD_LISTEN
//   db = "sqlite:herald.db"        # HERALD_DB
//   public_url = "https://status.example.com"   # HERALD_PUBLIC_URL
//   log_json = false               # HERALD_LOG_JSON
//   [http]
//   max_body_bytes = 1048576       # HERALD_HTTP_MAX_BODY_BYTES
//   io_threads = 0                 # HERALD_HTTP_IO_THREADS
//   worker_threads = 4             # HERALD_HTTP_WORKER_THREADS
//   api_per_second = 20            # HERALD_HTTP_API_PER_SECOND: /v1 requests per client IP
//   api_burst = 200                # HERALD_HTTP_API_BURST
//   max_connections_per_client = 256  # HERALD_HTTP_MAX_CONNECTIONS_PER_CLIENT: the slowest is shed
//   max_sse_per_client = 64        # HERALD_HTTP_MAX_SSE_PER_CLIENT: live-update streams per client IP
//   [metrics]                      # /metrics is off on the public listener by default
//   listen = "127.0.0.1:9100"      # HERALD_METRICS_LISTEN: serve /metrics on this separate address
//   token = "..."                  # HERALD_METRICS_TOKEN (16+ chars): Authorization: Bearer <token>
//                                  # required on both listeners; also turns /metrics on publicly
//   [notify]
//   allow_private = ["127.0.0.0/8"]  # HERALD_NOTIFY_ALLOW_PRIVATE (comma-separated): SSRF allow-list
//   allow_http = false               # HERALD_NOTIFY_ALLOW_HTTP: accept http:// endpoints
//   lease_seconds = 300              # HERALD_NOTIFY_LEASE_SECONDS: a message without a recorded
//                                    # outcome after this long is sent again (crash recovery)
//   [smtp]                           # email channel; off when url is empty
//   url = "smtp://mail.example.com:587"   # HERALD_SMTP_URL (smtps:// for implicit TLS)
//   username = "" / password = ""    # HERALD_SMTP_USERNAME / HERALD_SMTP_PASSWORD
//   require_starttls = false         # HERALD_SMTP_REQUIRE_STARTTLS
//   from = "status@example.com"      # HERALD_SMTP_FROM
//   from_name = ""                   # HERALD_SMTP_FROM_NAME (default: the page's name)
//   [sms]                            # SMS channel; off when provider is empty
//   provider = "twilio"              # HERALD_SMS_PROVIDER
//   base_url = "https://api.twilio.com"   # HERALD_SMS_BASE_URL
//   account_sid / auth_token / from  # HERALD_SMS_ACCOUNT_SID / HERALD_SMS_AUTH_TOKEN / HERALD_SMS_FROM
//   default_region = "US"            # HERALD_SMS_DEFAULT_REGION: for numbers without +country
//   per_second = 1                   # HERALD_SMS_PER_SECOND: the provider account's send rate
//   [webpush]
//   subject = "mailto:status@example.com"  # HERALD_WEBPUSH_SUBJECT: VAPID contact
//   [oidc]                           # console sign-in with an OpenID provider; off when issuer is empty
//   issuer = "https://login.example.com"  # HERALD_OIDC_ISSUER
//   client_id = "herald"             # HERALD_OIDC_CLIENT_ID
//   client_secret = "..."            # HERALD_OIDC_CLIENT_SECRET, or client_secret_file
//   (HERALD_OIDC_CLIENT_SECRET_FILE) role_map = { "herald-admins" = "admin", "sre" = "responder" }   # group -> role
//   default_role = "none"            # role of a user in no mapped group: "none" refuses them
//   (more keys: OidcConfig below, README "Configuration", docs/console.md)
//   [audit]
//   retention_days = 365             # HERALD_AUDIT_RETENTION_DAYS: audit log entries are kept this long
//   [console]                        # the operator console at /admin
//   session_idle_minutes = 720       # HERALD_CONSOLE_SESSION_IDLE_MINUTES: unused this long, a session ends
//   session_max_hours = 168          # HERALD_CONSOLE_SESSION_MAX_HOURS: any session this old ends
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "model/model.h"

namespace herald::config {

struct NotifyConfig {
  std::vector<std::string> allow_private;
  bool allow_http = false;
  int lease_seconds = 300;
  std::string smtp_url, smtp_username, smtp_password, smtp_from, smtp_from_name;
  bool smtp_require_starttls = false;
  std::string sms_provider, sms_base_url = "https://api.twilio.com", sms_account_sid, sms_auth_token, sms_from;
  std::string sms_default_region = "US";
  int sms_per_second = 1;
  std::string webpush_subject = "mailto:status@localhost";
};

// [monitor]: whether this instance runs the monitors (one per deployment) and extra trusted CAs.
struct MonitorConfig {
  bool enabled = true;
  std::string ca_file;
};

// [oidc]: sign-in to the console with an OpenID Connect provider (service/oidc/sign_in.h).
struct OidcConfig {
  std::string issuer;  // empty: OIDC sign-in is off
  std::string client_id;
  std::string client_secret, client_secret_file;  // exactly one of them
  std::string token_auth_method;                  // "", "client_secret_basic" or "client_secret_post"
  std::string redirect_path = "/admin/oidc/callback";
  std::string groups_scope = "groups";  // requested besides "openid email profile"; empty: none
  std::string groups_claim = "groups";
  std::vector<std::pair<std::string, model::Role>> role_map;  // provider group -> role, sorted by group
  std::optional<model::Role> default_role;                    // for users in no mapped group; nullopt: refused
  bool require_email_verified = true;
  std::string display_name = "single sign-on";  // the sign-in button says "Sign in with <display_name>"
};

// [audit]: how long the audit log keeps its entries.
struct AuditConfig {
  int retention_days = 365;
};

// [console]: staff sessions' idle and absolute lifetimes.
struct ConsoleConfig {
  int session_idle_minutes = 12 * 60;
  int session_max_hours = 7 * 24;
};

struct Config {
  std::string listen = "127.0.0.1:8080";
  std::string db = "sqlite:herald.db";
  std::string public_url;  // default: http://<listen>
  bool log_json = false;
  std::size_t max_body_bytes = 1024 * 1024;
  int io_threads = 0;
  int worker_threads = 4;
  int api_per_second = 20;
  int api_burst = 200;
  int max_connections_per_client = 256;
  int max_sse_per_client = 64;
  std::string metrics_listen;  // empty: no separate metrics listener
  std::string metrics_token;   // empty: no token (and no /metrics on the public listener)
  NotifyConfig notify;
  MonitorConfig monitor;
  OidcConfig oidc;
  AuditConfig audit;
  ConsoleConfig console;
};

// Reads the TOML file at `path` over `base` (missing keys keep their value). A key this function
// does not read (a typo, a retired setting) is refused with Error::Invalid naming it.
Result<Config> LoadFile(const std::string& path, Config base);
// Every key a config file may hold, "section.key" or "key" ("http.worker_threads", "log_json").
std::set<std::string> KnownSettings();
// Applies HERALD_* environment variables over `base`. Booleans are true/1 or false/0; any other
// value is refused naming the variable.
Result<Config> ApplyEnv(Config base);
// The [oidc] settings as a whole: when `issuer` is set, client_id and one of client_secret and
// client_secret_file are set and the role map or the default role lets someone in. ApplyEnv
// runs it last, as the environment may complete what the file left out.
Status CheckOidc(const OidcConfig& oidc);
// Splits "HOST:PORT" or "[v6]:PORT".
Result<std::pair<std::string, std::uint16_t>> ParseListen(const std::string& listen);

}  // namespace herald::config
