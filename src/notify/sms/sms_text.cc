#include "notify/sms/sms_text.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace herald::notify {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Decodes UTF-8; each invalid byte becomes U+FFFD (which is not GSM-7).
std::u32string Decode(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    int len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
    bool ok = len > 0 && i + len <= s.size();
    for (int k = 1; ok && k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (c & 0x3F);
    }
    // Reject overlong forms, surrogates and values past U+10FFFF.
    if (ok && ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
               (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF))
      ok = false;
    if (!ok) {
      out.push_back(kReplacement);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

void Encode(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string Encode(std::u32string_view cps) {
  std::string out;
  for (char32_t cp : cps) Encode(cp, out);
  return out;
}

// Septets a character takes in GSM-7: 1 (default alphabet), 2 (extension table: escape + code),
// or 0 when it is not representable.
int Gsm7Septets(char32_t c) {
  if (c < 0x80) {
    switch (c) {
      case '\n':
      case '\r': return 1;
      case '\f':
      case '^':
      case '{':
      case '}':
      case '\\':
      case '[':
      case ']':
      case '~':
      case '|': return 2;
      case '`': return 0;
      default: return c >= 0x20 && c < 0x7F ? 1 : 0;
    }
  }
  // The default alphabet's non-ASCII characters (3GPP TS 23.038 section 6.2.1).
  static constexpr char32_t kBasic[] = {
      0x00A1, 0x00A3, 0x00A4, 0x00A5, 0x00A7, 0x00BF, 0x00C4, 0x00C5, 0x00C6, 0x00C7, 0x00C9, 0x00D1, 0x00D6,
      0x00D8, 0x00DC, 0x00DF, 0x00E0, 0x00E4, 0x00E5, 0x00E6, 0x00E8, 0x00E9, 0x00EC, 0x00F1, 0x00F2, 0x00F6,
      0x00F8, 0x00F9, 0x00FC, 0x0393, 0x0394, 0x0398, 0x039B, 0x039E, 0x03A0, 0x03A3, 0x03A6, 0x03A8, 0x03A9,
  };
  if (std::binary_search(std::begin(kBasic), std::end(kBasic), c)) return 1;
  if (c == 0x20AC) return 2;  // € in the extension table
  return 0;
}

// UTF-16 code units of a character.
int Utf16Units(char32_t c) { return c >= 0x10000 ? 2 : 1; }

SmsLength Measure(std::u32string_view cps) {
  SmsLength m;
  bool gsm = true;
  for (char32_t c : cps) {
    if (Gsm7Septets(c) == 0) {
      gsm = false;
      break;
    }
  }
  m.encoding = gsm ? SmsEncoding::kGsm7 : SmsEncoding::kUcs2;
  const size_t single = gsm ? kGsm7SingleSegment : kUcs2SingleSegment;
  const size_t concat = gsm ? kGsm7ConcatSegment : kUcs2ConcatSegment;
  for (char32_t c : cps) m.units += gsm ? Gsm7Septets(c) : Utf16Units(c);
  if (m.units == 0) return m;
  if (m.units <= single) {
    m.segments = 1;
    return m;
  }
  // Fill segments greedily: a two-unit character never straddles a segment boundary.
  size_t used = 0;
  m.segments = 1;
  for (char32_t c : cps) {
    const size_t w = gsm ? Gsm7Septets(c) : Utf16Units(c);
    if (used + w > concat) {
      ++m.segments;
      used = 0;
    }
    used += w;
  }
  return m;
}

// Typographic characters with a plain GSM-7 spelling (an empty one drops the character).
std::optional<std::u32string_view> SmartReplacement(char32_t c) {
  switch (c) {
    case 0x2018:  // ‘ ’ ‚ ‛ ′
    case 0x2019:
    case 0x201A:
    case 0x201B:
    case 0x2032: return U"'";
    case 0x201C:  // “ ” „ ‟ ″ « »
    case 0x201D:
    case 0x201E:
    case 0x201F:
    case 0x2033:
    case 0x00AB:
    case 0x00BB: return U"\"";
    case 0x2010:  // hyphens, dashes, minus
    case 0x2011:
    case 0x2012:
    case 0x2013:
    case 0x2014:
    case 0x2015:
    case 0x2212: return U"-";
    case 0x2026: return U"...";
    case '\t':
    case 0x00A0:  // no-break and typographic spaces
    case 0x2002:
    case 0x2003:
    case 0x2004:
    case 0x2005:
    case 0x2006:
    case 0x2007:
    case 0x2008:
    case 0x2009:
    case 0x200A:
    case 0x202F: return U" ";
    case 0x200B:  // zero-width space, byte-order mark
    case 0xFEFF: return U"";
    default: return std::nullopt;
  }
}

std::u32string SmartEncode(std::u32string_view cps) {
  std::u32string out;
  out.reserve(cps.size());
  for (char32_t c : cps) {
    const auto r = Gsm7Septets(c) ? std::nullopt : SmartReplacement(c);
    if (r)
      out.append(*r);
    else
      out.push_back(c);
  }
  return out;
}

bool IsSpace(char32_t c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f'; }

std::u32string_view TrimSpaces(std::u32string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::u32string Join(std::u32string_view text, std::u32string_view link) {
  std::u32string out(text);
  if (!out.empty() && !link.empty()) out += U' ';
  out.append(link);
  return out;
}

// Twilio refuses bodies over 1600 characters; nothing longer is worth measuring.
constexpr size_t kMaxTextChars = 1600;

}  // namespace

bool IsGsm7(std::string_view utf8) {
  for (char32_t c : Decode(utf8))
    if (Gsm7Septets(c) == 0) return false;
  return true;
}

SmsLength MeasureSms(std::string_view utf8) { return Measure(Decode(utf8)); }

std::string ComposeSms(std::string_view text_utf8, std::string_view link_utf8, int max_segments) {
  max_segments = std::max(max_segments, 1);
  std::u32string text_cps = Decode(text_utf8);
  if (text_cps.size() > kMaxTextChars) text_cps.resize(kMaxTextChars);
  std::u32string text(TrimSpaces(text_cps));
  const std::u32string link(TrimSpaces(Decode(link_utf8)));

  // Prefer the GSM-7 spelling only if it makes the whole message GSM-7.
  std::u32string smart = SmartEncode(text);
  if (Measure(Join(smart, link)).encoding == SmsEncoding::kGsm7) text = std::move(smart);

  std::u32string full = Join(text, link);
  if (Measure(full).segments <= max_segments) return Encode(full);

  // The message with the first k characters of the text, an ellipsis, and the link. The
  // ellipsis follows the encoding: "…" would force UCS-2 on an otherwise GSM-7 message.
  auto candidate = [&](size_t k) {
    std::u32string cut(TrimSpaces(std::u32string_view(text).substr(0, k)));
    if (cut.empty()) return std::u32string(link);
    const bool gsm = Measure(Join(cut, link)).encoding == SmsEncoding::kGsm7;
    cut += gsm ? U"..." : U"\u2026";
    return Join(cut, link);
  };
  auto fits = [&](size_t k) { return Measure(candidate(k)).segments <= max_segments; };
  // Longer prefixes never take fewer segments, so binary search for the longest that fits.
  size_t lo = 0, hi = text.size();  // fits(lo) is assumed; !fits(hi) is known
  while (hi - lo > 1) {
    const size_t mid = lo + (hi - lo) / 2;
    if (fits(mid))
      lo = mid;
    else
      hi = mid;
  }
  return Encode(candidate(lo));
}

}  // namespace herald::notify
