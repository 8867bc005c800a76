// Fuzzes the HTTP check's JSON path assertion: the path comes from staff, the body from the
// monitored service (which may be broken or hostile). Input: PATH, a newline, BODY. Parsing,
// lookup and text conversion must never crash, and a parsed path must be found or not found
// without touching anything outside the document.
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "monitor/probes/http/json_path.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const std::string_view path = input.substr(0, nl);
  const std::string_view body = nl == std::string_view::npos ? std::string_view{} : input.substr(nl + 1);
  std::string why;
  auto steps = herald::monitor::ParseJsonPath(path, &why);
  if (!steps) return 0;
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(body, ec);
  if (ec) return 0;
  if (const auto* v = herald::monitor::FindJsonPath(doc, *steps)) (void)herald::monitor::JsonValueText(*v);
  return 0;
}
