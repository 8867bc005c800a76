// Markdown for incident updates, postmortems and component descriptions. Staff write Markdown;
// the public sees it on the page, in feeds and in messages. Rendering is SAFE: raw HTML is shown
// as the text it is (escaped, never markup) and links or images with dangerous schemes (javascript:, vbscript:, file:,
// most data:) are emptied, so nothing staff (or a stolen API key) write can run script in a visitor's browser. GitHub
// extensions: autolinks, ~~strikethrough~~ and tables. Pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace herald::page {

// HTML fragment (block elements) for `md`. Invalid UTF-8 is replaced, never passed through.
std::string RenderMarkdown(std::string_view md);

// What plain text does with raw HTML the writer typed: show it as the text it is (email text
// parts, SMS: no word is lost), or drop the tags and keep the text between them (calendar
// descriptions, which calendar clients may render as HTML).
enum class RawHtml { kAsText, kDropTags };

// The text of `md` without markup, for plain-text channels (SMS, calendar descriptions, email
// text parts). Paragraphs are separated by blank lines; links keep their text only;
// ~~strikethrough~~ keeps its text; a table becomes one line per row ("Header: cell; ...").
std::string MarkdownToPlainText(std::string_view md, RawHtml raw_html = RawHtml::kAsText);

}  // namespace herald::page
