// Fuzzes the safe Markdown renderer with untrusted incident text: it must never crash, and its
// output must never contain a live <script> tag or a javascript: link.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "page/markdown.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string html = herald::page::RenderMarkdown(input);
  std::string lower;
  for (char c : html) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  if (lower.find("<script") != std::string::npos) std::abort();
  if (lower.find("href=\"javascript:") != std::string::npos) std::abort();
  (void)herald::page::MarkdownToPlainText(input);
  return 0;
}
