#include "address/phone_number.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

// Debian's libphonenumber.so is built with the POSIX singleton and lock (see CMakeLists.txt);
// these headers must select the same ones.
#if defined(I18N_PHONENUMBERS_USE_BOOST) || defined(I18N_PHONENUMBERS_USE_STDMUTEX)
#error "libphonenumber headers must use the POSIX singleton/lock, as Debian's library does"
#endif

#include <cctype>
#include <optional>

#include "core/text.h"

namespace herald::address {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

bool AllowedChar(char c) {
  return (c >= '0' && c <= '9') || c == ' ' || c == '+' || c == '(' || c == ')' || c == '-' || c == '.' || c == '/';
}

// Parses with the region; nullopt unless libphonenumber parses it and calls it valid.
std::optional<PhoneNumber> ParseValid(const PhoneNumberUtil& util, const std::string& text, const std::string& region) {
  PhoneNumber number;
  if (util.Parse(text, region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) return std::nullopt;
  if (number.has_extension() || !util.IsValidNumber(number)) return std::nullopt;
  return number;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// IsValidRegionCode is private; a region libphonenumber has no metadata for has no calling code.
bool KnownRegion(const PhoneNumberUtil& util, const std::string& region) {
  return util.GetCountryCodeForRegion(region) != 0;
}

}  // namespace

bool IsKnownPhoneRegion(std::string_view region) { return KnownRegion(*PhoneNumberUtil::GetInstance(), Upper(region)); }

Result<std::string> NormalizePhoneNumber(std::string_view input, std::string_view default_region,
                                         const std::string& field) {
  const std::string_view s = Trim(input);
  if (s.empty()) return Error::Invalid(field, "a phone number is required");
  if (s.size() > kMaxPhoneInputBytes) return Error::Invalid(field, "is too long for a phone number");
  for (char c : s) {
    if (!AllowedChar(c))
      return Error::Invalid(field, "may contain only digits, spaces and + ( ) - . / (no letters or extensions)");
  }
  if (s.find('+', 1) != std::string_view::npos) return Error::Invalid(field, "may have a + only at the start");
  const auto& util = *PhoneNumberUtil::GetInstance();
  std::string region = Upper(default_region);
  // "ZZ" is libphonenumber's unknown region: only the international form ("+...") parses.
  if (!KnownRegion(util, region)) region = "ZZ";

  const std::string text(s);
  auto number = ParseValid(util, text, region);
  // "00" is the international prefix in most of the world, and people type it out of habit
  // even where the default region dials abroad differently (011 in North America). No national
  // number starts with 00, so reading it as "+" is safe when the region's own reading failed.
  // (Regions whose prefix is longer, like Australia's 0011, were handled by the first parse.)
  if (!number && text.starts_with("00")) number = ParseValid(util, "+" + text.substr(2), region);
  if (!number) {
    if (region == "ZZ" && !text.starts_with("+") && !text.starts_with("00"))
      return Error::Invalid(field, "must start with + and the country code");
    return Error::Invalid(field, "is not a valid phone number");
  }
  switch (util.GetNumberType(*number)) {
    case PhoneNumberUtil::PREMIUM_RATE:
    case PhoneNumberUtil::SHARED_COST:
    case PhoneNumberUtil::UAN:
    case PhoneNumberUtil::VOICEMAIL:
    case PhoneNumberUtil::PAGER: return Error::Invalid(field, "cannot receive text messages (not a mobile number)");
    default: break;
  }
  std::string e164;
  util.Format(*number, PhoneNumberUtil::E164, &e164);
  // E.164 allows at most 15 digits; libphonenumber's metadata accepts a few longer German
  // numbers that SMS providers refuse (found by fuzz/phone_fuzz.cc).
  if (e164.size() > 16) return Error::Invalid(field, "a phone number has at most 15 digits");
  return e164;
}

}  // namespace herald::address
