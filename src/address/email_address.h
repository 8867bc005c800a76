// Email addresses as subscribers type them (the sign-up, the API, the command line, the email
// channel's own settings): validation and one normal form, so that one mailbox is one row.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace herald::address {

// Validates and normalises an email address as subscribers type it: trims white space and
// lower-cases the whole address. Local parts are case-sensitive in theory, but no real provider
// treats them so, and one lower-case form keeps the (page, channel, address) uniqueness honest.
// Accepts a dot-atom addr-spec: one '@'; a local part of 1-64 characters of RFC 5322 atext
// (letters, digits, !#$%&'*+-/=?^_`{|}~) and dots (not first, last or doubled); a domain of at
// least two DNS labels ([A-Za-z0-9-], 1-63 characters, no leading or trailing '-', not an
// all-numeric last label); at most 254 characters. Quoted local parts, address literals
// ([1.2.3.4]) and non-ASCII (SMTPUTF8) addresses are refused: international domains must be given
// in their xn-- form. Errors are Error::Invalid naming `field`.
Result<std::string> NormalizeEmailAddress(std::string_view address, const std::string& field);

// A domain as RFC 5322 dot-atom of DNS labels: [A-Za-z0-9-], no empty label, at least one dot.
bool IsValidMailDomain(std::string_view domain);

}  // namespace herald::address
