// FailingStore (tests only): a Store that forwards to a real one and fails RecordMonitorResults
// (fail_results) or CommitDispatchBatch (fail_dispatch_batches) on demand, as a database that
// has gone away would (kUnavailable), or PutSetting (fail_settings) as a full disk would. Not thread-safe to toggle
// while another thread writes; tests toggle it between steps.
#pragma once

#include <atomic>

#include "store/store.h"

namespace herald::monitor::testing {

class FailingStore final : public store::Store {
 public:
  explicit FailingStore(store::Store& inner) : inner_(inner) {}
  std::atomic<bool> fail_results{false};
  std::atomic<bool> fail_dispatch_batches{false};
  std::atomic<bool> fail_settings{false};

  Status Migrate() override { return inner_.Migrate(); }
  Status Ping() override { return inner_.Ping(); }
  std::string BackendName() const override { return inner_.BackendName(); }
  Result<std::vector<model::Page>> ListPages() override { return inner_.ListPages(); }
  Result<model::Page> GetPage(const std::string& id_or_slug) override { return inner_.GetPage(id_or_slug); }
  Status SavePage(const model::Page& page, const model::OutboxEvent& event) override {
    return inner_.SavePage(page, event);
  }
  Result<std::vector<model::Component>> ListComponents(const std::string& page_id) override {
    return inner_.ListComponents(page_id);
  }
  Result<model::Component> GetComponent(const std::string& page_id, const std::string& id) override {
    return inner_.GetComponent(page_id, id);
  }
  Status SaveComponent(const model::Component& component, const std::optional<model::StatusChange>& change,
                       const model::OutboxEvent& event) override {
    return inner_.SaveComponent(component, change, event);
  }
  Status DeleteComponent(const std::string& page_id, const std::string& id, const model::OutboxEvent& event) override {
    return inner_.DeleteComponent(page_id, id, event);
  }
  Result<std::vector<model::StatusChange>> StatusHistory(const std::string& page_id, TimeMs since) override {
    return inner_.StatusHistory(page_id, since);
  }
  Result<std::vector<model::Incident>> ListIncidents(const std::string& page_id,
                                                     const store::IncidentFilter& filter) override {
    return inner_.ListIncidents(page_id, filter);
  }
  Result<model::Incident> GetIncident(const std::string& page_id, const std::string& id) override {
    return inner_.GetIncident(page_id, id);
  }
  Status SaveIncident(const store::IncidentWrite& write) override { return inner_.SaveIncident(write); }
  Status DeleteIncident(const std::string& page_id, const std::string& id, const model::OutboxEvent& event) override {
    return inner_.DeleteIncident(page_id, id, event);
  }
  Status SaveIncidentUpdate(const model::IncidentUpdate& update, const model::OutboxEvent& event) override {
    return inner_.SaveIncidentUpdate(update, event);
  }
  Result<std::vector<model::OutboxEvent>> ReadOutbox(std::int64_t after_id, int limit) override {
    return inner_.ReadOutbox(after_id, limit);
  }
  Result<std::int64_t> LastOutboxId() override { return inner_.LastOutboxId(); }
  Status SaveApiKey(const model::ApiKey& key) override { return inner_.SaveApiKey(key); }
  Result<model::ApiKey> FindApiKeyByHash(const std::string& key_hash) override {
    return inner_.FindApiKeyByHash(key_hash);
  }
  Result<std::vector<model::ApiKey>> ListApiKeys() override { return inner_.ListApiKeys(); }
  Status DeleteApiKey(const std::string& id) override { return inner_.DeleteApiKey(id); }
  Result<std::optional<std::string>> GetSetting(const std::string& key) override { return inner_.GetSetting(key); }
  Result<std::string> InitSetting(const std::string& key, const std::string& value, TimeMs now) override {
    return inner_.InitSetting(key, value, now);
  }
  Status PutSetting(const std::string& key, const std::string& value, TimeMs now) override {
    if (fail_settings) return Error::Unavailable("put setting: database or disk is full (test)");
    return inner_.PutSetting(key, value, now);
  }
  Status SaveSubscriber(const model::Subscriber& subscriber) override { return inner_.SaveSubscriber(subscriber); }
  Result<model::Subscriber> GetSubscriber(const std::string& page_id, const std::string& id) override {
    return inner_.GetSubscriber(page_id, id);
  }
  Result<std::optional<model::Subscriber>> FindSubscriber(const std::string& page_id, model::ChannelKind channel,
                                                          const std::string& address) override {
    return inner_.FindSubscriber(page_id, channel, address);
  }
  Result<std::vector<model::Subscriber>> ListSubscribers(const std::string& page_id,
                                                         const store::SubscriberFilter& filter) override {
    return inner_.ListSubscribers(page_id, filter);
  }
  Result<std::int64_t> CountSubscribers(const std::string& page_id) override {
    return inner_.CountSubscribers(page_id);
  }
  Status DeleteSubscriber(const std::string& page_id, const std::string& id) override {
    return inner_.DeleteSubscriber(page_id, id);
  }
  Result<std::int64_t> ImportSubscribers(const std::vector<model::Subscriber>& subscribers) override {
    return inner_.ImportSubscribers(subscribers);
  }
  Result<std::int64_t> PurgePendingSubscribers(TimeMs created_before) override {
    return inner_.PurgePendingSubscribers(created_before);
  }
  Result<std::vector<model::Subscriber>> StreamSubscribers(const std::string& page_id, bool has_cursor,
                                                           int cursor_priority, const std::string& cursor_id,
                                                           int limit) override {
    return inner_.StreamSubscribers(page_id, has_cursor, cursor_priority, cursor_id, limit);
  }
  Status CreateDispatchJobs(const std::vector<model::DispatchJob>& jobs, const std::string& cursor_key,
                            std::int64_t outbox_cursor) override {
    return inner_.CreateDispatchJobs(jobs, cursor_key, outbox_cursor);
  }
  Result<std::optional<model::DispatchJob>> ClaimDispatchJob(const std::string& owner, TimeMs now,
                                                             TimeMs lease_until) override {
    return inner_.ClaimDispatchJob(owner, now, lease_until);
  }
  Status CommitDispatchBatch(const store::DispatchBatch& batch) override {
    if (fail_dispatch_batches) return Error::Unavailable("database is unreachable (test)");
    return inner_.CommitDispatchBatch(batch);
  }
  Result<std::vector<model::Delivery>> ClaimDueDeliveries(TimeMs now, TimeMs lease_until, int limit) override {
    return inner_.ClaimDueDeliveries(now, lease_until, limit);
  }
  Status FinishAttempts(const std::vector<store::AttemptRecord>& records) override {
    return inner_.FinishAttempts(records);
  }
  Result<std::vector<store::DeliveryCount>> CountDeliveries(const std::string& page_id,
                                                            const std::string& incident_id) override {
    return inner_.CountDeliveries(page_id, incident_id);
  }
  Result<std::vector<model::Delivery>> ListDeliveries(const std::string& page_id, const std::string& subscriber_id,
                                                      int limit) override {
    return inner_.ListDeliveries(page_id, subscriber_id, limit);
  }
  Result<model::OutboxEvent> GetOutboxEvent(std::int64_t id) override { return inner_.GetOutboxEvent(id); }
  Result<std::vector<model::TemplateOverride>> ListTemplates(const std::string& page_id) override {
    return inner_.ListTemplates(page_id);
  }
  Status SaveTemplate(const model::TemplateOverride& t) override { return inner_.SaveTemplate(t); }
  Status DeleteTemplate(const std::string& page_id, const std::string& key) override {
    return inner_.DeleteTemplate(page_id, key);
  }
  Status SaveMonitor(const model::Monitor& monitor) override { return inner_.SaveMonitor(monitor); }
  Result<model::Monitor> GetMonitor(const std::string& page_id, const std::string& id) override {
    return inner_.GetMonitor(page_id, id);
  }
  Result<std::vector<model::Monitor>> ListMonitors(const std::string& page_id) override {
    return inner_.ListMonitors(page_id);
  }
  Status DeleteMonitor(const std::string& page_id, const std::string& id) override {
    return inner_.DeleteMonitor(page_id, id);
  }
  Result<std::optional<model::Monitor>> FindMonitorByHeartbeat(const std::string& token_hash) override {
    return inner_.FindMonitorByHeartbeat(token_hash);
  }
  Status RecordHeartbeat(const std::string& monitor_id, TimeMs at) override {
    return inner_.RecordHeartbeat(monitor_id, at);
  }
  Status RecordMonitorResults(const store::MonitorResultsWrite& write) override {
    if (fail_results) return Error::Unavailable("database is unreachable (test)");
    return inner_.RecordMonitorResults(write);
  }
  Result<std::vector<model::MonitorSample>> ListMonitorSamples(const std::string& monitor_id, TimeMs since,
                                                               int limit) override {
    return inner_.ListMonitorSamples(monitor_id, since, limit);
  }
  Result<std::vector<model::MonitorRollup>> ListMonitorRollups(const std::string& page_id,
                                                               const std::string& monitor_id, char granularity,
                                                               TimeMs since) override {
    return inner_.ListMonitorRollups(page_id, monitor_id, granularity, since);
  }
  Result<std::int64_t> PruneMonitorData(TimeMs samples_before, TimeMs minutes_before, TimeMs days_before) override {
    return inner_.PruneMonitorData(samples_before, minutes_before, days_before);
  }
  Result<std::vector<model::AutomationRule>> ListAutomationRules(const std::string& page_id) override {
    return inner_.ListAutomationRules(page_id);
  }
  Status SaveAutomationRule(const model::AutomationRule& rule) override { return inner_.SaveAutomationRule(rule); }
  Status DeleteAutomationRule(const std::string& page_id, const std::string& component_id) override {
    return inner_.DeleteAutomationRule(page_id, component_id);
  }
  Status SaveIncidentDraft(const model::IncidentDraft& draft) override { return inner_.SaveIncidentDraft(draft); }
  Result<model::IncidentDraft> GetIncidentDraft(const std::string& page_id, const std::string& id) override {
    return inner_.GetIncidentDraft(page_id, id);
  }
  Result<std::vector<model::IncidentDraft>> ListIncidentDrafts(const std::string& page_id, bool waiting_only) override {
    return inner_.ListIncidentDrafts(page_id, waiting_only);
  }
  Status SaveAlertTarget(const model::AlertTarget& target) override { return inner_.SaveAlertTarget(target); }
  Result<std::vector<model::AlertTarget>> ListAlertTargets(const std::string& page_id) override {
    return inner_.ListAlertTargets(page_id);
  }
  Status DeleteAlertTarget(const std::string& page_id, const std::string& id) override {
    return inner_.DeleteAlertTarget(page_id, id);
  }
  Status AddStaffAlerts(const std::vector<model::StaffAlert>& alerts) override { return inner_.AddStaffAlerts(alerts); }
  Result<std::vector<model::StaffAlert>> ClaimDueStaffAlerts(TimeMs now, TimeMs lease_until, int limit) override {
    return inner_.ClaimDueStaffAlerts(now, lease_until, limit);
  }
  Status FinishStaffAlerts(const std::vector<model::StaffAlert>& alerts) override {
    return inner_.FinishStaffAlerts(alerts);
  }
  Result<std::vector<model::StaffAlert>> ListStaffAlerts(const std::string& page_id, int limit) override {
    return inner_.ListStaffAlerts(page_id, limit);
  }
  Result<std::optional<model::IdempotencyRecord>> GetIdempotency(const std::string& key) override {
    return inner_.GetIdempotency(key);
  }
  Status PutIdempotency(const model::IdempotencyRecord& record) override { return inner_.PutIdempotency(record); }
  Status PurgeIdempotency(TimeMs older_than) override { return inner_.PurgeIdempotency(older_than); }

 private:
  store::Store& inner_;
};

}  // namespace herald::monitor::testing
