#include "notify/email/mime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "core/text.h"
#include "core/time.h"
#include "notify/email/mime_testing.h"

namespace herald::notify::email {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::LongLines;
using ::testing::Not;
using testing::ParseMail;

// What a round trip through quoted-printable must give: the same text with CRLF line breaks.
std::string Crlf(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' || s[i] == '\n') {
      out += "\r\n";
      if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool IsPrintableAsciiForTest(std::string_view s) {
  for (char c : s)
    if ((c < 0x20 || c > 0x7E) && c != '\r' && c != '\n') return false;
  return true;
}

// Checks the RFC 2045 rules on encoded output, then the round trip.
void ExpectGoodQp(const std::string& text) {
  const std::string qp = EncodeQuotedPrintable(text);
  EXPECT_THAT(LongLines(qp, 76), IsEmpty()) << qp;
  size_t pos = 0;
  while (pos <= qp.size()) {
    size_t eol = qp.find("\r\n", pos);
    if (eol == std::string::npos) eol = qp.size();
    std::string_view line = std::string_view(qp).substr(pos, eol - pos);
    if (!line.empty()) {
      EXPECT_TRUE(line.back() != ' ' && line.back() != '\t') << "trailing white space: " << line;
    }
    for (size_t i = 0; i < line.size(); ++i) {
      const auto c = static_cast<unsigned char>(line[i]);
      ASSERT_TRUE((c >= 33 && c <= 126) || c == ' ' || c == '\t') << "raw byte " << int(c) << " in " << line;
      if (c == '=') {
        const bool soft = i + 1 == line.size();
        ASSERT_TRUE(soft || (i + 2 < line.size() && std::isxdigit(line[i + 1]) && std::isxdigit(line[i + 2])))
            << "'=' not followed by two hex digits in " << line;
      }
    }
    pos = eol + 2;
  }
  EXPECT_EQ(DecodeQuotedPrintable(qp), Crlf(text));
}

TEST(QuotedPrintable, EncodesWhatMustBeEncoded) {
  EXPECT_EQ(EncodeQuotedPrintable("plain text"), "plain text");
  EXPECT_EQ(EncodeQuotedPrintable("a=b"), "a=3Db");
  EXPECT_EQ(EncodeQuotedPrintable("caf\xC3\xA9"), "caf=C3=A9");
  EXPECT_EQ(EncodeQuotedPrintable("trailing \nand\ttab\t"), "trailing=20\r\nand\ttab=09");
  EXPECT_EQ(EncodeQuotedPrintable("end space "), "end space=20");
  EXPECT_EQ(EncodeQuotedPrintable("a\r\nb\rc\nd\n"), "a\r\nb\r\nc\r\nd\r\n");
  EXPECT_EQ(EncodeQuotedPrintable("From here\nFrom there"), "=46rom here\r\n=46rom there");
  EXPECT_EQ(EncodeQuotedPrintable(std::string(75, 'x') + "From x"), std::string(75, 'x') + "=\r\n=46rom x");
  EXPECT_EQ(EncodeQuotedPrintable("Fromage"), "Fromage");
  EXPECT_EQ(EncodeQuotedPrintable(std::string("nul\0x", 5)), "nul=00x");
  EXPECT_EQ(EncodeQuotedPrintable(""), "");
}

TEST(QuotedPrintable, SoftBreaksKeepLinesWithin76) {
  const std::string exactly76(76, 'x');
  EXPECT_EQ(EncodeQuotedPrintable(exactly76), exactly76);  // the last character needs no '=' room
  const std::string q77(77, 'x');
  EXPECT_EQ(EncodeQuotedPrintable(q77), std::string(75, 'x') + "=\r\nxx");
  // An =XX triplet is never split across a soft break.
  const std::string qp = EncodeQuotedPrintable(std::string(74, 'x') + "\xC3\xA9");
  EXPECT_EQ(qp, std::string(74, 'x') + "=\r\n=C3=A9");
  ExpectGoodQp(std::string(74, 'x') + "\xC3\xA9" + std::string(100, 'y'));
  // A space just before a soft break is protected by the '='; at a hard break it is encoded.
  ExpectGoodQp(std::string(74, 'x') + " " + std::string(10, 'y'));
  ExpectGoodQp(std::string(75, 'x') + " \n" + std::string(10, 'y'));
}

TEST(QuotedPrintable, RoundTripsAssortedText) {
  ExpectGoodQp("Hello,\n\nThe API is degraded. 50% of requests fail (p=0.5).\n");
  ExpectGoodQp("Ünïcödé ✓ 日本語のテキスト 🚀 and = signs == everywhere =\n");
  ExpectGoodQp(std::string(1000, 'a'));  // one very long word
  ExpectGoodQp(std::string(300, '='));   // all encoded
  std::string emoji;
  for (int i = 0; i < 60; ++i) emoji += "\xF0\x9F\x9A\x80";  // 🚀 x 60: 720 encoded characters
  ExpectGoodQp(emoji);
  ExpectGoodQp("  leading spaces\n\t\ttabs\t \n \n\n");
  ExpectGoodQp(".\n..\n.leading dot (dot-stuffing is the SMTP layer's)\n");
}

TEST(QuotedPrintable, RoundTripsRandomBytes) {
  std::mt19937 rng(42);
  const std::string alphabet = std::string("ab =\t.\r\n\xC3\xA9\xFF\x00\x7F", 13);
  for (int n = 0; n < 300; ++n) {
    std::string s;
    const int len = static_cast<int>(rng() % 400);
    for (int i = 0; i < len; ++i) s += alphabet[rng() % alphabet.size()];
    ExpectGoodQp(s);
  }
}

TEST(QuotedPrintable, DecodesLeniently) {
  EXPECT_EQ(DecodeQuotedPrintable("caf=c3=a9"), "caf\xC3\xA9");       // lower-case hex
  EXPECT_EQ(DecodeQuotedPrintable("soft=  \r\nbreak"), "softbreak");  // padding after '='
  EXPECT_EQ(DecodeQuotedPrintable("padded   \r\nline"), "padded\r\nline");
  EXPECT_EQ(DecodeQuotedPrintable("bad =ZZ and =4"), "bad =ZZ and =4");
  EXPECT_EQ(DecodeQuotedPrintable("lf only=\nhere\n"), "lf onlyhere\r\n");
}

TEST(HeaderText, CleanRemovesLineBreaksAndControls) {
  EXPECT_EQ(CleanHeaderText("Hi\r\nBcc: evil@example.com"), "Hi Bcc: evil@example.com");
  EXPECT_EQ(CleanHeaderText("a\n\n\rb\tc\x01\x7F"
                            "d"),
            "a b cd");
  EXPECT_EQ(CleanHeaderText("bad \xFF utf8"), "bad \xEF\xBF\xBD utf8");
  EXPECT_EQ(CleanHeaderText("caf\xC3"), "caf\xEF\xBF\xBD");  // truncated sequence
}

TEST(HeaderText, AsciiSubjectStaysReadableAndFolds) {
  EXPECT_EQ(EncodeUnstructured("Elevated API errors", 9), "Elevated API errors");
  EXPECT_EQ(EncodeUnstructured("  padded  ", 9), "padded");
  std::string longer;
  for (int i = 0; i < 30; ++i) longer += "word" + std::to_string(i) + " ";
  longer.pop_back();
  const std::string v = EncodeUnstructured(longer, 9);
  EXPECT_THAT(v, HasSubstr("\r\n "));
  EXPECT_THAT(v, Not(HasSubstr("=?")));
  EXPECT_THAT(LongLines("Subject: " + v, 78), IsEmpty());
  EXPECT_EQ(DecodeHeaderValue(v), longer);
}

TEST(HeaderText, NonAsciiBecomesEncodedWords) {
  const std::string subject = "Störung: Zahlungen verzögert — 日本のお客様 🚀";
  const std::string v = EncodeUnstructured(subject, 9);
  EXPECT_EQ(v.rfind("=?UTF-8?B?", 0), 0u);
  EXPECT_TRUE(IsPrintableAsciiForTest(v));
  EXPECT_THAT(LongLines("Subject: " + v, 78), IsEmpty());
  EXPECT_EQ(DecodeHeaderValue(v), subject);
}

TEST(HeaderText, VeryLongWordsAreSplitOnCharacterBoundaries) {
  const std::string ascii(300, 'x');  // cannot fold at a space: encoded-words instead
  const std::string v1 = EncodeUnstructured(ascii, 9);
  EXPECT_THAT(LongLines("Subject: " + v1, 78), IsEmpty());
  EXPECT_EQ(DecodeHeaderValue(v1), ascii);

  std::string wide;
  for (int i = 0; i < 80; ++i) wide += i % 2 ? "\xC3\xA9" : "\xF0\x9F\x9A\x80";  // é and 🚀
  const std::string v2 = EncodeUnstructured(wide, 9);
  EXPECT_THAT(LongLines("Subject: " + v2, 78), IsEmpty());
  EXPECT_EQ(DecodeHeaderValue(v2), wide);
  // Every encoded-word holds whole characters (RFC 2047 section 5) and is at most 75 long.
  size_t pos = 0;
  int words = 0;
  while ((pos = v2.find("=?UTF-8?B?", pos)) != std::string::npos) {
    const size_t end = v2.find("?=", pos + 10) + 2;
    EXPECT_LE(end - pos, 75u);
    EXPECT_TRUE(IsValidUtf8(DecodeHeaderValue(v2.substr(pos, end - pos))));
    pos = end;
    ++words;
  }
  EXPECT_GT(words, 3);
}

TEST(HeaderText, LooksLikeEncodedWordIsEncoded) {
  // Plain "=?...?=" would be decoded by readers into something else: encode it.
  const std::string v = EncodeUnstructured("=?UTF-8?B?SGk=?=", 9);
  EXPECT_EQ(DecodeHeaderValue(v), "=?UTF-8?B?SGk=?=");
}

TEST(HeaderText, DecodesQEncodingAndKeepsSpaceBetweenTextAndWords) {
  EXPECT_EQ(DecodeHeaderValue("=?utf-8?q?caf=C3=A9_ouvert?= today"), "café ouvert today");
  EXPECT_EQ(DecodeHeaderValue("=?UTF-8?B?YQ==?=\r\n =?UTF-8?B?Yg==?="), "ab");
  EXPECT_EQ(DecodeHeaderValue("plain =?UTF-8?B?YQ==?= text"), "plain a text");
}

TEST(HeaderText, NameAddr) {
  EXPECT_EQ(EncodeNameAddr("Acme Status", "status@acme.example", 6), "\"Acme Status\" <status@acme.example>");
  EXPECT_EQ(EncodeNameAddr("", "status@acme.example", 6), "<status@acme.example>");
  EXPECT_EQ(EncodeNameAddr("Say \"hi\" \\ bye", "a@b.example", 6), "\"Say \\\"hi\\\" \\\\ bye\" <a@b.example>");
  EXPECT_EQ(EncodeNameAddr("Evil\r\nBcc: x@y.example", "a@b.example", 6), "\"Evil Bcc: x@y.example\" <a@b.example>");
  const std::string v = EncodeNameAddr("Statut d'Acmé", "status@acme.example", 6);
  EXPECT_EQ(v.rfind("=?UTF-8?B?", 0), 0u);
  EXPECT_THAT(v, HasSubstr(" <status@acme.example>"));
  const std::string long_name(100, 'N');
  const std::string v2 = EncodeNameAddr(long_name, "status@acme.example", 6);
  EXPECT_THAT(LongLines("From: " + v2, 78), IsEmpty());
  EXPECT_EQ(DecodeHeaderValue(v2), long_name + " <status@acme.example>");
}

TEST(MailDate, Rfc5322) {
  EXPECT_EQ(FormatMailDate(1767225600000), "Thu, 01 Jan 2026 00:00:00 +0000");
  EXPECT_EQ(FormatMailDate(*ParseIso8601("2026-07-04T15:30:09Z")), "Sat, 04 Jul 2026 15:30:09 +0000");
}

TEST(MessageId, KeepsSafeIdsAndEscapesOthers) {
  EXPECT_EQ(MakeMessageId("d-42_abc", "status.example.com"), "<d-42_abc@status.example.com>");
  EXPECT_EQ(MakeMessageId("a.b@c>", "x.example"), "<a=2Eb=40c=3E@x.example>");
  EXPECT_NE(MakeMessageId("a.b", "x.example"), MakeMessageId("a=2Eb", "x.example"));  // '=' is escaped too
}

MailContent Content() {
  MailContent m;
  m.from_name = "Acme Status";
  m.from_address = "status@acme.example";
  m.to_address = "jane@customer.example";
  m.subject = "[Acme] Elevated API errors";
  m.date = 1767225600000;
  m.message_id = "dlv-123";
  m.message_id_domain = "status.acme.example";
  m.list_name = "Acme Status";
  m.list_id = "acme-status.status.acme.example";
  m.unsubscribe_url = "https://status.acme.example/unsubscribe?t=abc";
  m.text = "Some requests fail.\n\nWe are on it = soon.\n";
  m.html = "<!DOCTYPE html><html><body><p style=\"color:red\">Some requests fail.</p></body></html>";
  return m;
}

TEST(BuildMime, HeadersAndPartsAreComplete) {
  auto raw = BuildMimeMessage(Content());
  ASSERT_TRUE(raw.ok()) << raw.error().message;
  auto mail = ParseMail(*raw);
  ASSERT_EQ(mail.error, "");
  EXPECT_EQ(mail.Raw("date"), "Thu, 01 Jan 2026 00:00:00 +0000");
  EXPECT_EQ(mail.Raw("from"), "\"Acme Status\" <status@acme.example>");
  EXPECT_EQ(mail.Raw("to"), "jane@customer.example");
  EXPECT_EQ(mail.Raw("subject"), "[Acme] Elevated API errors");
  EXPECT_EQ(mail.Raw("message-id"), "<dlv-123@status.acme.example>");
  EXPECT_EQ(mail.Raw("mime-version"), "1.0");
  EXPECT_EQ(mail.Raw("auto-submitted"), "auto-generated");
  EXPECT_EQ(mail.Raw("list-id"), "\"Acme Status\" <acme-status.status.acme.example>");
  EXPECT_EQ(mail.Raw("list-unsubscribe"), "<https://status.acme.example/unsubscribe?t=abc>");
  EXPECT_EQ(mail.Raw("list-unsubscribe-post"), "List-Unsubscribe=One-Click");
  EXPECT_FALSE(mail.Has("reply-to"));
  EXPECT_FALSE(mail.Has("precedence"));
  for (const auto& [name, value] : mail.headers) EXPECT_EQ(mail.Count(name), 1) << name;
  EXPECT_THAT(mail.Decoded("content-type"), HasSubstr("multipart/alternative;"));

  ASSERT_EQ(mail.parts.size(), 2u);
  EXPECT_EQ(mail.parts[0].Raw("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(mail.parts[0].Raw("content-transfer-encoding"), "quoted-printable");
  EXPECT_EQ(DecodeQuotedPrintable(mail.parts[0].body), "Some requests fail.\r\n\r\nWe are on it = soon.\r\n");
  EXPECT_EQ(mail.parts[1].Raw("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(DecodeQuotedPrintable(mail.parts[1].body), Content().html);
  // Header lines within 78, body lines within 76, nothing anywhere near SMTP's 998.
  const size_t header_end = raw->find("\r\n\r\n");
  EXPECT_THAT(LongLines(raw->substr(0, header_end), 78), IsEmpty());
  EXPECT_THAT(LongLines(raw->substr(header_end + 4), 76), IsEmpty());
}

TEST(BuildMime, BoundaryCannotOccurInContent) {
  auto m = Content();
  auto first = BuildMimeMessage(m);
  ASSERT_TRUE(first.ok());
  const std::string boundary = ParseMail(*first).boundary;
  EXPECT_EQ(boundary.rfind("=_", 0), 0u);
  // Content that literally contains the boundary (and delimiter lines) still parses into two parts.
  m.text = "--" + boundary + "\n--" + boundary + "--\n";
  m.html = "<p>--" + boundary + "</p>";
  auto raw = BuildMimeMessage(m);
  ASSERT_TRUE(raw.ok());
  auto mail = ParseMail(*raw);
  ASSERT_EQ(mail.error, "");
  EXPECT_EQ(mail.boundary, boundary);
  ASSERT_EQ(mail.parts.size(), 2u);
  EXPECT_EQ(DecodeQuotedPrintable(mail.parts[0].body), Crlf(m.text));
  EXPECT_EQ(DecodeQuotedPrintable(mail.parts[1].body), m.html);
}

TEST(BuildMime, DeterministicForRetries) {
  auto a = BuildMimeMessage(Content());
  auto b = BuildMimeMessage(Content());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
}

TEST(BuildMime, NonAsciiSubjectAndSender) {
  auto m = Content();
  m.from_name = "Statut d’Acmé";
  m.subject = "Panne partielle : les paiements échouent pour une partie des clients européens 🇪🇺";
  m.list_name = "Statut d’Acmé";
  auto raw = BuildMimeMessage(m);
  ASSERT_TRUE(raw.ok());
  auto mail = ParseMail(*raw);
  ASSERT_EQ(mail.error, "");
  EXPECT_EQ(mail.Decoded("subject"), m.subject);
  EXPECT_EQ(mail.Decoded("from"), "Statut d’Acmé <status@acme.example>");
  EXPECT_EQ(mail.Decoded("list-id"), "Statut d’Acmé <acme-status.status.acme.example>");
  EXPECT_THAT(LongLines(raw->substr(0, raw->find("\r\n\r\n")), 78), IsEmpty());
}

TEST(BuildMime, HeaderInjectionIsImpossible) {
  auto m = Content();
  m.subject = "Hello\r\nBcc: victim@example.com\r\n\r\nfake body";
  m.from_name = "Acme\nX-Evil: 1";
  m.list_name = "List\rX-Evil: 2";
  m.unsubscribe_url = "https://status.acme.example/u?t=1\r\nX-Evil: 3";
  auto raw = BuildMimeMessage(m);
  ASSERT_TRUE(raw.ok());
  auto mail = ParseMail(*raw);
  ASSERT_EQ(mail.error, "");
  EXPECT_FALSE(mail.Has("bcc"));
  EXPECT_FALSE(mail.Has("x-evil"));
  EXPECT_EQ(mail.Decoded("subject"), "Hello Bcc: victim@example.com fake body");
  EXPECT_EQ(mail.Raw("list-unsubscribe"), "<https://status.acme.example/u?t=1%0D%0AX-Evil:%203>");
  EXPECT_EQ(mail.parts.size(), 2u);
}

TEST(BuildMime, OptionalHeaders) {
  auto m = Content();
  m.reply_to = "support@acme.example";
  m.unsubscribe_mailto = "mailto:unsubscribe@acme.example?subject=unsubscribe";
  auto mail = ParseMail(*BuildMimeMessage(m));
  EXPECT_EQ(mail.Raw("reply-to"), "support@acme.example");
  EXPECT_EQ(DecodeHeaderValue(mail.Raw("list-unsubscribe")),
            "<https://status.acme.example/unsubscribe?t=abc>, <mailto:unsubscribe@acme.example?subject=unsubscribe>");

  m.unsubscribe_url = "http://127.0.0.1:8080/unsubscribe?t=abc";  // RFC 8058 one-click needs https
  mail = ParseMail(*BuildMimeMessage(m));
  EXPECT_TRUE(mail.Has("list-unsubscribe"));
  EXPECT_FALSE(mail.Has("list-unsubscribe-post"));

  m.unsubscribe_url.clear();
  m.unsubscribe_mailto.clear();
  m.list_id.clear();
  mail = ParseMail(*BuildMimeMessage(m));
  EXPECT_FALSE(mail.Has("list-unsubscribe"));
  EXPECT_FALSE(mail.Has("list-unsubscribe-post"));
  EXPECT_FALSE(mail.Has("list-id"));
}

TEST(BuildMime, RefusesWhatWouldBreakTheMessage) {
  auto bad = [](auto change) {
    auto m = Content();
    change(m);
    return BuildMimeMessage(m);
  };
  EXPECT_EQ(bad([](MailContent& m) { m.message_id.clear(); }).error().field, "message_id");
  EXPECT_EQ(bad([](MailContent& m) { m.message_id_domain = "bad domain"; }).error().field, "message_id_domain");
  EXPECT_EQ(bad([](MailContent& m) { m.to_address = "a@b.example\r\nBcc: c@d.example"; }).error().field, "to_address");
  EXPECT_EQ(bad([](MailContent& m) { m.to_address = "<a@b.example>"; }).error().field, "to_address");
  EXPECT_EQ(bad([](MailContent& m) { m.from_address = ""; }).error().field, "from_address");
  EXPECT_EQ(bad([](MailContent& m) { m.reply_to = "no-at-sign"; }).error().field, "reply_to");
  EXPECT_EQ(bad([](MailContent& m) { m.list_id = "x y"; }).error().field, "list_id");
}

}  // namespace
}  // namespace herald::notify::email
