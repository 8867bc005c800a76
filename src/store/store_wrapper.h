// StoreWrapper: a Store that forwards every method to another Store (the target), in the manner
// of leveldb's EnvWrapper. A decorator derives from it and overrides only what it changes; a
// decorator that wants to see every call (count, fail or trace them) overrides OnCall, which
// each forwarded method runs first with its own name. FaultStore (fault_store_testing.h) is one.
//
// A new Store method gets its forwarding line here and in store_wrapper.cc; the compiler refuses
// a StoreWrapper that misses one (it would stay abstract).
//
// Thread safety: as thread-safe as the target and the subclass's OnCall; StoreWrapper itself
// holds no state besides the reference.
#pragma once

#include <string>
#include <string_view>

#include "store/store.h"

namespace herald::store {

class StoreWrapper : public Store {
 public:
  explicit StoreWrapper(Store& target) : target_(target) {}

  Store& target() const { return target_; }

  // Store.
  Status Migrate() override;
  Status Ping() override;
  std::string BackendName() const override;  // not intercepted: it cannot fail

  // StatusStore.
  Result<std::vector<model::Page>> ListPages() override;
  Result<model::Page> GetPage(const std::string& id_or_slug) override;
  Status SavePage(const model::Page& page, const model::OutboxEvent& event) override;
  Result<std::vector<model::Component>> ListComponents(const std::string& page_id) override;
  Result<model::Component> GetComponent(const std::string& page_id, const std::string& id) override;
  Status SaveComponent(const model::Component& component, const std::optional<model::StatusChange>& change,
                       const model::OutboxEvent& event) override;
  Status DeleteComponent(const std::string& page_id, const std::string& id, const model::OutboxEvent& event) override;
  Result<std::vector<model::StatusChange>> StatusHistory(const std::string& page_id, TimeMs since) override;
  Result<std::vector<model::Incident>> ListIncidents(const std::string& page_id, const IncidentFilter& filter) override;
  Result<model::Incident> GetIncident(const std::string& page_id, const std::string& id) override;
  Status SaveIncident(const IncidentWrite& write) override;
  Status DeleteIncident(const std::string& page_id, const std::string& id, const model::OutboxEvent& event) override;
  Status SaveIncidentUpdate(const model::IncidentUpdate& update, const model::OutboxEvent& event) override;
  Result<std::vector<model::OutboxEvent>> ReadOutbox(std::int64_t after_id, int limit) override;
  Result<std::int64_t> LastOutboxId() override;
  Result<model::OutboxEvent> GetOutboxEvent(std::int64_t id) override;

  // SubscriberStore.
  Status SaveSubscriber(const model::Subscriber& subscriber) override;
  Result<model::Subscriber> GetSubscriber(const std::string& page_id, const std::string& id) override;
  Result<std::optional<model::Subscriber>> FindSubscriber(const std::string& page_id, model::ChannelKind channel,
                                                          const std::string& address) override;
  Result<std::vector<model::Subscriber>> ListSubscribers(const std::string& page_id,
                                                         const SubscriberFilter& filter) override;
  Result<std::int64_t> CountSubscribers(const std::string& page_id) override;
  Status DeleteSubscriber(const std::string& page_id, const std::string& id) override;
  Result<std::int64_t> ImportSubscribers(const std::vector<model::Subscriber>& subscribers) override;
  Result<std::int64_t> PurgePendingSubscribers(TimeMs created_before) override;

  // DispatchStore.
  Result<std::vector<model::Subscriber>> StreamSubscribers(const std::string& page_id, bool has_cursor,
                                                           int cursor_priority, const std::string& cursor_id,
                                                           int limit) override;
  Status CreateDispatchJobs(const std::vector<model::DispatchJob>& jobs, const std::string& cursor_key,
                            std::int64_t outbox_cursor) override;
  Result<std::optional<model::DispatchJob>> ClaimDispatchJob(const std::string& owner, TimeMs now,
                                                             TimeMs lease_until) override;
  Status CommitDispatchBatch(const DispatchBatch& batch) override;
  Result<std::vector<model::Delivery>> ClaimDueDeliveries(TimeMs now, TimeMs lease_until, int limit) override;
  Status FinishAttempts(const std::vector<AttemptRecord>& records) override;
  Result<std::vector<DeliveryCount>> CountDeliveries(const std::string& page_id,
                                                     const std::string& incident_id) override;
  Result<std::vector<model::Delivery>> ListDeliveries(const std::string& page_id, const std::string& subscriber_id,
                                                      int limit) override;
  Result<std::vector<model::TemplateOverride>> ListTemplates(const std::string& page_id) override;
  Status SaveTemplate(const model::TemplateOverride& t) override;
  Status DeleteTemplate(const std::string& page_id, const std::string& key) override;

  // MonitorStore.
  Status SaveMonitor(const model::Monitor& monitor) override;
  Result<model::Monitor> GetMonitor(const std::string& page_id, const std::string& id) override;
  Result<std::vector<model::Monitor>> ListMonitors(const std::string& page_id) override;
  Status DeleteMonitor(const std::string& page_id, const std::string& id) override;
  Result<std::optional<model::Monitor>> FindMonitorByHeartbeat(const std::string& token_hash) override;
  Status RecordHeartbeat(const std::string& monitor_id, TimeMs at) override;
  Status RecordMonitorResults(const MonitorResultsWrite& write) override;
  Result<std::vector<model::MonitorSample>> ListMonitorSamples(const std::string& monitor_id, TimeMs since,
                                                               int limit) override;
  Result<std::vector<model::MonitorRollup>> ListMonitorRollups(const std::string& page_id,
                                                               const std::string& monitor_id, char granularity,
                                                               TimeMs since) override;
  Result<std::int64_t> PruneMonitorData(TimeMs samples_before, TimeMs minutes_before, TimeMs days_before) override;
  Result<std::vector<model::AutomationRule>> ListAutomationRules(const std::string& page_id) override;
  Status SaveAutomationRule(const model::AutomationRule& rule) override;
  Status DeleteAutomationRule(const std::string& page_id, const std::string& component_id) override;
  Status SaveIncidentDraft(const model::IncidentDraft& draft) override;
  Result<model::IncidentDraft> GetIncidentDraft(const std::string& page_id, const std::string& id) override;
  Result<std::vector<model::IncidentDraft>> ListIncidentDrafts(const std::string& page_id, bool waiting_only) override;
  Status SaveAlertTarget(const model::AlertTarget& target) override;
  Result<std::vector<model::AlertTarget>> ListAlertTargets(const std::string& page_id) override;
  Status DeleteAlertTarget(const std::string& page_id, const std::string& id) override;
  Status AddStaffAlerts(const std::vector<model::StaffAlert>& alerts) override;
  Result<std::vector<model::StaffAlert>> ClaimDueStaffAlerts(TimeMs now, TimeMs lease_until, int limit) override;
  Status FinishStaffAlerts(const std::vector<model::StaffAlert>& alerts) override;
  Result<std::vector<model::StaffAlert>> ListStaffAlerts(const std::string& page_id, int limit) override;

  // SettingStore.
  Result<std::optional<std::string>> GetSetting(const std::string& key) override;
  Result<std::string> InitSetting(const std::string& key, const std::string& value, TimeMs now) override;
  Status PutSetting(const std::string& key, const std::string& value, TimeMs now) override;

  // ApiStore.
  Status SaveApiKey(const model::ApiKey& key) override;
  Result<model::ApiKey> FindApiKeyByHash(const std::string& key_hash) override;
  Result<std::vector<model::ApiKey>> ListApiKeys() override;
  Status DeleteApiKey(const std::string& id) override;
  Result<std::optional<model::IdempotencyRecord>> GetIdempotency(const std::string& key) override;
  Status PutIdempotency(const model::IdempotencyRecord& record) override;
  Status PurgeIdempotency(TimeMs older_than) override;

  // ConsoleStore.
  Result<std::vector<model::Subscriber>> PageSubscribers(const std::string& page_id,
                                                         const SubscriberPageQuery& query) override;
  Result<std::vector<model::Incident>> PageIncidents(const std::string& page_id,
                                                     const IncidentPageQuery& query) override;
  Result<DeliveryHealth> CountDeliveryHealth(const std::string& page_id, TimeMs failed_since) override;
  Result<std::vector<MonitorFlips>> ListMonitorFlips(const std::string& page_id, TimeMs since, int min_flips) override;
  Result<std::vector<std::string>> ListSubscriberLanguages(const std::string& page_id) override;
  // AuditStore.
  Result<std::int64_t> AppendAudit(const model::AuditEntry& entry) override;
  Result<std::vector<model::AuditEntry>> ListAudit(const AuditFilter& filter) override;
  Result<std::int64_t> PurgeAudit(TimeMs before, int max_rows) override;
  // StaffStore.
  Status SaveStaffUser(const model::StaffUser& user) override;
  Result<model::StaffUser> GetStaffUser(const std::string& id) override;
  Result<std::optional<model::StaffUser>> FindStaffUserByEmail(const std::string& email) override;
  Result<std::vector<model::StaffUser>> ListStaffUsers() override;
  Status CreateStaffSession(const model::StaffSession& session) override;
  Result<std::optional<model::StaffSession>> FindStaffSession(const std::string& id_hash) override;
  Status TouchStaffSession(const std::string& id_hash, TimeMs last_seen_at) override;
  Status DeleteStaffSession(const std::string& id_hash) override;
  Result<std::int64_t> DeleteStaffSessionsOfUser(const std::string& user_id) override;
  Result<std::int64_t> PurgeStaffSessions(TimeMs idle_before, TimeMs created_before) override;
  Status SaveStaffInvite(const model::StaffInvite& invite) override;
  Result<std::optional<model::StaffInvite>> FindStaffInvite(const std::string& token_hash) override;
  Result<model::StaffUser> AcceptStaffInvite(const std::string& token_hash, TimeMs now,
                                             const std::string& password_hash) override;
  Result<model::SignInFailures> RecordSignInFailure(const std::string& key, TimeMs now, TimeMs window_ms) override;
  Result<std::optional<model::SignInFailures>> GetSignInFailures(const std::string& key) override;
  Status ClearSignInFailures(const std::string& key) override;
  Status SaveStaffSecondFactor(const model::StaffSecondFactor& factor,
                               const std::optional<std::vector<std::string>>& recovery_hashes) override;
  Result<std::optional<model::StaffSecondFactor>> GetStaffSecondFactor(const std::string& user_id) override;
  Status DeleteStaffSecondFactor(const std::string& user_id) override;
  Result<bool> UseStaffTotpStep(const std::string& user_id, std::int64_t step) override;
  Result<bool> UseStaffRecoveryCode(const std::string& user_id, const std::string& code_hash) override;
  Result<std::int64_t> CountStaffRecoveryCodes(const std::string& user_id) override;
  // IncidentTemplateStore.
  Result<std::vector<model::IncidentTemplate>> ListIncidentTemplates(const std::string& page_id) override;
  Result<model::IncidentTemplate> GetIncidentTemplate(const std::string& page_id, const std::string& id) override;
  Status SaveIncidentTemplate(const model::IncidentTemplate& t) override;
  Status DeleteIncidentTemplate(const std::string& page_id, const std::string& id) override;

 protected:
  // Runs before every forwarded call but BackendName, with the method's name ("ListPages"); an
  // error is returned to the caller instead of calling the target. The default lets every call
  // through.
  virtual Status OnCall(std::string_view method);

 private:
  template <typename Call>
  auto Forward(std::string_view method, Call&& call) -> decltype(call()) {
    if (Status st = OnCall(method); !st.ok()) return st.error();
    return call();
  }

  Store& target_;
};

}  // namespace herald::store
