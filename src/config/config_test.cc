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

TEST(Config, ParseListen) {
  EXPECT_EQ(ParseListen("127.0.0.1:8080")->second, 8080);
  EXPECT_EQ(ParseListen("[::1]:0")->first, "::1");
  EXPECT_FALSE(ParseListen("8080").ok());
  EXPECT_FALSE(ParseListen("host:99999").ok());
  EXPECT_FALSE(ParseListen("host:").ok());
}

}  // namespace
}  // namespace herald::config
