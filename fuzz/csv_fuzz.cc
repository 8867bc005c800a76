// Fuzzes the CSV reader that reads subscriber imports (files staff upload, often exported from
// other tools): it must never crash or loop, must keep its limits, and every record it reads
// without an error must come back field for field when written with csv::Cell and read again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "core/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace herald;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  csv::Limits limits;
  limits.max_field_bytes = 64;  // small limits, so that the fuzzer reaches them
  limits.max_columns = 8;
  csv::Reader reader(in, limits);
  std::vector<std::string> fields;
  std::int64_t line = 0, last_line = 0;
  std::string error;
  while (reader.Next(fields, line, error)) {
    if (line <= last_line) std::abort();  // records start on later and later lines
    last_line = line;
    if (!error.empty()) continue;
    if (fields.empty() || fields.size() > limits.max_columns + 1) std::abort();
    std::string text;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].size() > limits.max_field_bytes) std::abort();
      text += (i ? "," : "") + csv::Cell(fields[i]);
    }
    std::istringstream again_in(text + "\r\n");
    csv::Reader again(again_in, csv::Limits{1 << 20, 1 << 20});
    std::vector<std::string> back;
    std::int64_t back_line = 0;
    std::string back_error;
    if (!again.Next(back, back_line, back_error) || !back_error.empty() || back.size() != fields.size()) std::abort();
    for (size_t i = 0; i < fields.size(); ++i)
      if (csv::WithoutFormulaQuote(back[i]) != fields[i]) std::abort();
  }
  if (reader.bytes() != static_cast<std::int64_t>(size)) std::abort();  // read to the end, once
  return 0;
}
