#include "console/live_events.h"

namespace herald::console {

LiveEvents::Admission LiveEvents::Open(const void* stream, const std::string& client) {
  std::lock_guard lock(mu_);
  if (streams_.count(stream)) return Admission::kAdmitted;
  if (static_cast<int>(streams_.size()) >= limits_.total) return Admission::kFull;
  int& mine = per_client_[client];
  if (mine >= limits_.per_client) return Admission::kClientFull;
  ++mine;
  streams_.emplace(stream, client);
  return Admission::kAdmitted;
}

void LiveEvents::Close(const void* stream) {
  std::lock_guard lock(mu_);
  auto it = streams_.find(stream);
  if (it == streams_.end()) return;
  if (auto c = per_client_.find(it->second); c != per_client_.end() && --c->second <= 0) per_client_.erase(c);
  streams_.erase(it);
  if (streams_.empty()) has_digest_ = false;  // nobody watched meanwhile: the next one is a baseline
}

int LiveEvents::open() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(streams_.size());
}

bool LiveEvents::DigestDue(TimeMs now) {
  std::lock_guard lock(mu_);
  if (streams_.empty() || now - last_digest_at_ < kDigestIntervalMs) return false;
  last_digest_at_ = now;
  return true;
}

bool LiveEvents::DigestChanged(const std::string& digest) {
  std::lock_guard lock(mu_);
  const bool changed = has_digest_ && digest != digest_;
  digest_ = digest;
  has_digest_ = true;
  return changed;
}

}  // namespace herald::console
