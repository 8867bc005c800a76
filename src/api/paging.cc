#include "api/paging.h"

#include <boost/json.hpp>

#include "core/encoding.h"

namespace herald::api {
namespace json = boost::json;

std::string EncodeCursor(const Cursor& c) {
  json::array a{json::value(c.kind), c.text_key.empty() ? json::value(c.int_key) : json::value(c.text_key),
                json::value(c.id)};
  return Base64UrlEncode(json::serialize(a));
}

Result<std::optional<Cursor>> DecodeCursor(std::string_view text, std::string_view kind, bool int_key) {
  if (text.empty()) return std::optional<Cursor>();
  const Error bad = Error::Invalid("cursor", "cursor is not one this list gave out; start again without it");
  auto raw = Base64UrlDecode(text);
  if (!raw) return bad;
  boost::system::error_code ec;
  auto v = json::parse(*raw, ec);
  const auto* a = ec ? nullptr : v.if_array();
  if (!a || a->size() != 3 || !(*a)[0].is_string() || (*a)[0].as_string() != kind || !(*a)[2].is_string()) return bad;
  Cursor c;
  c.kind = std::string(kind);
  c.id = std::string((*a)[2].as_string());
  if (int_key) {
    if (!(*a)[1].is_int64()) return bad;
    c.int_key = (*a)[1].as_int64();
  } else {
    if (!(*a)[1].is_string()) return bad;
    c.text_key = std::string((*a)[1].as_string());
  }
  return std::optional<Cursor>(std::move(c));
}

void SetNextPage(http::Response& response, const http::Request& request, const std::string& cursor) {
  // The request's own query (already percent-encoded) without its cursor, then the new cursor
  // (base64url needs no encoding).
  std::string query;
  std::string_view rest = request.query;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view part = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (part.empty() || part == "cursor" || part.starts_with("cursor=")) continue;
    query.append(part).push_back('&');
  }
  query += "cursor=" + cursor;
  response.Set("Link", "<" + request.path + "?" + query + ">; rel=\"next\"");
  response.Set("X-Next-Cursor", cursor);
}

}  // namespace herald::api
