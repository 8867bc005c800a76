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
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"

namespace herald::config {

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
};

// Reads the TOML file at `path` over `base` (missing keys keep their value).
Result<Config> LoadFile(const std::string& path, Config base);
// Applies HERALD_* environment variables over `base`.
Result<Config> ApplyEnv(Config base);
// Splits "HOST:PORT" or "[v6]:PORT".
Result<std::pair<std::string, std::uint16_t>> ParseListen(const std::string& listen);

}  // namespace herald::config
