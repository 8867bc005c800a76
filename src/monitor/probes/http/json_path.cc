#include "monitor/probes/http/json_path.h"

#include <boost/json/serialize.hpp>
#include <cctype>

namespace herald::monitor {

std::optional<std::vector<JsonPathStep>> ParseJsonPath(std::string_view path, std::string* why) {
  std::vector<JsonPathStep> steps;
  if (path.empty() || path.front() != '$') {
    *why = "must start with $ (for example $.status or $.checks[0].ok)";
    return std::nullopt;
  }
  size_t i = 1;
  while (i < path.size()) {
    const char c = path[i];
    if (c == '.') {
      size_t end = i + 1;
      while (end < path.size() && path[end] != '.' && path[end] != '[') ++end;
      std::string_view name = path.substr(i + 1, end - i - 1);
      if (name.empty()) {
        *why = "empty member name at position " + std::to_string(i + 1);
        return std::nullopt;
      }
      for (char n : name) {
        if (n == '*' || n == ']' || n == '\'' || n == '"' || n == ' ' || n == '(' || n == '?' || n == '@') {
          *why = "unsupported character '" + std::string(1, n) + "' in member name \"" + std::string(name) + "\"";
          return std::nullopt;
        }
      }
      steps.emplace_back(std::string(name));
      i = end;
    } else if (c == '[') {
      if (i + 1 < path.size() && (path[i + 1] == '\'' || path[i + 1] == '"')) {
        const char quote = path[i + 1];
        const size_t close = path.find(quote, i + 2);
        if (close == std::string_view::npos || close + 1 >= path.size() || path[close + 1] != ']') {
          *why = "unterminated quoted member name at position " + std::to_string(i + 1);
          return std::nullopt;
        }
        steps.emplace_back(std::string(path.substr(i + 2, close - i - 2)));
        i = close + 2;
      } else {
        const size_t close = path.find(']', i);
        if (close == std::string_view::npos || close == i + 1) {
          *why = "expected an index like [0] at position " + std::to_string(i + 1);
          return std::nullopt;
        }
        std::string_view digits = path.substr(i + 1, close - i - 1);
        if (digits.size() > 9) {
          *why = "index too large";
          return std::nullopt;
        }
        size_t index = 0;
        for (char d : digits) {
          if (!std::isdigit(static_cast<unsigned char>(d))) {
            *why = "unsupported index \"" + std::string(digits) + "\" (only numbers, no wildcards or filters)";
            return std::nullopt;
          }
          index = index * 10 + static_cast<size_t>(d - '0');
        }
        steps.emplace_back(index);
        i = close + 1;
      }
    } else {
      *why = "expected . or [ at position " + std::to_string(i + 1);
      return std::nullopt;
    }
  }
  return steps;
}

const boost::json::value* FindJsonPath(const boost::json::value& root, const std::vector<JsonPathStep>& path) {
  const boost::json::value* v = &root;
  for (const auto& step : path) {
    if (const auto* name = std::get_if<std::string>(&step)) {
      const auto* obj = v->if_object();
      if (obj == nullptr) return nullptr;
      v = obj->if_contains(*name);
    } else {
      const auto* arr = v->if_array();
      const size_t index = std::get<size_t>(step);
      if (arr == nullptr || index >= arr->size()) return nullptr;
      v = &(*arr)[index];
    }
    if (v == nullptr) return nullptr;
  }
  return v;
}

std::string JsonValueText(const boost::json::value& v) {
  if (const auto* s = v.if_string()) return std::string(s->data(), s->size());
  return boost::json::serialize(v);
}

}  // namespace herald::monitor
