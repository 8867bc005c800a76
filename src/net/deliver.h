// Runs an outbound engine's completion callback: an exception thrown by the caller's code is
// logged and goes no further, so one faulty callback never stops an engine's thread. Shared by
// CurlEngine and PushEngine.
//
// Thread safety: none of its own; runs on the engine's thread.
#pragma once

#include <exception>
#include <functional>
#include <utility>

#include "core/log.h"

namespace herald::net {

template <typename T>
void Deliver(std::function<void(T)>& done, T value, const char* what) noexcept {
  if (!done) return;
  try {
    done(std::move(value));
  } catch (const std::exception& e) {
    log::Error("outbound callback threw", {{"kind", what}, {"error", e.what()}});
  } catch (...) {
    log::Error("outbound callback threw", {{"kind", what}});
  }
}

}  // namespace herald::net
