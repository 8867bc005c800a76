#include "notify/webhook/chat_format.h"

#include <cstdio>
#include <vector>

namespace herald::notify {
namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";        // U+2026, one unit
constexpr std::string_view kZeroWidthSpace = "\xE2\x80\x8B";  // U+200B
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";     // U+FFFD

// Length in bytes of the valid UTF-8 sequence starting at s[i], or 0 if it is invalid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char c = p[i];
  if (c < 0x80) return 1;
  size_t n;
  std::uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    n = 2, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((p[i + k] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i + k] & 0x3F);
  }
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

// Backslash-escapes Markdown punctuation. `always` is escaped anywhere; `line_start` only as the
// first non-blank character of a line, where it would start a header, list or quote.
std::string BackslashEscape(std::string_view s, std::string_view always, std::string_view line_start,
                            bool break_names) {
  std::string out;
  out.reserve(s.size() + s.size() / 8 + 8);
  bool at_line_start = true;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\n') {
      out += c;
      at_line_start = true;
      continue;
    }
    if (at_line_start && (c == ' ' || c == '\t')) {
      out += c;
      continue;
    }
    const bool escape =
        always.find(c) != std::string_view::npos || (at_line_start && line_start.find(c) != std::string_view::npos);
    at_line_start = false;
    if (escape) out += '\\';
    out += c;
    // A zero-width space between the sigil and the name: Mattermost matches mentions and channel
    // links on the rendered text, after escapes are gone.
    if (break_names && (c == '@' || c == '~') && i + 1 < s.size() && IsNameChar(s[i + 1])) out += kZeroWidthSpace;
  }
  return out;
}

}  // namespace

std::uint32_t ImpactColor(std::string_view impact) {
  if (impact == "minor") return 0xF1C40F;     // yellow
  if (impact == "major") return 0xE67E22;     // orange
  if (impact == "critical") return 0xE74C3C;  // red
  return 0x3498DB;                            // blue: none, maintenance, anything else
}

std::string ImpactColorHex(std::string_view impact) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%06X", static_cast<unsigned>(ImpactColor(impact)));
  return buf;
}

std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

size_t ChatLength(std::string_view utf8) {
  size_t units = 0;
  for (unsigned char c : utf8) {
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    units += (c >= 0xF0) ? 2 : 1;      // outside the BMP: a surrogate pair in UTF-16
  }
  return units;
}

std::string FitEscaped(std::string_view raw, size_t limit, const std::function<std::string(std::string_view)>& escape) {
  auto esc = [&](std::string_view v) { return escape ? escape(v) : std::string(v); };
  std::string whole = esc(raw);
  if (ChatLength(whole) <= limit) return whole;
  if (limit < ChatLength(kEllipsis)) return {};
  // Code point boundaries of the raw text: we cut only there, and escape what remains, so an
  // escape sequence or an entity is never split.
  std::vector<size_t> bounds;
  bounds.reserve(raw.size() + 1);
  for (size_t i = 0; i < raw.size(); ++i)
    if ((static_cast<unsigned char>(raw[i]) & 0xC0) != 0x80) bounds.push_back(i);
  bounds.push_back(raw.size());
  // Largest k such that esc(first k code points) + "…" fits; escaping never shortens text, so
  // the predicate is monotonic and a binary search finds it.
  size_t lo = 0, hi = bounds.size() - 1;
  auto fits = [&](size_t k) { return ChatLength(esc(raw.substr(0, bounds[k]))) + 1 <= limit; };
  while (lo < hi) {
    const size_t mid = lo + (hi - lo + 1) / 2;
    if (fits(mid))
      lo = mid;
    else
      hi = mid - 1;
  }
  std::string_view cut = raw.substr(0, bounds[lo]);
  while (!cut.empty() && (cut.back() == ' ' || cut.back() == '\n' || cut.back() == '\t')) cut.remove_suffix(1);
  return esc(cut) + std::string(kEllipsis);
}

std::string SlackEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string DiscordEscape(std::string_view s) { return BackslashEscape(s, "\\*_~`|[]<>", "#-+", false); }

std::string MattermostEscape(std::string_view s) { return BackslashEscape(s, "\\*_~`|[]<>", "#-+", true); }

std::string BreakMentions(std::string_view s) { return BackslashEscape(s, "", "", true); }

std::string TeamsText(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\r') continue;
    if (c == '\n') {
      // One paragraph break per run of newlines.
      size_t j = i;
      while (j + 1 < s.size() && (s[j + 1] == '\n' || s[j + 1] == '\r')) ++j;
      out += "\n\n";
      i = j;
      continue;
    }
    out += c;
    if (c == ']' || c == '<') out += kZeroWidthSpace;
  }
  return out;
}

}  // namespace herald::notify
