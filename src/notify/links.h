// Signed links for subscribers: confirm a subscription, manage preferences, unsubscribe with one
// click. A token is base64url("{purpose}|{subscriber id}|{expiry ms}") "." base64url(HMAC-SHA256
// under the server's secret), so links need no database row, cannot be forged or moved to
// another subscriber or purpose, and stop working after their expiry (0 = never). Rotating the
// secret (settings key "links.secret") revokes every link.
//
// Previews (POST /v1/.../templates/preview, open to viewers) use Placeholder(): the same URLs
// with the token "preview", which no signer accepts, so a preview never hands out a working
// confirm, manage or unsubscribe link for a real subscriber.
//
// Thread safety: immutable after construction.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace herald::notify {

enum class LinkPurpose { kConfirm, kManage, kUnsubscribe };

class LinkSigner {
 public:
  // `public_url`: the origin links point to ("https://status.example.com"), no trailing slash.
  LinkSigner(std::string secret, std::string public_url);
  // Inert links for previews: real paths under `public_url`, token kPlaceholderToken; Verify
  // refuses everything.
  static LinkSigner Placeholder(std::string public_url);
  static constexpr std::string_view kPlaceholderToken = "preview";

  std::string Token(LinkPurpose purpose, const std::string& subscriber_id, TimeMs expires_at) const;
  // The subscriber id, or kUnauthorized / kInvalid with a message fit to show to the visitor.
  Result<std::string> Verify(LinkPurpose purpose, std::string_view token, TimeMs now) const;

  std::string ConfirmUrl(const std::string& subscriber_id, TimeMs expires_at) const;
  std::string ManageUrl(const std::string& subscriber_id) const;
  std::string UnsubscribeUrl(const std::string& subscriber_id) const;
  const std::string& public_url() const { return public_url_; }

 private:
  void AppendToken(std::string& out, LinkPurpose purpose, const std::string& subscriber_id, TimeMs expires_at) const;
  std::string Url(std::string_view path, LinkPurpose purpose, const std::string& subscriber_id,
                  TimeMs expires_at) const;

  std::string secret_;
  std::string public_url_;
  bool placeholder_ = false;
};

// A fresh random secret for LinkSigner.
std::string NewLinkSecret();

}  // namespace herald::notify
