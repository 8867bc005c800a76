// SettingStore: the Store role that holds small durable key/values of the server itself: the
// link-signing secret, the VAPID keys, the dispatcher's outbox cursor, a component's manual
// status, the write probe's row.
//
// Thread safety, blocking and errors: as Store (store.h).
#pragma once

#include <optional>
#include <string>

#include "core/clock.h"
#include "core/result.h"

namespace herald::store {

class SettingStore {
 public:
  virtual ~SettingStore() = default;

  // InitSetting stores `value` unless the key exists and returns the stored value, so instances
  // racing on first start agree on one secret.
  virtual Result<std::optional<std::string>> GetSetting(const std::string& key) = 0;
  virtual Result<std::string> InitSetting(const std::string& key, const std::string& value, TimeMs now) = 0;
  virtual Status PutSetting(const std::string& key, const std::string& value, TimeMs now) = 0;  // upsert
};

}  // namespace herald::store
