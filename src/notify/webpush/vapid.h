// VAPID (RFC 8292): how Herald identifies itself to push services. Browsers bind each push
// subscription to the application server key given at subscribe time (the page reads it from
// VapidKeys::public_key), and push services accept messages for it only when they carry a JWT
// signed with the matching private key:
//
//   Authorization: vapid t=<JWT>, k=<public key, base64url>
//
// The JWT is ES256 with claims aud (the origin of the push endpoint), exp (now + 12 h; RFC 8292
// allows at most 24 h) and sub (a mailto: or https: contact for the push service's operator).
//
// Thread safety: free functions are pure; a VapidSigner may be shared by all sending threads (its
// token cache is locked internally).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"
#include "core/result.h"
#include "notify/webpush/p256.h"

namespace herald::notify::webpush {

// A VAPID key pair as stored in the database: base64url of the raw 32-byte private scalar and of
// the 65-byte uncompressed public point (the `applicationServerKey` browsers subscribe with).
struct VapidKeys {
  std::string private_key;
  std::string public_key;
};

// A new key pair from the OS CSPRNG; generated once, on first start, and kept for good
// (changing it orphans every existing subscription).
Result<VapidKeys> GenerateVapidKeys();
// Both keys decode, are valid P-256 keys, and belong together. Error::Invalid naming
// "vapid_private_key" or "vapid_public_key".
Status CheckVapidKeys(const VapidKeys& keys);
// The contact in the `sub` claim: "mailto:someone@example.com" or an https URL.
// Error::Invalid naming "vapid_subject".
Status CheckVapidSubject(std::string_view subject);
// The ASCII origin of a URL ("https://push.example.net", port kept unless it is the default):
// the JWT audience for a push endpoint. Error::Invalid for anything but an absolute http(s) URL.
Result<std::string> UrlOrigin(std::string_view url);

inline constexpr TimeMs kVapidTokenLifetime = 12 * 3600 * 1000;

class VapidSigner {
 public:
  // Error::Invalid when the keys or the subject are unusable (see the checks above).
  static Result<std::unique_ptr<VapidSigner>> Create(const VapidKeys& keys, std::string subject);

  const std::string& public_key() const { return public_key_; }  // base64url, the `k=` value
  const std::string& subject() const { return subject_; }

  // A freshly signed JWT for `audience` (an origin) expiring kVapidTokenLifetime after `now`
  // (whole seconds, as JWT NumericDate is).
  Result<std::string> Jwt(std::string_view audience, TimeMs now) const;
  // The Authorization header value for a push to `endpoint`. A token is reused for the same
  // audience for up to an hour (it stays valid at least 11 h more), so a fan-out to a million
  // subscribers signs a handful of tokens instead of a million.
  Result<std::string> Authorization(std::string_view endpoint, TimeMs now);

 private:
  VapidSigner(Pkey key, std::string public_key, std::string subject)
      : key_(std::move(key)), public_key_(std::move(public_key)), subject_(std::move(subject)) {}

  struct Token {
    std::string header;
    TimeMs issued_at = 0;
  };
  static constexpr TimeMs kReuseFor = 3600 * 1000;
  static constexpr size_t kMaxCachedAudiences = 1024;

  const Pkey key_;
  const std::string public_key_;
  const std::string subject_;
  std::mutex mu_;
  std::unordered_map<std::string, Token> tokens_;  // by audience; guarded by mu_
};

}  // namespace herald::notify::webpush
