// Reading the Authorization header (RFC 9110 section 11.6.2): `<scheme> <credentials>`, where
// the scheme name is case-insensitive (section 11.1), so `Bearer`, `bearer` and `BEARER` are the
// same scheme. Pure functions; thread-safe.
#pragma once

#include <initializer_list>
#include <string_view>

namespace herald::http {

// The credentials (token68, surrounding spaces removed) when `authorization` uses one of
// `schemes`; empty when it uses another scheme or carries no credentials.
std::string_view AuthorizationCredentials(std::string_view authorization,
                                          std::initializer_list<std::string_view> schemes);

// Compares a presented secret with the configured one in time that does not depend on where
// they first differ (a timing side channel would reveal a static token byte by byte).
bool SecretEquals(std::string_view presented, std::string_view expected);

}  // namespace herald::http
