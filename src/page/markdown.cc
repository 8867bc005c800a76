#include "page/markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>

#include <cctype>
#include <cstdlib>
#include <memory>
#include <regex>
#include <string>
#include <vector>

namespace herald::page {
namespace {

// CMARK_OPT_DEFAULT is safe mode in cmark-gfm 0.29 (CMARK_OPT_UNSAFE is opt-in); CMARK_OPT_SAFE
// is kept for older versions where safe mode had to be asked for. VALIDATE_UTF8 replaces invalid
// sequences so the output is always valid UTF-8.
constexpr int kOptions = CMARK_OPT_DEFAULT | CMARK_OPT_SAFE | CMARK_OPT_VALIDATE_UTF8;

struct ParserDeleter {
  void operator()(cmark_parser* p) const { cmark_parser_free(p); }
};
struct NodeDeleter {
  void operator()(cmark_node* n) const { cmark_node_free(n); }
};

void EnsureExtensionsRegistered() {
  // Registration mutates a process-wide registry; a function-local static runs it exactly once
  // even when several threads render at the same time.
  static const bool registered = [] {
    cmark_gfm_core_extensions_ensure_registered();
    return true;
  }();
  (void)registered;
}

// The raw HTML nodes (inline and block) of `doc`, collected first: they are replaced afterwards.
std::vector<cmark_node*> RawHtmlNodes(cmark_node* doc) {
  std::vector<cmark_node*> raw;
  cmark_iter* it = cmark_iter_new(doc);
  for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
    cmark_node* node = cmark_iter_get_node(it);
    const cmark_node_type type = cmark_node_get_type(node);
    if (ev == CMARK_EVENT_ENTER && (type == CMARK_NODE_HTML_INLINE || type == CMARK_NODE_HTML_BLOCK))
      raw.push_back(node);
  }
  cmark_iter_free(it);
  return raw;
}

// A paragraph holding `text`.
cmark_node* ParagraphOf(const std::string& text) {
  cmark_node* paragraph = cmark_node_new(CMARK_NODE_PARAGRAPH);
  cmark_node* t = cmark_node_new(CMARK_NODE_TEXT);
  cmark_node_set_literal(t, text.c_str());
  cmark_node_append_child(paragraph, t);
  return paragraph;
}

// Turns raw HTML into literal text. Safe mode alone drops it ("<!-- raw HTML omitted -->"), so
// "Upgrading <db-primary>" or "replies with <title>" would lose words; as text, the renderer
// escapes it: inert, and every word the writer typed stays visible.
void RawHtmlToText(cmark_node* doc) {
  for (cmark_node* node : RawHtmlNodes(doc)) {
    const bool block = cmark_node_get_type(node) == CMARK_NODE_HTML_BLOCK;
    std::string literal = cmark_node_get_literal(node) ? cmark_node_get_literal(node) : "";
    if (block)
      while (!literal.empty() && (literal.back() == '\n' || literal.back() == '\r')) literal.pop_back();
    cmark_node* text = cmark_node_new(CMARK_NODE_TEXT);
    cmark_node_set_literal(text, literal.c_str());
    cmark_node* replacement = text;
    if (block) {  // a block needs a block around its text
      replacement = cmark_node_new(CMARK_NODE_PARAGRAPH);
      cmark_node_append_child(replacement, text);
    }
    cmark_node_replace(node, replacement);
    cmark_node_free(node);
  }
}

// Drops raw HTML tags, keeping the text between them: an inline tag is its own node; a block's
// literal holds its tags and its text.
void DropRawHtmlTags(cmark_node* doc) {
  static const std::regex kTag("<[^>]*>");
  for (cmark_node* node : RawHtmlNodes(doc)) {
    if (cmark_node_get_type(node) == CMARK_NODE_HTML_BLOCK) {
      const char* literal = cmark_node_get_literal(node);
      std::string text = std::regex_replace(literal ? literal : "", kTag, "");
      while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
      while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.erase(text.begin());
      if (!text.empty()) cmark_node_insert_before(node, ParagraphOf(text));
    }
    cmark_node_free(node);  // unlinks it
  }
}

// The text of an inline subtree (a table cell), line breaks as spaces.
std::string InlineText(cmark_node* node) {
  std::string out;
  cmark_iter* it = cmark_iter_new(node);
  for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
    cmark_node* n = cmark_iter_get_node(it);
    if (ev != CMARK_EVENT_ENTER) continue;
    const cmark_node_type type = cmark_node_get_type(n);
    if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK) {
      out += ' ';
    } else if (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE || type == CMARK_NODE_HTML_INLINE) {
      if (const char* literal = cmark_node_get_literal(n)) out += literal;
    }
  }
  cmark_iter_free(it);
  return out;
}

// cmark's plain-text renderer writes GFM's strikethrough and tables back as Markdown ("~x~",
// "| a | b |" and "| --- |"). Strikethrough nodes give way to their text; a table becomes a
// paragraph per row, each cell named by its header ("Region: EU; Since: 10:00").
void PlainShapes(cmark_node* doc) {
  std::vector<cmark_node*> struck, tables;
  cmark_iter* it = cmark_iter_new(doc);
  for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
    cmark_node* node = cmark_iter_get_node(it);
    if (ev != CMARK_EVENT_ENTER) continue;
    const std::string_view type = cmark_node_get_type_string(node);
    if (type == "strikethrough") struck.push_back(node);
    if (type == "table") tables.push_back(node);
  }
  cmark_iter_free(it);
  for (cmark_node* node : struck) {
    while (cmark_node* child = cmark_node_first_child(node)) cmark_node_insert_before(node, child);
    cmark_node_free(node);
  }
  for (cmark_node* table : tables) {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    for (cmark_node* row = cmark_node_first_child(table); row; row = cmark_node_next(row)) {
      std::vector<std::string> cells;
      for (cmark_node* cell = cmark_node_first_child(row); cell; cell = cmark_node_next(cell))
        cells.push_back(InlineText(cell));
      if (cmark_gfm_extensions_get_table_row_is_header(row) && header.empty()) {
        header = std::move(cells);
      } else {
        rows.push_back(std::move(cells));
      }
    }
    if (rows.empty()) {  // a header alone: its cells are the content
      rows.push_back(std::move(header));
      header.clear();
    }
    for (const auto& cells : rows) {
      std::string line;
      for (size_t i = 0; i < cells.size(); ++i) {
        if (cells[i].empty()) continue;
        if (!line.empty()) line += "; ";
        if (i < header.size() && !header[i].empty()) line += header[i] + ": ";
        line += cells[i];
      }
      if (!line.empty()) cmark_node_insert_before(table, ParagraphOf(line));
    }
    cmark_node_free(table);
  }
}

// Parses `md` with the GFM extensions attached; `render` turns the tree into text.
template <typename Render>
std::string WithDocument(std::string_view md, Render render, RawHtml raw_html = RawHtml::kAsText) {
  EnsureExtensionsRegistered();
  std::unique_ptr<cmark_parser, ParserDeleter> parser(cmark_parser_new(kOptions));
  for (const char* name : {"autolink", "strikethrough", "table"}) {
    if (cmark_syntax_extension* ext = cmark_find_syntax_extension(name))
      cmark_parser_attach_syntax_extension(parser.get(), ext);
  }
  cmark_parser_feed(parser.get(), md.data(), md.size());
  std::unique_ptr<cmark_node, NodeDeleter> doc(cmark_parser_finish(parser.get()));
  if (raw_html == RawHtml::kAsText) {
    RawHtmlToText(doc.get());
  } else {
    DropRawHtmlTags(doc.get());
  }
  char* out = render(doc.get(), parser.get());
  std::string result = out ? out : "";
  free(out);  // cmark allocates with the default allocator (malloc)
  return result;
}

}  // namespace

std::string RenderMarkdown(std::string_view md) {
  return WithDocument(md, [](cmark_node* doc, cmark_parser* parser) {
    return cmark_render_html(doc, kOptions, cmark_parser_get_syntax_extensions(parser));
  });
}

std::string MarkdownToPlainText(std::string_view md, RawHtml raw_html) {
  std::string text = WithDocument(
      md,
      [](cmark_node* doc, cmark_parser*) {
        PlainShapes(doc);
        return cmark_render_plaintext(doc, kOptions | CMARK_OPT_NOBREAKS, 0);
      },
      raw_html);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace herald::page
