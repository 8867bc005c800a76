#include "console/upload.h"

#include <sys/mman.h>

#include "core/text.h"

namespace herald::console {

Result<PostBody> PostBody::Of(const http::Request& request) {
  PostBody b;
  if (!request.body_file) {
    b.view_ = request.body;
    return b;
  }
  if (request.body_file_bytes == 0) return b;
  // The server wrote the file and never writes it again: a private read-only mapping is the
  // file's pages in the page cache, not a copy.
  void* p = ::mmap(nullptr, request.body_file_bytes, PROT_READ, MAP_PRIVATE, request.body_file->get(), 0);
  if (p == MAP_FAILED) return Error::Internal("cannot map the uploaded body");
  b.map_ = p;
  b.map_size_ = request.body_file_bytes;
  b.view_ = std::string_view(static_cast<const char*>(p), b.map_size_);
  return b;
}

PostBody::PostBody(PostBody&& other) noexcept : map_(other.map_), map_size_(other.map_size_), view_(other.view_) {
  other.map_ = nullptr;
  other.map_size_ = 0;
}

PostBody::~PostBody() {
  if (map_) ::munmap(map_, map_size_);
}

const http::MultipartPart* Upload::File(std::string_view name) const {
  for (const auto& p : parts)
    if (p.is_file && p.name == name) return &p;
  return nullptr;
}

Result<Upload> ParseUpload(const http::Request& request) {
  std::string boundary;
  HERALD_TRY_ASSIGN(boundary, http::MultipartBoundary(request.Header("content-type")));
  auto body = PostBody::Of(request);
  if (!body) return body.error();
  auto parts = http::ParseMultipart(boundary, body->view());
  if (!parts) return parts.error();
  return Upload{std::move(*body), std::move(*parts)};
}

http::BodyRule UploadBodyRule(std::string_view method, std::string_view target) {
  if (method != "POST") return {};
  const std::string_view path = target.substr(0, target.find('?'));
  if (path == "/admin/subscribers/import") return {kMaxImportUploadBytes, true};
  return {};
}

Form ParsePostForm(const http::Request& request) {
  if (!http::IsMultipartFormData(request.Header("content-type"))) return ParseForm(request.body);
  Form form;
  auto upload = ParseUpload(request);
  if (!upload) return form;
  for (const auto& p : upload->parts)
    if (!p.is_file && p.body.size() <= 64 * 1024 && IsValidUtf8(p.body)) form.emplace(p.name, std::string(p.body));
  return form;
}

}  // namespace herald::console
