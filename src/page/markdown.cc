#include "page/markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>

#include <cstdlib>
#include <memory>
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

// Turns raw HTML into literal text. Safe mode alone drops it ("<!-- raw HTML omitted -->"), so
// "Upgrading <db-primary>" or "replies with <title>" would lose words; as text, the renderer
// escapes it: inert, and every word the writer typed stays visible.
void RawHtmlToText(cmark_node* doc) {
  std::vector<cmark_node*> raw;
  cmark_iter* it = cmark_iter_new(doc);
  for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
    cmark_node* node = cmark_iter_get_node(it);
    const cmark_node_type type = cmark_node_get_type(node);
    if (ev == CMARK_EVENT_ENTER && (type == CMARK_NODE_HTML_INLINE || type == CMARK_NODE_HTML_BLOCK))
      raw.push_back(node);
  }
  cmark_iter_free(it);
  for (cmark_node* node : raw) {
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

// Parses `md` with the GFM extensions attached; `render` turns the tree into text.
template <typename Render>
std::string WithDocument(std::string_view md, Render render) {
  EnsureExtensionsRegistered();
  std::unique_ptr<cmark_parser, ParserDeleter> parser(cmark_parser_new(kOptions));
  for (const char* name : {"autolink", "strikethrough", "table"}) {
    if (cmark_syntax_extension* ext = cmark_find_syntax_extension(name))
      cmark_parser_attach_syntax_extension(parser.get(), ext);
  }
  cmark_parser_feed(parser.get(), md.data(), md.size());
  std::unique_ptr<cmark_node, NodeDeleter> doc(cmark_parser_finish(parser.get()));
  RawHtmlToText(doc.get());
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

std::string MarkdownToPlainText(std::string_view md) {
  std::string text = WithDocument(
      md, [](cmark_node* doc, cmark_parser*) { return cmark_render_plaintext(doc, kOptions | CMARK_OPT_NOBREAKS, 0); });
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace herald::page
