// Channels: the channels this server can send on, one per ChannelKind, built from the
// configuration by MakeChannels (registry.cc holds the one line per channel). A kind missing from
// the set is not configured here (e.g. SMS without a provider): subscribing with it is refused.
//
// Thread safety: immutable after construction; channels themselves are thread-safe.
#pragma once

#include <map>
#include <memory>

#include "notify/channel.h"

namespace herald::notify {

class Channels {
 public:
  void Add(std::unique_ptr<Channel> channel) {
    const auto kind = channel->Kind();
    by_kind_[kind] = std::move(channel);
  }
  Channel* Find(model::ChannelKind kind) const {
    auto it = by_kind_.find(kind);
    return it == by_kind_.end() ? nullptr : it->second.get();
  }
  const std::map<model::ChannelKind, std::unique_ptr<Channel>>& all() const { return by_kind_; }

 private:
  std::map<model::ChannelKind, std::unique_ptr<Channel>> by_kind_;
};

}  // namespace herald::notify
