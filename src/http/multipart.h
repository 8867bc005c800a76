// multipart/form-data bodies (RFC 7578 over RFC 2046's multipart syntax), as browsers send a
// form with a file: the parts are views into the body, so an upload spooled to a file and mapped
// into memory is parsed without copying it (a 32 MB subscriber CSV is not held twice).
//
// Only what a form upload needs: each part's Content-Disposition (form-data; name; filename) and
// Content-Type; no nested multiparts, no Content-Transfer-Encoding (RFC 7578 deprecates it).
// Malformed input is an Error::Invalid on "body"; nothing is partially returned.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace herald::http {

struct MultipartPart {
  std::string name;          // the form field's name
  std::string filename;      // the file name the browser gave (may be empty for a file field)
  bool is_file = false;      // the part had a filename parameter (a file input)
  std::string content_type;  // the part's Content-Type, lower-cased; empty when absent
  std::string_view body;     // the part's bytes, a view into the parsed body
};

struct MultipartLimits {
  std::size_t max_parts = 64;
  std::size_t max_header_bytes = 8 * 1024;  // per part
};

// The boundary of a "multipart/form-data; boundary=..." Content-Type; kInvalid when the type is
// another or the boundary is missing or not 1-70 characters (RFC 2046).
Result<std::string> MultipartBoundary(std::string_view content_type);
// Whether `content_type` names multipart/form-data (any parameters).
bool IsMultipartFormData(std::string_view content_type);

// The parts of `body`, delimited by `boundary`, in order. The views point into `body`.
Result<std::vector<MultipartPart>> ParseMultipart(std::string_view boundary, std::string_view body,
                                                  const MultipartLimits& limits = {});

}  // namespace herald::http
