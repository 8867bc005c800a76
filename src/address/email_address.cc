#include "address/email_address.h"

#include <algorithm>
#include <cctype>

#include "core/text.h"

namespace herald::address {
namespace {

bool IsAtext(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<std::string> NormalizeEmailAddress(std::string_view address, const std::string& field) {
  const std::string_view a = Trim(address);
  if (a.empty()) return Error::Invalid(field, field + " is required");
  for (char ch : a) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80)
      return Error::Invalid(field, field + " must be ASCII (give an international domain in its xn-- form)");
    if (c <= 0x20 || c == 0x7F || c == '"')
      return Error::Invalid(field, field + " must not contain spaces, quotes or control characters");
  }
  if (a.size() > 254) return Error::Invalid(field, field + " must be at most 254 characters");
  const size_t at = a.find('@');
  if (at == std::string_view::npos || a.find('@', at + 1) != std::string_view::npos)
    return Error::Invalid(field, field + " must contain exactly one @, like name@example.com");
  const std::string_view local = a.substr(0, at), domain = a.substr(at + 1);
  if (local.empty() || local.size() > 64)
    return Error::Invalid(field, field + " must have 1 to 64 characters before the @");
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
    return Error::Invalid(field, field + " must not start or end with a dot or have two dots in a row before the @");
  for (char c : local)
    if (c != '.' && !IsAtext(c))
      return Error::Invalid(field, field + " has a character that is not allowed before the @: " + std::string(1, c));
  if (!IsValidMailDomain(domain)) return Error::Invalid(field, field + " must end in a domain name like example.com");
  return Lower(a);
}

bool IsValidMailDomain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return false;
  size_t labels = 0, start = 0;
  std::string_view last;
  while (true) {
    size_t dot = domain.find('.', start);
    std::string_view label = domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  // An all-numeric top-level label is an IP address in disguise, not a mail domain.
  const bool numeric_tld = std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; });
  return labels >= 2 && !numeric_tld;
}

}  // namespace herald::address
