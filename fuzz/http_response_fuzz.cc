// Fuzzes the outbound engine's response reader (net/http_response_reader.h) with what a hostile
// webhook receiver could answer, fed in two pieces split where the first byte says: it must
// never crash, never hand over a body beyond its cap, and always stop in a final state at EOF.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "net/http_response_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  constexpr size_t kCap = 1024;
  const size_t split = data[0] % size;
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  const size_t cut = std::min(split, input.size());
  herald::net::ResponseReader reader(kCap, (data[0] & 0x80) != 0);
  using State = herald::net::ResponseReader::State;
  State s = reader.Feed(input.substr(0, cut));
  if (s == State::kNeedMore) s = reader.Feed(input.substr(cut));
  if (s == State::kNeedMore) s = reader.FeedEof();
  if (s == State::kNeedMore) std::abort();  // EOF always ends it
  if (s == State::kDone) {
    herald::net::HttpResponse r;
    reader.TakeInto(r);
    if (r.body.size() > kCap) std::abort();
    if (r.status < 200 && r.status != 101) std::abort();  // interim answers are skipped
    for (const auto& [name, value] : r.headers)
      for (char c : name)
        if (c >= 'A' && c <= 'Z') std::abort();  // names lower-cased
  }
  return 0;
}
