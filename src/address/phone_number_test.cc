#include "address/phone_number.h"

#include <gtest/gtest.h>

namespace herald::address {
namespace {

std::string Ok(std::string_view input, std::string_view region) {
  auto r = NormalizePhoneNumber(input, region, "phone_number");
  EXPECT_TRUE(r.ok()) << input << " (" << region << "): " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : std::string();
}

void Refused(std::string_view input, std::string_view region) {
  auto r = NormalizePhoneNumber(input, region, "phone_number");
  ASSERT_FALSE(r.ok()) << input << " (" << region << ") was accepted as " << *r;
  EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(r.error().field, "phone_number");
  EXPECT_FALSE(r.error().message.empty());
}

TEST(NormalizePhoneNumber, UnitedStatesNationalAndInternational) {
  EXPECT_EQ(Ok("(415) 555-2671", "US"), "+14155552671");
  EXPECT_EQ(Ok("415.555.2671", "us"), "+14155552671");  // region in any case
  EXPECT_EQ(Ok("1 415 555 2671", "US"), "+14155552671");
  EXPECT_EQ(Ok("+1 415-555-2671", "DE"), "+14155552671");
  EXPECT_EQ(Ok("  +14155552671  ", ""), "+14155552671");
}

TEST(NormalizePhoneNumber, UnitedKingdom) {
  EXPECT_EQ(Ok("+44 20 7946 0958", ""), "+442079460958");
  EXPECT_EQ(Ok("020 7946 0958", "GB"), "+442079460958");
  EXPECT_EQ(Ok("07400 123456", "GB"), "+447400123456");  // mobile
  EXPECT_EQ(Ok("+44 (0) 20 7946 0958", "US"), "+442079460958");
}

TEST(NormalizePhoneNumber, Germany) {
  EXPECT_EQ(Ok("030 901820", "DE"), "+4930901820");
  EXPECT_EQ(Ok("+49 1512 3456789", ""), "+4915123456789");
  EXPECT_EQ(Ok("0151 23456789", "de"), "+4915123456789");
}

TEST(NormalizePhoneNumber, InternationalPrefixes) {
  // 00 works whatever the default region, including North America where 011 is the prefix.
  EXPECT_EQ(Ok("0044 20 7946 0958", "DE"), "+442079460958");
  EXPECT_EQ(Ok("0044 20 7946 0958", "US"), "+442079460958");
  EXPECT_EQ(Ok("0044 20 7946 0958", ""), "+442079460958");
  EXPECT_EQ(Ok("011 44 20 7946 0958", "US"), "+442079460958");
  EXPECT_EQ(Ok("0011 44 20 7946 0958", "AU"), "+442079460958");
}

TEST(NormalizePhoneNumber, SameNumberTypedDifferentlyIsOneAddress) {
  EXPECT_EQ(Ok("+49 (30) 901820", ""), Ok("030/901820", "DE"));
  EXPECT_EQ(Ok("+1-415-555-2671", ""), Ok("(415) 555 2671", "US"));
}

TEST(NormalizePhoneNumber, RefusesInvalidNumbers) {
  Refused("", "US");
  Refused("   ", "US");
  Refused("123", "US");
  Refused("+1 415 555 267", "");    // too short
  Refused("+1 415 555 26711", "");  // too long for NANP
  Refused("(415) 555-2671", "");    // national without a region
  Refused("+44 20 7946 095", "");   // too short for London
  Refused("+999 1234 5678", "");    // no such country code
  Refused("+1 099 555 2671", "");   // NANP area codes never start with 0
  Refused("(415) 555-2671", "XX");  // unknown region: international form needed
}

TEST(NormalizePhoneNumber, RefusesLettersAndGarbage) {
  Refused("1-800-FLOWERS", "US");  // vanity numbers are for dialling, not texting
  Refused("+1 415 555 2671 ext. 12", "");
  Refused("+1 415 555 2671;ext=12", "");
  Refused("tel:+14155552671", "");
  Refused("<script>", "US");
  Refused("+1 415\n555 2671", "");
  Refused(std::string_view("+1 415 555 2671\0", 16), "");
  Refused("\xef\xbc\x8b\xef\xbc\x91 415 555 2671", "");  // full-width "+1"
  Refused("++14155552671", "");
  Refused("+1 415 555+2671", "");
}

TEST(NormalizePhoneNumber, RefusesOverlongInput) {
  Refused(std::string(41, '1'), "US");
  Refused("+1 415 555 2671" + std::string(40, ' ') + "1", "");
  Refused(std::string(100000, '9'), "US");
}

TEST(NormalizePhoneNumber, RefusesNumbersThatCannotReceiveSms) {
  Refused("+44 909 879 0000", "");  // UK premium rate
  Refused("+1 900 555 0100", "");   // US premium rate
}

TEST(NormalizePhoneNumber, AcceptsLandlinesAndTollFree) {
  // Landlines may receive SMS as speech, US toll-free numbers can be text-enabled; where they
  // cannot, the provider says so (Twilio 21614) and the subscriber is quarantined.
  EXPECT_EQ(Ok("+44 20 7946 0958", ""), "+442079460958");
  EXPECT_EQ(Ok("(800) 555-0199", "US"), "+18005550199");
}

TEST(IsKnownPhoneRegion, KnownAndUnknown) {
  EXPECT_TRUE(IsKnownPhoneRegion("US"));
  EXPECT_TRUE(IsKnownPhoneRegion("de"));
  EXPECT_FALSE(IsKnownPhoneRegion(""));
  EXPECT_FALSE(IsKnownPhoneRegion("XX"));
  EXPECT_FALSE(IsKnownPhoneRegion("USA"));
}

TEST(PhoneNumber, RefusesMoreThanFifteenDigits) {
  // libphonenumber calls this German number valid; E.164 (and every SMS provider) does not.
  auto r = NormalizePhoneNumber("00 49 24 401102 420907", "US", "phone_number");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "phone_number");
}

}  // namespace
}  // namespace herald::address
