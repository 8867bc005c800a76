#include "api/request_body.h"

#include <boost/json.hpp>

#include "core/text.h"
#include "core/time.h"

namespace herald::api {
namespace json = boost::json;

std::optional<std::string> FormDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      auto hex = [](char h) -> int {
        if (h >= '0' && h <= '9') return h - '0';
        if (h >= 'a' && h <= 'f') return h - 'a' + 10;
        if (h >= 'A' && h <= 'F') return h - 'A' + 10;
        return -1;
      };
      int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

Result<json::object> ParseForm(std::string_view body) {
  json::object root;
  size_t pos = 0;
  int pairs = 0;
  while (pos <= body.size()) {
    size_t amp = body.find('&', pos);
    if (amp == std::string_view::npos) amp = body.size();
    std::string_view pair = body.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;
    if (++pairs > 1000) return Error::Invalid("", "too many form fields");
    size_t eq = pair.find('=');
    auto key = FormDecode(pair.substr(0, eq));
    auto value = FormDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!key || !value) return Error::Invalid("", "malformed percent-encoding in form body");
    if (!IsValidUtf8(*key) || !IsValidUtf8(*value)) return Error::Invalid(*key, "form field is not valid UTF-8");
    // Split "a[b][c]" into a, b, c; "[]" appends to an array.
    std::vector<std::string> path;
    size_t br = key->find('[');
    path.push_back(key->substr(0, br));
    while (br != std::string::npos) {
      size_t close = key->find(']', br);
      if (close == std::string::npos) return Error::Invalid(*key, "malformed form field name");
      path.push_back(key->substr(br + 1, close - br - 1));
      br = close + 1 < key->size() ? key->find('[', close) : std::string::npos;
    }
    if (path.size() > 6 || path[0].empty()) return Error::Invalid(*key, "malformed form field name");
    json::value* node = nullptr;
    json::object* obj = &root;
    for (size_t i = 0; i < path.size(); ++i) {
      const bool last = i + 1 == path.size();
      const bool next_is_array = !last && path[i + 1].empty();
      if (path[i].empty()) {  // "[]": only valid as the last segment
        if (!last || !node || !node->is_array()) return Error::Invalid(*key, "malformed form field name");
        node->as_array().emplace_back(*value);
        break;
      }
      if (!obj) return Error::Invalid(*key, "conflicting form field names");
      json::value& slot = (*obj)[path[i]];
      if (last) {
        slot = json::value(*value);
        break;
      }
      if (next_is_array) {
        if (!slot.is_array()) slot = json::array();
      } else if (!slot.is_object()) {
        slot = json::object();
      }
      node = &slot;
      obj = slot.is_object() ? &slot.as_object() : nullptr;
    }
  }
  return root;
}

Result<json::object> ParseBody(std::string_view content_type, std::string_view body) {
  if (Trim(body).empty()) return json::object();
  if (!IsValidUtf8(body)) return Error::Invalid("", "request body is not valid UTF-8");
  if (content_type.find("application/x-www-form-urlencoded") != std::string_view::npos) return ParseForm(body);
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 32;
  json::value v = json::parse(body, ec, {}, opts);
  if (ec) return Error::Invalid("", "request body is not valid JSON: " + ec.message());
  if (!v.is_object()) return Error::Invalid("", "request body must be a JSON object");
  return std::move(v.as_object());
}

json::object Unwrap(const json::object& body, std::string_view resource) {
  if (auto* inner = body.if_contains(resource); inner && inner->is_object()) return inner->as_object();
  return body;
}

Result<std::optional<std::string>> GetString(const json::object& o, std::string_view field) {
  const json::value* v = o.if_contains(field);
  if (!v || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) return Error::Invalid(std::string(field), std::string(field) + " must be a string");
  return std::optional<std::string>(std::string(v->as_string()));
}

Result<std::optional<bool>> GetBool(const json::object& o, std::string_view field) {
  const json::value* v = o.if_contains(field);
  if (!v || v->is_null()) return std::optional<bool>();
  if (v->is_bool()) return std::optional<bool>(v->as_bool());
  if (v->is_string()) {
    auto s = v->as_string();
    if (s == "true" || s == "1") return std::optional<bool>(true);
    if (s == "false" || s == "0") return std::optional<bool>(false);
  }
  return Error::Invalid(std::string(field), std::string(field) + " must be true or false");
}

Result<std::optional<int>> GetInt(const json::object& o, std::string_view field) {
  const json::value* v = o.if_contains(field);
  if (!v || v->is_null()) return std::optional<int>();
  if (v->is_int64() && v->as_int64() >= INT32_MIN && v->as_int64() <= INT32_MAX)
    return std::optional<int>(static_cast<int>(v->as_int64()));
  if (v->is_uint64() && v->as_uint64() <= INT32_MAX) return std::optional<int>(static_cast<int>(v->as_uint64()));
  if (v->is_string()) {
    try {
      size_t n = 0;
      std::string s(v->as_string());
      int x = std::stoi(s, &n);
      if (n == s.size()) return std::optional<int>(x);
    } catch (...) {
    }
  }
  return Error::Invalid(std::string(field), std::string(field) + " must be an integer");
}

Result<std::optional<TimeMs>> GetTime(const json::object& o, std::string_view field) {
  auto s = GetString(o, field);
  if (!s) return s.error();
  if (!*s || (*s)->empty()) return std::optional<TimeMs>();
  auto t = ParseIso8601(**s);
  if (!t)
    return Error::Invalid(std::string(field),
                          std::string(field) + " must be an ISO 8601 time like 2026-01-31T14:00:00Z");
  return std::optional<TimeMs>(*t);
}

Result<std::optional<std::vector<std::string>>> GetStringList(const json::object& o, std::string_view field) {
  const json::value* v = o.if_contains(field);
  if (!v || v->is_null()) return std::optional<std::vector<std::string>>();
  if (!v->is_array()) return Error::Invalid(std::string(field), std::string(field) + " must be an array of strings");
  std::vector<std::string> out;
  for (const auto& x : v->as_array()) {
    if (!x.is_string()) return Error::Invalid(std::string(field), std::string(field) + " must be an array of strings");
    out.emplace_back(x.as_string());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

// Reads component statuses from Statuspage's `components` map ({"id": "major_outage"}).
Result<std::map<std::string, model::ComponentStatus>> GetComponentMap(const boost::json::object& o) {
  std::map<std::string, model::ComponentStatus> out;
  const json::value* v = o.if_contains("components");
  if (!v || v->is_null()) return out;
  if (!v->is_object())
    return Error::Invalid("components", "components must be an object of component id (or name) to status");
  for (const auto& [k, s] : v->as_object()) {
    auto st = s.is_string() ? model::ParseComponentStatus(s.as_string()) : std::nullopt;
    if (!st)
      return Error::Invalid("components", "status of component " + std::string(k).substr(0, 64) +
                                              " must be operational, degraded_performance, partial_outage, "
                                              "major_outage or under_maintenance");
    out[std::string(k)] = *st;
  }
  return out;
}

}  // namespace herald::api
