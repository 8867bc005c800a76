// Fuzzes the multipart/form-data parser behind the console's uploads (subscriber CSV, logo):
// the Content-Type's boundary and the body both come from the client. Every part must be a view
// inside the body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/multipart.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // The first line is the Content-Type header, the rest the body.
  const size_t nl = input.find('\n');
  const std::string_view type = input.substr(0, nl);
  const std::string_view body = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  (void)herald::http::IsMultipartFormData(type);
  auto boundary = herald::http::MultipartBoundary(type);
  auto parts = herald::http::ParseMultipart(boundary ? *boundary : std::string_view("b"), body, {8, 256});
  if (parts) {
    if (parts->size() > 8) std::abort();
    for (const auto& p : *parts)
      if (p.body.data() < body.data() || p.body.data() + p.body.size() > body.data() + body.size()) std::abort();
  }
  return 0;
}
