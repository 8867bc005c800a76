// Console uploads: a POST body as one view (in memory, or the server's temporary file mapped
// read-only, so a 32 MB CSV is read in place and never copied onto the heap), its form fields
// whether urlencoded or multipart/form-data, and its file parts.
//
// Thread safety: an Upload belongs to one request; the functions are pure.
#pragma once

#include <string_view>
#include <vector>

#include "console/request.h"
#include "core/result.h"
#include "http/message.h"
#include "http/multipart.h"
#include "http/server.h"

namespace herald::console {

// The body of `request` as bytes: Request::body, or Request::body_file mapped read-only (the
// mapping lives as long as this object).
class PostBody {
 public:
  static Result<PostBody> Of(const http::Request& request);
  PostBody(PostBody&& other) noexcept;
  PostBody& operator=(PostBody&&) = delete;
  PostBody(const PostBody&) = delete;
  ~PostBody();
  std::string_view view() const { return view_; }

 private:
  PostBody() = default;
  void* map_ = nullptr;
  std::size_t map_size_ = 0;
  std::string_view view_;
};

// A multipart/form-data POST: the body and its parts (views into it).
struct Upload {
  PostBody body;
  std::vector<http::MultipartPart> parts;
  // The file part named `name`, or null.
  const http::MultipartPart* File(std::string_view name) const;
};
// kInvalid (field "body") when the request is not multipart/form-data or is malformed.
Result<Upload> ParseUpload(const http::Request& request);

// The console's upload routes: the subscriber CSV import takes up to 32 MB (the API's import
// limit) into a temporary file, the logo upload up to 1 MB in memory (the server's general
// limit); every other request gets the server's default rule.
inline constexpr std::size_t kMaxImportUploadBytes = 32 * 1024 * 1024;
http::BodyRule UploadBodyRule(std::string_view method, std::string_view target);

// The fields of a POST: an urlencoded body as ParseForm reads it, or the text parts (at most
// 64 KiB each, valid UTF-8; files left out) of a multipart/form-data one.
Form ParsePostForm(const http::Request& request);

}  // namespace herald::console
