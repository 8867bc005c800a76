#include "model/secret_mask.h"

namespace herald::model {

std::string MaskUrl(std::string_view url, bool hide_path) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const size_t host_at = scheme + 3;
  size_t end = url.find_first_of("/?#", host_at);
  if (end == std::string_view::npos) end = url.size();
  std::string_view authority = url.substr(host_at, end - host_at);
  std::string out(url.substr(0, host_at));
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    out += kMaskedSecret;
    out += '@';
    authority = authority.substr(at + 1);
  }
  out += authority;
  std::string_view rest = url.substr(end);
  if (hide_path) {
    if (!rest.empty()) out += "/" + std::string(kMaskedSecret);
    return out;
  }
  const size_t q = rest.find('?');
  out += rest.substr(0, q);
  if (q == std::string_view::npos) return out;
  std::string_view query = rest.substr(q + 1);
  const size_t hash = query.find('#');
  query = query.substr(0, hash);
  out += '?';
  for (size_t pos = 0; pos <= query.size();) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view pair = query.substr(pos, amp - pos);
    const size_t eq = pair.find('=');
    out += pair.substr(0, eq);
    if (eq != std::string_view::npos) out += "=" + std::string(kMaskedSecret);
    if (amp < query.size()) out += '&';
    pos = amp + 1;
  }
  return out;
}

Monitor WithSecretsMasked(Monitor m) {
  m.spec.target = MaskUrl(m.spec.target, false);
  for (auto& header : m.spec.headers) header.second = std::string(kMaskedSecret);
  if (!m.spec.body.empty()) m.spec.body = std::string(kMaskedSecret);
  m.heartbeat_token_hash.clear();
  return m;
}

std::string VisibleAddress(const AlertTarget& t, bool reveal_secrets) {
  const bool url = t.channel != ChannelKind::kEmail;
  return reveal_secrets || !url ? t.address : MaskUrl(t.address, true);
}

}  // namespace herald::model
