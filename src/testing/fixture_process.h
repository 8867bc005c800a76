// Test support (tests only): finding tests/fixtures/ from a test binary, and running a fixture
// server (a Python script that prints its port on its first line of output) for a test suite.
//
// Thread safety: none needed; suites start and stop fixtures from one thread.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

extern char** environ;

namespace herald::testing {

// tests/fixtures/<name> in the source tree: under $HERALD_SOURCE_DIR, under the first ancestor
// of the test binary or of the working directory that has it (build directories usually live
// inside the checkout), or under the source tree an out-of-tree build's CMakeCache.txt names.
inline std::optional<std::filesystem::path> FindFixture(std::string_view name) {
  namespace fs = std::filesystem;
  const fs::path rel = fs::path("tests/fixtures") / name;
  std::vector<fs::path> starts;
  if (const char* dir = std::getenv("HERALD_SOURCE_DIR")) starts.emplace_back(fs::path(dir) / "x");
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    starts.push_back(exe);
    std::ifstream cache(exe.parent_path() / "CMakeCache.txt");
    for (std::string line; std::getline(cache, line);)
      if (line.starts_with("CMAKE_HOME_DIRECTORY:INTERNAL="))
        starts.push_back(fs::path(line.substr(line.find('=') + 1)) / "x");
  }
  starts.push_back(fs::current_path(ec) / "x");
  for (fs::path p : starts) {
    for (int i = 0; i < 8 && p.has_parent_path() && p != p.parent_path(); ++i) {
      p = p.parent_path();
      if (fs::exists(p / rel, ec)) return p / rel;
    }
  }
  return std::nullopt;
}

// A fixture server process, stopped (SIGTERM) by Stop() or the destructor.
class FixtureProcess {
 public:
  FixtureProcess() = default;
  FixtureProcess(const FixtureProcess&) = delete;
  FixtureProcess& operator=(const FixtureProcess&) = delete;
  ~FixtureProcess() { Stop(); }

  // Runs `argv` (argv[0] is looked up on PATH) and waits up to 20 s for its first line. With
  // `port_in_line`, the line's last number is the port it listens on; otherwise the caller reads
  // first_line() itself. False with `error` set when it does not start.
  bool Start(std::vector<std::string> argv, std::string* error, bool port_in_line = true) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) return Fail(error, "pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    const int rc = posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (rc != 0) {
      close(out[0]);
      pid_ = 0;
      return Fail(error, "cannot start " + argv[0]);
    }
    std::string line;
    pollfd pfd{out[0], POLLIN, 0};
    while (line.find('\n') == std::string::npos && poll(&pfd, 1, 20000) > 0) {
      char buf[64];
      const ssize_t n = read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<size_t>(n));
    }
    close(out[0]);
    first_line_ = line.substr(0, line.find('\n'));
    if (!port_in_line) return !first_line_.empty() || Fail(error, "the fixture printed nothing");
    size_t end = line.find_last_of("0123456789");
    size_t begin = end;
    while (begin != std::string::npos && begin > 0 && std::isdigit(static_cast<unsigned char>(line[begin - 1])))
      --begin;
    port_ = end == std::string::npos ? 0 : std::atoi(line.substr(begin, end - begin + 1).c_str());
    if (port_ <= 0) return Fail(error, "the fixture did not report its port: '" + line + "'");
    return true;
  }

  int port() const { return port_; }
  const std::string& first_line() const { return first_line_; }

  // SIGTERM, then SIGKILL if the fixture has not exited within 5 s: a fixture stuck at exit (a
  // Python interpreter waiting on one of its threads) must not hang the test binary forever.
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    bool exited = false;
    for (int i = 0; i < 500 && !exited; ++i) {
      exited = waitpid(pid_, &status, WNOHANG) == pid_;
      if (!exited) usleep(10'000);
    }
    if (!exited) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
    pid_ = 0;
  }

 private:
  static bool Fail(std::string* error, std::string message) {
    if (error) *error = std::move(message);
    return false;
  }
  pid_t pid_ = 0;
  int port_ = 0;
  std::string first_line_;
};

}  // namespace herald::testing
