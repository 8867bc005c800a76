// The two bodies of a notification email: an HTML document (web/templates/email/layout.mustache)
// and its plain-text alternative, both built from a rendered Message.
//
// The layout is a Mustache file rather than code so that its markup reads (and can be restyled)
// as the HTML it is, like the page templates, and so that the template work of the issue can let
// staff override it later; the per-event words stay in Message (html, text), rendered elsewhere.
// Email clients ignore <style> and most CSS, so the layout uses a table, inline styles and a
// "bulletproof" button (a coloured table cell around the link).
//
// Escaping: every {{value}} goes through core/text.h HtmlEscape; only Message::html (already safe
// HTML) is inserted raw. Links are used only when they are http(s) URLs; others are left out.
//
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "notify/message.h"

namespace herald::notify::email {

// The complete HTML document. `language` is the subscriber's BCP 47 tag (<html lang>); empty: "en".
std::string RenderHtmlBody(const Message& m, std::string_view language);
// Message::text followed by the links in plain form (LF line breaks; MIME makes them CRLF).
std::string RenderTextBody(const Message& m);
// The call to action for the button and the text part ("View incident", "Confirm subscription").
std::string ButtonLabel(const Message& m);

}  // namespace herald::notify::email
