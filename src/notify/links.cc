#include "notify/links.h"

#include <charconv>

#include "core/encoding.h"
#include "core/text.h"

namespace herald::notify {
namespace {

std::string_view PurposeName(LinkPurpose p) {
  switch (p) {
    case LinkPurpose::kConfirm: return "confirm";
    case LinkPurpose::kManage: return "manage";
    case LinkPurpose::kUnsubscribe: return "unsubscribe";
  }
  return "";
}

}  // namespace

LinkSigner::LinkSigner(std::string secret, std::string public_url)
    : secret_(std::move(secret)), public_url_(std::move(public_url)) {
  while (!public_url_.empty() && public_url_.back() == '/') public_url_.pop_back();
}

LinkSigner LinkSigner::Placeholder(std::string public_url) {
  LinkSigner links("", std::move(public_url));
  links.placeholder_ = true;
  return links;
}

std::string LinkSigner::Token(LinkPurpose purpose, const std::string& subscriber_id, TimeMs expires_at) const {
  std::string token;
  AppendToken(token, purpose, subscriber_id, expires_at);
  return token;
}

// Appends the token to `out` (a URL prefix): every cached message of a fan-out gets two links,
// so they are built in one buffer instead of from five temporary strings each.
void LinkSigner::AppendToken(std::string& out, LinkPurpose purpose, const std::string& subscriber_id,
                             TimeMs expires_at) const {
  if (placeholder_) {
    out += kPlaceholderToken;
    return;
  }
  const std::string_view name = PurposeName(purpose);
  char expiry[24];
  const auto [end, ec] = std::to_chars(expiry, expiry + sizeof expiry, expires_at);
  std::string payload;
  payload.reserve(name.size() + subscriber_id.size() + 2 + static_cast<size_t>(end - expiry));
  payload.append(name).append(1, '|').append(subscriber_id).append(1, '|').append(expiry, end);
  const std::string mac = HmacSha256(secret_, payload);
  out.reserve(out.size() + (payload.size() + 2) / 3 * 4 + 1 + 44);
  AppendBase64Url(out, payload);
  out += '.';
  AppendBase64Url(out, mac);
}

Result<std::string> LinkSigner::Verify(LinkPurpose purpose, std::string_view token, TimeMs now) const {
  const Error bad{ErrorCode::kUnauthorized, "this link is not valid; use the newest link we sent you", "token"};
  const auto dot = token.find('.');
  if (placeholder_ || dot == std::string_view::npos || token.size() > 512) return bad;
  auto payload = Base64UrlDecode(token.substr(0, dot));
  auto mac = Base64UrlDecode(token.substr(dot + 1));
  if (!payload || !mac || !ConstantTimeEquals(*mac, HmacSha256(secret_, *payload))) return bad;
  const auto p1 = payload->find('|');
  const auto p2 = payload->rfind('|');
  if (p1 == std::string::npos || p2 == p1) return bad;
  if (std::string_view(*payload).substr(0, p1) != PurposeName(purpose)) return bad;
  TimeMs expires = 0;
  const char* first = payload->data() + p2 + 1;
  const char* last = payload->data() + payload->size();
  if (auto [p, ec] = std::from_chars(first, last, expires); ec != std::errc() || p != last) return bad;
  if (expires != 0 && now > expires) {
    return Error{ErrorCode::kUnauthorized, "this link has expired; subscribe again to get a new one", "token"};
  }
  return payload->substr(p1 + 1, p2 - p1 - 1);
}

std::string LinkSigner::Url(std::string_view path, LinkPurpose purpose, const std::string& subscriber_id,
                            TimeMs expires_at) const {
  std::string url;
  url.reserve(public_url_.size() + path.size() + 2 * subscriber_id.size() + 96);
  url.append(public_url_).append(path);
  AppendToken(url, purpose, subscriber_id, expires_at);
  return url;
}
std::string LinkSigner::ConfirmUrl(const std::string& subscriber_id, TimeMs expires_at) const {
  return Url("/subscriptions/confirm?token=", LinkPurpose::kConfirm, subscriber_id, expires_at);
}
std::string LinkSigner::ManageUrl(const std::string& subscriber_id) const {
  return Url("/subscriptions/manage?token=", LinkPurpose::kManage, subscriber_id, 0);
}
std::string LinkSigner::UnsubscribeUrl(const std::string& subscriber_id) const {
  return Url("/subscriptions/unsubscribe?token=", LinkPurpose::kUnsubscribe, subscriber_id, 0);
}

std::string NewLinkSecret() { return RandomHex(32); }

}  // namespace herald::notify
