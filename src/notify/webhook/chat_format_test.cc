#include "notify/webhook/chat_format.h"

#include <gtest/gtest.h>

#include "core/text.h"

namespace herald::notify {
namespace {

TEST(ChatFormat, ImpactColours) {
  EXPECT_EQ(ImpactColor("none"), 0x3498DBu);
  EXPECT_EQ(ImpactColor("maintenance"), 0x3498DBu);
  EXPECT_EQ(ImpactColor("minor"), 0xF1C40Fu);
  EXPECT_EQ(ImpactColor("major"), 0xE67E22u);
  EXPECT_EQ(ImpactColor("critical"), 0xE74C3Cu);
  EXPECT_EQ(ImpactColor("bogus"), ImpactColor("none"));
  EXPECT_EQ(ImpactColorHex("critical"), "#E74C3C");
}

TEST(ChatFormat, LengthCountsLikeThePlatforms) {
  EXPECT_EQ(ChatLength("abc"), 3u);
  EXPECT_EQ(ChatLength("\xC3\xA9"), 1u);          // é
  EXPECT_EQ(ChatLength("\xE2\x82\xAC"), 1u);      // €
  EXPECT_EQ(ChatLength("\xF0\x9F\x94\xA5"), 2u);  // 🔥: a surrogate pair in UTF-16
}

TEST(ChatFormat, FitCutsOnCodePointsAndAddsAnEllipsis) {
  EXPECT_EQ(FitEscaped("short", 10, nullptr), "short");
  EXPECT_EQ(FitEscaped("exactly10!", 10, nullptr), "exactly10!");
  std::string euros;
  for (int i = 0; i < 100; ++i) euros += "\xE2\x82\xAC";
  const std::string cut = FitEscaped(euros, 10, nullptr);
  EXPECT_TRUE(IsValidUtf8(cut));
  EXPECT_EQ(ChatLength(cut), 10u);
  EXPECT_EQ(cut.substr(cut.size() - 3), "\xE2\x80\xA6");
  std::string fire;
  for (int i = 0; i < 10; ++i) fire += "\xF0\x9F\x94\xA5";
  const std::string fire_cut = FitEscaped(fire, 6, nullptr);  // two emoji (4 units) + ellipsis
  EXPECT_TRUE(IsValidUtf8(fire_cut));
  EXPECT_EQ(ChatLength(fire_cut), 5u);
  EXPECT_EQ(FitEscaped("anything", 0, nullptr), "");
}

TEST(ChatFormat, FitNeverSplitsAnEscape) {
  // Each '&' becomes "&amp;" (5): a cut must land between entities, never inside one.
  const std::string cut = FitEscaped(std::string(100, '&'), 13, SlackEscape);
  EXPECT_EQ(cut, "&amp;&amp;\xE2\x80\xA6");
  const std::string md = FitEscaped(std::string(100, '*'), 8, DiscordEscape);
  EXPECT_EQ(md, "\\*\\*\\*\xE2\x80\xA6");
  // Trailing white space before the ellipsis goes.
  EXPECT_EQ(FitEscaped("word word word", 11, nullptr), "word word\xE2\x80\xA6");
}

TEST(ChatFormat, SanitizeReplacesInvalidUtf8) {
  EXPECT_EQ(SanitizeUtf8("ok \xC3\xA9"), "ok \xC3\xA9");
  EXPECT_EQ(SanitizeUtf8("bad \xC3"), "bad \xEF\xBF\xBD");
  EXPECT_EQ(SanitizeUtf8("\xFF"
                         "a"),
            "\xEF\xBF\xBD"
            "a");
  EXPECT_EQ(SanitizeUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a lone surrogate
  EXPECT_TRUE(IsValidUtf8(SanitizeUtf8("\xF0\x9F\x94")));
}

TEST(ChatFormat, SlackEscapesItsThreeCharacters) {
  EXPECT_EQ(SlackEscape("a & b <!channel> <@U1> <https://evil.test|x>"),
            "a &amp; b &lt;!channel&gt; &lt;@U1&gt; &lt;https://evil.test|x&gt;");
}

TEST(ChatFormat, DiscordEscapeDefusesLinksMentionsAndBlocks) {
  EXPECT_EQ(DiscordEscape("[click](https://evil.test)"), "\\[click\\](https://evil.test)");
  EXPECT_EQ(DiscordEscape("<@123> **b** _i_ ~~s~~ `c` ||spoiler||"),
            "\\<@123\\> \\*\\*b\\*\\* \\_i\\_ \\~\\~s\\~\\~ \\`c\\` \\|\\|spoiler\\|\\|");
  EXPECT_EQ(DiscordEscape("# big\n  - item\n-# small\na-b #1"), "\\# big\n  \\- item\n\\-# small\na-b #1");
  EXPECT_EQ(DiscordEscape("back\\slash"), "back\\\\slash");
}

TEST(ChatFormat, MattermostEscapeBreaksMentionsAndChannelLinks) {
  const std::string out = MattermostEscape("@channel @all @here @alice ~town-square mail@x.test [x](y)");
  EXPECT_EQ(out.find("@channel"), std::string::npos);
  EXPECT_EQ(out.find("@all"), std::string::npos);
  EXPECT_EQ(out.find("@alice"), std::string::npos);
  EXPECT_NE(out.find("@\xE2\x80\x8B"
                     "channel"),
            std::string::npos);
  EXPECT_NE(out.find("\\~\xE2\x80\x8B"
                     "town-square"),
            std::string::npos);
  EXPECT_NE(out.find("\\[x\\](y)"), std::string::npos);
  EXPECT_EQ(MattermostEscape("a @ b"), "a @ b");
}

TEST(ChatFormat, TeamsTextBreaksLinksAndKeepsParagraphs) {
  EXPECT_EQ(TeamsText("[Free](https://evil.test)"), "[Free]\xE2\x80\x8B(https://evil.test)");
  EXPECT_EQ(TeamsText("<https://evil.test>"), "<\xE2\x80\x8Bhttps://evil.test>");
  EXPECT_EQ(TeamsText("one\ntwo\r\n\r\nthree"), "one\n\ntwo\n\nthree");
}

}  // namespace
}  // namespace herald::notify
