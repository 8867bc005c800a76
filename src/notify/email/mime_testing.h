// Test helper (header-only, used by the email tests): splits a raw RFC 5322 message into its
// header fields and its multipart/alternative parts, strictly enough to catch structural mistakes
// (bare LF, missing boundary, parts that do not end where they should). Not for production input.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "notify/email/mime.h"

namespace herald::notify::email::testing {

struct ParsedEntity {
  std::vector<std::pair<std::string, std::string>> headers;  // lower-cased name, raw (folded) value
  std::string body;
  std::string error;  // empty when the structure was sound

  // Raw value of the first field with this lower-case name, "" when absent.
  std::string Raw(std::string_view name) const {
    for (const auto& [k, v] : headers)
      if (k == name) return v;
    return {};
  }
  bool Has(std::string_view name) const {
    for (const auto& h : headers)
      if (h.first == name) return true;
    return false;
  }
  int Count(std::string_view name) const {
    int n = 0;
    for (const auto& h : headers) n += h.first == name;
    return n;
  }
  // Unfolded and RFC 2047-decoded.
  std::string Decoded(std::string_view name) const { return DecodeHeaderValue(Raw(name)); }
};

struct ParsedMail : ParsedEntity {
  std::string boundary;
  std::vector<ParsedEntity> parts;
};

inline std::string Lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

inline ParsedEntity ParseEntity(std::string_view raw) {
  ParsedEntity e;
  const size_t end = raw.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    e.error = "no blank line after the headers";
    return e;
  }
  std::string_view head = raw.substr(0, end + 2);
  e.body = std::string(raw.substr(end + 4));
  size_t pos = 0;
  while (pos < head.size()) {
    size_t eol = head.find("\r\n", pos);
    std::string_view line = head.substr(pos, eol - pos);
    pos = eol + 2;
    if (line.empty()) continue;
    if (line[0] == ' ' || line[0] == '\t') {
      if (e.headers.empty()) {
        e.error = "continuation line before the first header";
        return e;
      }
      e.headers.back().second += "\r\n" + std::string(line);
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      e.error = "header line without a colon: " + std::string(line);
      return e;
    }
    std::string_view value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
    e.headers.emplace_back(Lowered(line.substr(0, colon)), std::string(value));
  }
  return e;
}

inline ParsedMail ParseMail(std::string_view raw) {
  ParsedMail m;
  for (size_t i = 0; i < raw.size(); ++i) {
    if ((raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r')) ||
        (raw[i] == '\r' && (i + 1 >= raw.size() || raw[i + 1] != '\n'))) {
      m.error = "bare CR or LF at byte " + std::to_string(i);
      return m;
    }
  }
  static_cast<ParsedEntity&>(m) = ParseEntity(raw);
  if (!m.error.empty()) return m;
  const std::string ct = DecodeHeaderValue(m.Raw("content-type"));
  const size_t b = ct.find("boundary=\"");
  if (b == std::string::npos) {
    m.error = "no quoted boundary in Content-Type: " + ct;
    return m;
  }
  m.boundary = ct.substr(b + 10, ct.find('"', b + 10) - b - 10);
  const std::string delimiter = "\r\n--" + m.boundary;
  // Prefixing CRLF lets a delimiter at the very start of the body match like the others.
  const std::string body = "\r\n" + m.body;
  size_t at = body.find(delimiter);
  if (at == std::string::npos) {
    m.error = "first boundary not found";
    return m;
  }
  while (true) {
    size_t after = at + delimiter.size();
    if (body.compare(after, 2, "--") == 0) {
      if (body.compare(after + 2, std::string::npos, "\r\n") != 0) m.error = "text after the closing boundary";
      return m;
    }
    if (body.compare(after, 2, "\r\n") != 0) {
      m.error = "boundary line not followed by CRLF";
      return m;
    }
    size_t next = body.find(delimiter, after + 2);
    if (next == std::string::npos) {
      m.error = "no closing boundary";
      return m;
    }
    m.parts.push_back(ParseEntity(body.substr(after + 2, next - after - 2)));
    at = next;
  }
}

// Every line (split on CRLF) of `s` that is longer than `max` characters.
inline std::vector<std::string> LongLines(std::string_view s, size_t max) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t eol = s.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = s.size();
    if (eol - pos > max) out.emplace_back(s.substr(pos, eol - pos));
    pos = eol + 2;
  }
  return out;
}

}  // namespace herald::notify::email::testing
