#include "core/log.h"

#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>

#include "core/clock.h"
#include "core/time.h"

namespace herald::log {
namespace {

std::atomic<bool> g_json{false};  // process-wide output format, set once at start-up

void Write(const char* level, const std::string& message,
           const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string line;
  const std::string ts = FormatIso8601(SystemClock::Instance().Now());
  if (g_json) {
    boost::json::object o{{"ts", ts}, {"level", level}, {"msg", message}};
    for (const auto& [k, v] : fields) o[k] = v;
    line = boost::json::serialize(o);
  } else {
    line = ts + " " + level + " " + message;
    for (const auto& [k, v] : fields) line += " " + k + "=" + v;
  }
  line += '\n';
  ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
  (void)n;
}

}  // namespace

void SetJson(bool json) { g_json = json; }
void Info(const std::string& m, const std::vector<std::pair<std::string, std::string>>& f) { Write("info", m, f); }
void Warn(const std::string& m, const std::vector<std::pair<std::string, std::string>>& f) { Write("warn", m, f); }
void Error(const std::string& m, const std::vector<std::pair<std::string, std::string>>& f) { Write("error", m, f); }

}  // namespace herald::log
