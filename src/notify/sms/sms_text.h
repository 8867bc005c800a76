// SMS text: how long a message is on the air and how to make it fit. An SMS is one segment of
// 140 bytes: 160 characters of the GSM 7-bit default alphabet (3GPP TS 23.038), or 70 UTF-16
// code units (UCS-2) as soon as one character is outside it. Longer messages are split into
// concatenated segments that lose room to the user data header: 153 GSM-7 septets or 67 UCS-2
// units each. Characters of the GSM-7 extension table (€ [ ] { } ^ ~ | \ and form feed) take two
// septets and are never split across segments; neither are UTF-16 surrogate pairs (emoji).
// Providers bill per segment, so Herald keeps messages short and says so in numbers.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace herald::notify {

enum class SmsEncoding { kGsm7, kUcs2 };

struct SmsLength {
  SmsEncoding encoding = SmsEncoding::kGsm7;
  size_t units = 0;  // GSM-7 septets (extension characters count 2) or UTF-16 code units
  int segments = 0;  // 0 for the empty text
};

inline constexpr size_t kGsm7SingleSegment = 160;
inline constexpr size_t kGsm7ConcatSegment = 153;
inline constexpr size_t kUcs2SingleSegment = 70;
inline constexpr size_t kUcs2ConcatSegment = 67;

// True if every character of the UTF-8 text is in the GSM-7 default alphabet or its extension
// table. Invalid UTF-8 is not GSM-7.
bool IsGsm7(std::string_view utf8);

// Encoding, length and segment count of a UTF-8 text as a phone would send it.
SmsLength MeasureSms(std::string_view utf8);

// The SMS for a notification: `text`, a space, then `link`, at most `max_segments` segments
// (at least 1). When it does not fit, `text` is cut on a character boundary and ends with an
// ellipsis ("..." in GSM-7, "…" in UCS-2); the link is never cut, since a broken link is worse
// than a shorter sentence. If the link alone is too long it is sent alone, whole.
// Typographic punctuation (curly quotes, dashes, "…", no-break spaces) is replaced with its
// GSM-7 equivalent when that makes the whole message GSM-7, as Twilio's smart encoding does:
// one curly apostrophe would otherwise cut a segment from 160 to 70 characters.
std::string ComposeSms(std::string_view text, std::string_view link, int max_segments = 3);

}  // namespace herald::notify
