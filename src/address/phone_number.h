// Phone numbers (the SMS channel, the sign-up, the command line): validation and normalisation to E.164
// ("+14155552671") with Google's libphonenumber, so that one subscriber is one row whatever way they typed the number,
// and the provider gets the only format it accepts.
//
// Thread safety: pure functions; libphonenumber's PhoneNumberUtil is a process-wide singleton
// whose const methods are safe to call concurrently.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace herald::address {

// The longest input accepted, in bytes. The longest E.164 number has 15 digits; with a "+",
// an international prefix and generous punctuation, real input stays well under this.
inline constexpr size_t kMaxPhoneInputBytes = 40;

// Accepts international input ("+44 20 7946 0958", "0044 20 7946 0958", "011 44 20 7946 0958"
// from the US) and national input with `default_region`, an ISO 3166-1 alpha-2 code
// ("(415) 555-2671" with "US"). An empty or unknown region requires the international form.
// Input may contain digits, spaces and the punctuation people type: + ( ) - . /
//
// Refused, as Error::Invalid naming `field`: empty, overlong, letters (vanity numbers and
// extensions cannot receive SMS), anything libphonenumber cannot parse or does not consider a
// valid number (IsValidNumber), and types that can never receive an SMS: premium rate, shared
// cost, UAN, voicemail access and pagers. Fixed-line, VoIP, toll-free and personal numbers are
// accepted: some countries deliver SMS to landlines (text-to-speech) and to toll-free numbers (US,
// Canada), and where they do not, the provider says so (Twilio 21614) and the subscriber is
// quarantined. Mobile and fixed-line cannot be told apart in NANP anyway.
Result<std::string> NormalizePhoneNumber(std::string_view input, std::string_view default_region,
                                         const std::string& field);

// True if libphonenumber knows `region` (ISO 3166-1 alpha-2, any case) as a default region.
bool IsKnownPhoneRegion(std::string_view region);

}  // namespace herald::address
