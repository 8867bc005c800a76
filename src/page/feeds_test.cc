#include "page/feeds.h"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "core/text.h"
#include "core/time.h"
#include "page/demo_site.h"

namespace herald::page {
namespace {

const TimeMs kNow = *ParseIso8601("2026-01-15T13:37:00Z");

bool Contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

// A small XML well-formedness check: tags balance, attributes are quoted, entities are the five
// predefined ones or numeric, no raw '<' or '&' in text. Enough to catch escaping mistakes.
::testing::AssertionResult WellFormedXml(const std::string& x) {
  std::vector<std::string> stack;
  size_t i = 0;
  if (x.rfind("<?xml", 0) == 0) i = x.find("?>") + 2;
  bool root_seen = false;
  while (i < x.size()) {
    if (x[i] == '<') {
      size_t end = x.find('>', i);
      if (end == std::string::npos) return ::testing::AssertionFailure() << "unterminated tag at " << i;
      std::string tag = x.substr(i + 1, end - i - 1);
      if (tag.empty()) return ::testing::AssertionFailure() << "empty tag at " << i;
      int quotes = 0;
      for (char c : tag) quotes += c == '"';
      if (quotes % 2) return ::testing::AssertionFailure() << "unbalanced quotes in <" << tag << ">";
      if (tag.find('<') != std::string::npos) return ::testing::AssertionFailure() << "'<' inside tag " << tag;
      if (tag[0] == '/') {
        std::string name = tag.substr(1);
        if (stack.empty() || stack.back() != name)
          return ::testing::AssertionFailure() << "unexpected </" << name << "> at " << i;
        stack.pop_back();
      } else if (tag.back() != '/') {
        std::string name = tag.substr(0, tag.find_first_of(" \t\n"));
        if (stack.empty() && root_seen) return ::testing::AssertionFailure() << "second root element " << name;
        stack.push_back(name);
        root_seen = true;
      }
      i = end + 1;
    } else if (x[i] == '&') {
      size_t semi = x.find(';', i);
      std::string ent = semi == std::string::npos ? "" : x.substr(i, semi - i + 1);
      if (ent != "&amp;" && ent != "&lt;" && ent != "&gt;" && ent != "&quot;" && ent != "&apos;" &&
          ent.rfind("&#", 0) != 0)
        return ::testing::AssertionFailure() << "bad entity at " << i << ": " << x.substr(i, 12);
      i = semi + 1;
    } else {
      if (static_cast<unsigned char>(x[i]) < 0x20 && x[i] != '\n' && x[i] != '\r' && x[i] != '\t')
        return ::testing::AssertionFailure() << "control character at " << i;
      ++i;
    }
  }
  if (!stack.empty()) return ::testing::AssertionFailure() << "unclosed <" << stack.back() << ">";
  if (!IsValidUtf8(x)) return ::testing::AssertionFailure() << "invalid UTF-8";
  return ::testing::AssertionSuccess();
}

SiteInput Evil() {
  SiteInput in = DemoSite(kNow);
  in.page.name = "Acme <b>&</b> \"Co\"";
  in.incidents[0].name = "API <script>alert(1)</script> & more\x01";
  in.incidents[0].updates[0].body = "**bold** <img src=x onerror=alert(1)> & ]]> done";
  return in;
}

TEST(FeedTest, AtomIsWellFormedAndComplete) {
  std::string atom = RenderAtom(Evil());
  EXPECT_TRUE(WellFormedXml(atom)) << atom;
  EXPECT_TRUE(Contains(atom, "<feed xmlns=\"http://www.w3.org/2005/Atom\""));
  EXPECT_TRUE(Contains(atom, "<id>http://127.0.0.1:8080/incidents/inc_api_errors.html</id>"));
  EXPECT_TRUE(Contains(atom, "<title>API &lt;script&gt;alert(1)&lt;/script&gt; &amp; more</title>"));
  EXPECT_TRUE(Contains(atom, "<updated>2026-01-15T13:27:00.000Z</updated>"));  // the last public update
  EXPECT_TRUE(Contains(atom, "<content type=\"html\">"));
  EXPECT_TRUE(Contains(atom, "&lt;strong&gt;bold&lt;/strong&gt;"));  // HTML content, escaped once
  // Raw HTML in an update is shown as text: escaped as HTML, then again as XML, so a feed reader
  // displays "<img ...>" and never builds an element from it.
  EXPECT_TRUE(Contains(atom, "&amp;lt;img src=x onerror=alert(1)&amp;gt;")) << atom;
  EXPECT_FALSE(Contains(atom, "&lt;img"));
  EXPECT_FALSE(Contains(atom, "INTERNAL NOTE"));
  EXPECT_FALSE(Contains(atom, "\x01"));
  // One entry per incident.
  size_t entries = 0;
  for (size_t p = 0; (p = atom.find("<entry>", p)) != std::string::npos; ++p) ++entries;
  EXPECT_EQ(entries, DemoSite(kNow).incidents.size());
}

TEST(FeedTest, RssIsWellFormedWithRfc822Dates) {
  std::string rss = RenderRss(Evil());
  EXPECT_TRUE(WellFormedXml(rss)) << rss;
  EXPECT_TRUE(Contains(rss, "<rss version=\"2.0\""));
  EXPECT_TRUE(Contains(rss, "<pubDate>Thu, 15 Jan 2026 13:27:00 GMT</pubDate>"));
  EXPECT_TRUE(Contains(rss, "<guid isPermaLink=\"true\">http://127.0.0.1:8080/incidents/inc_api_errors.html</guid>"));
  EXPECT_TRUE(Contains(rss, "<title>Acme &lt;b&gt;&amp;&lt;/b&gt; &quot;Co&quot; Status - Incident history</title>"));
  EXPECT_FALSE(Contains(rss, "INTERNAL NOTE"));
}

TEST(FeedTest, FeedsUseBasePathForLinks) {
  SiteInput in = DemoSite(kNow);
  in.base_path = "/pages/acme/";
  EXPECT_TRUE(Contains(RenderAtom(in), "http://127.0.0.1:8080/pages/acme/incidents/mnt_db_upgrade.html"));
  EXPECT_TRUE(Contains(RenderRss(in), "<link>http://127.0.0.1:8080/pages/acme/</link>"));
}

std::vector<std::string> IcsPhysicalLines(const std::string& ics) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < ics.size()) {
    size_t crlf = ics.find("\r\n", start);
    EXPECT_NE(crlf, std::string::npos) << "every line ends in CRLF";
    if (crlf == std::string::npos) break;
    lines.push_back(ics.substr(start, crlf - start));
    start = crlf + 2;
  }
  return lines;
}

// Unfolds content lines (RFC 5545 3.1).
std::vector<std::string> IcsContentLines(const std::string& ics) {
  std::vector<std::string> out;
  for (const auto& l : IcsPhysicalLines(ics)) {
    if (!l.empty() && l[0] == ' ' && !out.empty())
      out.back() += l.substr(1);
    else
      out.push_back(l);
  }
  return out;
}

TEST(FeedTest, IcsStructure) {
  SiteInput in = DemoSite(kNow);
  in.incidents[1].name =
      "Upgrade; part 1, with \\ backslash and a very long name that certainly needs folding "
      "over several lines — ünïcödé ✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓";
  in.incidents[1].updates[0].body = "Line one.\n\nLine two, with comma; and semicolon.";
  std::string ics = RenderIcs(in);
  EXPECT_TRUE(IsValidUtf8(ics));
  for (const auto& l : IcsPhysicalLines(ics)) {
    EXPECT_LE(l.size(), 75u) << l;
    EXPECT_EQ(l.find('\n'), std::string::npos);
    EXPECT_EQ(l.find('\r'), std::string::npos);
  }
  // Folding never splits a UTF-8 sequence: every physical line is valid UTF-8 on its own.
  for (const auto& l : IcsPhysicalLines(ics)) EXPECT_TRUE(IsValidUtf8(l)) << l;

  auto lines = IcsContentLines(ics);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front(), "BEGIN:VCALENDAR");
  EXPECT_EQ(lines.back(), "END:VCALENDAR");
  EXPECT_NE(std::find(lines.begin(), lines.end(), "PRODID:-//Herald//Status page//EN"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "VERSION:2.0"), lines.end());
  int events = 0, depth = 0;
  for (const auto& l : lines) {
    if (l == "BEGIN:VEVENT") ++events, ++depth;
    if (l == "END:VEVENT") --depth;
    EXPECT_GE(depth, 0);
  }
  EXPECT_EQ(depth, 0);
  EXPECT_EQ(events, 2);  // the two maintenances; incidents are not calendar events
  auto has = [&](const std::string& l) { return std::find(lines.begin(), lines.end(), l) != lines.end(); };
  EXPECT_TRUE(has("UID:mnt_db_upgrade@127.0.0.1"));
  EXPECT_TRUE(has("DTSTART:20260117T210000Z"));  // 22:00 in Berlin
  EXPECT_TRUE(has("DTEND:20260117T230000Z"));
  EXPECT_TRUE(has("URL:http://127.0.0.1:8080/incidents/mnt_db_upgrade.html"));
  EXPECT_TRUE(
      has("SUMMARY:Upgrade\\; part 1\\, with \\\\ backslash and a very long name that certainly needs "
          "folding over several lines — ünïcödé ✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓"));
  EXPECT_TRUE(has("DESCRIPTION:Line one.\\n\\nLine two\\, with comma\\; and semicolon."));
  for (const auto& l : lines)
    if (l.rfind("DTSTAMP:", 0) == 0) {
      EXPECT_EQ(l.size(), 8u + 16u) << l;
    }
}

// Regression (defects issue, item 16): descriptions carried the writer's Markdown and HTML
// ("**", "~~", table pipes, "<b>"), which calendar clients show as such or render as HTML.
// They are plain text, still escaped per RFC 5545.
TEST(FeedTest, IcsDescriptionIsPlainText) {
  SiteInput in = DemoSite(kNow);
  in.incidents[1].updates[0].body =
      "We **upgrade** the [database](https://example.com/db), ~~10 min~~ 20 min; <b>no writes</b>.\n\n"
      "| Region | Window |\n|---|---|\n| EU | 22:00 |\n\n<div class=\"x\">Block <i>html</i></div>\n";
  auto lines = IcsContentLines(RenderIcs(in));
  std::string description;
  for (const auto& l : lines)
    if (l.starts_with("DESCRIPTION:") && description.empty()) description = l;
  EXPECT_EQ(description,
            "DESCRIPTION:We upgrade the database\\, 10 min 20 min\\; no writes.\\n\\nRegion: EU\\; Window: "
            "22:00\\n\\nBlock html");
  for (const char* markup : {"*", "~", "|", "<", ">", "](", "---"})
    EXPECT_EQ(description.find(markup), std::string::npos) << markup;
}

TEST(FeedTest, IcsHelpers) {
  EXPECT_EQ(IcsEscape("a,b;c\\d\ne\r\nf"), "a\\,b\\;c\\\\d\\ne\\nf");
  EXPECT_EQ(IcsFoldLine("SHORT"), "SHORT\r\n");
  std::string folded = IcsFoldLine(std::string(100, 'x'));
  EXPECT_EQ(folded, std::string(75, 'x') + "\r\n " + std::string(25, 'x') + "\r\n");
  EXPECT_EQ(XmlEscape("a<b>&\"'\x02"), "a&lt;b&gt;&amp;&quot;&apos;");
}

TEST(FeedTest, BadgePerStatus) {
  struct Case {
    model::Impact indicator;
    const char* text;
    const char* color;
  };
  for (const Case& c :
       {Case{model::Impact::kNone, "operational", "#15803d"}, Case{model::Impact::kMinor, "degraded", "#a16207"},
        Case{model::Impact::kMajor, "partial outage", "#c2410c"},
        Case{model::Impact::kCritical, "major outage", "#b91c1c"},
        Case{model::Impact::kMaintenance, "maintenance", "#1d4ed8"}}) {
    std::string svg = RenderBadge({c.indicator, ""});
    EXPECT_TRUE(WellFormedXml(svg)) << svg;
    EXPECT_TRUE(Contains(svg, std::string("<title>status: ") + c.text + "</title>"));
    EXPECT_TRUE(Contains(svg, c.color));
  }
  std::string svg = RenderBadge({model::Impact::kNone, ""}, "<x>&");
  EXPECT_TRUE(WellFormedXml(svg)) << svg;
  EXPECT_TRUE(Contains(svg, "&lt;x&gt;&amp;"));
}

TEST(FeedTest, SiteFeedsMatchStandaloneRendering) {
  auto files = RenderSite(Evil());
  for (const auto& f : files)
    if (f.path == "history.atom" || f.path == "history.rss" || f.path == "badge.svg") {
      EXPECT_TRUE(WellFormedXml(f.body)) << f.path;
    }
}

}  // namespace
}  // namespace herald::page
