#include "notify/email/mime.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "address/email_address.h"
#include "core/text.h"
#include "core/time.h"

namespace herald::notify::email {
namespace {

constexpr size_t kMaxLine = 78;         // RFC 5322 2.1.1: lines SHOULD be at most 78 characters
constexpr size_t kMaxEncodedWord = 75;  // RFC 2047 section 2
constexpr size_t kMaxQpLine = 76;       // RFC 2045 6.7 (5), including the soft break's '='
constexpr char kHex[] = "0123456789ABCDEF";
constexpr std::string_view kEncodedWordStart = "=?UTF-8?B?";

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < in.size()) {
    uint32_t v = p[i] << 16;
    if (i + 1 < in.size()) v |= p[i + 1] << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::optional<std::string> Base64Decode(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    int v = Base64Value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool IsPrintableAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
}

// Length of the UTF-8 sequence starting with lead byte c (input already valid UTF-8).
size_t Utf8Length(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) return 2;
  if ((c & 0xF0) == 0xE0) return 3;
  return 4;
}

std::string ToValidUtf8(std::string_view s) {
  if (IsValidUtf8(s)) return std::string(s);
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = Utf8Length(c);
    if ((c & 0xC0) == 0x80 || c >= 0xF8) n = 0;  // stray continuation byte or impossible lead
    if (n > 0 && i + n <= s.size() && IsValidUtf8(s.substr(i, n))) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++i;
    }
  }
  return out;
}

struct Folded {
  std::string text;
  size_t column = 0;  // length of the last line
};

// Folds printable ASCII at spaces so that every line stays within kMaxLine; nullopt when a word
// is too long to fit on a line of its own.
std::optional<Folded> FoldAtSpaces(std::string_view t, size_t column) {
  Folded f;
  f.column = column;
  size_t start = 0;
  bool first = true;
  while (start < t.size()) {
    // A token is a run of spaces followed by a run of non-spaces; folds go before the spaces.
    size_t end = start;
    while (end < t.size() && t[end] == ' ') ++end;
    while (end < t.size() && t[end] != ' ') ++end;
    std::string_view token = t.substr(start, end - start);
    if (!first && f.column + token.size() > kMaxLine) {
      f.text += "\r\n";
      f.column = 0;
    }
    if (f.column + token.size() > kMaxLine) return std::nullopt;
    f.text += token;
    f.column += token.size();
    first = false;
    start = end;
  }
  return f;
}

// RFC 2047 B encoded-words, one per line, each holding whole UTF-8 characters.
Folded EncodedWords(std::string_view t, size_t column) {
  Folded f;
  f.column = column;
  size_t i = 0;
  bool first = true;
  while (i < t.size()) {
    const size_t room = first && column < kMaxLine ? std::min(kMaxEncodedWord, kMaxLine - column) : kMaxEncodedWord;
    const size_t overhead = kEncodedWordStart.size() + 2;
    const size_t max_bytes = room > overhead ? (room - overhead) / 4 * 3 : 0;
    size_t end = i;
    while (end < t.size()) {
      size_t n = Utf8Length(static_cast<unsigned char>(t[end]));
      if (end + n - i > max_bytes) break;
      end += n;
    }
    if (end == i) {
      // Not even one character fits after the header name: start on a continuation line (only
      // reachable with an absurdly long header name).
      if (first) {
        first = false;
        continue;
      }
      end = i + Utf8Length(static_cast<unsigned char>(t[i]));  // never loop forever
    }
    if (!first) {
      f.text += "\r\n ";
      f.column = 1;
    }
    std::string word = std::string(kEncodedWordStart) + Base64(t.substr(i, end - i)) + "?=";
    f.text += word;
    f.column += word.size();
    first = false;
    i = end;
  }
  return f;
}

// Percent-encodes what may not stand inside <...> in a header: controls (so CR/LF), space,
// non-ASCII, < > and ". A well-formed URL passes through unchanged.
std::string CleanUrl(std::string_view url) {
  std::string out;
  for (char ch : url) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7F || c == '<' || c == '>' || c == '"') {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

// A plausible addr-spec for a header: printable ASCII, one '@', nothing that would end or split
// the header. Full validation happens when the address is subscribed.
bool IsHeaderSafeAddress(std::string_view a) {
  if (a.empty() || a.size() > 254 || !IsPrintableAscii(a)) return false;
  if (std::count(a.begin(), a.end(), '@') != 1 || a.front() == '@' || a.back() == '@') return false;
  return a.find_first_of(" <>\",;()[]\\") == std::string_view::npos;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

void AddHeader(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ':';
  if (!value.empty()) {
    out += ' ';
    out += value;
  }
  out += "\r\n";
}

}  // namespace

std::string EncodeQuotedPrintable(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8 + 16);
  auto encode_line = [&out](std::string_view line) {
    size_t column = 0;
    for (size_t k = 0; k < line.size(); ++k) {
      const auto c = static_cast<unsigned char>(line[k]);
      const bool last = k + 1 == line.size();
      bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
      size_t len = literal ? 1 : 3;
      // A soft break needs one column for its '='; the line's last character does not.
      if (column + len > (last ? kMaxQpLine : kMaxQpLine - 1)) {
        out += "=\r\n";
        column = 0;
      }
      // "From " at the start of any physical line (after a soft break too).
      if (column == 0 && literal && line.compare(k, 5, "From ") == 0) {
        literal = false;
        len = 3;
      }
      if (literal) {
        out += static_cast<char>(c);
      } else {
        out += '=';
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
      column += len;
    }
  };
  size_t start = 0;
  for (size_t p = 0; p < text.size(); ++p) {
    if (text[p] != '\r' && text[p] != '\n') continue;
    encode_line(text.substr(start, p - start));
    out += "\r\n";
    if (text[p] == '\r' && p + 1 < text.size() && text[p + 1] == '\n') ++p;
    start = p + 1;
  }
  encode_line(text.substr(start));
  return out;
}

std::string DecodeQuotedPrintable(std::string_view qp) {
  std::string out;
  out.reserve(qp.size());
  size_t start = 0;
  while (start <= qp.size()) {
    size_t nl = qp.find('\n', start);
    const bool has_break = nl != std::string_view::npos;
    std::string_view line = qp.substr(start, has_break ? nl - start : std::string_view::npos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    bool soft = false;
    if (!line.empty() && line.back() == '=') {
      soft = true;
      line.remove_suffix(1);
    }
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '=' && i + 2 < line.size()) {
        const int hi = HexValue(line[i + 1]), lo = HexValue(line[i + 2]);
        if (hi >= 0 && lo >= 0) {
          out += static_cast<char>(hi * 16 + lo);
          i += 2;
          continue;
        }
      }
      out += line[i];
    }
    if (!has_break) break;
    if (!soft) out += "\r\n";
    start = nl + 1;
  }
  return out;
}

std::string CleanHeaderText(std::string_view s) {
  const std::string valid = ToValidUtf8(s);
  std::string out;
  out.reserve(valid.size());
  bool in_break = false;
  for (char ch : valid) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\r' || c == '\n') {
      if (!in_break) out += ' ';
      in_break = true;
      continue;
    }
    in_break = false;
    if (c == '\t') {
      out += ' ';
    } else if (c >= 0x20 && c != 0x7F) {
      out += ch;
    }
  }
  return out;
}

std::string EncodeUnstructured(std::string_view text, size_t prefix_len) {
  const std::string clean = CleanHeaderText(text);
  const std::string_view t = Trim(clean);
  // "=?" in plain text could be read as the start of an encoded-word: encode the whole value.
  if (IsPrintableAscii(t) && t.find("=?") == std::string_view::npos) {
    if (auto folded = FoldAtSpaces(t, prefix_len)) return std::move(folded->text);
  }
  return EncodedWords(t, prefix_len).text;
}

std::string EncodeNameAddr(std::string_view name, std::string_view angle, size_t prefix_len) {
  const std::string clean_name = CleanHeaderText(name);
  const std::string_view n = Trim(clean_name);
  std::string a = "<" + CleanUrl(angle) + ">";
  if (n.empty()) return a;
  Folded f;
  std::string quoted = "\"";
  for (char c : n) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  quoted += '"';
  if (IsPrintableAscii(n) && n.find("=?") == std::string_view::npos && prefix_len + quoted.size() <= kMaxLine) {
    f.text = quoted;
    f.column = prefix_len + quoted.size();
  } else {
    f = EncodedWords(n, prefix_len);
  }
  f.text += f.column + 1 + a.size() <= kMaxLine ? " " : "\r\n ";
  f.text += a;
  return f.text;
}

std::string DecodeHeaderValue(std::string_view value) {
  // Unfold: a CRLF followed by white space is removed, the white space kept (RFC 5322 2.2.3).
  std::string v;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\r' && i + 1 < value.size() && value[i + 1] == '\n') {
      ++i;
      continue;
    }
    if (value[i] == '\n') continue;
    v += value[i];
  }
  // Tries to read one encoded-word at i; on success sets `decoded` and returns its end.
  auto read_word = [&v](size_t i, std::string& decoded) -> size_t {
    if (v.compare(i, 2, "=?") != 0) return 0;
    size_t q1 = v.find('?', i + 2);
    if (q1 == std::string::npos || q1 + 2 >= v.size() || v[q1 + 2] != '?') return 0;
    const char enc = static_cast<char>(std::toupper(static_cast<unsigned char>(v[q1 + 1])));
    size_t end = v.find("?=", q1 + 3);
    if (end == std::string::npos) return 0;
    std::string_view payload = std::string_view(v).substr(q1 + 3, end - q1 - 3);
    if (payload.find(' ') != std::string_view::npos) return 0;
    if (enc == 'B') {
      auto d = Base64Decode(payload);
      if (!d) return 0;
      decoded = std::move(*d);
    } else if (enc == 'Q') {
      decoded.clear();
      for (size_t k = 0; k < payload.size(); ++k) {
        if (payload[k] == '_') {
          decoded += ' ';
        } else if (payload[k] == '=' && k + 2 < payload.size() && HexValue(payload[k + 1]) >= 0 &&
                   HexValue(payload[k + 2]) >= 0) {
          decoded += static_cast<char>(HexValue(payload[k + 1]) * 16 + HexValue(payload[k + 2]));
          k += 2;
        } else {
          decoded += payload[k];
        }
      }
    } else {
      return 0;
    }
    return end + 2;
  };
  std::string out, pending_space, decoded;
  bool after_word = false;
  size_t i = 0;
  while (i < v.size()) {
    if (size_t end = read_word(i, decoded)) {
      if (!after_word) out += pending_space;  // space between two encoded-words is dropped
      pending_space.clear();
      out += decoded;
      after_word = true;
      i = end;
    } else if (v[i] == ' ' || v[i] == '\t') {
      pending_space += v[i++];
    } else {
      out += pending_space;
      pending_space.clear();
      out += v[i++];
      after_word = false;
    }
  }
  return out + pending_space;
}

std::string FormatMailDate(TimeMs t) {
  std::string d = FormatHttpDate(t);  // "Thu, 01 Jan 2026 12:00:00 GMT"
  if (d.size() > 4 && d.compare(d.size() - 4, 4, " GMT") == 0) d.resize(d.size() - 4);
  return d + " +0000";  // RFC 5322 3.3: numeric zone; "GMT" is obsolete syntax
}

std::string MakeMessageId(std::string_view id, std::string_view domain) {
  std::string out = "<";
  for (char ch : id) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_') {
      out += ch;
    } else {
      out += '=';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  out += '@';
  out += domain;
  out += '>';
  return out;
}

Result<std::string> BuildMimeMessage(const MailContent& m) {
  if (!IsHeaderSafeAddress(m.from_address))
    return Error::Invalid("from_address", "from_address is not a valid address");
  if (!IsHeaderSafeAddress(m.to_address)) return Error::Invalid("to_address", "to_address is not a valid address");
  if (!m.reply_to.empty() && !IsHeaderSafeAddress(m.reply_to))
    return Error::Invalid("reply_to", "reply_to is not a valid address");
  if (m.message_id.empty()) return Error::Invalid("message_id", "message_id must not be empty");
  if (!address::IsValidMailDomain(m.message_id_domain))
    return Error::Invalid("message_id_domain", "message_id_domain must be a domain name like example.com");
  if (!m.list_id.empty() && !address::IsValidMailDomain(m.list_id))
    return Error::Invalid("list_id", "list_id must be a dot-separated name like status.example.com");

  std::string out;
  out.reserve(m.text.size() + m.html.size() + 2048);
  AddHeader(out, "Date", FormatMailDate(m.date));
  AddHeader(out, "From", EncodeNameAddr(m.from_name, m.from_address, 6));
  if (!m.reply_to.empty()) AddHeader(out, "Reply-To", m.reply_to);
  AddHeader(out, "To", m.to_address);
  AddHeader(out, "Subject", EncodeUnstructured(m.subject, 9));
  AddHeader(out, "Message-ID", MakeMessageId(m.message_id, m.message_id_domain));
  AddHeader(out, "MIME-Version", "1.0");
  // The boundary is derived from the message id, so a retry is byte-for-byte the same message.
  std::string boundary = "=_herald_" + Sha256Hex(m.message_id).substr(0, 24);
  const std::string text_qp = EncodeQuotedPrintable(m.text);
  const std::string html_qp = EncodeQuotedPrintable(m.html);
  // Cannot happen (see the header); checked anyway because a collision would corrupt the message.
  while (text_qp.find(boundary) != std::string::npos || html_qp.find(boundary) != std::string::npos) boundary += "_";
  AddHeader(out, "Content-Type", "multipart/alternative;\r\n boundary=\"" + boundary + "\"");
  // RFC 3834: automatic responders must not answer; the X- header does the same for Exchange.
  AddHeader(out, "Auto-Submitted", "auto-generated");
  AddHeader(out, "X-Auto-Response-Suppress", "OOF, AutoReply");
  if (!m.list_id.empty()) AddHeader(out, "List-Id", EncodeNameAddr(m.list_name, m.list_id, 9));
  std::string unsubscribe;
  if (!m.unsubscribe_url.empty()) unsubscribe = "<" + CleanUrl(m.unsubscribe_url) + ">";
  if (!m.unsubscribe_mailto.empty()) {
    std::string mailto = "<" + CleanUrl(m.unsubscribe_mailto) + ">";
    if (!unsubscribe.empty()) unsubscribe += 18 + unsubscribe.size() + 2 + mailto.size() <= kMaxLine ? ", " : ",\r\n ";
    unsubscribe += mailto;
  }
  if (!unsubscribe.empty()) AddHeader(out, "List-Unsubscribe", unsubscribe);
  if (StartsWithNoCase(m.unsubscribe_url, "https://"))
    AddHeader(out, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
  out += "\r\n";
  out += "This is a multi-part message in MIME format.\r\n";
  out += "--" + boundary + "\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
  out += text_qp;
  out += "\r\n--" + boundary + "\r\n";
  out += "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
  out += html_qp;
  out += "\r\n--" + boundary + "--\r\n";
  return out;
}

}  // namespace herald::notify::email
