// MIME: turns a rendered email (subject, text and HTML bodies, links) into a complete RFC 5322
// message with CRLF line endings, ready for SMTP DATA. Also the encodings it is built from
// (RFC 2045 quoted-printable, RFC 2047 encoded-words, the RFC 5322 date) and their decoders, which
// tests use to check round trips and which a bounce parser may reuse.
//
// Every header value that comes from data (subject, display names, URLs) is cleaned first: CR and
// LF are replaced by a space and other control characters dropped, so no data can start a header
// of its own. Invalid UTF-8 is replaced by U+FFFD so the charset we declare is true.
//
// Dot-stuffing is not done here: it is the SMTP layer's job (libcurl does it on upload).
//
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace herald::notify::email {

// RFC 2045 section 6.7. Line breaks in `text` (CRLF, LF or a lone CR) become CRLF hard breaks;
// output lines are at most 76 characters including the '=' of a soft break; '=', control bytes,
// bytes >= 0x80 and white space at the end of a line are encoded. A line starting with "From " has
// its 'F' encoded (=46) so that mbox-style stores never mangle it.
std::string EncodeQuotedPrintable(std::string_view text);
// The inverse: removes soft breaks and decodes =XX; hard breaks stay CRLF. Tolerates lower-case
// hex and trailing white space added in transit (both removed/decoded as RFC 2045 advises); a
// malformed '=' sequence is kept literally.
std::string DecodeQuotedPrintable(std::string_view qp);

// Replaces each run of CR/LF (and tabs) by one space, drops other control characters and DEL, and
// replaces invalid UTF-8 with U+FFFD: what any data-supplied header value goes through.
std::string CleanHeaderText(std::string_view s);

// An unstructured header value (Subject) for a header whose "Name: " prefix is `prefix_len`
// characters. Printable ASCII that folds at spaces within 78 characters per line is kept as it is
// (folded); anything else becomes RFC 2047 "=?UTF-8?B?...?=" encoded-words, each at most 75
// characters, split on UTF-8 character boundaries, one per line. Cleans the text first.
std::string EncodeUnstructured(std::string_view text, size_t prefix_len);
// A mailbox or list phrase: `"Display Name" <angle>` (quoted when ASCII, encoded-words otherwise),
// folded to 78 characters per line. `angle` is put between < > as given. Empty name: just <angle>.
std::string EncodeNameAddr(std::string_view name, std::string_view angle, size_t prefix_len);
// Unfolds a header value and decodes RFC 2047 encoded-words (B and Q, UTF-8 or US-ASCII),
// dropping white space between adjacent encoded-words as RFC 2047 section 6.2 says.
std::string DecodeHeaderValue(std::string_view value);

// RFC 5322 date-time in UTC: "Thu, 01 Jan 2026 12:00:00 +0000".
std::string FormatMailDate(TimeMs t);

// "<{id}@{domain}>". The id is kept when it is made of [A-Za-z0-9_-]; any other byte becomes
// "=XX" so distinct ids stay distinct and the result is always a valid msg-id.
std::string MakeMessageId(std::string_view id, std::string_view domain);

struct MailContent {
  std::string from_name;     // display name; may be empty or non-ASCII
  std::string from_address;  // addr-spec, already valid
  std::string to_address;    // addr-spec, already valid
  std::string reply_to;      // addr-spec, or empty for none
  std::string subject;
  TimeMs date = 0;
  // The idempotency key: Message-ID is MakeMessageId(message_id, message_id_domain), the same on
  // every retry so that receivers (and we) can recognise a duplicate.
  std::string message_id;
  std::string message_id_domain;
  // List-Id (RFC 2919): `list_name <list_id>`. Omitted when list_id is empty.
  std::string list_name;
  std::string list_id;
  // List-Unsubscribe (RFC 2369) with an https URL and, optionally, a mailto: URI. When the URL
  // is https, List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058) is added too; RFC 8058
  // one-click needs https. Both empty: no List-Unsubscribe headers (e.g. a confirmation request).
  std::string unsubscribe_url;
  std::string unsubscribe_mailto;  // full URI "mailto:..."
  std::string text;                // the text/plain part, UTF-8, any line breaks
  std::string html;                // the text/html part, a complete document
};

// The complete message: headers, then multipart/alternative with text/plain and text/html parts,
// both UTF-8 quoted-printable. The boundary starts with "=_", which quoted-printable output cannot
// contain ('=' there is always followed by a hex digit or CRLF), so it never appears in a part.
// Header lines are folded to 78 characters except where one unbreakable token is longer (a long
// List-Unsubscribe URL); body lines are at most 76.
// Deterministic: the same content gives the same bytes. Errors (Invalid) for a missing or
// malformed address, message id or domain.
Result<std::string> BuildMimeMessage(const MailContent& m);

}  // namespace herald::notify::email
