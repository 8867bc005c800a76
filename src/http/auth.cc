#include "http/auth.h"

#include <openssl/crypto.h>

#include <cstddef>

#include "http/ascii.h"

namespace herald::http {
namespace {

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view AuthorizationCredentials(std::string_view authorization,
                                          std::initializer_list<std::string_view> schemes) {
  authorization = TrimSpaces(authorization);
  const std::size_t space = authorization.find_first_of(" \t");
  if (space == std::string_view::npos) return {};
  const std::string_view scheme = authorization.substr(0, space);
  for (std::string_view wanted : schemes)
    if (AsciiIEquals(scheme, wanted)) return TrimSpaces(authorization.substr(space + 1));
  return {};
}

bool SecretEquals(std::string_view presented, std::string_view expected) {
  if (presented.size() != expected.size()) return false;
  return CRYPTO_memcmp(presented.data(), expected.data(), expected.size()) == 0;
}

}  // namespace herald::http
