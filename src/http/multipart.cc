#include "http/multipart.h"

#include <optional>

namespace herald::http {
namespace {

constexpr std::string_view kCrlf = "\r\n";

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view TrimWs(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Error Bad(std::string message) { return Error::Invalid("body", "multipart/form-data: " + std::move(message)); }

// "type/subtype; a=b; c=\"d\"" -> the lower-cased type and the parameters (names lower-cased).
// Quoted strings may hold backslash escapes (RFC 9110 section 5.6.4).
struct HeaderValue {
  std::string value;
  std::vector<std::pair<std::string, std::string>> params;
  std::optional<std::string> Param(std::string_view name) const {
    for (const auto& [k, v] : params)
      if (k == name) return v;
    return std::nullopt;
  }
};

std::optional<HeaderValue> ParseHeaderValue(std::string_view text) {
  HeaderValue out;
  const size_t semi = text.find(';');
  out.value = LowerAscii(TrimWs(text.substr(0, semi)));
  if (semi == std::string_view::npos) return out;
  text.remove_prefix(semi + 1);
  while (true) {
    text = TrimWs(text);
    if (text.empty()) return out;
    const size_t eq = text.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    std::string name = LowerAscii(TrimWs(text.substr(0, eq)));
    if (name.empty()) return std::nullopt;
    text.remove_prefix(eq + 1);
    text = TrimWs(text);
    std::string value;
    if (!text.empty() && text.front() == '"') {
      size_t i = 1;
      bool closed = false;
      for (; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\\' && i + 1 < text.size()) {
          value += text[++i];
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          value += c;
        }
      }
      if (!closed) return std::nullopt;
      text.remove_prefix(i + 1);
      text = TrimWs(text);
      if (!text.empty() && text.front() != ';') return std::nullopt;
    } else {
      const size_t end = text.find(';');
      value = std::string(TrimWs(text.substr(0, end)));
      text.remove_prefix(end == std::string_view::npos ? text.size() : end);
    }
    if (!text.empty()) text.remove_prefix(1);  // the ';'
    out.params.emplace_back(std::move(name), std::move(value));
  }
}

// One part's header block (without the blank line) into `part`.
Status ParsePartHeaders(std::string_view block, MultipartPart& part) {
  bool disposition = false;
  while (!block.empty()) {
    const size_t eol = block.find(kCrlf);
    const std::string_view line = block.substr(0, eol);
    block.remove_prefix(eol == std::string_view::npos ? block.size() : eol + kCrlf.size());
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return Bad("a part header has no name");
    const std::string name = LowerAscii(line.substr(0, colon));
    const std::string_view value = line.substr(colon + 1);
    if (name == "content-disposition") {
      auto v = ParseHeaderValue(value);
      if (!v || v->value != "form-data") return Bad("a part's Content-Disposition is not form-data");
      auto field = v->Param("name");
      if (!field || field->empty()) return Bad("a part has no field name");
      part.name = *field;
      if (auto file = v->Param("filename")) {
        part.is_file = true;
        part.filename = *file;
      }
      disposition = true;
    } else if (name == "content-type") {
      auto v = ParseHeaderValue(value);
      if (!v) return Bad("a part's Content-Type is malformed");
      part.content_type = v->value;
    }
  }
  if (!disposition) return Bad("a part has no Content-Disposition");
  return {};
}

}  // namespace

bool IsMultipartFormData(std::string_view content_type) {
  auto v = ParseHeaderValue(content_type);
  return v && v->value == "multipart/form-data";
}

Result<std::string> MultipartBoundary(std::string_view content_type) {
  auto v = ParseHeaderValue(content_type);
  if (!v || v->value != "multipart/form-data") return Error::Invalid("body", "the body is not multipart/form-data");
  auto b = v->Param("boundary");
  if (!b || b->empty() || b->size() > 70) return Bad("the boundary is missing or longer than 70 characters");
  return *b;
}

Result<std::vector<MultipartPart>> ParseMultipart(std::string_view boundary, std::string_view body,
                                                  const MultipartLimits& limits) {
  if (boundary.empty()) return Bad("empty boundary");
  // Every delimiter but a first one at the very start is CRLF "--" boundary.
  const std::string delimiter = "\r\n--" + std::string(boundary);
  size_t pos;
  if (body.substr(0, delimiter.size() - 2) == std::string_view(delimiter).substr(2)) {
    pos = delimiter.size() - 2;
  } else {
    const size_t first = body.find(delimiter);
    if (first == std::string_view::npos) return Bad("the boundary does not occur in the body");
    pos = first + delimiter.size();
  }
  std::vector<MultipartPart> parts;
  while (true) {
    // After a delimiter: "--" closes the body; else optional padding and CRLF open a part.
    std::string_view rest = body.substr(pos);
    if (rest.starts_with("--")) return parts;
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    if (!rest.starts_with(kCrlf)) return Bad("a boundary line is followed by something else");
    rest.remove_prefix(kCrlf.size());
    if (parts.size() >= limits.max_parts) return Bad("more than " + std::to_string(limits.max_parts) + " parts");
    MultipartPart part;
    // Headers end at an empty line; a part without headers starts with that empty line.
    std::string_view headers;
    if (rest.starts_with(kCrlf)) {
      rest.remove_prefix(kCrlf.size());
    } else {
      const size_t end = rest.substr(0, limits.max_header_bytes + 4).find("\r\n\r\n");
      if (end == std::string_view::npos) return Bad("a part's headers do not end (or are too long)");
      headers = rest.substr(0, end);
      rest.remove_prefix(end + 4);
    }
    if (auto st = ParsePartHeaders(headers, part); !st) return st.error();
    const size_t end = rest.find(delimiter);
    if (end == std::string_view::npos) return Bad("the body ends before its closing boundary");
    part.body = rest.substr(0, end);
    parts.push_back(std::move(part));
    pos = static_cast<size_t>(rest.data() - body.data()) + end + delimiter.size();
  }
}

}  // namespace herald::http
