// LiveEvents: the bookkeeping of the console's live stream, GET /admin/events (app.cc serves it
// beside the public /events, on the same SSE hub, topic kLiveTopic). Open dashboards listen to it
// and refetch when told that what they show may have changed.
//
// - Admission: streams are bounded per client address and in total (a stream holds a connection
//   and a little memory; console users are few, so the bounds are small). Each stream is keyed by
//   something unique while it lives (app.cc uses the Request's address) so that Close is exact
//   even when the server refuses a stream after it was admitted here.
// - Change detection for what has no hook (delivery counters, monitors without a component,
//   writes by another instance): the owner computes a digest of every page's dashboard every
//   kDigestIntervalMs while a stream is open (service::DashboardDigest) and tells the streams when
//   it differs from the last one.
//
// Thread safety: every method from any thread (one mutex).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace herald::console {

inline constexpr std::string_view kLiveTopic = "/admin/events";  // never a page id (ids have no '/')
inline constexpr TimeMs kDigestIntervalMs = 2'000;

class LiveEvents {
 public:
  struct Limits {
    int per_client = 8;  // tabs of one responder, or a small office behind one address
    int total = 200;
  };
  enum class Admission { kAdmitted, kClientFull, kFull };

  LiveEvents() = default;
  explicit LiveEvents(Limits limits) : limits_(limits) {}

  Admission Open(const void* stream, const std::string& client);
  // Forgets `stream` (nothing when it is not open).
  void Close(const void* stream);
  int open() const;
  // Whether a digest is due at `now` (a stream is open and kDigestIntervalMs passed since the last).
  bool DigestDue(TimeMs now);
  // Remembers `digest`; true when it differs from the previous one (the first one counts as no change).
  bool DigestChanged(const std::string& digest);

 private:
  const Limits limits_{};
  mutable std::mutex mu_;                       // guards the members below
  std::map<const void*, std::string> streams_;  // stream -> client
  std::map<std::string, int> per_client_;
  TimeMs last_digest_at_ = 0;
  std::string digest_;
  bool has_digest_ = false;
};

}  // namespace herald::console
