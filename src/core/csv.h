// CSV (RFC 4180) for the files people exchange with spreadsheets: a streaming reader with limits
// for untrusted input, and the cell writer that keeps a spreadsheet from running a cell as a
// formula (CSV injection). The subscriber import and export use it; so can any other import.
// Not thread-safe: one Reader per stream.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace herald::csv {

struct Limits {
  size_t max_field_bytes = 4096;
  size_t max_columns = 64;  // a record with more fields than this is refused
};

// Reads records from a stream: quoted fields may hold commas, quotes ("") and line breaks; CRLF
// and LF end a record.
class Reader {
 public:
  explicit Reader(std::istream& in, Limits limits = {}) : in_(in), limits_(limits) {}
  // The next record; false at the end. `line` is the line it starts on (1-based). Sets `error`
  // (and reads on to the end of the record) for an overlong field, too many columns, a quote
  // that is not closed or text after a closing quote.
  bool Next(std::vector<std::string>& fields, std::int64_t& line, std::string& error);
  // Bytes read so far (for progress).
  std::int64_t bytes() const { return bytes_; }

 private:
  int Get();
  std::istream& in_;
  Limits limits_;
  std::int64_t line_ = 1;
  std::int64_t bytes_ = 0;
};

// Whether a spreadsheet would run a cell with this text as a formula (=, +, -, @, tab or CR first).
bool StartsLikeAFormula(std::string_view v);

// A cell as export writes it: quoted when it holds a comma, quote, tab or line break, and with a
// single quote in front when a spreadsheet would take it for a formula (OWASP's rule).
std::string Cell(std::string_view v);

// The inverse of Cell's formula quote on import: the quote Cell put in front is removed, and only
// that one, so that import gives back exactly what export wrote.
std::string_view WithoutFormulaQuote(std::string_view v);

}  // namespace herald::csv
