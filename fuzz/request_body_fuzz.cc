// Fuzzes the parsing of untrusted request bodies (JSON and form encoding) and the typed field
// readers behind every management API endpoint.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/request_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (std::string_view type : {"application/json", "application/x-www-form-urlencoded"}) {
    auto body = herald::api::ParseBody(type, input);
    if (!body) continue;
    auto inner = herald::api::Unwrap(*body, "incident");
    (void)herald::api::GetString(inner, "name");
    (void)herald::api::GetBool(inner, "deliver_notifications");
    (void)herald::api::GetInt(inner, "position");
    (void)herald::api::GetTime(inner, "scheduled_for");
    (void)herald::api::GetStringList(inner, "component_ids");
  }
  return 0;
}
