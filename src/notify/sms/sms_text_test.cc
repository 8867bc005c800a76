#include "notify/sms/sms_text.h"

#include <gtest/gtest.h>

#include <string>

#include "core/text.h"

namespace herald::notify {
namespace {

constexpr std::string_view kLink = "https://status.example.com/incidents/abc123";

std::string Repeat(std::string_view s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

TEST(IsGsm7, DefaultAlphabetAndExtensionTable) {
  EXPECT_TRUE(IsGsm7("Hello, World! @$_#%&'()*+,-./:;<=>?"));
  EXPECT_TRUE(IsGsm7("£¥èéùìòÇØøÅåΔΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà\n\r"));
  EXPECT_TRUE(IsGsm7("€[]{}^~|\\"));
  EXPECT_TRUE(IsGsm7(""));
  EXPECT_FALSE(IsGsm7("`"));  // not in GSM-7 at all
  EXPECT_FALSE(IsGsm7("\t"));
  EXPECT_FALSE(IsGsm7("ç"));  // only the capital Ç is GSM-7
  EXPECT_FALSE(IsGsm7("Straße ✓"));
  EXPECT_FALSE(IsGsm7("Привет"));
  EXPECT_FALSE(IsGsm7("\xff"));  // invalid UTF-8
}

TEST(MeasureSms, SingleSegmentLimits) {
  EXPECT_EQ(MeasureSms("").segments, 0);
  auto gsm = MeasureSms(std::string(160, 'a'));
  EXPECT_EQ(gsm.encoding, SmsEncoding::kGsm7);
  EXPECT_EQ(gsm.units, 160u);
  EXPECT_EQ(gsm.segments, 1);
  EXPECT_EQ(MeasureSms(std::string(161, 'a')).segments, 2);
  auto ucs = MeasureSms(Repeat("ж", 70));
  EXPECT_EQ(ucs.encoding, SmsEncoding::kUcs2);
  EXPECT_EQ(ucs.units, 70u);
  EXPECT_EQ(ucs.segments, 1);
  EXPECT_EQ(MeasureSms(Repeat("ж", 71)).segments, 2);
}

TEST(MeasureSms, ConcatenatedSegments) {
  EXPECT_EQ(MeasureSms(std::string(306, 'a')).segments, 2);
  EXPECT_EQ(MeasureSms(std::string(307, 'a')).segments, 3);
  EXPECT_EQ(MeasureSms(std::string(459, 'a')).segments, 3);
  EXPECT_EQ(MeasureSms(Repeat("ж", 134)).segments, 2);
  EXPECT_EQ(MeasureSms(Repeat("ж", 135)).segments, 3);
  EXPECT_EQ(MeasureSms(Repeat("ж", 201)).segments, 3);
  EXPECT_EQ(MeasureSms(Repeat("ж", 202)).segments, 4);
}

TEST(MeasureSms, ExtensionCharactersTakeTwoSeptetsAndAreNotSplit) {
  EXPECT_EQ(MeasureSms("€").units, 2u);
  EXPECT_EQ(MeasureSms(std::string(158, 'a') + "€").segments, 1);  // 160 septets
  EXPECT_EQ(MeasureSms(std::string(159, 'a') + "€").segments, 2);  // 161 septets
  // 152 + 2 would straddle the first 153-septet segment: the escape pair moves whole.
  auto m = MeasureSms(std::string(152, 'a') + "€" + std::string(152, 'a'));
  EXPECT_EQ(m.units, 306u);
  EXPECT_EQ(m.segments, 3);
}

TEST(MeasureSms, EmojiTakeTwoUtf16UnitsAndAreNotSplit) {
  EXPECT_EQ(MeasureSms("😀").units, 2u);
  EXPECT_EQ(MeasureSms(Repeat("😀", 35)).segments, 1);  // 70 units
  EXPECT_EQ(MeasureSms(Repeat("😀", 36)).segments, 2);
  // 66 units then a pair: the pair does not fit in the 67th unit and opens segment two.
  auto m = MeasureSms(Repeat("ж", 66) + "😀" + Repeat("ж", 65));
  EXPECT_EQ(m.units, 133u);
  EXPECT_EQ(m.segments, 2);
  EXPECT_EQ(MeasureSms(Repeat("ж", 66) + "😀" + Repeat("ж", 66)).segments, 3);
}

TEST(ComposeSms, ShortTextAndLinkInOneSegment) {
  const std::string sms = ComposeSms("API errors: we are investigating.", kLink);
  EXPECT_EQ(sms, "API errors: we are investigating. " + std::string(kLink));
  EXPECT_EQ(MeasureSms(sms).segments, 1);
  EXPECT_EQ(ComposeSms("  Resolved.\n", ""), "Resolved.");
  EXPECT_EQ(ComposeSms("", kLink), std::string(kLink));
}

TEST(ComposeSms, LongTextIsCutToThreeSegmentsKeepingTheLink) {
  const std::string text = Repeat("The API is slow for some customers. ", 30);
  const std::string sms = ComposeSms(text, kLink);
  const auto m = MeasureSms(sms);
  EXPECT_EQ(m.encoding, SmsEncoding::kGsm7);
  EXPECT_EQ(m.segments, 3);
  EXPECT_GT(m.units, 453u);  // filled, not cut short
  EXPECT_TRUE(sms.ends_with("... " + std::string(kLink))) << sms;
  EXPECT_TRUE(sms.starts_with("The API is slow"));
}

TEST(ComposeSms, MaxSegmentsOne) {
  const std::string sms = ComposeSms(std::string(200, 'x'), kLink, 1);
  EXPECT_EQ(MeasureSms(sms).segments, 1);
  EXPECT_EQ(MeasureSms(sms).units, 160u);
  EXPECT_EQ(sms, std::string(160 - 3 - 1 - kLink.size(), 'x') + "... " + std::string(kLink));
}

TEST(ComposeSms, UnicodeTextIsCutOnCharacterBoundariesWithUnicodeEllipsis) {
  const std::string text = Repeat("Сбой API 😀 ", 40);
  const std::string sms = ComposeSms(text, kLink);
  const auto m = MeasureSms(sms);
  EXPECT_EQ(m.encoding, SmsEncoding::kUcs2);
  EXPECT_EQ(m.segments, 3);
  EXPECT_TRUE(sms.ends_with("\u2026 " + std::string(kLink))) << sms;
  EXPECT_TRUE(IsGsm7(kLink));
  EXPECT_GT(m.units, 195u);  // filled, not cut short
  // Valid UTF-8 all the way: nothing was cut inside a character or a surrogate pair.
  EXPECT_TRUE(IsValidUtf8(sms));
  EXPECT_EQ(sms.find("\xef\xbf\xbd"), std::string::npos);
}

TEST(ComposeSms, SmartPunctuationKeepsGsm7) {
  const std::string sms = ComposeSms("We\u2019re on it \u2014 \u201cAPI\u201d errors\u2026", kLink);
  EXPECT_EQ(sms, "We're on it - \"API\" errors... " + std::string(kLink));
  EXPECT_EQ(MeasureSms(sms).encoding, SmsEncoding::kGsm7);
  // When the text needs UCS-2 anyway, it is left as written.
  EXPECT_EQ(ComposeSms("Störung \u2014 Привет", ""), "Störung \u2014 Привет");
}

TEST(ComposeSms, OverlongLinkIsSentWhole) {
  const std::string link = "https://status.example.com/" + std::string(600, 'a');
  EXPECT_EQ(ComposeSms("Outage", link), link);
}

TEST(ComposeSms, EveryLengthFitsAndKeepsTheLink) {
  for (size_t n = 0; n < 700; n += 7) {
    for (const char* unit : {"a", "€", "ж", "😀"}) {
      const std::string sms = ComposeSms(Repeat(unit, n), kLink);
      ASSERT_LE(MeasureSms(sms).segments, 3) << n << " x " << unit;
      ASSERT_TRUE(sms.ends_with(kLink)) << n << " x " << unit;
    }
  }
}

}  // namespace
}  // namespace herald::notify
