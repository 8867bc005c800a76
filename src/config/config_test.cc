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

TEST(Config, ParseListen) {
  EXPECT_EQ(ParseListen("127.0.0.1:8080")->second, 8080);
  EXPECT_EQ(ParseListen("[::1]:0")->first, "::1");
  EXPECT_FALSE(ParseListen("8080").ok());
  EXPECT_FALSE(ParseListen("host:99999").ok());
  EXPECT_FALSE(ParseListen("host:").ok());
}

}  // namespace
}  // namespace herald::config
