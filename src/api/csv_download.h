// A CSV export as the API answers it: the whole file as an attachment that is never cached.
// Pure; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "core/result.h"
#include "http/message.h"

namespace herald::api {

// What an export writes to: each chunk in turn; a false return stops it.
using CsvSink = std::function<bool(std::string_view)>;

// Runs `write` (an export taking a CsvSink) into one body and answers it as `filename`.
inline Result<http::Response> CsvDownload(const std::function<Status(const CsvSink&)>& write,
                                          const std::string& filename) {
  std::string out;
  if (auto st = write([&](std::string_view chunk) {
        out += chunk;
        return true;
      });
      !st)
    return st.error();
  http::Response r;
  r.body = std::move(out);
  r.Set("Content-Type", "text/csv; charset=utf-8");
  r.Set("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  r.Set("Cache-Control", "no-store");
  return r;
}

}  // namespace herald::api
