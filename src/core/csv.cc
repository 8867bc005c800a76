#include "core/csv.h"

#include <algorithm>
#include <cstdio>

namespace herald::csv {

int Reader::Get() {
  int c = in_.get();
  if (c != EOF) ++bytes_;
  return c;
}

bool Reader::Next(std::vector<std::string>& fields, std::int64_t& line, std::string& error) {
  fields.clear();
  error.clear();
  int c = Get();
  if (c == EOF) return false;
  line = line_;
  std::string field;
  bool quoted = false, was_quoted = false;
  for (;; c = Get()) {
    if (c == EOF) {
      if (quoted) error = "a quoted field is not closed";
      break;
    }
    if (quoted) {
      if (c == '"') {
        if (in_.peek() == '"') {
          Get();
          field.push_back('"');
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line_;
        field.push_back(static_cast<char>(c));
      }
    } else if (c == '"' && field.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '\r' && in_.peek() == '\n') {
      continue;
    } else if (c == '\n') {
      ++line_;
      break;
    } else {
      if (was_quoted && error.empty()) error = "text after a closing quote";
      field.push_back(static_cast<char>(c));
    }
    if (field.size() > limits_.max_field_bytes && error.empty())
      error = "a field is longer than " + std::to_string(limits_.max_field_bytes) + " bytes";
    if (fields.size() > limits_.max_columns && error.empty()) error = "too many columns";
  }
  fields.push_back(std::move(field));
  return true;
}

bool StartsLikeAFormula(std::string_view v) {
  return !v.empty() && std::string_view("=+-@\t\r").find(v.front()) != std::string_view::npos;
}

namespace {

// A cell export quotes: formula-like, or already quoted in front of a formula character (so that
// import, which removes one quote, gives back exactly what was stored).
bool NeedsFormulaQuote(std::string_view v) {
  return StartsLikeAFormula(v.substr(std::min(v.find_first_not_of('\''), v.size())));
}

}  // namespace

std::string Cell(std::string_view v) {
  std::string text = NeedsFormulaQuote(v) ? "'" + std::string(v) : std::string(v);
  if (text.find_first_of(",\"\r\n\t") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string_view WithoutFormulaQuote(std::string_view v) {
  if (!v.empty() && v.front() == '\'' && NeedsFormulaQuote(v.substr(1))) v.remove_prefix(1);
  return v;
}

}  // namespace herald::csv
