#include "config/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <tuple>

namespace herald::config {

namespace {

// A short token can be guessed; /metrics would then be open after all.
Status CheckMetricsToken(const std::string& token, const char* name) {
  if (!token.empty() && token.size() < 16)
    return Error::Invalid(name, std::string(name) + " must be at least 16 characters (or empty: no token)");
  return {};
}

// [oidc] (see OidcConfig): read here apart from ReadTable's sections, as its role_map is a table
// of its own. Records its keys in `known` like ReadTable.
Status ReadOidc(const toml::table& t, OidcConfig& o, std::set<std::string>& known) {
  auto node = [&](const char* key) {
    known.insert(std::string("oidc.") + key);
    return t["oidc"][key];
  };
  auto name = [](const char* key) { return std::string("oidc.") + key; };
  for (auto [key, out] : {std::pair{"issuer", &o.issuer},
                          {"client_id", &o.client_id},
                          {"client_secret", &o.client_secret},
                          {"client_secret_file", &o.client_secret_file},
                          {"token_auth_method", &o.token_auth_method},
                          {"redirect_path", &o.redirect_path},
                          {"groups_scope", &o.groups_scope},
                          {"groups_claim", &o.groups_claim},
                          {"display_name", &o.display_name}}) {
    if (auto n = node(key); n) {
      if (!n.is_string()) return Error::Invalid(name(key), name(key) + " must be a string");
      *out = *n.value<std::string>();
    }
  }
  if (auto n = node("require_email_verified"); n) {
    if (!n.is_boolean())
      return Error::Invalid(name("require_email_verified"), "oidc.require_email_verified must be true or false");
    o.require_email_verified = *n.value<bool>();
  }
  if (auto n = node("default_role"); n) {
    const auto role = n.is_string() ? model::ParseRole(*n.value<std::string>()) : std::nullopt;
    if (!role && n.value<std::string>() != "none")
      return Error::Invalid("oidc.default_role", "oidc.default_role must be \"none\" or a role name (viewer, ...)");
    o.default_role = role;
  }
  if (auto n = node("role_map"); n) {
    const auto* map = n.as_table();
    if (!map) return Error::Invalid("oidc.role_map", "oidc.role_map must be a table of group = \"role\"");
    o.role_map.clear();
    for (const auto& [group, value] : *map) {
      const auto role = value.is_string() ? model::ParseRole(*value.value<std::string>()) : std::nullopt;
      if (!role)
        return Error::Invalid("oidc.role_map", "oidc.role_map: group \"" + std::string(group.str()) +
                                                   "\" must map to a role name (viewer, responder, admin, ...)");
      o.role_map.emplace_back(std::string(group.str()), *role);
    }
  }
  if (o.token_auth_method != "" && o.token_auth_method != "client_secret_basic" &&
      o.token_auth_method != "client_secret_post")
    return Error::Invalid("oidc.token_auth_method",
                          "oidc.token_auth_method must be client_secret_basic or client_secret_post (or absent)");
  // Under /admin/: the console answers it (and its cookies' Path=/admin reach it).
  if (!o.redirect_path.starts_with("/admin/") || o.redirect_path.starts_with("//") ||
      o.redirect_path.find_first_of("?#\\ ") != std::string::npos)
    return Error::Invalid("oidc.redirect_path",
                          "oidc.redirect_path must be a path under /admin/ like /admin/oidc/callback");
  if (o.groups_claim.empty()) return Error::Invalid("oidc.groups_claim", "oidc.groups_claim must not be empty");
  return {};
}

// Reads every setting over `c`; each reader records the key it reads in `known`, so that the
// keys a file may contain are exactly those read here (no second list to keep in step).
Result<Config> ReadTable(const toml::table& t, Config c, std::set<std::string>& known) {
  auto str = [&](const char* key, std::string& out) -> Status {
    known.insert(key);
    if (auto n = t[key]; n) {
      if (!n.is_string()) return Error::Invalid(key, std::string(key) + " must be a string");
      out = n.value<std::string>().value();
    }
    return {};
  };
  for (auto [k, v] : {std::pair{"listen", &c.listen}, {"db", &c.db}, {"public_url", &c.public_url}})
    if (auto st = str(k, *v); !st) return st.error();
  known.insert("log_json");
  if (auto n = t["log_json"]; n) {
    if (!n.is_boolean()) return Error::Invalid("log_json", "log_json must be true or false");
    c.log_json = *n.value<bool>();
  }
  auto integer = [&](const char* key, auto& out, long long lo, long long hi) -> Status {
    known.insert(std::string("http.") + key);
    if (auto n = t["http"][key]; n) {
      if (!n.is_integer() || *n.value<long long>() < lo || *n.value<long long>() > hi)
        return Error::Invalid(std::string("http.") + key, std::string("http.") + key + " must be an integer from " +
                                                              std::to_string(lo) + " to " + std::to_string(hi));
      out = static_cast<std::remove_reference_t<decltype(out)>>(*n.value<long long>());
    }
    return {};
  };
  if (auto st = integer("max_body_bytes", c.max_body_bytes, 1024, 64 << 20); !st) return st.error();
  if (auto st = integer("io_threads", c.io_threads, 0, 256); !st) return st.error();
  if (auto st = integer("worker_threads", c.worker_threads, 1, 256); !st) return st.error();
  if (auto st = integer("api_per_second", c.api_per_second, 1, 1'000'000); !st) return st.error();
  if (auto st = integer("api_burst", c.api_burst, 1, 1'000'000); !st) return st.error();
  if (auto st = integer("max_connections_per_client", c.max_connections_per_client, 1, 1'000'000); !st)
    return st.error();
  if (auto st = integer("max_sse_per_client", c.max_sse_per_client, 1, 1'000'000); !st) return st.error();
  // Sections of the notification channels.
  auto sec_str = [&](const char* section, const char* key, std::string& out) -> Status {
    known.insert(std::string(section) + "." + key);
    if (auto n = t[section][key]; n) {
      const std::string name = std::string(section) + "." + key;
      if (!n.is_string()) return Error::Invalid(name, name + " must be a string");
      out = n.value<std::string>().value();
    }
    return {};
  };
  auto sec_bool = [&](const char* section, const char* key, bool& out) -> Status {
    known.insert(std::string(section) + "." + key);
    if (auto n = t[section][key]; n) {
      const std::string name = std::string(section) + "." + key;
      if (!n.is_boolean()) return Error::Invalid(name, name + " must be true or false");
      out = *n.value<bool>();
    }
    return {};
  };
  auto& nc = c.notify;
  for (auto [section, key, out] : {std::tuple{"smtp", "url", &nc.smtp_url},
                                   {"smtp", "username", &nc.smtp_username},
                                   {"smtp", "password", &nc.smtp_password},
                                   {"smtp", "from", &nc.smtp_from},
                                   {"smtp", "from_name", &nc.smtp_from_name},
                                   {"sms", "provider", &nc.sms_provider},
                                   {"sms", "base_url", &nc.sms_base_url},
                                   {"sms", "account_sid", &nc.sms_account_sid},
                                   {"sms", "auth_token", &nc.sms_auth_token},
                                   {"sms", "from", &nc.sms_from},
                                   {"sms", "default_region", &nc.sms_default_region},
                                   {"webpush", "subject", &nc.webpush_subject}})
    if (auto st = sec_str(section, key, *out); !st) return st.error();
  if (auto st = sec_bool("smtp", "require_starttls", nc.smtp_require_starttls); !st) return st.error();
  if (auto st = sec_bool("notify", "allow_http", nc.allow_http); !st) return st.error();
  if (auto st = sec_bool("monitor", "enabled", c.monitor.enabled); !st) return st.error();
  if (auto st = sec_str("monitor", "ca_file", c.monitor.ca_file); !st) return st.error();
  if (auto st = sec_str("metrics", "listen", c.metrics_listen); !st) return st.error();
  if (auto st = sec_str("metrics", "token", c.metrics_token); !st) return st.error();
  if (auto st = CheckMetricsToken(c.metrics_token, "metrics.token"); !st) return st.error();
  known.insert("sms.per_second");
  if (auto n = t["sms"]["per_second"]; n) {
    if (!n.is_integer() || *n.value<long long>() < 1 || *n.value<long long>() > 10000)
      return Error::Invalid("sms.per_second", "sms.per_second must be an integer from 1 to 10000");
    nc.sms_per_second = static_cast<int>(*n.value<long long>());
  }
  known.insert("notify.lease_seconds");
  if (auto n = t["notify"]["lease_seconds"]; n) {
    if (!n.is_integer() || *n.value<long long>() < 1 || *n.value<long long>() > 86400)
      return Error::Invalid("notify.lease_seconds", "notify.lease_seconds must be an integer from 1 to 86400");
    nc.lease_seconds = static_cast<int>(*n.value<long long>());
  }
  known.insert("audit.retention_days");
  if (auto n = t["audit"]["retention_days"]; n) {
    if (!n.is_integer() || *n.value<long long>() < 1 || *n.value<long long>() > 36500)
      return Error::Invalid("audit.retention_days", "audit.retention_days must be an integer from 1 to 36500");
    c.audit.retention_days = static_cast<int>(*n.value<long long>());
  }
  for (auto [key, out, hi] : {std::tuple{"session_idle_minutes", &c.console.session_idle_minutes, 30 * 24 * 60},
                              std::tuple{"session_max_hours", &c.console.session_max_hours, 365 * 24}}) {
    const std::string name = std::string("console.") + key;
    known.insert(name);
    if (auto n = t["console"][key]; n) {
      if (!n.is_integer() || *n.value<long long>() < 1 || *n.value<long long>() > hi)
        return Error::Invalid(name, name + " must be an integer from 1 to " + std::to_string(hi));
      *out = static_cast<int>(*n.value<long long>());
    }
  }
  known.insert("notify.allow_private");
  if (auto n = t["notify"]["allow_private"]; n) {
    const auto* arr = n.as_array();
    if (!arr) return Error::Invalid("notify.allow_private", "notify.allow_private must be a list of CIDR strings");
    nc.allow_private.clear();
    for (const auto& e : *arr) {
      if (!e.is_string()) return Error::Invalid("notify.allow_private", "notify.allow_private must list strings");
      nc.allow_private.push_back(*e.value<std::string>());
    }
  }
  if (auto st = ReadOidc(t, c.oidc, known); !st) return st.error();
  return c;
}

// The first key of `t` that ReadTable does not read: a mistyped key must not leave its setting
// at the default without a word.
std::optional<std::string> UnknownKey(const toml::table& t, const std::set<std::string>& known) {
  for (const auto& [key, node] : t) {
    const std::string name(key.str());
    const auto* section = node.as_table();
    const bool is_section = std::any_of(known.begin(), known.end(), [&](const std::string& k) {
      return k.size() > name.size() && k.starts_with(name) && k[name.size()] == '.';
    });
    if (!section || !is_section) {
      if (!known.count(name) || is_section) return name;
      continue;
    }
    for (const auto& [sub, value] : *section) {
      const std::string full = name + "." + std::string(sub.str());
      if (!known.count(full)) return full;
    }
  }
  return std::nullopt;
}

// Environment booleans: exactly true/1 or false/0. "yes" used to mean false silently.
Status EnvBool(const char* name, bool& out) {
  const char* v = std::getenv(name);
  if (!v) return {};
  const std::string_view s(v);
  if (s == "true" || s == "1") {
    out = true;
  } else if (s == "false" || s == "0") {
    out = false;
  } else {
    return Error::Invalid(name,
                          std::string(name) + " must be true or false (or 1 or 0), not \"" + std::string(s) + "\"");
  }
  return {};
}

}  // namespace

std::set<std::string> KnownSettings() {
  std::set<std::string> known;
  (void)ReadTable(toml::table{}, Config{}, known);
  return known;
}

Result<Config> LoadFile(const std::string& path, Config c) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Error::Invalid("config", "cannot read " + path + ": " + std::string(e.description()));
  }
  std::set<std::string> known;
  auto read = ReadTable(t, std::move(c), known);
  if (!read) return read.error();
  if (auto unknown = UnknownKey(t, known))
    return Error::Invalid(*unknown, "unknown setting " + *unknown + " in " + path +
                                        " (see the settings in README.md and docs/notifications.md)");
  return read;
}

Result<Config> ApplyEnv(Config c) {
  auto env = [](const char* name) -> const char* { return std::getenv(name); };
  if (const char* v = env("HERALD_LISTEN")) c.listen = v;
  if (const char* v = env("HERALD_DB")) c.db = v;
  if (const char* v = env("HERALD_PUBLIC_URL")) c.public_url = v;
  if (auto st = EnvBool("HERALD_LOG_JSON", c.log_json); !st) return st.error();
  auto& nc = c.notify;
  for (auto [name, field] : {std::pair{"HERALD_SMTP_URL", &nc.smtp_url},
                             {"HERALD_SMTP_USERNAME", &nc.smtp_username},
                             {"HERALD_SMTP_PASSWORD", &nc.smtp_password},
                             {"HERALD_SMTP_FROM", &nc.smtp_from},
                             {"HERALD_SMTP_FROM_NAME", &nc.smtp_from_name},
                             {"HERALD_SMS_PROVIDER", &nc.sms_provider},
                             {"HERALD_SMS_BASE_URL", &nc.sms_base_url},
                             {"HERALD_SMS_ACCOUNT_SID", &nc.sms_account_sid},
                             {"HERALD_SMS_AUTH_TOKEN", &nc.sms_auth_token},
                             {"HERALD_SMS_FROM", &nc.sms_from},
                             {"HERALD_SMS_DEFAULT_REGION", &nc.sms_default_region},
                             {"HERALD_WEBPUSH_SUBJECT", &nc.webpush_subject}})
    if (const char* v = env(name)) *field = v;
  if (auto st = EnvBool("HERALD_SMTP_REQUIRE_STARTTLS", nc.smtp_require_starttls); !st) return st.error();
  if (auto st = EnvBool("HERALD_MONITOR_ENABLED", c.monitor.enabled); !st) return st.error();
  if (const char* v = env("HERALD_MONITOR_CA_FILE")) c.monitor.ca_file = v;
  if (const char* v = env("HERALD_METRICS_LISTEN")) c.metrics_listen = v;
  if (const char* v = env("HERALD_METRICS_TOKEN")) {
    c.metrics_token = v;
    if (auto st = CheckMetricsToken(c.metrics_token, "HERALD_METRICS_TOKEN"); !st) return st.error();
  }
  if (auto st = EnvBool("HERALD_NOTIFY_ALLOW_HTTP", nc.allow_http); !st) return st.error();
  if (const char* v = env("HERALD_NOTIFY_ALLOW_PRIVATE")) {
    nc.allow_private.clear();
    std::string list = v;
    for (size_t pos = 0; pos <= list.size();) {
      size_t comma = list.find(',', pos);
      if (comma == std::string::npos) comma = list.size();
      if (comma > pos) nc.allow_private.push_back(list.substr(pos, comma - pos));
      pos = comma + 1;
    }
  }
  auto num = [](const char* name, const char* v, long long lo, long long hi) -> Result<long long> {
    try {
      size_t n = 0;
      long long x = std::stoll(v, &n);
      if (n == std::string(v).size() && x >= lo && x <= hi) return x;
    } catch (...) {
    }
    return Error::Invalid(
        name, std::string(name) + " must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
  };
  if (const char* v = env("HERALD_HTTP_MAX_BODY_BYTES")) {
    auto x = num("HERALD_HTTP_MAX_BODY_BYTES", v, 1024, 64 << 20);
    if (!x) return x.error();
    c.max_body_bytes = static_cast<std::size_t>(*x);
  }
  if (const char* v = env("HERALD_HTTP_IO_THREADS")) {
    auto x = num("HERALD_HTTP_IO_THREADS", v, 0, 256);
    if (!x) return x.error();
    c.io_threads = static_cast<int>(*x);
  }
  if (const char* v = env("HERALD_HTTP_WORKER_THREADS")) {
    auto x = num("HERALD_HTTP_WORKER_THREADS", v, 1, 256);
    if (!x) return x.error();
    c.worker_threads = static_cast<int>(*x);
  }
  if (const char* v = env("HERALD_NOTIFY_LEASE_SECONDS")) {
    auto x = num("HERALD_NOTIFY_LEASE_SECONDS", v, 1, 86400);
    if (!x) return x.error();
    c.notify.lease_seconds = static_cast<int>(*x);
  }
  if (const char* v = env("HERALD_AUDIT_RETENTION_DAYS")) {
    auto x = num("HERALD_AUDIT_RETENTION_DAYS", v, 1, 36500);
    if (!x) return x.error();
    c.audit.retention_days = static_cast<int>(*x);
  }
  if (const char* v = env("HERALD_SMS_PER_SECOND")) {
    auto x = num("HERALD_SMS_PER_SECOND", v, 1, 10000);
    if (!x) return x.error();
    c.notify.sms_per_second = static_cast<int>(*x);
  }
  // [oidc]: a secret from the environment replaces the file's, whichever way the file gave it.
  if (const char* v = env("HERALD_OIDC_ISSUER")) c.oidc.issuer = v;
  if (const char* v = env("HERALD_OIDC_CLIENT_ID")) c.oidc.client_id = v;
  if (const char* v = env("HERALD_OIDC_CLIENT_SECRET")) {
    c.oidc.client_secret = v;
    c.oidc.client_secret_file.clear();
  }
  if (const char* v = env("HERALD_OIDC_CLIENT_SECRET_FILE")) {
    c.oidc.client_secret_file = v;
    c.oidc.client_secret.clear();
  }
  for (auto [name, field, hi] :
       {std::tuple{"HERALD_CONSOLE_SESSION_IDLE_MINUTES", &c.console.session_idle_minutes, 30 * 24 * 60},
        std::tuple{"HERALD_CONSOLE_SESSION_MAX_HOURS", &c.console.session_max_hours, 365 * 24}}) {
    if (const char* v = env(name)) {
      auto x = num(name, v, 1, hi);
      if (!x) return x.error();
      *field = static_cast<int>(*x);
    }
  }
  for (auto [name, field] :
       {std::pair{"HERALD_HTTP_API_PER_SECOND", &c.api_per_second}, std::pair{"HERALD_HTTP_API_BURST", &c.api_burst},
        std::pair{"HERALD_HTTP_MAX_CONNECTIONS_PER_CLIENT", &c.max_connections_per_client},
        std::pair{"HERALD_HTTP_MAX_SSE_PER_CLIENT", &c.max_sse_per_client}}) {
    if (const char* v = env(name)) {
      auto x = num(name, v, 1, 1'000'000);
      if (!x) return x.error();
      *field = static_cast<int>(*x);
    }
  }
  if (auto st = CheckOidc(c.oidc); !st) return st.error();
  return c;
}

Status CheckOidc(const OidcConfig& o) {
  if (o.issuer.empty()) return {};
  if (!o.issuer.starts_with("https://") && !o.issuer.starts_with("http://"))
    return Error::Invalid("oidc.issuer", "oidc.issuer must be the provider's https URL");
  if (o.client_id.empty())
    return Error::Invalid("oidc.client_id", "oidc.client_id is required when oidc.issuer is set");
  if (o.client_secret.empty() == o.client_secret_file.empty())
    return Error::Invalid("oidc.client_secret",
                          "set exactly one of oidc.client_secret and oidc.client_secret_file when oidc.issuer is set");
  if (o.role_map.empty() && !o.default_role)
    return Error::Invalid(
        "oidc.role_map",
        "oidc.role_map is empty and oidc.default_role is none: nobody could sign in with the provider");
  return {};
}

Result<std::pair<std::string, std::uint16_t>> ParseListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size())
    return Error::Invalid("listen", "listen must be HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080");
  std::string host = listen.substr(0, colon);
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = -1;
  try {
    size_t n = 0;
    port = std::stoi(listen.substr(colon + 1), &n);
    if (n != listen.size() - colon - 1) port = -1;
  } catch (...) {
  }
  if (port < 0 || port > 65535) return Error::Invalid("listen", "listen port must be 0-65535");
  return std::pair{host, static_cast<std::uint16_t>(port)};
}

}  // namespace herald::config
