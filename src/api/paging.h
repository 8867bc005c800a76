// Keyset paging for the management API's lists (the console's subscribers and incidents): an
// opaque cursor that encodes the position of the last row of a page (its sort key and id), and
// the headers that hand the next one to the client, in the GitHub style:
//
//   Link: </v1/pages/acme/subscribers?q=ali&limit=50&cursor=WyJzIiwiYWxpY2VA...>; rel="next"
//   X-Next-Cursor: WyJzIiwiYWxpY2VA...
//
// Both are absent on the last page. A cursor is base64url (no padding) of a JSON array [kind,
// key, id]; clients must treat it as opaque. A cursor of another list, or one that does not
// decode, is refused with 400 naming the field "cursor".
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/message.h"

namespace herald::api {

struct Cursor {
  std::string kind;  // which list: "subscribers", "incidents"
  std::string text_key;
  std::int64_t int_key = 0;
  std::string id;
};

std::string EncodeCursor(const Cursor& cursor);
// The cursor of list `kind` in `text`; an empty text is nullopt (the first page).
Result<std::optional<Cursor>> DecodeCursor(std::string_view text, std::string_view kind, bool int_key);

// Sets Link (rel="next": the request's path and query with cursor= replaced) and X-Next-Cursor.
void SetNextPage(http::Response& response, const http::Request& request, const std::string& cursor);

}  // namespace herald::api
