// Log: one line per event on stderr, either human text or JSON (for log shippers), chosen at
// start-up. Thread-safe: each line is written with a single write().
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace herald::log {

void SetJson(bool json);
// Event with key/value fields: Info("listening", {{"address", "127.0.0.1:8080"}}).
void Info(const std::string& message, const std::vector<std::pair<std::string, std::string>>& fields = {});
void Warn(const std::string& message, const std::vector<std::pair<std::string, std::string>>& fields = {});
void Error(const std::string& message, const std::vector<std::pair<std::string, std::string>>& fields = {});

}  // namespace herald::log
