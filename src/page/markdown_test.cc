#include "page/markdown.h"

#include <gtest/gtest.h>

#include <cctype>

namespace herald::page {
namespace {

TEST(MarkdownTest, RendersCommonMarkdown) {
  std::string html =
      RenderMarkdown("We are **investigating** errors in the [API](https://example.com/api).\n\n- one\n- two");
  EXPECT_NE(html.find("<strong>investigating</strong>"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"https://example.com/api\">API</a>"), std::string::npos);
  EXPECT_NE(html.find("<li>one</li>"), std::string::npos);
}

TEST(MarkdownTest, GfmExtensions) {
  std::string html = RenderMarkdown("See https://example.com and ~~old~~ text.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
  EXPECT_NE(html.find("<a href=\"https://example.com\">"), std::string::npos) << html;
  EXPECT_NE(html.find("<del>old</del>"), std::string::npos) << html;
  EXPECT_NE(html.find("<table>"), std::string::npos) << html;
}

TEST(MarkdownTest, RawHtmlNeverPassesThrough) {
  std::string html =
      RenderMarkdown("Hello <script>alert(1)</script>\n\n<script>alert(2)</script>\n\n<img src=x onerror=alert(3)>");
  EXPECT_EQ(html.find("<script"), std::string::npos) << html;
  EXPECT_EQ(html.find("<img"), std::string::npos) << html;
}

// Markup is inert but not lost: what the writer typed stays readable as text.
TEST(MarkdownTest, RawHtmlIsShownAsTextNotDropped) {
  std::string html = RenderMarkdown("Failing over to <db-primary> now.\n\n<div onclick=x>block</div>\n");
  EXPECT_NE(html.find("Failing over to &lt;db-primary&gt; now."), std::string::npos) << html;
  EXPECT_NE(html.find("<p>&lt;div onclick=x&gt;block&lt;/div&gt;</p>"), std::string::npos) << html;
  EXPECT_EQ(html.find("raw HTML omitted"), std::string::npos) << html;
  EXPECT_EQ(html.find("<div"), std::string::npos) << html;
  EXPECT_EQ(MarkdownToPlainText("Failing over to <db-primary> now."), "Failing over to <db-primary> now.");
}

TEST(MarkdownTest, DangerousLinksAreNeutralised) {
  for (const char* md : {"[x](javascript:alert(1))", "[x](JAVASCRIPT:alert(1))", "![i](javascript:alert(1))",
                         "[x](vbscript:msgbox)", "<javascript:alert(1)>"}) {
    std::string html = RenderMarkdown(md);
    for (char& c : html) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // The scheme may survive as visible text, never inside an attribute.
    EXPECT_EQ(html.find("=\"javascript:"), std::string::npos) << md << " -> " << html;
    EXPECT_EQ(html.find("=\"vbscript:"), std::string::npos) << md << " -> " << html;
    EXPECT_NE(html.find("<a href=\"\"") == std::string::npos && html.find("<img src=\"\"") == std::string::npos, true)
        << md << " -> " << html;
  }
}

TEST(MarkdownTest, InvalidUtf8IsReplaced) {
  std::string html = RenderMarkdown("bad \xff\xfe bytes");
  EXPECT_EQ(html.find('\xff'), std::string::npos);
}

TEST(MarkdownTest, PlainText) {
  EXPECT_EQ(MarkdownToPlainText("We are **investigating** the [API](https://x.example)."),
            "We are investigating the API.");
  std::string text = MarkdownToPlainText("First.\n\nSecond <b>bold</b>.");
  EXPECT_NE(text.find("First."), std::string::npos);
  EXPECT_NE(text.find("Second"), std::string::npos);
}

TEST(MarkdownTest, PlainTextHasNoGfmSyntaxLeft) {
  EXPECT_EQ(MarkdownToPlainText("It takes ~~10~~ 20 minutes."), "It takes 10 20 minutes.");
  EXPECT_EQ(MarkdownToPlainText("| Region | Since |\n|---|---|\n| EU | 10:00 |\n| US | 11:00 |"),
            "Region: EU; Since: 10:00\n\nRegion: US; Since: 11:00");
  EXPECT_EQ(MarkdownToPlainText("| only | a header |\n|---|---|"), "only; a header");
}

TEST(MarkdownTest, PlainTextCanDropRawHtmlTags) {
  EXPECT_EQ(MarkdownToPlainText("Say <b>hello</b> now.", RawHtml::kDropTags), "Say hello now.");
  EXPECT_EQ(MarkdownToPlainText("<div onclick=x>\nblock <i>text</i>\n</div>\n\nAfter.", RawHtml::kDropTags),
            "block text\n\nAfter.");
  EXPECT_EQ(MarkdownToPlainText("<!-- hidden -->\n\nShown.", RawHtml::kDropTags), "Shown.");
  // The default keeps them as the text they are.
  EXPECT_EQ(MarkdownToPlainText("Say <b>hello</b>."), "Say <b>hello</b>.");
}

}  // namespace
}  // namespace herald::page
