// ApiStore: the Store role that holds what the management API keeps about its callers: API keys
// (found by the SHA-256 of the presented secret; the secret itself is never stored) and
// Idempotency-Key records (the first answer to a key, replayed for a retry).
//
// Thread safety, blocking and errors: as Store (store.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/model.h"

namespace herald::store {

class ApiStore {
 public:
  virtual ~ApiStore() = default;

  // API keys, found by the SHA-256 of the presented secret.
  virtual Status SaveApiKey(const model::ApiKey& key) = 0;
  virtual Result<model::ApiKey> FindApiKeyByHash(const std::string& key_hash) = 0;
  virtual Result<std::vector<model::ApiKey>> ListApiKeys() = 0;
  virtual Status DeleteApiKey(const std::string& id) = 0;

  // Idempotency-Key records. PutIdempotency fails with kConflict when the key exists.
  virtual Result<std::optional<model::IdempotencyRecord>> GetIdempotency(const std::string& key) = 0;
  virtual Status PutIdempotency(const model::IdempotencyRecord& record) = 0;
  virtual Status PurgeIdempotency(TimeMs older_than) = 0;
};

}  // namespace herald::store
