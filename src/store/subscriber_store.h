// SubscriberStore: the Store role that holds the people and systems who asked to be told: one
// row per (page, channel, address) with its preferences, secrets and health. The subscription
// service, the public sign-up and the CSV import write through it.
//
// Thread safety, blocking and errors: as Store (store.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/subscriber.h"

namespace herald::store {

struct SubscriberFilter {
  std::optional<model::SubscriberState> state;
  std::optional<model::ChannelKind> channel;
  std::string segment;   // empty: any
  std::string after_id;  // keyset pagination: ids greater than this, in id order
  int limit = 100;
};

class SubscriberStore {
 public:
  virtual ~SubscriberStore() = default;

  // SaveSubscriber upserts by id; kConflict when another subscriber of the page has the same
  // channel and address.
  virtual Status SaveSubscriber(const model::Subscriber& subscriber) = 0;
  virtual Result<model::Subscriber> GetSubscriber(const std::string& page_id, const std::string& id) = 0;
  virtual Result<std::optional<model::Subscriber>> FindSubscriber(const std::string& page_id,
                                                                  model::ChannelKind channel,
                                                                  const std::string& address) = 0;
  virtual Result<std::vector<model::Subscriber>> ListSubscribers(const std::string& page_id,
                                                                 const SubscriberFilter& filter) = 0;
  virtual Result<std::int64_t> CountSubscribers(const std::string& page_id) = 0;
  virtual Status DeleteSubscriber(const std::string& page_id, const std::string& id) = 0;
  // Inserts many subscribers in one transaction (CSV import); an existing (page, channel,
  // address) is updated in place unless it is unsubscribed. Returns how many rows were written.
  virtual Result<std::int64_t> ImportSubscribers(const std::vector<model::Subscriber>& subscribers) = 0;
  // Forgets subscribers still pending confirmation that were created before `created_before`.
  virtual Result<std::int64_t> PurgePendingSubscribers(TimeMs created_before) = 0;
};

}  // namespace herald::store
